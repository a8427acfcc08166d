"""funcpack lint end to end: the real binary on the fixture apps in fixtures/apps/ (clean,
messy, monorepo with -r includes), with exact text, golden json/sarif/github output and exit
codes; configuration errors, --setting, --policy, colour on a TTY, and --diff-base on a real git
repository made by the test."""
import json
import os
import pty
import shutil
import subprocess
import sys
import tempfile
import unittest

FUNCPACK, SOURCE = sys.argv[1:3]
del sys.argv[1:3]
GOLDEN = os.path.join(SOURCE, "tests", "lint", "golden")
TODAY = "2026-11-24"
ENV = {k: v for k, v in os.environ.items() if k not in ("FUNCPACK_RULES_DIR", "NO_COLOR")}


def run(*args, cwd=SOURCE, env=None):
    return subprocess.run([FUNCPACK, *args], cwd=cwd, capture_output=True, text=True,
                          env=env or ENV)


def lint(app, *args, cwd=SOURCE):
    return run("lint", app, "--today", TODAY, *args, cwd=cwd)


def golden(name):
    with open(os.path.join(GOLDEN, name), encoding="utf-8") as f:
        return f.read()


class FixtureApps(unittest.TestCase):
    def test_clean_app_has_no_findings(self):
        r = lint("fixtures/apps/clean")
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, "no findings\n", ""))
        doc = json.loads(lint("fixtures/apps/clean", "--format", "json").stdout)
        self.assertEqual(doc["target"], {"python": "3.12", "plan": "flex", "policy": "minimum"})
        self.assertEqual(doc["findings"], [])

    def test_messy_app_text(self):
        r = lint("fixtures/apps/messy")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stderr, "")
        self.assertEqual(r.stdout, golden("messy.txt"))
        self.assertTrue(r.stdout.endswith("\n11 errors, 8 warnings, 1 info in 4 files\n"))

    def test_messy_app_json_golden(self):
        r = lint("fixtures/apps/messy", "--format", "json")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stdout, golden("messy.json"))

    def test_messy_app_sarif_golden(self):
        r = lint("fixtures/apps/messy", "--format", "sarif")
        self.assertEqual(r.returncode, 1, r.stderr)
        # The only machine-dependent field: the absolute file:// URI of the app root.
        root = "file://" + os.path.realpath(SOURCE) + "/"
        self.assertIn(root, r.stdout)
        self.assertEqual(r.stdout.replace(root, "file://@SOURCE@/"), golden("messy.sarif"))

    def test_messy_app_github_golden(self):
        r = lint("fixtures/apps/messy", "--format", "github")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stdout, golden("messy.github"))

    def test_monorepo_app_with_include(self):
        r = lint("fixtures/apps/monorepo/apps/orders", "--format", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, golden("orders.json"))

    def test_monorepo_funcignore_semantics(self):
        r = lint("fixtures/apps/monorepo/apps/billing")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(
            r.stdout,
            "info[FP208]: Python 3.11 reaches its end of support on Azure Functions on "
            "2027-10-31 (in 341 days)\n"
            "  hint: plan the move to a newer Python version\n"
            "fixtures/apps/monorepo/apps/billing/.funcignore:6:1: warning[FP403]: `*.log`: git "
            "matches `*.log` at any depth; Core Tools anchors every pattern at the app root "
            "(data/sample.log is excluded by git's rules, deployed by Core Tools)\n"
            "  *.log\n"
            "  ^~~~~\n"
            "  hint: write the pattern so both read it the same (anchor it with a leading '/', "
            "avoid '?', '[...]' and order-dependent '!')\n"
            "\n"
            "0 errors, 1 warning, 1 info in 1 file\n")

    def test_policy_exact(self):
        r = lint("fixtures/apps/monorepo/apps/orders", "--policy", "exact")
        self.assertEqual(r.returncode, 1)
        rules = [line.split("[")[1].split("]")[0] for line in r.stdout.splitlines()
                 if ": error[" in line or ": warning[" in line]
        self.assertEqual(rules, ["FP105", "FP114", "FP105", "FP105"])

    def test_requirements_file_argument(self):
        r = lint("fixtures/apps/monorepo/shared/requirements-common.txt")
        # Not named requirements.txt: linted as a plain requirements file, no app rules.
        self.assertEqual((r.returncode, r.stdout), (0, "info[FP208]: Python 3.11 reaches its "
                         "end of support on Azure Functions on 2027-10-31 (in 341 days)\n"
                         "  hint: plan the move to a newer Python version\n\n"
                         "0 errors, 0 warnings, 1 info\n"))


class CommandLine(unittest.TestCase):
    def test_not_an_app_is_an_input_error(self):
        r = lint("fixtures/apps/monorepo")
        self.assertEqual((r.returncode, r.stdout), (2, ""))
        self.assertEqual(r.stderr, "funcpack lint: error: fixtures/apps/monorepo: not a Functions "
                         "app (no function_app.py, host.json or requirements.txt)\n")

    def test_usage_errors(self):
        r = lint("fixtures/apps/clean", "--format", "xml")
        self.assertEqual(r.returncode, 2)
        self.assertTrue(r.stderr.startswith("funcpack lint: --format: xml not in"), r.stderr)
        r = run("lint", "fixtures/apps/clean", "--today", "24/11/2026")
        self.assertEqual((r.returncode, r.stderr), (2, "funcpack lint: error: --today "
                         "'24/11/2026': expected a date as YYYY-MM-DD\n"))

    def test_setting_on_the_command_line(self):
        r = lint("fixtures/apps/clean", "--setting", "FUNCTIONS_WORKER_PROCESS_COUNT=11")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "error[FP301]: FUNCTIONS_WORKER_PROCESS_COUNT is \"11\"; the "
                         "host runs 1 to 10 worker processes\n"
                         "  hint: set FUNCTIONS_WORKER_PROCESS_COUNT to a whole number from 1 "
                         "to 10\n\n1 error, 0 warnings, 0 info\n")

    def test_configuration_error_has_location_and_caret(self):
        with tempfile.TemporaryDirectory() as tmp:
            app = os.path.join(tmp, "app")
            shutil.copytree(os.path.join(SOURCE, "fixtures/apps/clean"), app)
            with open(os.path.join(app, "funcpack.toml"), "w") as f:
                f.write("plan = \"flex\"\npolicy = \"exact\"\n[severity]\nFP1O1 = \"info\"\n")
            os.remove(os.path.join(app, "pyproject.toml"))
            r = lint("app", cwd=tmp)
            self.assertEqual((r.returncode, r.stdout), (2, ""))
            self.assertEqual(r.stderr, "app/funcpack.toml:4:1: error: unknown rule 'FP1O1' in "
                             "[severity]\n  FP1O1 = \"info\"\n  ^~~~~\n")
            with open(os.path.join(app, "funcpack.toml"), "w") as f:
                f.write("plan = \"flex\"\npolicy = \"exact\"\nstrict = true\n")
            r = lint("app", cwd=tmp)
            self.assertEqual(r.returncode, 2)
            self.assertEqual(r.stderr, "app/funcpack.toml:3:1: error: unknown key 'strict' in "
                             "funcpack configuration (expected python, plan, policy, disable, "
                             "severity, size_warning_mb)\n  strict = true\n  ^~~~~~\n")

    def test_rules_and_explain(self):
        r = run("rules")
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout.splitlines()[1],
                         "FP101  error   A requirement with no version constraint at all")
        self.assertEqual(len(r.stdout.splitlines()), 30)
        r = run("explain", "fp203")
        self.assertEqual(r.returncode, 0)
        self.assertTrue(r.stdout.startswith(
            "FP203 worker-package-listed (error, fixable with --fix)\n"
            "`azure-functions-worker` is listed in requirements.txt\n\n"), r.stdout)
        self.assertIn("\nFix: remove the line", r.stdout)
        r = run("explain", "FP999")
        self.assertEqual((r.returncode, r.stderr), (2, "funcpack explain: unknown rule 'FP999' "
                         "(run 'funcpack rules' for the list)\n"))

    def test_colour_only_on_a_tty_and_without_no_color(self):
        def on_tty(env):
            pid, fd = pty.fork()
            if pid == 0:
                os.chdir(SOURCE)
                os.execve(FUNCPACK, [FUNCPACK, "lint", "fixtures/apps/messy", "--today", TODAY],
                          env)
            out = b""
            while True:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
            os.waitpid(pid, 0)
            return out.decode()
        coloured = on_tty(ENV)
        self.assertIn("\x1b[1;31merror[FP207]\x1b[0m", coloured)
        plain = on_tty(dict(ENV, NO_COLOR="1"))
        self.assertNotIn("\x1b[", plain)
        self.assertIn("error[FP207]", plain)
        self.assertNotIn("\x1b[", lint("fixtures/apps/messy").stdout)


class DiffBase(unittest.TestCase):
    def git(self, *args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                       cwd=self.repo, check=True, capture_output=True)

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.repo = self.tmp.name
        shutil.copytree(os.path.join(SOURCE, "fixtures/apps/monorepo"), self.repo,
                        dirs_exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", "base")

    def tearDown(self):
        self.tmp.cleanup()

    def test_only_changed_lines_including_includes(self):
        r = lint("apps/orders", "--diff-base", "main", cwd=self.repo)
        # requests is duplicated, but that line has not changed since main.
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, "no findings\n", ""))
        with open(os.path.join(self.repo, "apps/orders/requirements.txt"), "a") as f:
            f.write("flask\n")
        with open(os.path.join(self.repo, "shared/requirements-common.txt"), "a") as f:
            f.write("urllib3!=2.0.0\n")
        r = lint("apps/orders", "--diff-base", "main", "--format", "github", cwd=self.repo)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual([line.split("::")[1] for line in r.stdout.splitlines()], [
            "error file=apps/orders/requirements.txt,line=4,col=1,endColumn=6,title=FP101",
            "error file=shared/requirements-common.txt,line=4,col=1,endColumn=15,title=FP102",
        ])
        full = lint("apps/orders", cwd=self.repo)
        self.assertIn("warning[FP114]", full.stdout)

    def test_unknown_revision(self):
        r = lint("apps/orders", "--diff-base", "nope", cwd=self.repo)
        self.assertEqual(r.returncode, 2)
        self.assertTrue(r.stderr.startswith("funcpack lint: error: --diff-base: unknown revision "
                                            "'nope'"), r.stderr)


if __name__ == "__main__":
    unittest.main()
