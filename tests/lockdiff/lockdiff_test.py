#!/usr/bin/env python3
"""lockdiff: `funcpack lock` and pip choose the same versions, or differ exactly as documented.

usage: lockdiff_test.py FUNCPACK SOURCE_DIR WORK_DIR CASE
  CASE: features  one index with markers, extras, Requires-Python, pre-releases, yanked
                  files, wheels for many tags and glibc levels above and below the ceiling,
                  and a conflict that needs backtracking
        indexes   two indexes that both have a project (first-index-wins against pip's merge)
        bench     fixturegen's bench mode, small (fixed seeds): random dependency graphs

Each case generates its index with scripts/fixturegen.py into WORK_DIR, serves it over HTTP on
127.0.0.1 with tests/support/index_server.py (started and stopped here), and runs
  funcpack lock --python 3.11 --format json -o -
  pip install --dry-run --ignore-installed --report R --target T --only-binary=:all:
      --python-version 3.11.14 --platform manylinux_2_31_x86_64 ... --platform manylinux1_x86_64
with Debian's pip (/usr/bin/python3 -m pip, python3-pip). pip 23 takes each --platform
literally (only manylinux2014/2010 expand to the older aliases), so it is given every tag the
runtime accepts: manylinux_2_31 (the Python 3.11 runtime's glibc, rules/runtime.toml) down to
manylinux_2_5, and the manylinux2014/2010/1 aliases; --python-version gets the profile's full
version (3.11.14), which funcpack uses for Requires-Python too.

Both name->version maps are compared with the case's expected map. Where pip and funcpack
differ by design, the test asserts that difference exactly (README, section "lock"):
- pip evaluates the environment markers of dependencies against the interpreter running pip,
  not the --python-version target (pip/_internal/req/req_install.py match_markers), so a
  `python_full_version` marker is decided by the host's Python (3.11.2 on Debian bookworm)
  for pip and by the runtime's 3.11.14 for funcpack;
- several indexes: pip merges every index's files (a public project can shadow a private one:
  dependency confusion); funcpack takes each project from the first index that has it, and
  with --index-strategy-merge matches pip;
- an index with several solutions: when the newest versions conflict, funcpack keeps its
  earlier decision and takes an older version of the package decided later, pip 23
  (resolvelib) re-pins the earlier one (BENCH_SEEDS below has the exact case); both answers
  are checked to satisfy every requirement.
"""
import json
import os
import platform
import re
import shutil
import subprocess
import sys

if len(sys.argv) != 5:
    sys.exit(__doc__.split("\n")[2])
FUNCPACK, SOURCE, WORK, CASE = sys.argv[1:5]
FIXTUREGEN = os.path.join(SOURCE, "scripts", "fixturegen.py")
SERVER = os.path.join(SOURCE, "tests", "support", "index_server.py")
PIP_PYTHON = "/usr/bin/python3"
TARGET_PYTHON = "3.11.14"  # rules/runtime.toml, [python."3.11"] full_version
GLIBC_CEILING = 31         # rules/runtime.toml: the 3.11 runtime's glibc is 2.31
PLATFORMS = ([f"manylinux_2_{m}_x86_64" for m in range(GLIBC_CEILING, 4, -1)] +
             ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"])

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


# ---------------------------------------------------------------------------------------------
# Cases: scenario files (fixturegen), the app's requirements and the expected choice.

FEATURES = """
# Requires-Python: 2.0 is for 3.12+ only (data-requires-python and metadata).
[[package]]
name = "alpha"
versions = ["1.0"]
[[package.release]]
version = "1.1"
dependencies = ["eta>=1.0,<2", "theta; python_version >= '3.8'",
                "iota; platform_machine == 'aarch64'", "kappa-win; sys_platform == 'win32'"]
[[package.release]]
version = "2.0"
requires_python = ">=3.12"

[[package]]
name = "eta"
versions = ["1.0", "1.5", "2.0"]

[[package]]
name = "theta"
versions = ["0.1"]

[[package]]
name = "iota"
versions = ["1.0"]

[[package]]
name = "kappa-win"
versions = ["1.0"]

# Pre-releases: a specifier naming one allows them; none when a final release exists.
[[package]]
name = "beta"
versions = ["1.0", "2.0b1", "2.0b2"]

[[package]]
name = "zeta"
versions = ["0.9", "1.0rc1"]

[[package]]
name = "omega"
versions = ["1.0a1", "1.0a2"]

# Extras.
[[package]]
name = "gamma"
[[package.release]]
version = "1.0"
extras = { fast = ["kappa>=2"], never = ["iota"] }

[[package]]
name = "kappa"
versions = ["1.0", "2.0", "3.0a1"]

# Yanked: skipped, unless pinned exactly.
[[package]]
name = "delta"
versions = ["1.0"]
[[package.release]]
version = "2.0"
yanked = "broken build"

[[package]]
name = "epsilon"
versions = ["1.0", "1.2"]
[[package.release]]
version = "1.1"
yanked = ""

# Wheel tags and glibc levels: 1.3 has no wheel the runtime can use.
[[package]]
name = "native-ext"
[[package.release]]
version = "1.0"
wheels = ["cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64"]
[[package.release]]
version = "1.1"
wheels = ["cp311-cp311-manylinux_2_28_x86_64", "cp311-cp311-win_amd64"]
[[package.release]]
version = "1.3"
wheels = ["cp311-cp311-manylinux_2_35_x86_64", "cp311-cp311-win_amd64",
          "cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64",
          "cp311-cp311-macosx_11_0_arm64", "cp311-cp311-manylinux_2_17_aarch64"]

[[package]]
name = "glibc-edge"
[[package.release]]
version = "1.0"
wheels = ["cp311-cp311-manylinux1_x86_64"]
[[package.release]]
version = "2.0"
wheels = ["cp311-cp311-manylinux_2_31_x86_64"]
[[package.release]]
version = "2.1"
wheels = ["cp311-cp311-manylinux_2_32_x86_64"]

[[package]]
name = "stable-abi"
[[package.release]]
version = "3.0"
wheels = ["cp38-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64"]
[[package.release]]
version = "3.1"
wheels = ["cp312-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64"]

# A conflict: lambda 2.0 needs mu>=3, nu needs mu<3; the only solution is lambda 1.0.
[[package]]
name = "lambda"
[[package.release]]
version = "1.0"
dependencies = ["mu<2"]
[[package.release]]
version = "2.0"
dependencies = ["mu>=3"]

[[package]]
name = "nu"
[[package.release]]
version = "1.0"
dependencies = ["mu<3"]

[[package]]
name = "mu"
versions = ["1.0", "1.5", "2.0", "3.0"]

# A marker on the patch level: the host's Python decides it for pip (see the docstring).
[[package]]
name = "patchlevel"
[[package.release]]
version = "1.0"
dependencies = ["late-fix; python_full_version >= '3.11.5'"]

[[package]]
name = "late-fix"
versions = ["1.0"]
"""

FEATURES_REQUIREMENTS = """\
alpha
beta>=2.0b1
zeta
omega
gamma[fast]
delta
epsilon==1.1
native-ext
glibc-edge
stable-abi
lambda
nu
patchlevel
iota; python_version < "3.10"
kappa-win; sys_platform == "win32"
"""

FEATURES_EXPECTED = {
    "alpha": "1.1", "eta": "1.5", "theta": "0.1", "beta": "2.0b2", "zeta": "0.9",
    "omega": "1.0a2", "gamma": "1.0", "kappa": "2.0", "delta": "1.0", "epsilon": "1.1",
    "native-ext": "1.1", "glibc-edge": "2.0", "stable-abi": "3.0", "lambda": "1.0",
    "nu": "1.0", "mu": "1.5", "patchlevel": "1.0", "late-fix": "1.0",
}

PRIVATE = """
[[package]]
name = "corp-lib"
[[package.release]]
version = "1.0"
dependencies = ["shared-util>=1"]

[[package]]
name = "shared-util"
versions = ["1.0"]
"""

PUBLIC = """
[[package]]
name = "corp-lib"
versions = ["9.0"]

[[package]]
name = "shared-util"
versions = ["1.0", "2.0"]
"""


# ---------------------------------------------------------------------------------------------
# Running things


class Server:
    def __init__(self, root):
        self.proc = subprocess.Popen(
            [sys.executable, SERVER, "--root", root, "--exit-on-stdin-eof"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.isdigit():
            self.stop()
            sys.exit(f"index_server.py did not start: {line!r}")
        self.base = f"http://127.0.0.1:{line}"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


def generate(name, scenario):
    path = os.path.join(WORK, name + ".toml")
    with open(path, "w") as f:
        f.write(scenario)
    out = os.path.join(WORK, name)
    subprocess.run([sys.executable, FIXTUREGEN, "build", path, "-o", out], check=True,
                   stdout=subprocess.DEVNULL)
    return out


def clean_env():
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIP_", "FUNCPACK_")) and k != "NETRC"}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1",
               PIP_NO_INPUT="1", PIP_CACHE_DIR=os.path.join(WORK, "pip-cache"),
               FUNCPACK_CACHE_DIR=os.path.join(WORK, "funcpack-cache"))
    return env


def funcpack(requirements, index_args, extra=()):
    """The name->version map of `funcpack lock`, run twice: with an empty cache, then warm
    (metadata and pages from the cache); both must print the same bytes."""
    cache = os.path.join(WORK, "funcpack-cache")
    shutil.rmtree(cache, ignore_errors=True)
    outputs = []
    for _ in ("cold", "warm"):
        r = subprocess.run([FUNCPACK, "lock", requirements, "--python", "3.11", "--format",
                            "json", "-o", "-", "--cache-dir", cache, *index_args, *extra],
                           capture_output=True, text=True, env=clean_env())
        if r.returncode != 0:
            check(False, f"funcpack lock {' '.join(index_args)}: exit {r.returncode}: {r.stderr}")
            return {}
        outputs.append(r.stdout)
    check(outputs[0] == outputs[1], f"funcpack lock {' '.join(index_args)}: the warm run "
                                    "printed another lock than the cold one")
    return {p["name"]: p["version"] for p in json.loads(outputs[0])["packages"]}


def pip(requirements, index_args, label):
    report = os.path.join(WORK, f"pip-report-{label}.json")
    args = [PIP_PYTHON, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
            "--report", report, "--target", os.path.join(WORK, f"pip-target-{label}"),
            "--only-binary=:all:", "--python-version", TARGET_PYTHON, "-r", requirements,
            *index_args]
    for p in PLATFORMS:
        args += ["--platform", p]
    r = subprocess.run(args, capture_output=True, text=True, env=clean_env())
    if r.returncode != 0:
        check(False, f"pip ({label}): exit {r.returncode}: {r.stderr[-3000:]}")
        return {}
    with open(report) as f:
        return {normalize(i["metadata"]["name"]): i["metadata"]["version"]
                for i in json.load(f)["install"]}


def differences(a, b):
    return {n: (a.get(n), b.get(n)) for n in sorted(set(a) | set(b)) if a.get(n) != b.get(n)}


def write_requirements(text):
    path = os.path.join(WORK, "requirements.txt")
    with open(path, "w") as f:
        f.write(text)
    return path


def host_python_full_version():
    r = subprocess.run([PIP_PYTHON, "-c", "import platform; print(platform.python_version())"],
                       capture_output=True, text=True, check=True)
    return r.stdout.strip()


def version_tuple(v):
    return tuple(int(x) for x in re.match(r"(\d+)\.(\d+)\.(\d+)", v).groups())


# ---------------------------------------------------------------------------------------------
# Cases


def case_features():
    index = generate("features", FEATURES)
    requirements = write_requirements(FEATURES_REQUIREMENTS)
    server = Server(index)
    try:
        url = ["--index-url", server.base + "/simple"]
        got_funcpack = funcpack(requirements, url)
        got_pip = pip(requirements, url, "features")
    finally:
        server.stop()
    check(got_funcpack == FEATURES_EXPECTED,
          f"funcpack: {differences(got_funcpack, FEATURES_EXPECTED)} (got, expected)")
    # The one documented difference: pip decides `python_full_version >= '3.11.5'` with the
    # Python running pip, not the 3.11.14 target.
    host = host_python_full_version()
    expected_pip = dict(FEATURES_EXPECTED)
    if version_tuple(host) < (3, 11, 5):
        del expected_pip["late-fix"]
    check(got_pip == expected_pip,
          f"pip (host Python {host}): {differences(got_pip, expected_pip)} (got, expected)")
    diff = differences(got_funcpack, got_pip)
    expected_diff = {"late-fix": ("1.0", None)} if "late-fix" not in expected_pip else {}
    check(diff == expected_diff, f"funcpack vs pip: {diff}, expected {expected_diff}")
    print(f"features: {len(got_funcpack)} packages; funcpack vs pip differences: {diff} "
          f"(host Python {host})")


def case_indexes():
    root = os.path.join(WORK, "indexes")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    # Both trees under one server root: /private/simple and /public/simple.
    shutil.move(generate("private", PRIVATE), os.path.join(root, "private"))
    shutil.move(generate("public", PUBLIC), os.path.join(root, "public"))
    requirements = write_requirements("corp-lib\n")
    server = Server(root)
    try:
        urls = ["--extra-index-url", server.base + "/private/simple",
                "--index-url", server.base + "/public/simple"]
        first_wins = funcpack(requirements, urls)
        merged = funcpack(requirements, urls, ["--index-strategy-merge"])
        got_pip = pip(requirements, urls, "indexes")
    finally:
        server.stop()
    # funcpack: every project from the first index that has it (the private one).
    check(first_wins == {"corp-lib": "1.0", "shared-util": "1.0"}, f"first index wins: {first_wins}")
    # pip merges the indexes: the public impostor's 9.0 and the public shared-util 2.0 win.
    check(got_pip == {"corp-lib": "9.0"}, f"pip: {got_pip}")
    check(merged == got_pip, f"funcpack --index-strategy-merge {merged} != pip {got_pip}")
    print(f"indexes: funcpack {first_wins}; pip and funcpack --index-strategy-merge {got_pip}")


# Seed -> the exact difference (funcpack's version, pip's version) on that generated index.
# Seed 3: the newest kalkallum-client (3.3.3, a root requirement) and the newest
# venazion-http (2.4.0 needs kalkallum-client<3.3.2) conflict. funcpack (PubGrub) decides the
# root requirement first and then treats that decision as fixed: venazion-http 2.4.0 is
# rejected and 2.3.0 taken. pip 23's resolvelib pins are provisional: pinning venazion-http
# 2.4.0 narrows kalkallum-client, which is then re-pinned to 3.3.1. Both choices satisfy every
# requirement (checked below); when an index allows several solutions, neither tool promises
# which one it returns. Seed 4 has no such conflict: the same choice.
BENCH_SEEDS = {
    3: {"kalkallum-client": ("3.3.3", "3.3.1"), "venazion-http": ("2.3.0", "2.4.0")},
    4: {},
}


def unmet(pins, index, requirements):
    """The requirements (the app's, and the Requires-Dist of every chosen version, markers
    evaluated for the target) that `pins` leaves unsatisfied."""
    from packaging.requirements import Requirement
    from packaging.version import Version
    env = {"python_version": "3.11", "python_full_version": TARGET_PYTHON,
           "sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64",
           "implementation_name": "cpython", "platform_python_implementation": "CPython",
           "os_name": "posix", "extra": ""}
    with open(os.path.join(index, "manifest.json")) as f:
        files = {(normalize(e["project"]), str(Version(e["version"]))): e["filename"]
                 for e in json.load(f) if e["filename"].endswith(".whl")}
    out = []

    def need(text, origin):
        req = Requirement(text)
        if req.marker and not req.marker.evaluate(env):
            return
        got = pins.get(normalize(req.name))
        if got is None or not req.specifier.contains(got, prereleases=True):
            out.append(f"{origin}: {text} (chosen: {got})")

    with open(requirements) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                need(line.strip(), "app")
    for name, version in pins.items():
        filename = files.get((name, str(Version(version))))
        if filename is None:
            out.append(f"{name}=={version}: not in the index")
            continue
        with open(os.path.join(index, "files", filename + ".metadata")) as f:
            for line in f:
                if line.startswith("Requires-Dist:"):
                    need(line.split(":", 1)[1].strip(), f"{name}=={version}")
    return out


def case_bench():
    for seed, expected_diff in BENCH_SEEDS.items():
        index = os.path.join(WORK, f"bench-{seed}")
        subprocess.run([sys.executable, FIXTUREGEN, "bench", "--seed", str(seed), "--packages",
                        "40", "--versions", "6", "--requirements", "12", "-o", index],
                       check=True, stdout=subprocess.DEVNULL)
        requirements = os.path.join(index, "requirements.txt")
        server = Server(index)
        try:
            url = ["--index-url", server.base + "/simple"]
            got_funcpack = funcpack(requirements, url)
            got_pip = pip(requirements, url, f"bench-{seed}")
        finally:
            server.stop()
        check(len(got_funcpack) > 12, f"bench seed {seed}: only {len(got_funcpack)} packages")
        for who, pins in (("funcpack", got_funcpack), ("pip", got_pip)):
            broken = unmet(pins, index, requirements)
            check(not broken, f"bench seed {seed}: {who}'s choice breaks {broken}")
        diff = differences(got_funcpack, got_pip)
        check(diff == expected_diff, f"bench seed {seed}: funcpack vs pip {diff}, "
                                     f"expected {expected_diff}")
        print(f"bench seed {seed}: {len(got_funcpack)} packages, both valid; differences {diff}")


CASES = {"features": case_features, "indexes": case_indexes, "bench": case_bench}

if CASE not in CASES:
    sys.exit(f"unknown case {CASE!r} (known: {', '.join(CASES)})")
if not os.path.exists(PIP_PYTHON) or subprocess.run(
        [PIP_PYTHON, "-m", "pip", "--version"], capture_output=True).returncode != 0:
    sys.exit(f"{PIP_PYTHON} -m pip is missing: install python3-pip (scripts/setup does)")
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
CASES[CASE]()
if failures:
    print(f"{len(failures)} failures")
    sys.exit(1)
print("ok")
