"""funcpack build with a warm cache (run by Debian's /usr/bin/python3).

A second build with unchanged inputs reuses the install cache: no wheel is unpacked again,
every package entry of the zip is spliced from the cache, and the zip is byte-identical.
A damaged cache entry is detected, rebuilt, and the zip is still the same.

argv: FUNCPACK_BINARY SOURCE_DIR
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

FUNCPACK = sys.argv[1]
SRC = sys.argv[2]
SITE = ".python_packages/lib/site-packages"


def run(*args):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PIP_") and k not in ("SOURCE_DATE_EPOCH", "FUNCPACK_CACHE_DIR")}
    return subprocess.run([FUNCPACK, *args], capture_output=True, text=True, env=env)


class BuildCacheTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="funcpack-build-cache")
        index = os.path.join(cls.tmp, "index")
        subprocess.run([sys.executable, os.path.join(SRC, "scripts/fixturegen.py"), "build",
                        os.path.join(SRC, "fixtures/index/azure.toml"), "-o", index],
                       check=True, capture_output=True)
        cls.files = os.path.join(index, "files")
        cls.app = os.path.join(cls.tmp, "app")
        shutil.copytree(os.path.join(SRC, "fixtures/apps/sample"), cls.app)
        with open(os.path.join(cls.app, "requirements.txt"), "w") as f:
            f.write("azure-functions==1.21.3\nrequests>=2.31,<3\npydantic==2.9.2\n")
        cls.lock = os.path.join(cls.tmp, "pylock.toml")
        r = run("lock", cls.app, "--no-index", "--find-links", cls.files,
                "--cache-dir", os.path.join(cls.tmp, "lockcache"), "-o", cls.lock)
        assert r.returncode == 0, r.stderr
        with open(cls.lock) as f:
            cls.wheels = f.read().count("[[packages]]")
        assert cls.wheels >= 5, cls.wheels

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def build(self, name, cache):
        out = os.path.join(self.tmp, name, "app.zip")
        r = run("build", self.app, "--lock", self.lock, "--find-links", self.files,
                "--cache-dir", cache, "-o", out, "-v")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, "rb") as f:
            data = f.read()
        return r.stderr, data, out

    def test_warm_build_reuses_everything_and_is_byte_identical(self):
        cache = os.path.join(self.tmp, "cache")
        err, cold, out = self.build("cold", cache)
        with zipfile.ZipFile(out) as z:
            names = z.namelist()
        total = len(names)
        packaged = sum(1 for n in names if n.startswith(SITE + "/"))
        self.assertGreater(packaged, 20)
        self.assertEqual(err, f"cache: 0 wheels reused, {self.wheels} unpacked, "
                              f"0 of {total} zip entries reused\n")
        entries = sorted(glob.glob(os.path.join(cache, "installed-v1", "*")))
        self.assertEqual(len(entries), self.wheels)
        self.assertEqual([os.path.basename(p) for p in glob.glob(os.path.join(entries[0], "zip-*"))],
                         ["zip-315532800"])

        err, warm, _ = self.build("warm", cache)
        self.assertEqual(err, f"cache: {self.wheels} wheels reused, 0 unpacked, "
                              f"{packaged} of {total} zip entries reused\n")
        self.assertTrue(cold == warm, "warm zip differs from the cold one")

        # Damage one cached file: that wheel is unpacked again (its zip entries compressed
        # afresh), the others are reused, and the zip is the same.
        victim = max(entries, key=lambda p: sum(len(fs) for _, _, fs in os.walk(p)))
        with open(os.path.join(victim, "manifest")) as f:
            # "file SHA256 SIZE INODE MTIME_NS PATH"
            victim_files = [l.split(" ", 5)[5] for l in f.read().splitlines() if l.startswith("file ")]
        with open(os.path.join(victim, "tree", victim_files[0]), "ab") as f:
            f.write(b"#")
        err, again, _ = self.build("damaged", cache)
        self.assertEqual(err, f"cache: {self.wheels - 1} wheels reused, 1 unpacked, "
                              f"{packaged - len(victim_files)} of {total} zip entries reused\n")
        self.assertTrue(again == cold, "zip after a cache rebuild differs")

        # And the rebuilt entry is whole again.
        err, last, _ = self.build("last", cache)
        self.assertEqual(err, f"cache: {self.wheels} wheels reused, 0 unpacked, "
                              f"{packaged} of {total} zip entries reused\n")
        self.assertTrue(last == cold)
        t = subprocess.run(["unzip", "-tq", os.path.join(self.tmp, "last", "app.zip")],
                           capture_output=True, text=True)
        self.assertEqual(t.returncode, 0, t.stdout + t.stderr)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
