"""funcpack lock --no-binary NAME against an index that serves NO metadata file for sdists
(as PyPI does), so lock reads the sdist's own PKG-INFO (PEP 643).

fixturegen builds real sdists (.tar.gz and .zip, without a .metadata file and without
data-core-metadata on their anchors) next to real wheels; tests/support/index_server.py serves
them on 127.0.0.1 (started and stopped here, its JSON request log read back). Checks:
- a Metadata-Version 2.2 sdist is locked from its PKG-INFO: its dependencies (markers
  evaluated for Linux) are locked too, the exact pylock text, the sdist downloaded exactly
  once and never a .metadata URL for it; a second (warm) run prints the same bytes with no
  sdist download;
- a Metadata-Version 2.1 sdist and a 2.2 sdist declaring Requires-Dist dynamic (zip): exit 2,
  the exact error, nothing written.

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

ADVICE = ("lock it from a wheel instead (leave it out of --no-binary, or build a wheel and pass "
          "its directory with --find-links)")


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

    # PKG-INFO that PEP 643 does not make final: exit 2, the sdist named, nothing written.
    bad = os.path.join(WORK, "bad")
    os.makedirs(bad)
    for req, filename, why in [
            ("oldmath", "oldmath-1.0.tar.gz",
             "PKG-INFO is Metadata-Version 2.1 (static metadata starts at 2.2, PEP 643)"),
            ("dynmath", "dynmath-3.0.zip", "PKG-INFO declares Requires-Dist dynamic (PEP 643)")]:
        with open(os.path.join(bad, "requirements.txt"), "w") as f:
            f.write(req + "\n")
        r = run(bad, *common, "--no-binary", req)
        check(r.returncode == 2, f"{req}: exit {r.returncode}: {r.stderr}")
        check(r.stderr == f"funcpack lock: {filename}: {why}, so its dependencies are only known "
              f"after a build; {ADVICE}\n", f"{req}: stderr {r.stderr!r}")
        check(r.stdout == "", f"{req}: stdout {r.stdout!r}")
        check(sorted(os.listdir(bad)) == ["requirements.txt"], f"nothing written in {bad}: {os.listdir(bad)}")
finally:
    server.stop()

check.exit()
print("ok")
