#!/usr/bin/env python3
"""Compares funcpack's wheel and sdist filename parsing with pypa/packaging 23.0.

usage: filename_conformance.py DISTFILES_READER

Generates wheel filenames from parts (names, versions, build tags, tag sets, extensions; valid
ones and near misses), has distfiles_reader parse them all in one run, and compares each
outcome with packaging.utils.parse_wheel_filename: accepted by both with the same
(normalised) name, version, build tag and tag set, or rejected by both. Then the same for
sdists against parse_sdist_filename, with the project name packaging derives.

Deliberate differences (counted, not failures; see packager/spec/wheel_filename.h):
  - an empty name ("-1.0-py3-none-any.whl"): packaging's name pattern allows it, we reject;
  - an empty tag in a compressed set ("py3..py2"): packaging yields a tag with an empty
    field, we reject;
  - non-ASCII names: packaging's pattern is Unicode-aware, filenames are ASCII for us;
  - build numbers above 2^64-1: we reject (as versions, see version.h).
"""
import itertools
import subprocess
import sys

from packaging.utils import (InvalidSdistFilename, InvalidWheelFilename, canonicalize_name,
                             parse_sdist_filename, parse_wheel_filename)
from packaging.version import InvalidVersion

NAMES = ["foo", "Foo_Bar", "foo.bar", "zope.interface", "a", "1a", "foo__bar", "", "fo+o",
         "foo_", "_foo", "ünï", "Django", "foo.", "a_b_c"]
VERSIONS = ["1.0", "1.0a1", "1!2.0", "1.0+local.7", "1.0.post1.dev2", "V1.0", "1.0RC1",
            "bad", "", "1.0_1", "2024.8.30", "1..0", "1.0+"]
BUILDS = [None, "1", "12abc", "0", "x1", "", "99999999999999999999", "1_2"]
TAGS = ["py3-none-any", "py2.py3-none-any",
        "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64", "PY3-NONE-ANY",
        "py3..py2-none-any", "py3-none-", "cp39-abi3-macosx_10_9_universal2",
        "py3-none", "py3-none-any-extra"]
EXTS = [".whl", ".WHL", ".zip", ""]


def packaging_wheel(fn):
    try:
        name, version, build, tags = parse_wheel_filename(fn)
    except (InvalidWheelFilename, InvalidVersion):
        return None
    b = f"{build[0]}:{build[1]}" if build else "-"
    return (name, str(version), b, frozenset(str(t) for t in tags))


def deliberate(fn):
    parts = fn[:-4].split("-") if fn.endswith(".whl") else []
    if len(parts) in (5, 6):
        if parts[0] == "" or not parts[0].isascii():
            return "empty or non-ASCII name"
        if any(p == "" for part in parts[-3:] for p in part.split(".")):
            return "empty tag"
        if len(parts) == 6 and parts[2][:1].isdigit():
            digits = len(parts[2]) - len(parts[2].lstrip("0123456789"))
            if int(parts[2][:digits]) >= 2 ** 64:
                return "build number too large"
    return None


def main():
    reader = sys.argv[1]
    wheels = []
    for name, version, build, tag, ext in itertools.product(NAMES, VERSIONS, BUILDS, TAGS,
                                                            EXTS):
        b = "" if build is None else f"-{build}"
        wheels.append(f"{name}-{version}{b}-{tag}{ext}")
    # One reader process for all: it prints one line per filename, in order.
    out = subprocess.run([reader, "wheel", "-"], input="".join(w + "\n" for w in wheels),
                         capture_output=True, text=True)
    lines = out.stdout.splitlines()
    if len(lines) != len(wheels):
        print(f"FAIL: reader printed {len(lines)} lines for {len(wheels)} filenames")
        return 1
    failures = accepted = rejected = skipped = 0
    for fn, line in zip(wheels, lines):
        theirs = packaging_wheel(fn)
        fields = line.split("\t")
        ours = None
        if fields[0] == "wheel":
            ours = (canonicalize_name(fields[1]), fields[2], fields[3],
                    frozenset(fields[4].split(" | ")))
        elif not (fields[0] == "error" and fields[1].startswith(f"invalid wheel filename '{fn}': ")):
            failures += 1
            print(f"FAIL {fn!r}: unexpected reader output {line!r}")
            continue
        if ours == theirs:
            if ours is None:
                rejected += 1
            else:
                accepted += 1
            continue
        why = deliberate(fn)
        if why and ours is None:
            skipped += 1
            continue
        failures += 1
        if failures <= 20:
            print(f"FAIL {fn!r}: packaging {theirs}, funcpack {ours or line}")

    sdists = []
    for name, version, ext in itertools.product(NAMES + ["foo-bar", "Foo-Bar.baz"], VERSIONS,
                                                [".tar.gz", ".zip", ".tar.bz2"]):
        sdists.append(f"{name}-{version}{ext}")
    projects = [fn.rsplit("-", 1)[0] if "-" in fn else fn for fn in sdists]
    out = subprocess.run([reader, "sdist", "-"],
                         input="".join(f"{p}\t{fn}\n" for p, fn in zip(projects, sdists)),
                         capture_output=True, text=True)
    lines = out.stdout.splitlines()
    if len(lines) != len(sdists):
        print(f"FAIL: reader printed {len(lines)} lines for {len(sdists)} sdists")
        return 1
    for fn, project, line in zip(sdists, projects, lines):
        try:
            name, version = parse_sdist_filename(fn)
            theirs = (name, str(version))
        except (InvalidSdistFilename, InvalidVersion):
            theirs = None
        fields = line.split("\t")
        ours = (canonicalize_name(fields[1]), fields[2]) if fields[0] == "sdist" else None
        if ours == theirs:
            if ours is None:
                rejected += 1
            else:
                accepted += 1
        elif ours is None and (not project or not project.isascii() or
                               not project.replace("-", "").replace("_", "").replace(".", "")
                               .replace("+", "").isalnum()):
            # packaging does not validate the sdist's name part; we compare it with a valid
            # project name, so a name no project can have never matches.
            skipped += 1
        else:
            failures += 1
            if failures <= 40:
                print(f"FAIL sdist {fn!r}: packaging {theirs}, funcpack {ours or line}")

    print(f"{len(wheels) + len(sdists)} filenames: {accepted} accepted and {rejected} rejected "
          f"by both, {skipped} deliberate differences, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
