"""The funcpack binary's top-level behaviour: usage, version, unknown commands, exit codes."""
import subprocess
import sys
import unittest

FUNCPACK = sys.argv.pop(1) if len(sys.argv) > 1 else "build/funcpack"


def run(*args):
    return subprocess.run([FUNCPACK, *args], capture_output=True, text=True)


class CliUsage(unittest.TestCase):
    def test_no_arguments_prints_usage_and_exits_2(self):
        r = run()
        self.assertEqual(r.returncode, 2)
        self.assertTrue(r.stderr.startswith("usage: funcpack <command> [options]\n"))

    def test_help_lists_commands_on_stdout(self):
        r = run("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("\n  requirements  ", r.stdout)

    def test_version(self):
        r = run("--version")
        self.assertEqual((r.returncode, r.stdout), (0, "funcpack 0.1.0\n"))

    def test_unknown_command(self):
        r = run("frobnicate")
        self.assertEqual(r.returncode, 2)
        self.assertTrue(r.stderr.startswith("funcpack: unknown command 'frobnicate'\n"))


if __name__ == "__main__":
    unittest.main()
