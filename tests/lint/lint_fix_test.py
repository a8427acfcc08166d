"""funcpack lint --fix end to end: the real binary fixes a copy of the clean fixture app made
dirty (azure-functions-worker in a CRLF root file with comments and in a -r include without a
final newline), the result re-lints clean for the fixed rule, every other byte is kept, the exit
code reflects what remains, suppressed findings are left alone, and --fix with --diff-base on a
real git repository fixes only reported findings."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

FUNCPACK, SOURCE = sys.argv[1:3]
del sys.argv[1:3]
TODAY = "2026-11-24"
ENV = {k: v for k, v in os.environ.items() if k not in ("FUNCPACK_RULES_DIR", "NO_COLOR")}

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


if __name__ == "__main__":
    unittest.main()
