"""funcpack lock --no-binary NAME against an index that serves NO metadata file for sdists
(as PyPI does), so lock reads the sdist's own PKG-INFO (PEP 643).

fixturegen builds real sdists (.tar.gz and .zip, without a .metadata file and without
data-core-metadata on their anchors) next to real wheels; tests/support/index_server.py serves
them on 127.0.0.1 (started and stopped here, its JSON request log read back). Checks:
- a Metadata-Version 2.2 sdist is locked from its PKG-INFO: its dependencies (markers
  evaluated for Linux) are locked too, the exact pylock text, the sdist downloaded exactly
  once and never a .metadata URL for it; a second (warm) run prints the same bytes with no
  sdist download;
- a Metadata-Version 2.1 sdist and a 2.2 sdist declaring Requires-Dist dynamic (zip): their
  metadata is built in the bwrap sandbox (the build backend asked), the dependencies it
  reports are locked, and a second run reuses the cached answer; a build that cannot run is
  exit 2 with the reason and nothing written.

usage: lock_sdist_test.py FUNCPACK SOURCE_DIR WORK_DIR
"""
import json
import os
import shutil
import subprocess
import sys

FUNCPACK, SOURCE, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, os.path.join(SOURCE, "tests", "support"))
from harness import Checks, IndexServer, build_index, clean_env  # noqa: E402

check = Checks()


SCENARIO = """
[[package]]
name = "fastmath"

[[package.release]]
version = "1.0"
metadata_version = "2.2"
metadata_extra = ["Dynamic: Summary"]
requires_python = ">=3.9"
dependencies = ["helper>=2", "winonly; sys_platform == 'win32'"]
wheels = ["py3-none-any"]
sdist = true

[[package]]
name = "oldmath"
versions = ["1.0"]
dependencies = ["helper>=2"]
wheels = []
sdist = true

[[package]]
name = "dynmath"
metadata_version = "2.2"
metadata_extra = ["Dynamic: Requires-Dist"]
versions = ["3.0"]
wheels = []
sdist = { format = "zip" }

[[package]]
name = "helper"
versions = ["1.0", "2.1"]

[[package]]
name = "winonly"
versions = ["1.0"]
"""

def run(*args, cwd=None):
    return subprocess.run([FUNCPACK, "lock", *args], capture_output=True, text=True, cwd=cwd,
                          env=clean_env())


def requests(log):
    """(method, path) of every request logged since the last call."""
    with open(log) as f:
        lines = f.readlines()
    new = lines[requests.seen:]
    requests.seen = len(lines)
    return [(r["method"], r["path"]) for r in map(json.loads, new)]


requests.seen = 0

shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
index, manifest = build_index(WORK, SCENARIO)
sha = {name: m["sha256"] for name, m in manifest.items()}
size = {name: m["size"] for name, m in manifest.items()}
files = sorted(os.listdir(os.path.join(index, "files")))
# The premise: the sdists have no metadata file and their anchors announce none.
check(files == ["dynmath-3.0.zip", "fastmath-1.0-py3-none-any.whl", "fastmath-1.0-py3-none-any.whl.metadata",
                "fastmath-1.0.tar.gz", "helper-1.0-py3-none-any.whl", "helper-1.0-py3-none-any.whl.metadata",
                "helper-2.1-py3-none-any.whl", "helper-2.1-py3-none-any.whl.metadata", "oldmath-1.0.tar.gz",
                "winonly-1.0-py3-none-any.whl", "winonly-1.0-py3-none-any.whl.metadata"], f"index files: {files}")
with open(os.path.join(index, "simple", "fastmath", "index.json")) as f:
    page = {e["filename"]: e for e in json.load(f)["files"]}
check(page["fastmath-1.0.tar.gz"].get("core-metadata", False) is False, f"no core-metadata: {page}")

log = os.path.join(WORK, "server.log")
server = IndexServer(index, "--log", log)
try:
    base = server.base
    cache = os.path.join(WORK, "cache")
    app = os.path.join(WORK, "app")
    os.makedirs(app)
    with open(os.path.join(app, "requirements.txt"), "w") as f:
        f.write("fastmath\n")

    common = ["--python", "3.11", "--index-url", base + "/simple", "--cache-dir", cache]
    r = run(app, *common, "--no-binary", "fastmath")
    lock_path = os.path.join(app, "pylock.toml")
    check(r.returncode == 0, f"lock exit {r.returncode}: {r.stderr}")
    check(r.stdout == f"locked 2 packages for CPython 3.11.14 on Linux x86_64 (glibc 2.31) to {lock_path}\n",
          f"stdout: {r.stdout!r}")
    text = open(lock_path).read() if os.path.exists(lock_path) else ""
    sd, hw = "fastmath-1.0.tar.gz", "helper-2.1-py3-none-any.whl"
    expected = (
        'lock-version = "1.0"\n'
        'environments = [\'implementation_name == "cpython" and sys_platform == "linux" and '
        'platform_machine == "x86_64" and python_full_version == "3.11.14"\']\n'
        'requires-python = "==3.11.*"\ncreated-by = "funcpack"\n\n'
        f'[[packages]]\nname = "fastmath"\nversion = "1.0"\nindex = "{base}/simple"\n'
        f'sdist = {{name = "{sd}", url = "{base}/files/{sd}", size = {size[sd]}, '
        f'hashes = {{sha256 = "{sha[sd]}"}}}}\n'
        f'\n[[packages]]\nname = "helper"\nversion = "2.1"\nindex = "{base}/simple"\n'
        f'wheels = [{{name = "{hw}", url = "{base}/files/{hw}", size = {size[hw]}, '
        f'hashes = {{sha256 = "{sha[hw]}"}}}}]\n'
        '\n[tool.funcpack]\npython = "3.11.14"\nmachine = "x86_64"\nglibc = "2.31"\n')
    # helper>=2 reaches the lock only through the sdist's PKG-INFO (no metadata file exists for
    # it); its win32-only dependency does not.
    check(text == expected, f"lock:\n{text}\n--- expected:\n{expected}")
    reqs = requests(log)
    check(reqs.count(("GET", "/files/fastmath-1.0.tar.gz")) == 1, f"the sdist downloaded once: {reqs}")
    check(not any(p.startswith("/files/fastmath-1.0.tar.gz.") for _, p in reqs), f"no metadata URL asked: {reqs}")
    check(not any("fastmath-1.0-py3-none-any.whl" in p for _, p in reqs), f"the wheel is not looked at: {reqs}")

    # Warm: the PKG-INFO comes from the metadata cache, the same bytes, no sdist transfer.
    r2 = run(app, *common, "--no-binary", "fastmath", "-o", "-")
    check(r2.returncode == 0 and r2.stdout == text, f"warm run: {r2.returncode} {r2.stderr}")
    reqs = requests(log)
    check(("GET", "/files/fastmath-1.0.tar.gz") not in reqs, f"warm run downloads no sdist: {reqs}")

    # Without --no-binary the wheel (and its PEP 658 file) is used as before.
    r3 = run(app, *common, "-o", "-")
    check(r3.returncode == 0 and 'wheels = [{name = "fastmath-1.0-py3-none-any.whl"' in r3.stdout
          and "sdist" not in r3.stdout, f"wheel lock: {r3.stdout} {r3.stderr}")

    # PKG-INFO that PEP 643 does not make final: the build backend is asked in the sandbox
    # (bwrap, no network), and the dependencies it reports are locked.
    bad = os.path.join(WORK, "bad")
    os.makedirs(bad)
    for req, filename, locked in [
            ("oldmath", "oldmath-1.0.tar.gz", ["helper 2.1", "oldmath 1.0"]),
            ("dynmath", "dynmath-3.0.zip", ["dynmath 3.0"])]:
        with open(os.path.join(bad, "requirements.txt"), "w") as f:
            f.write(req + "\n")
        r = run(bad, *common, "--no-binary", req, "--sandbox", "bwrap", "-o", "-")
        check(r.returncode == 0, f"{req}: exit {r.returncode}: {r.stderr}")
        check(r.stderr == f"funcpack lock: building the metadata of {filename} (its PKG-INFO is "
              "not final)\n", f"{req}: stderr {r.stderr!r}")
        names = [line.split('"')[1] for line in r.stdout.splitlines() if line.startswith(("name =", "version ="))]
        got = [f"{names[i]} {names[i + 1]}" for i in range(0, len(names), 2)]
        check(got == locked, f"{req}: locked {got}")
        # The built metadata is cached by the sdist's hash: a second run builds nothing.
        again = run(bad, *common, "--no-binary", req, "--sandbox", "bwrap", "-o", "-")
        check(again.returncode == 0 and again.stderr == "" and again.stdout == r.stdout,
              f"{req}: warm run {again.returncode} {again.stderr!r}")

    # A metadata build that cannot run (here: no such interpreter) is exit 2, named, and
    # nothing is written.
    with open(os.path.join(bad, "requirements.txt"), "w") as f:
        f.write("oldmath\n")
    cold = [a if a != cache else os.path.join(WORK, "cold-cache") for a in common]
    r = run(bad, *cold, "--no-binary", "oldmath", "--sandbox", "bwrap", "--sandbox-python",
            "/nonexistent/python3.11")
    check(r.returncode == 2, f"broken build: exit {r.returncode}: {r.stderr}")
    check(r.stderr == "funcpack lock: building the metadata of oldmath-1.0.tar.gz (its PKG-INFO "
          "is not final)\nfuncpack lock: oldmath-1.0.tar.gz: no Python 3.11 interpreter for the "
          "bwrap sandbox: tried /nonexistent/python3.11 (not found); install Python 3.11 (Debian: "
          "python3.11) or pass --sandbox-python PATH\n", f"broken build: stderr {r.stderr!r}")
    check(r.stdout == "", f"broken build: stdout {r.stdout!r}")
    check(sorted(os.listdir(bad)) == ["requirements.txt"], f"nothing written in {bad}: {os.listdir(bad)}")
finally:
    server.stop()

check.exit()
print("ok")
