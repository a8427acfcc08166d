"""Direct references end to end (run by Debian's /usr/bin/python3): requirements that name a
local project directory, a git repository, a wheel by URL and an sdist by path are locked
(pylock.toml's directory / vcs / archive entries, the exact text) and built into the zip, the
source trees built in the bwrap sandbox, and real python3 imports every module from the zip.

argv: FUNCPACK_BINARY SOURCE_DIR WORK_DIR

Real parts: a fixturegen index (helper wheels, the build host's setuptools and wheel, an sdist
and wheels used by URL and by path) served by tests/support/index_server.py on 127.0.0.1; a
real git repository made with the git CLI and read through libgit2 over file://; setuptools
builds inside bubblewrap. WORK_DIR is outside /tmp (the sandbox's /tmp is private).
"""
import hashlib
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

SCENARIO = """[index]
host_wheels = ["setuptools", "wheel"]

[[package]]
name = "helper"
versions = ["1.0", "2.1"]

[[package]]
name = "extra"
versions = ["1.0"]

[[package]]
name = "winpkg"
versions = ["1.0"]
wheels = ["cp311-cp311-win_amd64"]

[[package]]
name = "vend"
versions = ["2.0"]
metadata_version = "2.2"
dependencies = ["helper"]
wheels = []
sdist = true
"""

SETUPTOOLS = '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def git(repo, *args):
    env = {"PATH": "/usr/bin:/bin", "HOME": WORK, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
           "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z"}
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


def gitpkg_version(repo, version, dependency):
    """Commits python/ (a static pyproject project) at `version`; returns the commit id."""
    write(os.path.join(repo, "python", "pyproject.toml"),
          SETUPTOOLS + f'[project]\nname = "gitpkg"\nversion = "{version}"\n'
          f'dependencies = ["{dependency}"]\n[tool.setuptools]\npackages = ["gitpkg"]\n')
    write(os.path.join(repo, "python", "gitpkg", "__init__.py"), f'VERSION = "{version}"\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"gitpkg {version}")
    return git(repo, "rev-parse", "HEAD")


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class DirectReferencesTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(WORK)
        cls.index = os.path.join(WORK, "index")
        write(os.path.join(WORK, "scenario.toml"), SCENARIO)
        subprocess.run([sys.executable, os.path.join(SRC, "scripts/fixturegen.py"), "build",
                        os.path.join(WORK, "scenario.toml"), "-o", cls.index],
                       check=True, capture_output=True)
        cls.server = subprocess.Popen(
            [sys.executable, os.path.join(SRC, "tests/support/index_server.py"), "--root",
             cls.index, "--exit-on-stdin-eof"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        cls.base = f"http://127.0.0.1:{int(cls.server.stdout.readline())}"
        cls.cache = os.path.join(WORK, "cache")

        # The git repository: v1.0 is tagged, main has moved on to 2.0.0.
        cls.repo = os.path.join(WORK, "repos", "gitpkg")
        os.makedirs(cls.repo)
        git(cls.repo, "init", "-q", "-b", "main")
        cls.commit1 = gitpkg_version(cls.repo, "1.0.0", "helper")
        git(cls.repo, "tag", "v1.0")
        cls.commit2 = gitpkg_version(cls.repo, "2.0.0", "helper<2")

        # The app: a static local project, a setup.py one (editable), the git project, a
        # wheel by URL with its hash, and a vendored sdist by path.
        cls.app = os.path.join(WORK, "app")
        write(os.path.join(cls.app, "function_app.py"),
              "import azure.functions as func\napp = func.FunctionApp()\n")
        write(os.path.join(cls.app, "host.json"), '{"version": "2.0"}\n')
        write(os.path.join(cls.app, ".funcignore"), "libs/\nvendor/\n")
        write(os.path.join(cls.app, "libs", "statlib", "pyproject.toml"),
              SETUPTOOLS + '[project]\nname = "statlib"\nversion = "1.2.0"\n'
              'dependencies = ["helper>=2"]\n[tool.setuptools]\npackages = ["statlib"]\n')
        write(os.path.join(cls.app, "libs", "statlib", "statlib", "__init__.py"), 'NAME = "statlib"\n')
        write(os.path.join(cls.app, "libs", "legacy", "setup.py"),
              "from setuptools import setup\nsetup(name='legacy', version='0.3', "
              "packages=['legacy'], install_requires=['helper'])\n")
        write(os.path.join(cls.app, "libs", "legacy", "legacy", "__init__.py"), 'NAME = "legacy"\n')
        os.makedirs(os.path.join(cls.app, "vendor"))
        shutil.copy(os.path.join(cls.index, "files", "vend-2.0.tar.gz"), os.path.join(cls.app, "vendor"))
        cls.extra_url = f"{cls.base}/files/extra-1.0-py3-none-any.whl"
        cls.extra_sha = sha256(os.path.join(cls.index, "files", "extra-1.0-py3-none-any.whl"))
        cls.git_url = "git+file://" + cls.repo
        write(os.path.join(cls.app, "requirements.txt"),
              "./libs/statlib\n"
              "-e ./libs/legacy\n"
              f"{cls.git_url}@v1.0#egg=gitpkg&subdirectory=python\n"
              f"extra @ {cls.extra_url} --hash=sha256:{cls.extra_sha}\n"
              "./vendor/vend-2.0.tar.gz\n")

    @classmethod
    def tearDownClass(cls):
        cls.server.stdin.close()
        cls.server.wait(timeout=10)

    def funcpack(self, *args, cwd=None):
        env = {"PATH": "/usr/bin:/bin", "HOME": os.path.join(WORK, "home"), "LANG": "C.UTF-8"}
        # A sanitizer build's settings (scripts/test --sanitize) reach funcpack too.
        env.update({k: v for k, v in os.environ.items() if k.endswith("SAN_OPTIONS")})
        return subprocess.run([FUNCPACK, *args], capture_output=True, text=True, env=env, cwd=cwd)

    def index_args(self):
        return ["--index-url", self.base + "/simple", "--cache-dir", self.cache, "--sandbox", "bwrap"]

    def expected_lock(self):
        files = os.path.join(self.index, "files")
        vend = os.path.join(self.app, "vendor", "vend-2.0.tar.gz")
        hw = "helper-2.1-py3-none-any.whl"
        return (
            'lock-version = "1.0"\n'
            'environments = [\'implementation_name == "cpython" and sys_platform == "linux" and '
            'platform_machine == "x86_64" and python_full_version == "3.11.14"\']\n'
            'requires-python = "==3.11.*"\ncreated-by = "funcpack"\n\n'
            '[[packages]]\nname = "extra"\nversion = "1.0"\n'
            f'archive = {{url = "{self.extra_url}", size = '
            f'{os.path.getsize(os.path.join(files, "extra-1.0-py3-none-any.whl"))}, '
            f'hashes = {{sha256 = "{self.extra_sha}"}}}}\n\n'
            '[[packages]]\nname = "gitpkg"\n'
            f'vcs = {{type = "git", url = "file://{self.repo}", requested-revision = "v1.0", '
            f'commit-id = "{self.commit1}", subdirectory = "python"}}\n\n'
            '[packages.tool.funcpack]\nversion = "1.0.0"\n\n'
            '[[packages]]\nname = "helper"\nversion = "2.1"\n'
            f'index = "{self.base}/simple"\n'
            f'wheels = [{{name = "{hw}", url = "{self.base}/files/{hw}", '
            f'size = {os.path.getsize(os.path.join(files, hw))}, '
            f'hashes = {{sha256 = "{sha256(os.path.join(files, hw))}"}}}}]\n\n'
            '[[packages]]\nname = "legacy"\ndirectory = {path = "libs/legacy", editable = true}\n\n'
            '[packages.tool.funcpack]\nversion = "0.3"\n\n'
            '[[packages]]\nname = "statlib"\ndirectory = {path = "libs/statlib", editable = false}\n\n'
            '[packages.tool.funcpack]\nversion = "1.2.0"\n\n'
            '[[packages]]\nname = "vend"\nversion = "2.0"\n'
            f'archive = {{path = "vendor/vend-2.0.tar.gz", size = {os.path.getsize(vend)}, '
            f'hashes = {{sha256 = "{sha256(vend)}"}}}}\n\n'
            '[tool.funcpack]\npython = "3.11.14"\nmachine = "x86_64"\nglibc = "2.31"\n')

    def check_zip(self, zip_path, gitpkg="1.0.0"):
        """unzip -t, then real python3 imports every module from the zip's tree and sees every
        distribution's version."""
        t = subprocess.run(["unzip", "-tq", zip_path], capture_output=True, text=True)
        self.assertEqual(t.returncode, 0, t.stdout + t.stderr)
        x = zip_path + ".unzipped"
        shutil.rmtree(x, ignore_errors=True)
        with zipfile.ZipFile(zip_path) as z:
            names = z.namelist()
            z.extractall(x)
        # .funcignore keeps the project sources out; only their installed copies deploy.
        self.assertFalse([n for n in names if n.startswith(("libs/", "vendor/"))], names)
        # An editable install would leave a .pth pointing at the build host: none here.
        self.assertFalse([n for n in names if n.endswith((".pth", ".egg-link"))], names)
        p = subprocess.run(
            ["/usr/bin/python3", "-I", "-c",
             "import sys; sys.path.insert(0, sys.argv[1]); import importlib.metadata as md\n"
             "import statlib, legacy, gitpkg, extra, vend, helper\n"
             "print(statlib.NAME, legacy.NAME, gitpkg.VERSION)\n"
             "print(*[md.version(n) for n in ('statlib', 'legacy', 'gitpkg', 'extra', 'vend', 'helper')])",
             os.path.join(x, SITE)], capture_output=True, text=True)
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        self.assertEqual(p.stdout, f"statlib legacy {gitpkg}\n1.2.0 0.3 {gitpkg} 1.0 2.0 2.1\n")

    def test_1_lock_records_each_reference_as_pep751_does(self):
        r = self.funcpack("lock", self.app, *self.index_args())
        self.assertEqual(r.returncode, 0, r.stderr)
        # Only the setup.py project needs a build to tell its dependencies; the pyproject
        # projects, the wheel and the sdist's PKG-INFO (2.2) are read as they are.
        self.assertEqual(r.stderr, f"funcpack lock: building the metadata of file://{self.app}/libs/legacy "
                                   "(a setup.py project declares its metadata only when it is built)\n")
        self.assertEqual(r.stdout, "locked 6 packages for CPython 3.11.14 on Linux x86_64 (glibc 2.31) "
                                   f"to {self.app}/pylock.toml\n")
        with open(os.path.join(self.app, "pylock.toml")) as f:
            self.assertEqual(f.read(), self.expected_lock())
        # The source trees were only read: nothing was written into them.
        self.assertEqual(sorted(os.listdir(os.path.join(self.app, "libs", "legacy"))), ["legacy", "setup.py"])
        # Printed to stdout, paths are relative to the current directory: from the app's own,
        # the same bytes.
        again = self.funcpack("lock", ".", *self.index_args(), "-o", "-", cwd=self.app)
        self.assertEqual((again.returncode, again.stdout), (0, self.expected_lock()))

    def test_2_build_from_the_lock_builds_trees_in_the_sandbox(self):
        out = os.path.join(WORK, "dist", "locked.zip")
        r = self.funcpack("build", self.app, "--lock", os.path.join(self.app, "pylock.toml"),
                          *self.index_args(), "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "funcpack build: legacy is installed as a regular wheel: an "
                                   "editable install cannot be deployed\n")
        built = [line for line in r.stdout.splitlines() if line.startswith("built ") and " from " in line]
        self.assertEqual(built, [
            f"built gitpkg-1.0.0-py3-none-any.whl from git+file://{self.repo}@{self.commit1}"
            f"#subdirectory=python in the bwrap sandbox ({PY} ({PYVER}))",
            f"built legacy-0.3-py3-none-any.whl from file://{self.app}/libs/legacy in the bwrap "
            f"sandbox ({PY} ({PYVER}))",
            f"built statlib-1.2.0-py3-none-any.whl from file://{self.app}/libs/statlib in the "
            f"bwrap sandbox ({PY} ({PYVER}))",
            f"built vend-2.0-py3-none-any.whl from vend-2.0.tar.gz in the bwrap sandbox ({PY} ({PYVER}))",
        ])
        self.check_zip(out)

    def test_3_build_without_a_lock_resolves_the_same_and_writes_the_same_zip(self):
        out = os.path.join(WORK, "dist", "resolved.zip")
        r = self.funcpack("build", self.app, *self.index_args(), "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.check_zip(out)
        with open(out, "rb") as a, open(os.path.join(WORK, "dist", "locked.zip"), "rb") as b:
            self.assertEqual(a.read(), b.read())
        # The lock kept beside the zip names the app's paths relative to itself.
        with open(os.path.join(WORK, "dist", "resolved.pylock.toml")) as f:
            kept = f.read()
        self.assertIn('directory = {path = "../app/libs/statlib", editable = false}', kept)
        self.assertIn('archive = {path = "../app/vendor/vend-2.0.tar.gz"', kept)

    def test_4_requirements_format_refuses_source_trees(self):
        r = self.funcpack("lock", self.app, *self.index_args(), "--format", "requirements", "-o", "-")
        self.assertEqual((r.returncode, r.stdout), (2, ""))
        self.assertTrue(r.stderr.endswith(
            "funcpack lock: cannot write gitpkg to a requirements lock: it is built from a git "
            "repository, which pip's hash-checking mode (--require-hashes) refuses; use the "
            "pylock format\n"), r.stderr)

    def test_5_errors_name_the_requirement(self):
        bad = os.path.join(WORK, "bad")
        os.makedirs(bad, exist_ok=True)
        files = f"{self.base}/files"
        winwhl = "winpkg-1.0-cp311-cp311-win_amd64.whl"
        broken = os.path.join(WORK, "repos", "broken")
        if not os.path.isdir(broken):
            os.makedirs(broken)
            git(broken, "init", "-q", "-b", "main")
            write(os.path.join(broken, "pyproject.toml"), '[project]\nname = "broken"\nversion = 1\n')
            git(broken, "add", "-A")
            git(broken, "commit", "-q", "-m", "broken")
        broken_commit = git(broken, "rev-parse", "HEAD")
        cases = [
            (f"git+file://{broken}#egg=broken",
             f"git+file://{broken}@{broken_commit}/pyproject.toml:3:11: 'project.version' must be "
             "a string"),
            (f"{self.git_url}@nope#egg=gitpkg",
             f"{self.git_url}: no branch, tag or commit 'nope' (branches: main; tags: v1.0)"),
            (f"extra @ {self.extra_url} --hash=sha256:{'0' * 64}",
             f"sha256 mismatch for extra-1.0-py3-none-any.whl from {self.extra_url}: expected "
             f"{'0' * 64}, got {self.extra_sha}"),
            (f"winpkg @ {files}/{winwhl}",
             f"{winwhl} does not run on the target (CPython 3.11, manylinux_2_31 x86_64; its "
             "tags: cp311-cp311-win_amd64)"),
            (f"other @ {self.extra_url}", f"{self.extra_url} is extra 1.0, not other"),
            ("hg+https://hg.example.invalid/repo#egg=repo",
             "only git repositories are supported (hg+/svn+/bzr+ need their own tools)"),
        ]
        for line, message in cases:
            with self.subTest(line=line):
                write(os.path.join(bad, "requirements.txt"), line + "\n")
                r = self.funcpack("lock", bad, *self.index_args())
                self.assertEqual(r.returncode, 2, r.stderr)
                first = r.stderr.splitlines()[0]
                self.assertEqual(first, f"{bad}/requirements.txt:1:1: error: {message}")
                self.assertEqual(r.stderr.splitlines()[1], "  " + line)
                self.assertEqual(sorted(os.listdir(bad)), ["requirements.txt"])

    def test_9_the_lock_pins_the_commit_not_the_tag(self):
        # v1.0 moves to the 2.0.0 commit (which needs helper<2). The existing lock still
        # builds the commit it pinned; a new lock follows the tag and meets the conflict.
        git(self.repo, "tag", "-f", "v1.0", self.commit2)
        out = os.path.join(WORK, "dist", "pinned.zip")
        r = self.funcpack("build", self.app, "--lock", os.path.join(self.app, "pylock.toml"),
                          *self.index_args(), "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.check_zip(out, gitpkg="1.0.0")
        r = self.funcpack("lock", self.app, *self.index_args(), "-o", "-")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(f"you require gitpkg @ git+file://{self.repo}@{self.commit2}#subdirectory=python",
                      r.stderr)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
