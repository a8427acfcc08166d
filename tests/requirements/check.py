"""End-to-end tests of `funcpack requirements`: run the real binary on fixture apps and compare
stdout, stderr and the exit code with the golden files in golden/ exactly.

Usage: check.py FUNCPACK CASE          run one case (ctest: requirements.CASE)
       check.py FUNCPACK --update      rewrite every golden file from the current binary

Every case runs from the repository root (so the paths in the output are stable) with a fixed
environment: FUNCPACK_TEST_FEED is set for the ${VAR} expansion in fixtures/full, NO_COLOR=1.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIX = "tests/requirements/fixtures"

# name: (arguments after `funcpack requirements`, working directory relative to ROOT, exit code)
CASES = {
    "sample_text": (["fixtures/apps/sample"], ".", 0),
    "sample_json": (["fixtures/apps/sample", "--format", "json"], ".", 0),
    "sample_python312": (["fixtures/apps/sample", "--python", "3.12"], ".", 0),
    "full_text": ([f"{FIX}/full"], ".", 0),
    "full_json": ([f"{FIX}/full/requirements.txt", "--format=json", "--python=3.10"], ".", 0),
    "default_dir": ([], f"{FIX}/full/nested", 2),  # no requirements.txt in the current dir
    "file_in_cwd": (["extra.txt", "--format", "json"], f"{FIX}/full/nested", 0),
    "errors": ([f"{FIX}/errors"], ".", 2),
    "errors_json": ([f"{FIX}/errors", "--format", "json"], ".", 2),
    "cycle": ([f"{FIX}/cycle"], ".", 2),
    "missing": ([f"{FIX}/does-not-exist"], ".", 2),
    "bad_format": (["--format", "yaml", "fixtures/apps/sample"], ".", 2),
    "bad_python": (["--python", "3.9", "fixtures/apps/sample"], ".", 2),
    "unknown_option": (["--frobnicate"], ".", 2),
    "two_paths": (["a", "b"], ".", 2),
    "help": (["--help"], ".", 0),
}


def run(funcpack, name):
    args, cwd, _ = CASES[name]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_COLOR": "1",
           "FUNCPACK_TEST_FEED": "team-feed", "LC_ALL": "C"}
    return subprocess.run([os.path.abspath(funcpack), "requirements", *args],
                          cwd=os.path.join(ROOT, cwd), env=env, capture_output=True, text=True)


def golden(name, stream):
    return os.path.join(HERE, "golden", f"{name}.{stream}")


def read(path):
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as f:
        return f.read()


def main():
    funcpack, what = sys.argv[1], sys.argv[2]
    if what == "--update":
        for name in CASES:
            r = run(funcpack, name)
            for stream, text in (("stdout", r.stdout), ("stderr", r.stderr)):
                path = golden(name, stream)
                if text:
                    with open(path, "w", encoding="utf-8") as f:
                        f.write(text)
                elif os.path.exists(path):
                    os.remove(path)
            print(f"{name}: exit {r.returncode}")
        return 0
    r = run(funcpack, what)
    want_rc = CASES[what][2]
    ok = True
    for stream, got in (("stdout", r.stdout), ("stderr", r.stderr)):
        want = read(golden(what, stream))
        if got != want:
            ok = False
            print(f"--- {stream} differs from {golden(what, stream)}\n--- expected:\n{want}"
                  f"--- got:\n{got}")
    if r.returncode != want_rc:
        ok = False
        print(f"exit code {r.returncode}, expected {want_rc}")
    if want_rc != 0 and r.stdout:
        ok = False
        print("a failing run must print nothing on stdout")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
