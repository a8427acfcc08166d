"""funcpack lock against a real HTTP index on 127.0.0.1.

Builds real wheels and a PEP 503/691/658 index with scripts/fixturegen.py (sha256 fragments,
data-requires-python, metadata files), serves it with tests/support/index_server.py (started
and stopped here), and checks the lock text, the exit codes (0 locked, 1 no resolution, 2 input
errors), that nothing is written on failure, and that a root requirement's extras bring in the
extra's dependencies (PEP 751 has no per-package extras: the lock simply lists them).

usage: lock_cli_test.py FUNCPACK SOURCE_DIR WORK_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tomllib

FUNCPACK, SOURCE, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, os.path.join(SOURCE, "tests", "support"))
from harness import Checks, IndexServer, build_index, clean_env  # noqa: E402

check = Checks()


SCENARIO = """
[[package]]
name = "app-core"

[[package.release]]
version = "1.0"
dependencies = ["helper>=2", "winonly; sys_platform == 'win32'"]
extras = { fast = ["speedup>=1", "winspeed; sys_platform == 'win32'"] }

[[package.release]]
version = "2.0"
requires_python = ">=3.13"

[[package]]
name = "helper"
versions = ["1.0", "2.1", "3.0a1"]

[[package]]
name = "speedup"
versions = ["1.0"]

[[package]]
name = "native"
versions = ["1.0"]
wheels = ["cp311-cp311-manylinux_2_34_x86_64", "cp312-cp312-win_amd64"]
"""


def run(*args, cwd=None):
    return subprocess.run([FUNCPACK, "lock", *args], capture_output=True, text=True, cwd=cwd,
                          env=clean_env())


shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
index, manifest = build_index(WORK, SCENARIO)
sha = {name: m["sha256"] for name, m in manifest.items()}
size = {name: m["size"] for name, m in manifest.items()}

server = IndexServer(index)
try:
    base = server.base
    cache = os.path.join(WORK, "cache")
    app = os.path.join(WORK, "app")
    os.makedirs(app)
    with open(os.path.join(app, "requirements.txt"), "w") as f:
        f.write("app-core\n")

    r = run(app, "--python", "3.11", "--index-url", base + "/simple", "--cache-dir", cache)
    check(r.returncode == 0, f"lock exit {r.returncode}: {r.stderr}")
    lock_path = os.path.join(app, "pylock.toml")
    check(r.stdout == f"locked 2 packages for CPython 3.11.14 on Linux x86_64 (glibc 2.31) to {lock_path}\n",
          f"stdout: {r.stdout!r}")
    text = open(lock_path).read() if os.path.exists(lock_path) else ""
    check("[[packages]]\nname = \"app-core\"\nversion = \"1.0\"\n" in text, f"app-core 1.0 locked: {text}")
    helper = "helper-2.1-py3-none-any.whl"
    check(f'wheels = [{{name = "{helper}", url = "{base}/files/{helper}", size = {size[helper]}, '
          f'hashes = {{sha256 = "{sha[helper]}"}}}}]' in text, f"helper 2.1 wheel entry: {text}")
    check(text.startswith('lock-version = "1.0"\n') and 'created-by = "funcpack"\n' in text, "pylock header")
    check("winonly" not in text and "speedup" not in text, "markers evaluated for Linux, no extra unasked")

    # Same inputs, same bytes.
    r2 = run(app, "--python", "3.11", "--index-url", base + "/simple", "--cache-dir", cache, "-o", "-")
    check(r2.returncode == 0 and r2.stdout == text, "second run gives the same bytes")

    r = run(app, "--python", "3.11", "--index-url", base + "/simple", "--cache-dir", cache,
            "--format", "requirements", "-o", "-")
    check(r.returncode == 0 and f"helper==2.1 \\\n    --hash=sha256:{sha[helper]}\n    # via app-core\n" in r.stdout,
          f"requirements format: {r.stdout}")

    # A root requirement with an extra: the extra's Linux dependencies are locked as packages
    # of their own (its win32-only one is not), the lock has no per-package extras to record.
    with open(os.path.join(app, "requirements.txt"), "w") as f:
        f.write("app-core[fast]\n")
    r = run(app, "--python", "3.11", "--index-url", base + "/simple", "--cache-dir", cache, "-o", "-")
    speed = "speedup-1.0-py3-none-any.whl"
    check(r.returncode == 0, f"extras lock exit {r.returncode}: {r.stderr}")
    check(f'[[packages]]\nname = "speedup"\nversion = "1.0"\nindex = "{base}/simple"\n'
          f'wheels = [{{name = "{speed}", url = "{base}/files/{speed}", size = {size[speed]}, '
          f'hashes = {{sha256 = "{sha[speed]}"}}}}]\n' in r.stdout, f"extra's dependency locked: {r.stdout}")
    check("winspeed" not in r.stdout, "the extra's win32-only dependency is left out")
    check(r.stdout.count("[[packages]]") == 3, f"three packages: {r.stdout}")
    # The keys PEP 751 (lock-version 1.0) defines, and nothing else outside [tool]: the extra
    # is part of the one default install of this single-environment lock, so neither the
    # top-level `extras` (the lock's own optional extras; absent means []) nor a package
    # `marker` is needed.
    doc = tomllib.loads(r.stdout)
    top = {"lock-version", "environments", "requires-python", "extras", "dependency-groups",
           "default-groups", "created-by", "packages", "tool"}
    pkg_keys = {"name", "version", "marker", "requires-python", "dependencies", "index", "vcs",
                "directory", "archive", "sdist", "wheels", "attestation-identities", "tool"}
    file_keys = {"name", "upload-time", "url", "path", "size", "hashes"}
    check(set(doc) <= top and {"lock-version", "created-by", "packages"} <= set(doc),
          f"top-level keys: {sorted(doc)}")
    check("extras" not in doc and all("marker" not in p for p in doc["packages"]),
          "no optional extras or markers in a single-environment lock")
    check([p["name"] for p in doc["packages"]] == ["app-core", "helper", "speedup"],
          f"packages: {[p['name'] for p in doc['packages']]}")
    for p in doc["packages"]:
        check(set(p) <= pkg_keys and "name" in p and "version" in p, f"package keys: {sorted(p)}")
        for w in p.get("wheels", []):
            check(set(w) <= file_keys and w["hashes"] == {"sha256": sha[w["name"]]}
                  and w["size"] == size[w["name"]], f"wheel entry: {w}")
    r = run(app, "--python", "3.11", "--index-url", base + "/simple", "--cache-dir", cache,
            "--format", "requirements", "-o", "-")
    check(r.returncode == 0 and f"speedup==1.0 \\\n    --hash=sha256:{sha[speed]}\n    # via app-core\n" in r.stdout,
          f"requirements format names app-core as what pulls speedup in: {r.stdout}")

    # No resolution: exit 1, an explanation, and no lock file.
    bad = os.path.join(WORK, "bad")
    os.makedirs(bad)
    with open(os.path.join(bad, "requirements.txt"), "w") as f:
        f.write("app-core==1.0\nhelper<2\n")
    r = run(bad, "--python", "3.11", "--index-url", base + "/simple", "--cache-dir", cache)
    check(r.returncode == 1, f"no-solution exit {r.returncode}: {r.stderr}")
    check(r.stderr == "funcpack lock: no resolution for CPython 3.11.14 on Linux x86_64:\n"
          "Because app-core==1.0 depends on helper>=2 and you require app-core==1.0, helper>=2 is required.\n"
          "And because you require helper<2, no solution exists.\n", f"explanation: {r.stderr}")
    check(not os.path.exists(os.path.join(bad, "pylock.toml")), "nothing written on failure")

    # A project with no wheel for the runtime: the files found and why they do not fit.
    with open(os.path.join(bad, "requirements.txt"), "w") as f:
        f.write("native\n")
    r = run(bad, "--python", "3.11", "--index-url", base + "/simple", "--cache-dir", cache)
    check(r.returncode == 1, f"native exit {r.returncode}")
    check("no wheel for cp311 manylinux_2_31 x86_64; found: native-1.0-cp311-cp311-manylinux_2_34_x86_64.whl "
          "(platform manylinux_2_34_x86_64 needs glibc 2.34, the target has 2.31), "
          "native-1.0-cp312-cp312-win_amd64.whl (platform win_amd64)" in r.stderr, f"native: {r.stderr}")
    r = run(bad, "--python", "3.11", "--glibc", "2.34", "--index-url", base + "/simple", "--cache-dir", cache, "-o", "-")
    check(r.returncode == 0 and "native-1.0-cp311-cp311-manylinux_2_34_x86_64.whl" in r.stdout, f"--glibc 2.34: {r.stderr}")

    # Input errors: exit 2.
    missing = base + "/files/pkg-1.0-py3-none-any.whl"
    with open(os.path.join(bad, "requirements.txt"), "w") as f:
        f.write(f"pkg @ {missing}\n")
    r = run(bad, "--index-url", base + "/simple", "--cache-dir", cache)
    check(r.returncode == 2 and r.stderr == (
        f"{bad}/requirements.txt:1:1: error: GET {missing}: HTTP 404\n  pkg @ {missing}\n  ^"
        + "~" * (len(missing) + 5) + "\n"), f"URL requirement: {r.returncode} {r.stderr!r}")
    r = run(bad, "--format", "yaml")
    check(r.returncode == 2, "bad --format is a usage error")
    check(sorted(os.listdir(bad)) == ["requirements.txt"], f"nothing written in {bad}: {os.listdir(bad)}")
finally:
    server.stop()

check.exit()
print("ok")
