#!/usr/bin/env python3
"""Tests scripts/fixturegen.py: the distributions and index it writes are real and exact.

Runs on Debian's /usr/bin/python3 (python3-packaging is the oracle for filenames, metadata,
requirements and specifiers). pip is used only when an interpreter that has it is present
(pyenv's); the other checks do not need it. Every check failure is printed; exit 1 if any.
"""
import argparse
import base64
import csv
import email.parser
import glob
import hashlib
import html.parser
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import time
import zipfile

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print(f"FAIL: {what}")
    return cond


def check_eq(got, want, what):
    return check(got == want, f"{what}: got {got!r}, want {want!r}")


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def tree_bytes(root):
    out = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = fh.read()
    return out


def generate(args, scenario, out):
    res = run([sys.executable, args.fixturegen, "build", scenario, "-o", out])
    check_eq(res.returncode, 0, f"fixturegen build {scenario} exit status ({res.stderr})")
    return json.load(open(os.path.join(out, "manifest.json")))


# ---------------------------------------------------------------------------------------------
# Wheels


def record_digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(
        b"=").decode()


def verify_wheel(path):
    """Problems of a wheel as a list of strings (empty when it is sound)."""
    problems = []
    # What `python3 -m zipfile -t` does (every member's CRC checked), in process: a subprocess
    # per wheel would dominate the test's time. The CLI itself runs once in check_basic_exact.
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
        if bad is not None:
            problems.append(f"zipfile test failed at {bad}")
    except zipfile.BadZipFile as e:
        return [f"not a zip: {e}"]
    name, version, _, tags = parse_wheel_filename(os.path.basename(path))
    distinfo = None
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        if len(set(names)) != len(names):
            problems.append("duplicate entries")
        for n in names:
            if n.startswith("/") or ".." in n.split("/"):
                problems.append(f"unsafe path {n}")
            if n.endswith(".dist-info/RECORD"):
                distinfo = n.rsplit("/", 1)[0]
        for info in zf.infolist():
            if info.date_time != (1980, 1, 1, 0, 0, 0):
                problems.append(f"{info.filename}: timestamp {info.date_time}")
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                problems.append(f"{info.filename}: symlink")
        if distinfo is None:
            return problems + ["no RECORD"]
        records = list(csv.reader(io.StringIO(zf.read(f"{distinfo}/RECORD").decode())))
        listed = {r[0] for r in records}
        if listed != set(names):
            problems.append(f"RECORD lists {sorted(listed ^ set(names))} inconsistently")
        for row in records:
            if row[0] == f"{distinfo}/RECORD":
                if row[1:] != ["", ""]:
                    problems.append("RECORD's own row is not 'RECORD,,'")
                continue
            data = zf.read(row[0])
            if row[1] != record_digest(data) or row[2] != str(len(data)):
                problems.append(f"RECORD mismatch for {row[0]}")
        meta = email.parser.Parser().parsestr(zf.read(f"{distinfo}/METADATA").decode())
        if canonicalize_name(meta["Name"]) != name:
            problems.append(f"METADATA Name {meta['Name']} != filename {name}")
        if meta["Version"] != str(version):
            problems.append(f"METADATA Version {meta['Version']} != filename {version}")
        wheel = email.parser.Parser().parsestr(zf.read(f"{distinfo}/WHEEL").decode())
        if {str(t) for t in tags} != set(wheel.get_all("Tag")):
            problems.append(f"WHEEL tags {wheel.get_all('Tag')} != filename tags")
    return problems


def check_wheels(out, manifest):
    wheels = [e for e in manifest if e["kind"] == "wheel"]
    for e in wheels:
        path = os.path.join(out, "files", e["filename"])
        problems = verify_wheel(path)
        check(not problems, f"{e['filename']}: {problems}")
        data = open(path, "rb").read()
        check_eq(hashlib.sha256(data).hexdigest(), e["sha256"], f"{e['filename']} sha256")
        check_eq(len(data), e["size"], f"{e['filename']} size")
        if e["metadata_sha256"]:
            meta = open(path + ".metadata", "rb").read()
            check_eq(hashlib.sha256(meta).hexdigest(), e["metadata_sha256"],
                     f"{e['filename']}.metadata sha256")
            with zipfile.ZipFile(path) as zf:
                inner = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
                check_eq(zf.read(inner[0]), meta, f"{e['filename']}.metadata equals METADATA")
        else:
            check(not os.path.exists(path + ".metadata"), f"{e['filename']}: stray .metadata")
    return len(wheels)


# ---------------------------------------------------------------------------------------------
# Index pages


class Anchors(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.anchors = []
        self.stack = []
        self.meta = {}

    def handle_starttag(self, tag, attrs):
        if tag == "meta":
            d = dict(attrs)
            self.meta[d.get("name")] = d.get("content")
        if tag in ("br", "meta"):
            return
        self.stack.append(tag)
        if tag == "a":
            self.anchors.append([dict(attrs), ""])

    def handle_startendtag(self, tag, attrs):
        if tag != "br":
            raise ValueError(f"unexpected self-closing <{tag}/>")

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            raise ValueError(f"unbalanced </{tag}> (open: {self.stack})")
        self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "a":
            self.anchors[-1][1] += data


def parse_page(path):
    p = Anchors()
    text = open(path, encoding="utf-8").read()
    check(text.startswith("<!DOCTYPE html>"), f"{path}: no doctype")
    try:
        p.feed(text)
        p.close()
    except ValueError as e:
        check(False, f"{path}: {e}")
    check(not p.stack, f"{path}: unclosed tags {p.stack}")
    check_eq(p.meta.get("pypi:repository-version"), "1.1", f"{path}: repository version")
    return p.anchors


def check_index(out, manifest):
    projects = sorted({e["project"] for e in manifest})
    root = parse_page(os.path.join(out, "simple", "index.html"))
    check_eq([(a["href"], text) for a, text in root], [(f"{p}/", p) for p in projects],
             "root index links")
    root_json = json.load(open(os.path.join(out, "simple", "index.json")))
    check_eq(root_json, {"meta": {"api-version": "1.1"},
                         "projects": [{"name": p} for p in projects]}, "root index.json")
    for project in projects:
        entries = [e for e in manifest if e["project"] == project]
        page_dir = os.path.join(out, "simple", project)
        anchors = parse_page(os.path.join(page_dir, "index.html"))
        check_eq([text for _, text in anchors], [e["filename"] for e in entries],
                 f"{project}: anchors")
        page = json.load(open(os.path.join(page_dir, "index.json")))
        check_eq(page["meta"], {"api-version": "1.1"}, f"{project}: json meta")
        check_eq(page["name"], project, f"{project}: json name")
        check_eq([f["filename"] for f in page["files"]], [e["filename"] for e in entries],
                 f"{project}: json files")
        for (attrs, _), e, jf in zip(anchors, entries, page["files"]):
            href, _, fragment = attrs["href"].partition("#")
            target = os.path.normpath(os.path.join(page_dir, href))
            check(os.path.isfile(target), f"{e['filename']}: href {href} does not resolve")
            check_eq(fragment, f"sha256={e['sha256']}", f"{e['filename']}: hash fragment")
            check_eq(os.path.normpath(os.path.join(page_dir, jf["url"])), target,
                     f"{e['filename']}: json url")
            check_eq(jf["hashes"], {"sha256": e["sha256"]}, f"{e['filename']}: json hashes")
            check_eq(jf["size"], e["size"], f"{e['filename']}: json size")
            check_eq(attrs.get("data-requires-python"), e["requires_python"],
                     f"{e['filename']}: data-requires-python")
            check_eq(jf["requires-python"], e["requires_python"],
                     f"{e['filename']}: json requires-python")
            if e["yanked"] is False:
                check("data-yanked" not in attrs, f"{e['filename']}: unexpected data-yanked")
            else:
                want = "" if e["yanked"] is True else e["yanked"]
                check_eq(attrs.get("data-yanked"), want, f"{e['filename']}: data-yanked")
            check_eq(jf["yanked"], e["yanked"], f"{e['filename']}: json yanked")
            meta = f"sha256={e['metadata_sha256']}" if e["metadata_sha256"] else None
            check_eq(attrs.get("data-core-metadata"), meta, f"{e['filename']}: core-metadata")
            check_eq(attrs.get("data-dist-info-metadata"), meta,
                     f"{e['filename']}: dist-info-metadata")
            jmeta = {"sha256": e["metadata_sha256"]} if e["metadata_sha256"] else False
            check_eq(jf["core-metadata"], jmeta, f"{e['filename']}: json core-metadata")


# ---------------------------------------------------------------------------------------------
# Our parsers against packaging


def check_reader(args, out, manifest):
    wheels = [e for e in manifest if e["kind"] == "wheel"]
    res = run([args.reader, "wheel"] + [e["filename"] for e in wheels])
    check_eq(res.returncode, 0, f"distfiles_reader wheel exit ({res.stdout}{res.stderr})")
    want = []
    for e in wheels:
        name, version, build, tags = parse_wheel_filename(e["filename"])
        raw_name = e["filename"].split("-")[0]
        b = f"{build[0]}:{build[1]}" if build else "-"
        # packaging returns a frozenset; funcpack keeps the filename's order, so compare as
        # the order fixturegen wrote them (WHEEL file order == filename expansion order).
        order = [str(t) for t in ordered_tags(e["filename"])]
        check_eq(set(order), {str(t) for t in tags}, f"{e['filename']}: tag set")
        want.append(f"wheel\t{raw_name}\t{version}\t{b}\t{' | '.join(order)}")
    check_eq(res.stdout.splitlines(), want, "C++ WheelFilename vs packaging")

    for e in [e for e in manifest if e["kind"] == "sdist"]:
        res = run([args.reader, "sdist", e["name"], e["filename"]])
        name, version = parse_sdist_filename(e["filename"])
        ext = ".zip" if e["filename"].endswith(".zip") else ".tar.gz"
        stem = e["filename"][: -len(ext)]
        raw_name = stem[: -(len(e["version"]) + 1)]
        check_eq(res.stdout.splitlines(), [f"sdist\t{raw_name}\t{version}\t{ext}"],
                 f"C++ SdistFilename {e['filename']}")

    metas = [os.path.join(out, "files", e["filename"] + ".metadata")
             for e in wheels if e["metadata_sha256"]]
    res = run([args.reader, "metadata"] + metas)
    check_eq(res.returncode, 0, f"distfiles_reader metadata exit ({res.stdout}{res.stderr})")
    want = []
    for path in metas:
        meta = email.parser.Parser().parsestr(open(path, encoding="utf-8").read())
        rp = meta.get("Requires-Python")
        python = str(SpecifierSet(rp)) if rp else "-"
        reqs = [str(Requirement(r)) for r in meta.get_all("Requires-Dist") or []]
        extras = meta.get_all("Provides-Extra") or []
        want.append("\t".join(["metadata", meta["Name"], meta["Version"], python,
                               " | ".join(extras), " | ".join(reqs)]))
    check_eq(res.stdout.splitlines(), want, "C++ CoreMetadata vs packaging")
    return len(wheels), len(metas)


def ordered_tags(filename):
    parts = filename[:-4].split("-")
    py, abi, plat = parts[-3:]
    return [f"{p}-{a}-{x}" for p in py.split(".") for a in abi.split(".") for x in plat.split(".")]


# ---------------------------------------------------------------------------------------------
# Exact content of the basic scenario


def check_basic_exact(out):
    path = os.path.join(out, "files", "alpha-2.0.0-py3-none-any.whl")
    res = run([sys.executable, "-m", "zipfile", "-t", path])
    check_eq((res.returncode, res.stdout), (0, "Done testing\n"), "python3 -m zipfile -t")
    with zipfile.ZipFile(path) as zf:
        check_eq(zf.namelist(), [
            "alpha-2.0.0.data/scripts/alpha-tool",
            "alpha/__init__.py",
            "alpha-2.0.0.dist-info/METADATA",
            "alpha-2.0.0.dist-info/WHEEL",
            "alpha-2.0.0.dist-info/entry_points.txt",
            "alpha-2.0.0.dist-info/top_level.txt",
            "alpha-2.0.0.dist-info/RECORD",
        ], "alpha 2.0.0 wheel members")
        check_eq(zf.read("alpha-2.0.0.dist-info/METADATA").decode(),
                 "Metadata-Version: 2.1\nName: alpha\nVersion: 2.0.0\n"
                 "Summary: Alpha: depends on beta, optional gamma\nRequires-Python: >=3.8\n"
                 "Requires-Dist: beta>=1.0\nRequires-Dist: delta; python_version < \"3.9\"\n"
                 "Provides-Extra: fast\nRequires-Dist: gamma>=2; extra == \"fast\"\n"
                 "Description-Content-Type: text/markdown\n\n# alpha\n\n"
                 "Generated by funcpack fixturegen for tests.\n", "alpha 2.0.0 METADATA")
        check_eq(zf.read("alpha-2.0.0.dist-info/WHEEL").decode(),
                 "Wheel-Version: 1.0\nGenerator: funcpack-fixturegen 1\nRoot-Is-Purelib: true\n"
                 "Tag: py3-none-any\n", "alpha 2.0.0 WHEEL")
        check_eq(zf.read("alpha-2.0.0.dist-info/entry_points.txt").decode(),
                 "[console_scripts]\nalpha = alpha:hello\n", "alpha entry points")
        mode = zf.getinfo("alpha-2.0.0.data/scripts/alpha-tool").external_attr >> 16
        check_eq(oct(mode), oct(0o100755), "script mode")
        mode = zf.getinfo("alpha/__init__.py").external_attr >> 16
        check_eq(oct(mode), oct(0o100644), "module mode")
    page = open(os.path.join(out, "simple", "beta", "index.html"), encoding="utf-8").read()
    check('data-requires-python' not in page, "beta has no Requires-Python")
    check('>beta-2.0-py3-none-any.whl</a>' in page and 'data-yanked="broken metadata"' in page,
          "beta 2.0 yanked with its reason")
    alpha = open(os.path.join(out, "simple", "alpha", "index.html"), encoding="utf-8").read()
    check('data-requires-python="&gt;=3.12"' in alpha, "requires-python is HTML-escaped")
    check(not os.path.exists(os.path.join(out, "files", "delta-0.1.tar.gz.metadata")),
          "no metadata file for sdists")
    check_eq(sorted(os.listdir(os.path.join(out, "simple"))),
             ["alpha", "beta", "delta", "gamma-utils", "index.html", "index.json"],
             "simple/ listing (normalised project names)")

    # The native member is a real ELF shared object needing GLIBC_2.17.
    native = os.path.join(out, "files",
                          "beta-1.6-1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
    with zipfile.ZipFile(native) as zf:
        so = zf.read("beta/_speedups.cpython-311-x86_64-linux-gnu.so")
        check(b"Root-Is-Purelib: false" in zf.read("beta-1.6.dist-info/WHEEL"), "platlib wheel")
        check("Build: 1" in zf.read("beta-1.6.dist-info/WHEEL").decode(), "WHEEL Build line")
        mode = zf.getinfo("beta/_speedups.cpython-311-x86_64-linux-gnu.so").external_attr >> 16
        check_eq(oct(mode), oct(0o100755), ".so mode")
    check_eq(so[:4], b"\x7fELF", "ELF magic")
    check_eq(struct.unpack_from("<HH", so, 16), (3, 62), "ELF type ET_DYN, machine x86_64")
    check(b"libc.so.6\0" in so and b"GLIBC_2.17\0" in so, "DT_NEEDED/verneed strings")
    if shutil.which("readelf"):
        tmp = os.path.join(out, "..", "speedups.so")
        with open(tmp, "wb") as f:
            f.write(so)
        res = run(["readelf", "-d", "-V", "-W", tmp])
        check_eq(res.returncode, 0, "readelf exit")
        check("Warning" not in res.stderr and "Error" not in res.stderr,
              f"readelf diagnostics: {res.stderr}")
        check("(NEEDED)             Shared library: [libc.so.6]" in res.stdout, "readelf NEEDED")
        check("Name: GLIBC_2.17  Flags: none" in res.stdout, "readelf GLIBC_2.17 requirement")


def check_sdists(out, work):
    """The inline backend builds a valid wheel with only the standard library."""
    sdist = os.path.join(out, "files", "alpha-2.0.0.tar.gz")
    with tarfile.open(sdist) as tf:
        names = tf.getnames()
        for m in tf.getmembers():
            check(m.mtime == 315532800 and m.uid == 0 and m.uname == "",
                  f"{m.name}: normalised tar header")
        build_dir = os.path.join(work, "sdist-build")
        shutil.rmtree(build_dir, ignore_errors=True)
        tf.extractall(build_dir)
    check_eq(sorted(n for n in names if "/" in n and not n.endswith("alpha-2.0.0")), sorted([
        "alpha-2.0.0/PKG-INFO", "alpha-2.0.0/_fixture_backend",
        "alpha-2.0.0/_fixture_backend/build.json",
        "alpha-2.0.0/_fixture_backend/entry_points.txt",
        "alpha-2.0.0/_fixture_backend/fixture_build.py", "alpha-2.0.0/alpha",
        "alpha-2.0.0/alpha/__init__.py", "alpha-2.0.0/pyproject.toml"]), "alpha sdist members")
    src = os.path.join(build_dir, "alpha-2.0.0")
    wheel_dir = os.path.join(work, "sdist-wheels")
    shutil.rmtree(wheel_dir, ignore_errors=True)
    os.makedirs(wheel_dir)
    code = ("import sys; sys.path.insert(0, '_fixture_backend'); import fixture_build as b; "
            f"print(b.get_requires_for_build_wheel()); print(b.build_wheel({wheel_dir!r}))")
    res = run([sys.executable, "-c", code], cwd=src)
    check_eq(res.stdout.splitlines(), ["[]", "alpha-2.0.0-py3-none-any.whl"],
             f"inline backend build_wheel ({res.stderr})")
    built = os.path.join(wheel_dir, "alpha-2.0.0-py3-none-any.whl")
    if os.path.exists(built):
        check_eq(verify_wheel(built), [], "wheel built from the sdist is sound")
        with zipfile.ZipFile(built) as zf:
            check_eq(zf.read("alpha/__init__.py"),
                     open(os.path.join(src, "alpha", "__init__.py"), "rb").read(),
                     "built wheel carries the module")
    zsd = os.path.join(out, "files", "gamma_utils-2.0.0.zip")
    with zipfile.ZipFile(zsd) as zf:
        setup = zf.read("gamma_utils-2.0.0/setup.py").decode()
        check("packages=['gamma_utils']" in setup and "py_modules=['gammalib']" in setup,
              f"setuptools sdist setup.py: {setup}")


def check_defects(args, work):
    out = os.path.join(work, "defects")
    manifest = generate(args, os.path.join(args.here, "defects.toml"), out)
    want = {
        "1.0": "RECORD mismatch for broken/__init__.py",
        "1.1": "unsafe path ../escaped.py",
        "1.2": "unsafe path /tmp/funcpack-absolute.py",
        "1.3": "duplicate entries",
        "1.4": "broken/escape: symlink",
        "1.5": "METADATA Name other-project != filename broken",
        "1.6": "no RECORD",
        "1.7": "METADATA Version 0.0.0.dev0 != filename 1.7",
    }
    for e in manifest:
        problems = verify_wheel(os.path.join(out, "files", e["filename"]))
        check(want[e["version"]] in problems, f"defect {e['version']}: {problems}")


def check_native_fill(args, work):
    """A padded .so: fill = "random" is incompressible, fill = "code" deflates (zlib level 6)
    to about a third, as real shared libraries do; both are the same bytes on every run and
    keep the ELF header fixturegen wrote before the padding."""
    import zlib
    scenario = os.path.join(work, "fill.toml")
    with open(scenario, "w") as f:
        f.write("[[package]]\nname = \"padded\"\nversions = [\"1.0\"]\n"
                "wheels = [\"cp311-cp311-manylinux_2_17_x86_64\"]\nnative = [\n"
                "  { path = \"padded/_r.so\", size = 2000000 },\n"
                "  { path = \"padded/_c.so\", size = 2000000, fill = \"code\" },\n]\n")
    out = os.path.join(work, "fill")
    generate(args, scenario, out)
    again = os.path.join(work, "fill-again")
    generate(args, scenario, again)
    check(tree_bytes(out) == tree_bytes(again), "fill: same scenario, same bytes")
    wheel = os.path.join(out, "files", "padded-1.0-cp311-cp311-manylinux_2_17_x86_64.whl")
    with zipfile.ZipFile(wheel) as z:
        for member, low, high in [("padded/_r.so", 0.99, 1.01), ("padded/_c.so", 0.28, 0.38)]:
            data = z.read(member)
            check_eq(len(data), 2000000, f"fill: {member} size")
            check(data[:4] == b"\x7fELF", f"fill: {member} is an ELF file")
            ratio = len(zlib.compress(data, 6)) / len(data)
            check(low <= ratio <= high, f"fill: {member} deflates to {ratio:.3f}, want {low}-{high}")


def check_scenario_errors(args, work):
    cases = [
        ("[[package]]\nname = \"a\"\nversions = [\"1\"]\ncolour = \"red\"\n",
         "package[0]: unknown key 'colour'"),
        ("[[package]]\nname = \"a b\"\nversions = [\"1\"]\n",
         "package[0]: 'name' must be a valid project name"),
        ("[[package]]\nname = \"a\"\nversions = [\"1\", \"1\"]\n",
         "package[0]: version '1' listed twice"),
        ("[[package]]\nname = \"a\"\nversions = [\"1\"]\nwheels = [\"py3-none\"]\n",
         "a 1: wheels[0]: tag 'py3-none' is not python-abi-platform"),
        ("[[package]]\nname = \"A_b\"\nversions = [\"1\"]\n[[package]]\nname = \"a-B\"\n"
         "versions = [\"2\"]\n", "package[1]: project 'a-B' already defined as 'A_b'"),
        ("[[package]\n", "invalid TOML"),
        ("[[package]]\nname = \"a\"\nversions = [\"1\"]\n"
         "native = [{ path = \"a/x.so\", glibc = \"2\" }]\n",
         "a 1: native 'a/x.so': glibc must look like '2.28', got '2'"),
        ("[[package]]\nname = \"a\"\nversions = [\"1\"]\n"
         "native = [{ path = \"a/x.so\", size = 100, fill = \"zeros\" }]\n",
         "a 1: native 'a/x.so': fill must be 'random' or 'code', got 'zeros'"),
        # Fails while writing: the half-written tree is removed too.
        ("[[package]]\nname = \"a\"\nversions = [\"1\"]\n"
         "wheels = [\"py3-none-any\", \"py3-none-any\"]\n",
         "a 1: two distributions named 'a-1-py3-none-any.whl'"),
    ]
    for i, (text, message) in enumerate(cases):
        path = os.path.join(work, f"bad{i}.toml")
        with open(path, "w") as f:
            f.write(text)
        out = os.path.join(work, f"bad{i}-out")
        res = run([sys.executable, args.fixturegen, "build", path, "-o", out])
        check_eq(res.returncode, 2, f"bad scenario {i} exit status")
        check(res.stderr.startswith(f"fixturegen: {path}: ") and message in res.stderr,
              f"bad scenario {i}: stderr {res.stderr!r} should carry {message!r}")
        check(not os.path.exists(out) and not os.path.exists(out + ".fixturegen-tmp"),
              f"bad scenario {i}: output written")


# ---------------------------------------------------------------------------------------------
# pip (when present)


# Ignore the host's pip configuration and PIP_* variables (a find-links there would leak other
# wheels into the results).
PIP_ISOLATED = "--isolated"


def pip_interpreter():
    for cand in [sys.executable] + sorted(glob.glob("/root/.pyenv/versions/3.1*/bin/python3")):
        if run([cand, "-m", "pip", "--version"]).returncode == 0:
            return cand
    return None


def pip_platform_args(glibc_minor):
    args = []
    for m in range(glibc_minor, 4, -1):
        args += ["--platform", f"manylinux_2_{m}_x86_64"]
    return args + ["--platform", "manylinux2014_x86_64"]


def check_pip(work, basic_out, azure_out, clean_requirements):
    py = pip_interpreter()
    if py is None:
        print("pip: no interpreter with pip; zipfile/packaging checks only")
        return
    print(f"pip: using {py}")
    dest = os.path.join(work, "pip-download")
    shutil.rmtree(dest, ignore_errors=True)
    res = run([py, "-m", "pip", PIP_ISOLATED, "download", "--no-deps", "--disable-pip-version-check",
               "--no-cache-dir", "--index-url", f"file://{basic_out}/simple",
               "--only-binary=:all:", *pip_platform_args(31), "--python-version", "3.11",
               "--implementation", "cp", "--abi", "cp311", "-d", dest, "alpha", "beta"])
    check_eq(res.returncode, 0, f"pip download exit ({res.stderr[-2000:]})")
    check_eq(sorted(os.listdir(dest)) if os.path.isdir(dest) else [], [
        # alpha 2.1.0 needs Python >= 3.12, beta 2.0 is yanked.
        "alpha-2.0.0-py3-none-any.whl",
        "beta-1.6-1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"],
        "pip download picks")
    # Not asked of pip: gamma-utils. Debian's pip 23.0.1 rejects a PEP 658 metadata file whose
    # Name is not already normalised ("Gamma.Utils": "inconsistent Name"), a pip bug; our own
    # parsers read that file in check_reader.

    report = os.path.join(work, "pip-report.json")
    res = run([py, "-m", "pip", PIP_ISOLATED, "install", "--dry-run", "--ignore-installed", "--quiet",
               "--disable-pip-version-check", "--no-cache-dir", "--report", report,
               "--index-url", f"file://{azure_out}/simple", "--only-binary=:all:",
               *pip_platform_args(31), "--python-version", "3.11", "--implementation", "cp",
               "--abi", "cp311", "--target", os.path.join(work, "pip-target"),
               "-r", clean_requirements])
    check_eq(res.returncode, 0, f"pip resolves the clean app ({res.stderr[-2000:]})")
    if res.returncode == 0:
        picked = sorted((i["metadata"]["name"], i["metadata"]["version"],
                         i["download_info"]["url"].rsplit("/", 1)[1])
                        for i in json.load(open(report))["install"])
        check_eq(picked, [
            ("MarkupSafe", "3.0.2",
             "markupsafe-3.0.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
            ("annotated-types", "0.7.0", "annotated_types-0.7.0-py3-none-any.whl"),
            ("azure-functions", "1.21.3", "azure_functions-1.21.3-py3-none-any.whl"),
            ("certifi", "2024.8.30", "certifi-2024.8.30-py3-none-any.whl"),
            ("charset-normalizer", "3.4.0", "charset_normalizer-3.4.0-cp311-cp311-"
             "manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
            ("idna", "3.10", "idna-3.10-py3-none-any.whl"),
            ("pydantic", "2.9.2", "pydantic-2.9.2-py3-none-any.whl"),
            ("pydantic-core", "2.23.4", "pydantic_core-2.23.4-cp311-cp311-"
             "manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
            ("requests", "2.32.3", "requests-2.32.3-py3-none-any.whl"),
            ("typing-extensions", "4.12.2", "typing_extensions-4.12.2-py3-none-any.whl"),
            ("urllib3", "2.2.3", "urllib3-2.2.3-py3-none-any.whl"),
            ("werkzeug", "3.0.6", "werkzeug-3.0.6-py3-none-any.whl"),
        ], "pip's resolution of fixtures/apps/clean against fixtures/index/azure.toml")

    # pip builds the inline-backend sdist offline, and the result imports.
    target = os.path.join(work, "pip-sdist-target")
    shutil.rmtree(target, ignore_errors=True)
    res = run([py, "-m", "pip", PIP_ISOLATED, "install", "--no-deps", "--disable-pip-version-check",
               "--no-cache-dir", "--index-url", f"file://{basic_out}/simple",
               "--no-binary=:all:", "--target", target, "delta==0.1"])
    check_eq(res.returncode, 0, f"pip builds delta from its sdist ({res.stderr[-2000:]})")
    res = run([py, "-c", "import delta; print(delta.hello())"], env={"PYTHONPATH": target})
    check_eq(res.stdout, "delta 0.1\n", "the built sdist imports")


def check_bench(args, work):
    outs = []
    for i in range(2):
        out = os.path.join(work, f"bench{i}")
        res = run([sys.executable, args.fixturegen, "bench", "--seed", "7", "--packages", "25",
                   "--versions", "4", "--requirements", "6", "-o", out])
        check_eq(res.returncode, 0, f"bench exit ({res.stderr})")
        outs.append(out)
    check(tree_bytes(outs[0]) == tree_bytes(outs[1]), "bench output is deterministic")
    manifest = json.load(open(os.path.join(outs[0], "manifest.json")))
    check_eq(len({e["project"] for e in manifest}), 25, "bench project count")
    versions = {}
    for e in manifest:
        versions.setdefault(e["project"], set()).add(e["version"])
    check(all(len(v) >= 4 for v in versions.values()), "bench: at least --versions each")
    reqs = open(os.path.join(outs[0], "requirements.txt")).read().splitlines()
    check_eq(len([r for r in reqs if not r.startswith("#")]), 6, "bench requirements count")
    check_wheels(outs[0], manifest)
    check_index(outs[0], manifest)
    py = pip_interpreter()
    if py:
        res = run([py, "-m", "pip", PIP_ISOLATED, "install", "--dry-run", "--ignore-installed", "--quiet",
                   "--disable-pip-version-check", "--no-cache-dir", "--index-url",
                   f"file://{outs[0]}/simple", "--only-binary=:all:", *pip_platform_args(31),
                   "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311",
                   "--target", os.path.join(work, "bench-target"),
                   "-r", os.path.join(outs[0], "requirements.txt")])
        check_eq(res.returncode, 0, f"pip resolves the bench requirements ({res.stderr[-2000:]})")


T0 = time.monotonic()


def section(name):
    print(f"[{time.monotonic() - T0:6.1f}s] {name}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixturegen", required=True)
    ap.add_argument("--reader", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--here", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    work = os.path.abspath(args.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)

    basic = os.path.join(work, "basic")
    section('manifest')
    manifest = generate(args, os.path.join(args.fixtures, "basic.toml"), basic)
    again = generate(args, os.path.join(args.fixtures, "basic.toml"), basic + "-again")
    check(tree_bytes(basic) == tree_bytes(basic + "-again") and manifest == again,
          "same scenario, same bytes")
    n_wheels = check_wheels(basic, manifest)
    check_index(basic, manifest)
    check_basic_exact(basic)
    check_sdists(basic, work)
    r_wheels, r_metas = check_reader(args, basic, manifest)

    section('azure')
    azure = os.path.join(work, "azure")
    azure_manifest = generate(args, os.path.join(args.fixtures, "azure.toml"), azure)
    n_wheels += check_wheels(azure, azure_manifest)
    check_index(azure, azure_manifest)
    a_wheels, a_metas = check_reader(args, azure, azure_manifest)

    section('check_defects')
    check_defects(args, work)
    section('check_scenario_errors')
    check_scenario_errors(args, work)
    section('check_native_fill')
    check_native_fill(args, work)
    section('check_bench')
    check_bench(args, work)
    # The requirements of fixtures/apps/clean (copied so that app can evolve on its own).
    clean = os.path.join(work, "clean-requirements.txt")
    with open(clean, "w") as f:
        f.write("azure-functions>=1.21\nrequests==2.32.3\npydantic>=2.7,<3\n")
    section('check_pip')
    check_pip(work, basic, azure, clean)

    print(f"{n_wheels} wheels verified, {r_wheels + a_wheels} filenames and "
          f"{r_metas + a_metas} metadata files read by the C++ parsers, "
          f"{len(FAILURES)} failures")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
