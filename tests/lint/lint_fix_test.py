"""funcpack lint --fix end to end: the real binary fixes a copy of the clean fixture app made
dirty (azure-functions-worker in a CRLF root file with comments and in a -r include without a
final newline), the result re-lints clean for the fixed rule, every other byte is kept, the exit
code reflects what remains, suppressed findings are left alone, and --fix with --diff-base on a
real git repository fixes only reported findings.

--fix --pin runs against an index made by scripts/fixturegen.py from fixtures/index/azure.toml,
served over HTTP on 127.0.0.1 by tests/support/index_server.py (started and stopped here): exact
file bytes after pinning (CRLF root file, an include without a final newline, markers, extras,
comments), the notes, a second run that changes nothing, and failures that write nothing."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import json

FUNCPACK, SOURCE = sys.argv[1:3]
del sys.argv[1:3]
TODAY = "2026-11-24"
ENV = {k: v for k, v in os.environ.items()
       if k not in ("FUNCPACK_RULES_DIR", "NO_COLOR", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL",
                    "PIP_FIND_LINKS", "PIP_NO_INDEX", "FUNCPACK_HTTP_TIMEOUT")}

ROOT_BEFORE = (b"# Deployed with funcpack.\r\n"
               b"azure-functions>=1.21\r\n"
               b"azure-functions-worker==1.1.9  # added by mistake\r\n"
               b"\r\n"
               b"-r shared.txt\r\n"
               b"requests==2.32.3   \r\n")
ROOT_AFTER = (b"# Deployed with funcpack.\r\n"
              b"azure-functions>=1.21\r\n"
              b"\r\n"
              b"-r shared.txt\r\n"
              b"requests==2.32.3   \r\n")
SHARED_BEFORE = (b"# shared pins\n"
                 b"Azure_Functions.Worker \\\n"
                 b"    >=1.0\n"
                 b"pydantic>=2.7,<3")
SHARED_AFTER = b"# shared pins\npydantic>=2.7,<3"


def run(*args, cwd):
    return subprocess.run([FUNCPACK, "lint", *args, "--today", TODAY], cwd=cwd,
                          capture_output=True, text=True, env=ENV)


class Fix(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        shutil.copytree(os.path.join(SOURCE, "fixtures/apps/clean"),
                        os.path.join(self.dir, "app"))

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, rel, data):
        with open(os.path.join(self.dir, rel), "wb") as f:
            f.write(data)

    def read(self, rel):
        with open(os.path.join(self.dir, rel), "rb") as f:
            return f.read()

    def git(self, *args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                       cwd=self.dir, check=True, capture_output=True)

    def test_fixes_root_and_include_byte_for_byte(self):
        self.write("app/requirements.txt", ROOT_BEFORE)
        self.write("app/shared.txt", SHARED_BEFORE)
        os.chmod(os.path.join(self.dir, "app/shared.txt"), 0o640)
        before = run("app", "--format", "github", cwd=self.dir)
        self.assertEqual(before.returncode, 1, before.stderr)
        self.assertEqual([line.split("::")[1].split(",")[0:2] + [line.split("title=")[1][:5]]
                          for line in before.stdout.splitlines()], [
            ["error file=app/requirements.txt", "line=3", "FP203"],
            ["warning file=app/shared.txt", "line=2", "FP114"],
            ["error file=app/shared.txt", "line=2", "FP203"],
        ])
        # FP114 (the worker required twice) is not fixable; it goes away with the entries.
        r = run("app", "--fix", cwd=self.dir)
        self.assertEqual((r.returncode, r.stdout, r.stderr),
                         (0, "no findings\n", "fixed 2 findings in 2 files\n"))
        self.assertEqual(self.read("app/requirements.txt"), ROOT_AFTER)
        self.assertEqual(self.read("app/shared.txt"), SHARED_AFTER)
        self.assertEqual(os.stat(os.path.join(self.dir, "app/shared.txt")).st_mode & 0o777, 0o640)
        self.assertEqual(sorted(os.listdir(os.path.join(self.dir, "app"))), sorted(
            os.listdir(os.path.join(SOURCE, "fixtures/apps/clean")) + ["shared.txt"]))
        again = run("app", "--fix", cwd=self.dir)
        self.assertEqual((again.returncode, again.stdout, again.stderr),
                         (0, "no findings\n", "fixed 0 findings in 0 files\n"))
        self.assertEqual(self.read("app/requirements.txt"), ROOT_AFTER)

    def test_exit_code_reflects_what_remains(self):
        self.write("app/requirements.txt",
                   b"azure-functions>=1.21\nazure-functions-worker\nflask\nurllib3!=2.0.0\n")
        r = run("app", "--fix", "--format", "github", cwd=self.dir)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stderr, "fixed 1 finding in 1 file\n")
        # What remains is linted again: the lines moved up by one.
        self.assertEqual([line.split("::")[1] for line in r.stdout.splitlines()], [
            "error file=app/requirements.txt,line=2,col=1,endColumn=6,title=FP101",
            "error file=app/requirements.txt,line=3,col=1,endColumn=15,title=FP102",
        ])
        self.assertEqual(self.read("app/requirements.txt"),
                         b"azure-functions>=1.21\nflask\nurllib3!=2.0.0\n")

    def test_suppressed_finding_is_not_fixed(self):
        text = (b"azure-functions>=1.21\n"
                b"azure-functions-worker==1.1.9  # funcpack: ignore[FP203]\n")
        self.write("app/requirements.txt", text)
        r = run("app", "--fix", cwd=self.dir)
        self.assertEqual((r.returncode, r.stdout, r.stderr),
                         (0, "no findings\n", "fixed 0 findings in 0 files\n"))
        self.assertEqual(self.read("app/requirements.txt"), text)

    def test_without_fix_nothing_is_written(self):
        self.write("app/requirements.txt", ROOT_BEFORE.replace(b"-r shared.txt\r\n", b""))
        r = run("app", cwd=self.dir)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, "")
        self.assertEqual(self.read("app/requirements.txt"),
                         ROOT_BEFORE.replace(b"-r shared.txt\r\n", b""))

    def test_with_diff_base_fixes_only_reported_findings(self):
        old = b"azure-functions>=1.21\nazure-functions-worker==1.1.9\nrequests==2.32.3\n"
        self.write("app/requirements.txt", old)
        self.write("app/shared.txt", b"pydantic>=2.7,<3\n")
        self.git("init", "-q", "-b", "main")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", "base")
        self.write("app/requirements.txt", old + b"-r shared.txt\n")
        self.write("app/shared.txt", b"pydantic>=2.7,<3\r\nazure-functions-worker\r\n")
        r = run("app", "--diff-base", "main", "--fix", cwd=self.dir)
        self.assertEqual((r.returncode, r.stdout, r.stderr),
                         (0, "no findings\n", "fixed 1 finding in 1 file\n"))
        self.assertEqual(self.read("app/shared.txt"), b"pydantic>=2.7,<3\r\n")
        # The committed worker line was not reported against main, so it is left as it was.
        self.assertEqual(self.read("app/requirements.txt"), old + b"-r shared.txt\n")
        full = run("app", cwd=self.dir)
        self.assertEqual(full.returncode, 1)
        self.assertIn("app/requirements.txt:2:1: error[FP203]", full.stdout)


PIN_ROOT_BEFORE = (b"# Deployed with funcpack.\r\n"
                   b"azure-functions>=1.21\r\n"
                   b"azure-functions-worker==1.1.9  # added by mistake\r\n"
                   b"\r\n"
                   b"-r shared.txt\r\n"
                   b"requests==2.32.3   \r\n"
                   b"Pydantic [timezone] >=2.7,<3 ; python_version >= \"3.8\"   # models\r\n"
                   b"pywin32>=300; sys_platform == \"win32\"\r\n")
PIN_ROOT_AFTER = (b"# Deployed with funcpack.\r\n"
                  b"azure-functions==1.21.3\r\n"
                  b"\r\n"
                  b"-r shared.txt\r\n"
                  b"requests==2.32.3   \r\n"
                  b"Pydantic [timezone]==2.9.2 ; python_version >= \"3.8\"   # models\r\n"
                  b"pywin32>=300; sys_platform == \"win32\"\r\n")
PIN_SHARED_BEFORE = b"# shared\nidna  # hosts\nsix (>=1.11)"
PIN_SHARED_AFTER = b"# shared\nidna==3.10  # hosts\nsix==1.17.0"
PIN_NOTE = ('app/requirements.txt:8:1: info: not pinned: its marker is false on the target '
            '(CPython 3.12.12 on Linux x86_64)\n'
            '  pywin32>=300; sys_platform == "win32"\n'
            '  ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n')
# What the re-lint still reports: the line --pin left alone (FP211 is about the marker).
PIN_RELINT = ("app/requirements.txt:7:1: info[FP211]: the marker 'sys_platform == \"win32\"' is "
              "false on the Linux target (Python 3.12.12): 'pywin32' is left out of the deployment\n"
              '  pywin32>=300; sys_platform == "win32"\n'
              "  ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
              "  hint: check that the app does not import this package on Linux, or drop the marker\n"
              "\n"
              "0 errors, 0 warnings, 1 info in 1 file\n")


class Pin(unittest.TestCase):
    """--fix --pin against a real index over HTTP."""

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.TemporaryDirectory()
        cls.index = os.path.join(cls.work.name, "index")
        subprocess.run([sys.executable, os.path.join(SOURCE, "scripts/fixturegen.py"), "build",
                        os.path.join(SOURCE, "fixtures/index/azure.toml"), "-o", cls.index],
                       check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        cls.work.cleanup()

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        shutil.copytree(os.path.join(SOURCE, "fixtures/apps/clean"),
                        os.path.join(self.dir, "app"))
        self.write("app/requirements.txt", PIN_ROOT_BEFORE)
        self.write("app/shared.txt", PIN_SHARED_BEFORE)
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stdin.close()
            s.terminate()
            s.wait(timeout=10)
            s.stdout.close()
        self.tmp.cleanup()

    write = Fix.write
    read = Fix.read

    def serve(self, *faults):
        log = os.path.join(self.dir, f"server{len(self.servers)}.log")
        args = [sys.executable, os.path.join(SOURCE, "tests/support/index_server.py"),
                "--root", self.index, "--log", log, "--exit-on-stdin-eof"]
        for f in faults:
            args += ["--fault", f]
        proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        self.servers.append(proc)
        port = int(proc.stdout.readline())
        return f"http://127.0.0.1:{port}/simple", log

    def pin(self, index_url, *extra):
        return run("app", "--fix", "--pin", "--index-url", index_url,
                   "--cache-dir", os.path.join(self.dir, "cache"), *extra, cwd=self.dir)

    def test_pins_exact_bytes_and_a_second_run_changes_nothing(self):
        url, log = self.serve()
        r = self.pin(url)
        self.assertEqual((r.returncode, r.stdout), (0, PIN_RELINT), r.stderr)
        self.assertEqual(r.stderr, PIN_NOTE + "fixed 1 finding, pinned 4 requirements in 2 files\n")
        self.assertEqual(self.read("app/requirements.txt"), PIN_ROOT_AFTER)
        self.assertEqual(self.read("app/shared.txt"), PIN_SHARED_AFTER)
        # The worker line FP203 deleted was never asked of the index.
        with open(log) as f:
            paths = [json.loads(line)["path"] for line in f]
        self.assertIn("/simple/pydantic/", paths)
        self.assertNotIn("/simple/azure-functions-worker/", paths)
        again = self.pin(url)
        self.assertEqual((again.returncode, again.stdout, again.stderr),
                         (0, PIN_RELINT,
                          PIN_NOTE.replace(":8:1:", ":7:1:") +
                          "fixed 0 findings, pinned 0 requirements in 0 files\n"))
        self.assertEqual(self.read("app/requirements.txt"), PIN_ROOT_AFTER)
        self.assertEqual(self.read("app/shared.txt"), PIN_SHARED_AFTER)
        # Under the exact policy the pinned lines have no finding left; only the range that
        # --pin left alone (its marker is false on Linux) is reported, as before.
        exact = run("app", "--policy", "exact", "--format", "github", cwd=self.dir)
        self.assertEqual([line.split("::")[1].split(",title=")[1][:5] + ":" +
                          line.split("line=")[1].split(",")[0] for line in exact.stdout.splitlines()],
                         ["FP105:7", "FP211:7"])

    def test_index_failure_writes_nothing(self):
        url, log = self.serve("/simple/pydantic/=503")
        r = self.pin(url, "--timeout", "5")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stdout, "")
        self.assertEqual(r.stderr, "funcpack lint: GET " + url + "/pydantic/: HTTP 503 after 4 attempts\n")
        self.assertEqual(self.read("app/requirements.txt"), PIN_ROOT_BEFORE)
        self.assertEqual(self.read("app/shared.txt"), PIN_SHARED_BEFORE)

    def test_no_resolution_is_exit_1_and_writes_nothing(self):
        url, _ = self.serve()
        before = PIN_ROOT_BEFORE.replace(b"requests==2.32.3", b"requests==1.0")
        self.write("app/requirements.txt", before)
        r = self.pin(url)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr,
                         "funcpack lint: no resolution for CPython 3.12.12 on Linux x86_64:\n"
                         "Because no versions of requests match ==1.0 and you require "
                         "requests==1.0, no solution exists.\n")
        self.assertEqual(self.read("app/requirements.txt"), before)
        self.assertEqual(self.read("app/shared.txt"), PIN_SHARED_BEFORE)

    def test_usage(self):
        r = run("app", "--pin", cwd=self.dir)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--pin requires --fix", r.stderr)
        r = run("app", "--fix", "--pin", "--diff-base", "main", cwd=self.dir)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr, "funcpack lint: --diff-base excludes --pin\n"
                                   "Run 'funcpack lint --help' for usage.\n")
        self.assertEqual(self.read("app/requirements.txt"), PIN_ROOT_BEFORE)
        r = run("app", "--fix", "--index-url", "http://127.0.0.1:9/simple", cwd=self.dir)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr, "funcpack lint: --index-url requires --pin\n"
                                   "Run 'funcpack lint --help' for usage.\n")
        self.assertEqual(self.read("app/requirements.txt"), PIN_ROOT_BEFORE)
        os.remove(os.path.join(self.dir, "app/requirements.txt"))
        r = run("app", "--fix", "--pin", "--index-url", "http://127.0.0.1:9/simple", cwd=self.dir)
        self.assertEqual((r.returncode, r.stdout, r.stderr),
                         (2, "", "funcpack lint: --pin: the app has no requirements file to pin; "
                                 "nothing was changed\n"))
        self.assertFalse(os.path.exists(os.path.join(self.dir, "app/requirements.txt")))
        help_text = run("--help", cwd=self.dir).stdout
        self.assertIn("--pin", help_text)
        self.assertIn("--index-url", help_text)


if __name__ == "__main__":
    unittest.main()
