"""funcpack build end to end (run by Debian's /usr/bin/python3).

argv: FUNCPACK_BINARY SOURCE_DIR
"""
import hashlib
import importlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

FUNCPACK = sys.argv[1]
SRC = sys.argv[2]
SITE = ".python_packages/lib/site-packages"


def run(*args, env_extra=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PIP_") and k != "SOURCE_DATE_EPOCH"}
    env.update(env_extra or {})
    return subprocess.run([FUNCPACK, *args], capture_output=True, text=True, env=env)


class BuildTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="funcpack-build-e2e")
        cls.index = os.path.join(cls.tmp, "index")
        subprocess.run([sys.executable, os.path.join(SRC, "scripts/fixturegen.py"), "build",
                        os.path.join(SRC, "fixtures/index/azure.toml"), "-o", cls.index],
                       check=True, capture_output=True)
        cls.files = os.path.join(cls.index, "files")
        cls.app = os.path.join(cls.tmp, "sample")
        shutil.copytree(os.path.join(SRC, "fixtures/apps/sample"), cls.app)
        # A smaller set than the sample's (azure-storage-blob brings cryptography and cffi) keeps
        # this fast; the full sample is built by scripts/demo.
        with open(os.path.join(cls.app, "requirements.txt"), "w") as f:
            f.write("azure-functions==1.21.3\nrequests>=2.31,<3\npydantic==2.9.2\n")
        os.makedirs(os.path.join(cls.app, "__pycache__"))
        with open(os.path.join(cls.app, "__pycache__", "x.pyc"), "wb") as f:
            f.write(b"junk")
        cls.lock = os.path.join(cls.tmp, "pylock.toml")
        r = run("lock", cls.app, "--no-index", "--find-links", cls.files,
                "--cache-dir", os.path.join(cls.tmp, "cache"), "-o", cls.lock)
        assert r.returncode == 0, r.stderr
        with open(cls.lock) as f:
            cls.lock_text = f.read()
        # name -> (version, wheel filename) as the lock pins them
        cls.pins = dict(
            (m[0], (m[1], m[2])) for m in re.findall(
                r'\[\[packages\]\]\nname = "([^"]+)"\nversion = "([^"]+)"[\s\S]*?name = "([^"]+\.whl)"',
                cls.lock_text))
        assert "pydantic-core" in cls.pins, cls.lock_text

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def build(self, out, *extra, lock=None, env_extra=None):
        return run("build", self.app, "--lock", lock or self.lock, "--find-links", self.files,
                   "--cache-dir", os.path.join(self.tmp, "cache"), "-o", out, *extra,
                   env_extra=env_extra)

    def expected_listing(self):
        names = []
        for f in ("function_app.py", "host.json", "requirements.txt"):
            names.append(f)
        for fn in sorted(v[1] for v in self.pins.values()):
            with zipfile.ZipFile(os.path.join(self.files, fn)) as w:
                for n in w.namelist():
                    if n.endswith("/"):
                        continue
                    m = re.match(r"[^/]+\.data/(purelib|platlib|scripts|data)/(.*)", n)
                    if m:
                        n = ("bin/" if m[1] == "scripts" else "") + m[2]
                    names.append(SITE + "/" + n)
                di = [n for n in w.namelist() if re.match(r"[^/]+\.dist-info/RECORD$", n)][0]
                names.append(SITE + "/" + di.replace("RECORD", "INSTALLER"))
        return sorted(names)

    def test_build_zip(self):
        out = os.path.join(self.tmp, "dist", "app.zip")
        r = self.build(out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        with open(out, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        self.assertIn(f"  zip:      {out}, ", r.stdout)
        self.assertIn(f", sha256 {digest}\n", r.stdout)
        lock_digest = hashlib.sha256(self.lock_text.encode()).hexdigest()
        self.assertIn(f"  lock:     {self.lock}, sha256 {lock_digest}\n", r.stdout)
        self.assertTrue(r.stdout.startswith(f"built {out}\n"), r.stdout)
        t = subprocess.run(["unzip", "-tq", out], capture_output=True, text=True)
        self.assertEqual(t.returncode, 0, t.stdout + t.stderr)
        t = subprocess.run(["/usr/bin/python3", "-m", "zipfile", "-t", out],
                           capture_output=True, text=True)
        self.assertEqual(t.returncode, 0, t.stderr)
        with zipfile.ZipFile(out) as z:
            listing = z.namelist()
            self.assertEqual(listing, self.expected_listing())
            x = os.path.join(self.tmp, "x")
            z.extractall(x)
        # --list-files prints exactly what went in; -v adds the exclusions with reasons.
        lf = self.build(os.path.join(self.tmp, "dist", "never.zip"), "--list-files", "-v")
        self.assertEqual(lf.returncode, 0, lf.stderr)
        self.assertEqual(lf.stdout, "".join(p + "\n" for p in listing) +
                         "excluded .funcignore: always excluded (.funcignore)\n"
                         "excluded __pycache__/: always excluded (__pycache__)\n"
                         "excluded local.settings.json: always excluded (local.settings.json)\n")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "dist", "never.zip")))
        # Real python3 imports every top-level module and sees every distribution's version.
        site = os.path.join(x, SITE)
        tops = set()
        for p in listing:
            if not p.startswith(SITE + "/"):
                continue
            parts = p[len(SITE) + 1:].split("/")
            if len(parts) == 1 and parts[0].endswith(".py"):
                tops.add(parts[0][:-3])
            elif len(parts) == 2 and parts[1] == "__init__.py":
                tops.add(parts[0])
        tops = sorted(tops)
        self.assertEqual(tops, ["annotated_types", "azure_functions", "certifi",
                                "charset_normalizer", "idna", "markupsafe", "pydantic",
                                "pydantic_core", "requests", "typing_extensions", "urllib3",
                                "werkzeug"])
        code = ("import importlib, importlib.metadata as md, sys\n"
                "for m in sys.argv[1].split(','):\n"
                "    importlib.import_module(m)\n"
                "for d in sys.argv[2].split(','):\n"
                "    n, v = d.split('=')\n"
                "    print(n, md.version(n))\n")
        mods = tops
        p = subprocess.run(["/usr/bin/python3", "-I", "-c",
                            f"import sys; sys.path.insert(0, {site!r})\n" + code,
                            ",".join(mods),
                            ",".join(f"{n}={v[0]}" for n, v in sorted(self.pins.items()))],
                           capture_output=True, text=True, cwd=self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "".join(f"{n} {v[0]}\n" for n, v in sorted(self.pins.items())))

    def test_reproducible(self):
        a = os.path.join(self.tmp, "r1.zip")
        b = os.path.join(self.tmp, "r2.zip")
        self.assertEqual(self.build(a).returncode, 0)
        os.utime(os.path.join(self.app, "function_app.py"), (1234567890, 1234567890))
        os.chmod(os.path.join(self.app, "host.json"), 0o600)
        r = self.build(b, env_extra={"TZ": "Asia/Tokyo"})
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(a, "rb") as f1, open(b, "rb") as f2:
            self.assertEqual(f1.read(), f2.read())
        c = os.path.join(self.tmp, "r3.zip")
        r = self.build(c, env_extra={"SOURCE_DATE_EPOCH": "1700000000"})
        self.assertEqual(r.returncode, 0, r.stderr)
        with zipfile.ZipFile(c) as z:
            self.assertEqual({i.date_time for i in z.infolist()}, {(2023, 11, 14, 22, 13, 20)})

    def failing(self, lock_text, expect_in):
        lock = os.path.join(self.tmp, "bad.toml")
        with open(lock, "w") as f:
            f.write(lock_text)
        out = os.path.join(self.tmp, "bad", "app.zip")
        r = self.build(out, lock=lock)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(expect_in, r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertFalse(os.path.exists(out))
        if os.path.isdir(os.path.dirname(out)):
            self.assertEqual(os.listdir(os.path.dirname(out)), [])

    def test_hash_mismatch_leaves_nothing(self):
        version, fn = self.pins["idna"]
        with open(os.path.join(self.files, fn), "rb") as f:
            good = hashlib.sha256(f.read()).hexdigest()
        bad = self.lock_text.replace(good, "0" * 64)
        self.assertNotEqual(bad, self.lock_text)
        self.failing(bad, f"funcpack build: sha256 mismatch for {fn}: the lock says {'0' * 64}, ")

    def test_policy_violation_names_package_and_file(self):
        # legacyffi's fixture wheel links libffi.so.8 without bundling it.
        app = os.path.join(self.tmp, "sample-full")
        shutil.copytree(os.path.join(SRC, "fixtures/apps/sample"), app)
        with open(os.path.join(app, "requirements.txt"), "a") as f:
            f.write("legacyffi==1.0.0\n")
        outdir = os.path.join(self.tmp, "full")
        out = os.path.join(outdir, "app.zip")
        r = run("build", app, "--no-index", "--find-links", self.files,
                "--cache-dir", os.path.join(self.tmp, "cache"), "-o", out)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertEqual(r.stderr,
                         "funcpack build: legacyffi 1.0.0: _legacyffi.cpython-311-x86_64-linux-gnu.so: "
                         "links libffi.so.8, which manylinux_2_31 does not allow and the wheel "
                         "does not bundle\n"
                         "funcpack build: 1 file breaks manylinux_2_31 (the runtime's glibc "
                         "ceiling)\n")
        self.assertFalse(os.path.exists(out))
        self.assertFalse(os.path.isdir(outdir) and os.listdir(outdir))

    def test_without_lock_resolves_first(self):
        a = os.path.join(self.tmp, "nl", "with.zip")
        self.assertEqual(self.build(a).returncode, 0)
        b = os.path.join(self.tmp, "nl", "sample.zip")
        r = run("build", self.app, "--no-index", "--find-links", self.files,
                "--cache-dir", os.path.join(self.tmp, "cache"), "-o", b)
        self.assertEqual(r.returncode, 0, r.stderr)
        kept = os.path.join(self.tmp, "nl", "sample.pylock.toml")
        digest = hashlib.sha256(self.lock_text.encode()).hexdigest()
        self.assertIn(f"  lock:     {kept}, sha256 {digest}\n", r.stdout)
        with open(kept) as f:
            self.assertEqual(f.read(), self.lock_text)
        with open(a, "rb") as f1, open(b, "rb") as f2:
            self.assertEqual(f1.read(), f2.read())

    def test_usage_errors(self):
        r = run("build", "--frobnicate")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--frobnicate", r.stderr)
        r = run("build", os.path.join(self.tmp, "no-such-app"), "--lock", self.lock)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr, f"funcpack build: {self.tmp}/no-such-app: no such directory\n")
        out = os.path.join(self.tmp, "py.zip")
        r = self.build(out, "--python", "3.12")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr, f"funcpack build: {self.lock} is for Python 3.11, not 3.12\n")
        self.assertFalse(os.path.exists(out))

    def test_missing_lock_is_an_input_error(self):
        out = os.path.join(self.tmp, "m.zip")
        r = self.build(out, lock=os.path.join(self.tmp, "nope.toml"))
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr, f"funcpack build: cannot read {self.tmp}/nope.toml: "
                                   "No such file or directory\n")
        self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
