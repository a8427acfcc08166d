"""funcpack build of sdists in the sandbox, end to end (run by Debian's /usr/bin/python3).

argv: FUNCPACK_BINARY SOURCE_DIR WORK_DIR

The fixture index (scripts/fixturegen.py) holds sdists only for the app's packages and the
build host's real setuptools and wheel wheels (Debian's python3-setuptools-whl and
python3-wheel-whl); tests/support/index_server.py serves it on 127.0.0.1. WORK_DIR is outside
/tmp on purpose: the sandbox sees the host's root read-only but /tmp as a private tmpfs, so a
file written "outside" must land on the read-only root for the refusal to be about read-only.
"""
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import unittest
import zipfile

FUNCPACK, SRC, WORK = sys.argv[1:4]
SITE = ".python_packages/lib/site-packages"
PY = "/usr/bin/python3." + str(sys.version_info[1])
PYVER = platform.python_version()
NONE_WARNING = ("warning: --sandbox none builds on the host without isolation: the build can "
                "reach the network, read your files and write anywhere you can\n")

# A setup.py that tries to leave its sandbox, reports each attempt, and always fails (so the
# build log's tail is shown). Paths and the port are filled in by the test.
PROBE_SETUP = r'''import os, urllib.request
def attempt(what, fn):
    try:
        print(f"probe {what}: {fn()}", flush=True)
    except Exception as e:
        print(f"probe {what}: {type(e).__name__}: {e}", flush=True)
def net():
    with urllib.request.urlopen("http://127.0.0.1:PORT/from-setup-py", timeout=5) as r:
        return f"HTTP {r.status}"
def write():
    with open("OUTSIDE", "w") as f:
        f.write("escaped")
    return "wrote"
def secret():
    with open("SECRET") as f:
        return "read " + f.read()
def home():
    with open(os.path.expanduser("~/secret.txt")) as f:
        return "read " + f.read()
attempt("network 127.0.0.1:PORT", net)
attempt("write OUTSIDE", write)
attempt("read SECRET", secret)
attempt("read ~/secret.txt", home)
os._exit(3)
'''


# arc4random is new in glibc 2.36 (the build host's), above the runtime's 2.31 ceiling.
NEW_GLIBC_C = r"""#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>

static PyObject *draw(PyObject *self, PyObject *args) {
    return PyLong_FromUnsignedLong(arc4random());
}

static PyMethodDef methods[] = {{"draw", draw, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "hostonly._rand", NULL, -1, methods};
PyMODINIT_FUNC PyInit__rand(void) { return PyModule_Create(&module); }
"""


def scenario(probe_setup):
    return f'''[index]
host_wheels = ["setuptools", "wheel"]

[[package]]
name = "fastmath"
versions = ["1.0.0"]
wheels = []
sdist = {{ backend = "setuptools", extensions = [{{ name = "fastmath._speed" }}], metadata_file = true }}

[[package]]
name = "probe"
versions = ["1.0.0"]
wheels = []
sdist = {{ backend = "setuptools", metadata_file = true, setup_py = {json.dumps(probe_setup)} }}

[[package]]
name = "purelib"
versions = ["2.0.0"]
wheels = []
sdist = {{ backend = "inline", metadata_file = true }}

[[package]]
name = "hostonly"
versions = ["1.0.0"]
wheels = []
sdist = {{ backend = "setuptools", metadata_file = true, extensions = [{{ name = "hostonly._rand", source = {json.dumps(NEW_GLIBC_C)} }}] }}
'''


class SandboxBuildTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(WORK)
        cls.home = os.path.join(WORK, "home")
        os.makedirs(cls.home)
        cls.secret = os.path.join(cls.home, "secret.txt")
        with open(cls.secret, "w") as f:
            f.write("planted")
        cls.outside = os.path.join(WORK, "escaped.txt")
        cls.index = os.path.join(WORK, "index")
        os.makedirs(cls.index)
        cls.log = os.path.join(WORK, "server.log")
        # The server serves the index (generated below, once the port is known).
        cls.server = subprocess.Popen(
            [sys.executable, os.path.join(SRC, "tests/support/index_server.py"), "--root",
             cls.index, "--log", cls.log, "--exit-on-stdin-eof"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        cls.port = int(cls.server.stdout.readline())
        cls.url = f"http://127.0.0.1:{cls.port}/simple"
        probe = (PROBE_SETUP.replace("PORT", str(cls.port)).replace("OUTSIDE", cls.outside)
                 .replace("SECRET", cls.secret))
        with open(os.path.join(WORK, "scenario.toml"), "w") as f:
            f.write(scenario(probe))
        shutil.rmtree(cls.index)
        subprocess.run([sys.executable, os.path.join(SRC, "scripts/fixturegen.py"), "build",
                        os.path.join(WORK, "scenario.toml"), "-o", cls.index],
                       check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        cls.server.stdin.close()
        cls.server.wait(timeout=10)

    def run_funcpack(self, *args):
        env = {"PATH": "/usr/bin:/bin", "HOME": self.home, "LANG": "C.UTF-8"}
        return subprocess.run([FUNCPACK, *args], capture_output=True, text=True, env=env)

    def app(self, name, requirement):
        app = os.path.join(WORK, name)
        shutil.rmtree(app, ignore_errors=True)
        os.makedirs(app)
        with open(os.path.join(app, "function_app.py"), "w") as f:
            f.write("import azure.functions as func\napp = func.FunctionApp()\n")
        with open(os.path.join(app, "host.json"), "w") as f:
            f.write('{"version": "2.0"}\n')
        with open(os.path.join(app, "requirements.txt"), "w") as f:
            f.write(requirement + "\n")
        lock = os.path.join(WORK, name + ".pylock.toml")
        r = self.run_funcpack("lock", app, "--index-url", self.url, "--no-binary", ":all:",
                              "--cache-dir", os.path.join(WORK, "cache"), "-o", lock)
        self.assertEqual(r.returncode, 0, r.stderr)
        return app, lock

    def build(self, app, lock, out, *extra):
        return self.run_funcpack("build", app, "--lock", lock, "--index-url", self.url,
                                 "--cache-dir", os.path.join(WORK, "cache"), "-o", out, *extra)

    def requests(self):
        with open(self.log) as f:
            return [json.loads(line)["path"] for line in f]

    def test_c_extension_built_in_bwrap_installs_and_imports(self):
        app, lock = self.app("cext", "fastmath==1.0.0")
        out = os.path.join(WORK, "dist", "cext.zip")
        r = self.build(app, lock, out)  # --sandbox auto picks bwrap here
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        wheel = "fastmath-1.0.0-cp311-cp311-manylinux_2_5_x86_64.manylinux1_x86_64.whl"
        self.assertTrue(r.stdout.startswith(
            f"built {wheel} from fastmath-1.0.0.tar.gz in the bwrap sandbox ({PY} ({PYVER}))\n"
            f"built {out}\n"), r.stdout)
        # Build requirements came from our index (the host's), never from inside the sandbox.
        paths = self.requests()
        self.assertIn("/files/setuptools-66.1.1-py3-none-any.whl", paths)
        self.assertIn("/files/wheel-0.38.4-py3-none-any.whl", paths)
        with zipfile.ZipFile(out) as z:
            names = z.namelist()
            so = [n for n in names if n.endswith(".so")]
            self.assertEqual(so, [f"{SITE}/fastmath/_speed.cpython-311-x86_64-linux-gnu.so"])
            self.assertEqual(z.read(f"{SITE}/fastmath-1.0.0.dist-info/WHEEL").decode(),
                             "Wheel-Version: 1.0\nGenerator: bdist_wheel (0.38.4)\n"
                             "Root-Is-Purelib: false\n"
                             "Tag: cp311-cp311-manylinux_2_5_x86_64\n"
                             "Tag: cp311-cp311-manylinux1_x86_64\n")
            x = os.path.join(WORK, "cext-unzipped")
            shutil.rmtree(x, ignore_errors=True)
            z.extractall(x)
        # Real python3 imports the C extension from the zip's tree and calls it.
        p = subprocess.run(["/usr/bin/python3", "-I", "-c",
                            "import sys; sys.path.insert(0, sys.argv[1]); "
                            "import fastmath._speed as s, importlib.metadata as md; "
                            "print(s.add(2, 40), md.version('fastmath'))",
                            os.path.join(x, SITE)], capture_output=True, text=True)
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "42 1.0.0\n", ""))
        # Same sdist, same sandbox paths, same SOURCE_DATE_EPOCH: the same bytes again, also
        # when build locks in-process (--no-binary lets it pick the sdist) and the read-only
        # root is given explicitly.
        again = os.path.join(WORK, "dist", "cext-again.zip")
        r2 = self.run_funcpack("build", app, "--index-url", self.url, "--no-binary", "fastmath",
                               "--cache-dir", os.path.join(WORK, "cache"), "-o", again,
                               "--sandbox", "bwrap", "--sandbox-root", "/")
        self.assertEqual(r2.returncode, 0, r2.stderr)
        with open(out, "rb") as a, open(again, "rb") as b:
            self.assertEqual(a.read(), b.read())

    def probe_lines(self, stderr):
        return [l.strip() for l in stderr.splitlines() if l.strip().startswith("probe ")]

    def test_sandbox_holds_and_the_log_tail_is_shown(self):
        app, lock = self.app("probe", "probe==1.0.0")
        out = os.path.join(WORK, "dist", "probe.zip")
        before = self.requests()
        r = self.build(app, lock, out, "--sandbox", "bwrap")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stdout, "")
        m = re.search(r"\n  full log: (/\S+/probe-1\.0\.0\.log)\n$", r.stderr)
        self.assertTrue(m, r.stderr)
        full_log = m.group(1)
        tail = [
            "funcpack: building probe-1.0.0.tar.gz in the bwrap sandbox",
            "funcpack: build requirements: setuptools 66.1.1",
            f"funcpack: running get_requires_for_build_wheel with {PY} (Python {PYVER})",
            "funcpack-frontend: calling get_requires_for_build_wheel of setuptools.build_meta",
            f"probe network 127.0.0.1:{self.port}: URLError: <urlopen error [Errno 111] "
            "Connection refused>",
            f"probe write {self.outside}: OSError: [Errno 30] Read-only file system: "
            f"'{self.outside}'",
            f"probe read {self.secret}: FileNotFoundError: [Errno 2] No such file or directory: "
            f"'{self.secret}'",
            "probe read ~/secret.txt: FileNotFoundError: [Errno 2] No such file or directory: "
            "'/tmp/funcpack/home/secret.txt'",
        ]
        self.assertEqual(
            r.stderr,
            "funcpack build: probe 1.0.0: get_requires_for_build_wheel failed: exited with "
            f"status 3\n  last {len(tail)} lines of the build log:\n" +
            "".join(f"    {l}\n" for l in tail) + f"  full log: {full_log}\n")
        with open(full_log) as f:
            self.assertEqual(f.read(), "".join(l + "\n" for l in tail))
        shutil.rmtree(os.path.dirname(full_log))
        # Nothing escaped: no request from the build reached the server, no file was written,
        # and no zip was made.
        self.assertNotIn("/from-setup-py", self.requests()[len(before):])
        self.assertFalse(os.path.exists(self.outside))
        self.assertFalse(os.path.exists(out))

    def test_same_probe_without_sandbox_escapes(self):
        # The control: the very same setup.py, built with --sandbox none, gets out every way
        # (so the test above can fail), and the warning says so.
        app, lock = self.app("probe-none", "probe==1.0.0")
        out = os.path.join(WORK, "dist", "probe-none.zip")
        r = self.build(app, lock, out, "--sandbox", "none")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertTrue(r.stderr.startswith(NONE_WARNING), r.stderr)
        home = re.search(r"probe read ~/secret.txt: \S+: \[Errno 2\] No such file or directory: "
                         r"'(\S+)/secret.txt'", r.stderr)
        self.assertEqual(self.probe_lines(r.stderr), [
            f"probe network 127.0.0.1:{self.port}: HTTPError: HTTP Error 404: Not Found",
            f"probe write {self.outside}: wrote",
            f"probe read {self.secret}: read planted",
            # none still gives the build an empty $HOME of its own
            f"probe read ~/secret.txt: FileNotFoundError: [Errno 2] No such file or directory: "
            f"'{home.group(1) if home else '?'}/secret.txt'",
        ])
        self.assertIn("/from-setup-py", self.requests())
        with open(self.outside) as f:
            self.assertEqual(f.read(), "escaped")
        os.remove(self.outside)
        m = re.search(r"\n  full log: (/\S+/probe-1\.0\.0\.log)\n$", r.stderr)
        shutil.rmtree(os.path.dirname(m.group(1)))

    def test_wheel_that_only_fits_the_build_host_is_rejected(self):
        app, lock = self.app("hostonly", "hostonly==1.0.0")
        out = os.path.join(WORK, "dist", "hostonly.zip")
        r = self.build(app, lock, out, "--sandbox", "bwrap")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertEqual(
            r.stderr,
            "funcpack build: hostonly 1.0.0: hostonly-1.0.0-cp311-cp311-linux_x86_64.whl only "
            "fits the build host, not manylinux_2_31:\n"
            "  hostonly/_rand.cpython-311-x86_64-linux-gnu.so: needs GLIBC_2.36 from libc.so.6, "
            "newer than manylinux_2_31 allows (GLIBC up to 2.31)\n")
        self.assertFalse(os.path.exists(out))

    def test_pure_sdist_with_an_in_tree_backend(self):
        # fixturegen's stdlib-only backend, loaded through backend-path, with no build
        # requirements at all: nothing is resolved, and a pure wheel keeps its tags.
        app, lock = self.app("pure", "purelib==2.0.0")
        out = os.path.join(WORK, "dist", "pure.zip")
        r = self.build(app, lock, out, "--sandbox", "bwrap")
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        self.assertTrue(r.stdout.startswith(
            "built purelib-2.0.0-py3-none-any.whl from purelib-2.0.0.tar.gz in the bwrap "
            f"sandbox ({PY} ({PYVER}))\nbuilt {out}\n"), r.stdout)
        with zipfile.ZipFile(out) as z:
            self.assertEqual(z.read(f"{SITE}/purelib/__init__.py").decode(),
                             '"""purelib 2.0.0 (generated by funcpack fixturegen)."""\n'
                             '__version__ = "2.0.0"\n\n\ndef hello():\n'
                             '    return "purelib 2.0.0"\n')

    def test_missing_interpreter_says_how_to_proceed(self):
        app, lock = self.app("nopython", "fastmath==1.0.0")
        r = self.build(app, lock, os.path.join(WORK, "dist", "nopython.zip"), "--sandbox",
                       "bwrap", "--sandbox-python", "/nonexistent/python3.11")
        self.assertEqual((r.returncode, r.stdout), (1, ""), r.stderr)
        self.assertEqual(
            r.stderr,
            "funcpack build: fastmath 1.0.0: no Python 3.11 interpreter for the bwrap sandbox: "
            "tried /nonexistent/python3.11 (not found); install Python 3.11 (Debian: "
            "python3.11) or pass --sandbox-python PATH\n")

    def test_unknown_sandbox_is_a_usage_error(self):
        app, lock = self.app("usage", "fastmath==1.0.0")
        r = self.build(app, lock, os.path.join(WORK, "dist", "usage.zip"), "--sandbox", "chroot")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--sandbox: chroot not in {auto,bwrap,docker,podman,none}", r.stderr)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
