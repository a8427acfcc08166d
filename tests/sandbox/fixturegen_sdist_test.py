"""fixturegen's sdist/backend features that sandboxed builds rely on (run by Debian's python3).

argv: SOURCE_DIR WORK_DIR
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import unittest

SRC, WORK = sys.argv[1:3]
GEN = os.path.join(SRC, "scripts/fixturegen.py")
HOST = "/usr/share/python-wheels"


def gen(scenario, env_extra=None):
    os.makedirs(WORK, exist_ok=True)
    path = os.path.join(WORK, "s.toml")
    with open(path, "w") as f:
        f.write(scenario)
    out = os.path.join(WORK, "out")
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, GEN, "build", path, "-o", out], capture_output=True,
                          text=True, env=env), out


class FixturegenSdists(unittest.TestCase):
    maxDiff = None

    def test_host_wheels_are_served_unchanged(self):
        r, out = gen('[index]\nhost_wheels = ["setuptools", "wheel"]\n')
        self.assertEqual(r.returncode, 0, r.stderr)
        names = sorted(f for f in os.listdir(HOST) if f.startswith(("setuptools-", "wheel-")))
        self.assertEqual(sorted(f for f in os.listdir(os.path.join(out, "files"))
                                if f.endswith(".whl")), names)
        for n in names:
            with open(os.path.join(HOST, n), "rb") as a, open(os.path.join(out, "files", n), "rb") as b:
                data = a.read()
                self.assertEqual(data, b.read())
            project = n.split("-")[0]
            with open(os.path.join(out, "simple", project, "index.json")) as f:
                page = json.load(f)
            self.assertEqual([(x["filename"], x["hashes"]["sha256"]) for x in page["files"]],
                             [(n, hashlib.sha256(data).hexdigest())])
            self.assertEqual(page["versions"], [n.split("-")[1]])

    def test_missing_host_wheel_is_a_scenario_error(self):
        empty = os.path.join(WORK, "empty")
        os.makedirs(empty, exist_ok=True)
        r, _ = gen('[index]\nhost_wheels = ["setuptools"]\n', {"FIXTUREGEN_HOST_WHEELS": empty})
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr, f"fixturegen: {WORK}/s.toml: host_wheels: no setuptools wheel "
                                   f"in {empty} (Debian: apt-get install python3-setuptools-whl)\n")

    def test_extension_sdist_layout_and_metadata_file(self):
        r, out = gen('[[package]]\nname = "fastmath"\nversions = ["1.0.0"]\nwheels = []\n'
                     'sdist = { backend = "setuptools", metadata_file = true, '
                     'extensions = [{ name = "fastmath._speed" }] }\n')
        self.assertEqual(r.returncode, 0, r.stderr)
        sdist = os.path.join(out, "files", "fastmath-1.0.0.tar.gz")
        with tarfile.open(sdist) as t:
            self.assertEqual(sorted(m.name for m in t.getmembers() if m.isfile()),
                             ["fastmath-1.0.0/PKG-INFO", "fastmath-1.0.0/fastmath/__init__.py",
                              "fastmath-1.0.0/fastmath/_speed.c", "fastmath-1.0.0/pyproject.toml",
                              "fastmath-1.0.0/setup.py"])
            setup = t.extractfile("fastmath-1.0.0/setup.py").read().decode()
            pkg_info = t.extractfile("fastmath-1.0.0/PKG-INFO").read()
        self.assertEqual(setup, "from setuptools import setup, Extension\n\nsetup(\n"
                                "    name='fastmath',\n    version='1.0.0',\n"
                                "    packages=['fastmath'],\n    py_modules=[],\n"
                                "    install_requires=[],\n"
                                "    ext_modules=[Extension('fastmath._speed', "
                                "['fastmath/_speed.c'])],\n)\n")
        with open(sdist + ".metadata", "rb") as f:
            self.assertEqual(f.read(), pkg_info)
        with open(os.path.join(out, "simple", "fastmath", "index.json")) as f:
            entry = json.load(f)["files"][0]
        self.assertEqual(entry["core-metadata"], {"sha256": hashlib.sha256(pkg_info).hexdigest()})


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
