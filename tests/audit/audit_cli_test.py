"""`funcpack audit` end to end: real ELF files compiled by gcc, inside real wheels."""
import json
import os
import subprocess
import sys
import tempfile
import unittest
import zipfile

FUNCPACK = sys.argv.pop(1) if len(sys.argv) > 1 else "build/funcpack"


def run(*args):
    return subprocess.run([FUNCPACK, "audit", *args], capture_output=True, text=True)


class AuditCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        with open(os.path.join(d, "new.c"), "w") as f:
            f.write('#include <stdint.h>\nextern uint32_t arc4random(void);\n'
                    '__asm__(".symver arc4random,arc4random@GLIBC_2.36");\n'
                    'unsigned ext(void) { return arc4random(); }\n')
        with open(os.path.join(d, "old.c"), "w") as f:
            f.write('#include <string.h>\nint ext(const char* s) { return (int)strlen(s); }\n')
        for name in ("new", "old"):
            subprocess.run(["gcc", "-shared", "-fPIC", "-o", os.path.join(d, name + ".so"),
                            os.path.join(d, name + ".c")], check=True)
        cls.new = os.path.join(d, "new-1.0-cp311-cp311-linux_x86_64.whl")
        cls.old = os.path.join(d, "old-1.0-cp311-cp311-linux_x86_64.whl")
        cls.pure = os.path.join(d, "pure-1.0-py3-none-any.whl")
        for whl, so in ((cls.new, "new.so"), (cls.old, "old.so")):
            with zipfile.ZipFile(whl, "w") as z:
                z.write(os.path.join(d, so), "pkg/_ext.so")
        with zipfile.ZipFile(cls.pure, "w") as z:
            z.writestr("pure/__init__.py", "")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_default_policy_is_the_runtime_ceiling_and_failures_exit_1(self):
        r = run(self.old, self.new, self.pure)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stdout,
                         f"{self.old}: ok for manylinux_2_31 (best policy: manylinux_2_5, 1 ELF file)\n"
                         f"{self.new}: fails manylinux_2_31 (best policy: manylinux_2_36, 1 ELF file)\n"
                         "  pkg/_ext.so: needs GLIBC_2.36 from libc.so.6, newer than manylinux_2_31 "
                         "allows (GLIBC up to 2.31)\n"
                         f"{self.pure}: ok for manylinux_2_31 (no ELF files)\n")

    def test_python_312_raises_the_ceiling(self):
        r = run("--python", "3.12", self.new)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith(f"{self.new}: ok for manylinux_2_36 "))

    def test_json(self):
        r = run("--format", "json", "--policy", "manylinux2014", self.new)
        self.assertEqual(r.returncode, 1)
        doc = json.loads(r.stdout)
        self.assertEqual(doc["policy"], "manylinux_2_17")
        self.assertEqual(doc["arch"], "x86_64")
        [inp] = doc["inputs"]
        self.assertEqual((inp["ok"], inp["best_policy"]), (False, "manylinux_2_36"))
        self.assertEqual(inp["violations"][0]["kind"], "symbol-version")
        self.assertEqual(inp["violations"][0]["detail"], "GLIBC_2.36")
        self.assertEqual(inp["elf_files"][0]["needed"], ["libc.so.6"])

    def test_input_errors_exit_2(self):
        r = run("/nonexistent.whl")
        self.assertEqual(r.returncode, 2)
        self.assertTrue(r.stderr.startswith("funcpack audit: cannot read /nonexistent.whl: "), r.stderr)
        r = run("--policy", "manylinux_9_99", self.old)
        self.assertEqual((r.returncode, r.stderr), (2, "funcpack audit: unknown policy 'manylinux_9_99'\n"))
        r = run()
        self.assertEqual(r.returncode, 2)
        self.assertIn("funcpack audit: inputs is required", r.stderr)


if __name__ == "__main__":
    unittest.main()
