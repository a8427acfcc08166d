#!/usr/bin/env python3
"""Compares funcpack's target tag order with pypa/packaging's (the oracle).

usage: tags_conformance.py TAGS_DUMP

For CPython 3.10-3.14 and glibc ceilings 2.17, 2.28, 2.31, 2.36 on x86_64 (and aarch64),
the list funcpack computes must equal, entry by entry,
    packaging.tags.cpython_tags(python_version, abis=[cpXY], platforms=P)
  + packaging.tags.compatible_tags(python_version, interpreter=cpXY, platforms=P)
where P is the platform list. P is checked twice: once as the explicit list
manylinux_2_N ... manylinux_2_5 with the legacy aliases after 2_17/2_12/2_5, and once as the
list packaging._manylinux.platform_tags yields when the host's glibc is made to report the
ceiling (so the aarch64 cut-off at 2_17 is checked against packaging too).
Runs on Debian's /usr/bin/python3 (python3-packaging).
"""
import subprocess
import sys

from packaging import tags
from packaging import _manylinux

PYTHONS = [(3, 10), (3, 11), (3, 12), (3, 13), (3, 14)]
GLIBCS = [(2, 17), (2, 28), (2, 31), (2, 36)]
ALIASES = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}


def explicit_platforms(arch, glibc_minor, with_linux):
    out = []
    for minor in range(glibc_minor, 4, -1):
        out.append(f"manylinux_2_{minor}_{arch}")
        if minor in ALIASES:
            out.append(f"{ALIASES[minor]}_{arch}")
    if with_linux:
        out.append(f"linux_{arch}")
    return out


def packaging_platforms(arch, glibc, with_linux):
    saved = (_manylinux._get_glibc_version, _manylinux._have_compatible_abi)
    _manylinux._get_glibc_version = lambda: glibc
    _manylinux._have_compatible_abi = lambda executable, a: True
    try:
        out = list(_manylinux.platform_tags(f"linux_{arch}", arch))
    finally:
        _manylinux._get_glibc_version, _manylinux._have_compatible_abi = saved
    if with_linux:
        out.append(f"linux_{arch}")
    return out


def oracle(py, platforms):
    interp = f"cp{py[0]}{py[1]}"
    got = list(tags.cpython_tags(python_version=py, abis=[interp], platforms=platforms))
    got += list(tags.compatible_tags(python_version=py, interpreter=interp, platforms=platforms))
    return [str(t) for t in got]


def run(dump, *args):
    res = subprocess.run([dump, *map(str, args)], capture_output=True, text=True, check=True)
    return res.stdout.splitlines()


def first_difference(want, got):
    for i, (w, g) in enumerate(zip(want, got)):
        if w != g:
            return f"index {i}: packaging {w!r}, funcpack {g!r}"
    return f"lengths differ: packaging {len(want)}, funcpack {len(got)}"


def main():
    dump = sys.argv[1]
    failures = 0
    checked = 0
    cases = [("x86_64", g, False) for g in GLIBCS]
    cases += [("x86_64", (2, 28), True), ("aarch64", (2, 17), False), ("aarch64", (2, 31), True)]
    for arch, glibc, with_linux in cases:
        flag = ["--linux"] if with_linux else []
        ours = run(dump, "--platforms", arch, glibc[0], glibc[1], *flag)
        theirs = packaging_platforms(arch, glibc, with_linux)
        if ours != theirs:
            failures += 1
            print(f"FAIL platforms {arch} glibc {glibc}: {first_difference(theirs, ours)}")
        if arch == "x86_64" and ours != explicit_platforms(arch, glibc[1], with_linux):
            failures += 1
            print(f"FAIL platforms {arch} glibc {glibc} differ from the explicit list")
        for py in PYTHONS:
            got = run(dump, py[0], py[1], arch, glibc[0], glibc[1], *flag)
            want = oracle(py, theirs)
            checked += 1
            if got != want:
                failures += 1
                print(f"FAIL cp{py[0]}{py[1]} {arch} glibc {glibc}: {first_difference(want, got)}")
            elif len(set(got)) != len(got):
                failures += 1
                print(f"FAIL cp{py[0]}{py[1]} {arch} glibc {glibc}: duplicate tags")
    print(f"{checked} tag lists compared, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
