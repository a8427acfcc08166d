#!/usr/bin/env python3
"""fixturegen: makes REAL Python distributions and a static package index from a scenario.

Python 3.11+ standard library only (runs on Debian's /usr/bin/python3). Output is
deterministic: the same scenario (or the same bench seed) gives the same bytes on every run
(fixed timestamps 1980-01-01, sorted members, fixed modes, gzip mtime 0).

Usage
  fixturegen.py build SCENARIO.toml -o OUT        one scenario -> OUT/
  fixturegen.py bench --seed N [--packages 300] [--versions 20] [--requirements 40] -o OUT
                                                   a large generated index for benchmarks

Output layout (what an HTTP test server serves; stable contract)
  OUT/simple/index.html             PEP 503 project list, links "<name>/"
  OUT/simple/index.json             PEP 691 project list (application/vnd.pypi.simple.v1+json)
  OUT/simple/<name>/index.html      PEP 503 project page (<name> is PEP 503-normalised)
  OUT/simple/<name>/index.json      PEP 691 project page (api-version 1.1)
  OUT/files/<filename>              wheels and sdists (also usable as a --find-links dir)
  OUT/files/<wheel>.metadata        PEP 658 core metadata of each wheel (unless disabled)
  OUT/manifest.json                 every file: project, version, filename, sha256, size,
                                    yanked, requires_python (for tests that check a lock)
  OUT/requirements.txt              (bench mode only) the top-level requirements to resolve

  Links inside the pages are RELATIVE: "../../files/<filename>#sha256=<hex>" from
  simple/<name>/ (HTML and JSON alike), so the same tree works as a file:// index
  (pip --index-url file://OUT/simple) and behind any HTTP server mounted at any prefix.
  A server content-negotiates by serving simple/<name>/index.json for
  "Accept: application/vnd.pypi.simple.v1+json" and index.html otherwise (a request for
  "simple/<name>/" maps to the directory's index file); the .html/.json files can also be
  fetched by their own names. The project page <a> attributes are: href with #sha256=,
  data-requires-python (HTML-escaped), data-yanked (reason, may be empty) when yanked,
  data-dist-info-metadata and data-core-metadata ("sha256=<hex>") when a .metadata file
  exists. The JSON files carry "hashes", "requires-python", "yanked" (false or the reason),
  "core-metadata"/"dist-info-metadata" ({"sha256": ...} or false), "size", and the
  top-level "versions" list (PEP 700).

Scenario format (TOML): see the `fixtures` section of README.md; a short example:

  [index]
  metadata_files = true          # write <wheel>.metadata + data-core-metadata (default true)

  [[package]]
  name = "alpha"
  summary = "Alpha does things"
  requires_python = ">=3.8"      # package-level defaults, inherited by every release
  wheels = ["py3-none-any"]
  versions = ["1.0.0", "1.1.0"]  # shorthand releases using the defaults

  [[package.release]]            # a release with its own settings (overrides defaults)
  version = "2.0.0"
  dependencies = ["beta>=1.0", "gamma; python_version < '3.12'"]
  extras = { fast = ["delta>=2"] }
  wheels = ["cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64", "py3-none-any"]
  sdist = true
  yanked = "broken build"
  entry_points = { console_scripts = { alpha = "alpha.cli:main" } }
  files = { "alpha/data.txt" = "payload" }
  native = [{ path = "alpha/_speed.so", glibc = "2.28", needed = ["libc.so.6"] }]
  # native keys: path, arch, needed, glibc, symbols, soname, size (pad to this many bytes),
  # fill ("random": incompressible padding, the default; "code": deflates as machine code)
"""

import argparse
import base64
import csv
import gzip
import hashlib
import html
import io
import json
import os
import random
import re
import shutil
import stat
import struct
import sys
import tarfile
import tomllib
import warnings
import zipfile

# 1980-01-01 00:00:00, the oldest date a zip can hold; used for every member of every archive.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
EPOCH_1980 = 315532800
GENERATOR = "funcpack-fixturegen 1"


class ScenarioError(Exception):
    """A problem in a scenario file; printed as 'fixturegen: FILE: message'."""


# ---------------------------------------------------------------------------------------------
# Names and small helpers


def normalize(name):
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def escape_name(name):
    """Binary distribution format name escaping: runs of -_. become one '_', lowercased."""
    return re.sub(r"[-_.]+", "_", name).lower()


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def record_digest(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def pseudo_random_bytes(seed, size):
    """Deterministic incompressible bytes (SHA-256 in counter mode)."""
    out = bytearray()
    counter = 0
    key = hashlib.sha256(seed.encode()).digest()
    while len(out) < size:
        out += hashlib.sha256(key + counter.to_bytes(8, "little")).digest()
        counter += 1
    return bytes(out[:size])


def code_like_bytes(seed, size):
    """Deterministic bytes that deflate (zlib level 6) to about a third of their size, as the
    machine code and tables of real shared libraries do (285 .so files of Debian bookworm and
    CPython 3.11's lib-dynload, 714 MB: 0.33). 64-byte blocks: one in five (52/256) is fresh
    SHA-256 counter-mode bytes, the others repeat one of the last 256 blocks (inside deflate's
    32 KiB window), chosen by the same stream, so every byte depends on `seed` alone."""
    key = hashlib.sha256(("code:" + seed).encode()).digest()
    out = bytearray()
    blocks = []
    counter = 0
    while len(out) < size:
        choice = hashlib.sha256(key + counter.to_bytes(8, "little")).digest()
        counter += 1
        if not blocks or choice[0] < 52:  # 52/256: level 6 then keeps 0.33
            block = choice + hashlib.sha256(choice).digest()
            blocks.append(block)
            if len(blocks) > 256:
                blocks.pop(0)
        else:
            block = blocks[int.from_bytes(choice[1:3], "little") % len(blocks)]
        out += block
    return bytes(out[:size])


# ---------------------------------------------------------------------------------------------
# Scenario model

RELEASE_KEYS = {
    "version", "summary", "requires_python", "dependencies", "extras", "wheels", "sdist",
    "yanked", "entry_points", "files", "native", "modules", "metadata_file",
    "metadata_version", "metadata_extra", "metadata_text", "data", "payload_bytes",
    "payload_files", "description",
}
PACKAGE_KEYS = (RELEASE_KEYS - {"version"}) | {"name", "versions", "release"}
WHEEL_KEYS = {"tag", "build", "native", "defects", "metadata_file"}
SDIST_KEYS = {"format", "backend", "filename", "build_fails", "wheel_tag", "build_requires",
              "extensions", "setup_py", "metadata_file"}
NATIVE_KEYS = {"path", "arch", "needed", "glibc", "symbols", "soname", "size", "fill"}
DEFECTS = {
    "record-mismatch", "path-traversal", "absolute-path", "duplicate-entry", "symlink-escape",
    "name-mismatch", "missing-record", "version-mismatch",
}
DEFAULTS = {
    "summary": "",
    "requires_python": None,
    "dependencies": [],
    "extras": {},
    "wheels": ["py3-none-any"],
    "sdist": False,
    "yanked": False,
    "entry_points": {},
    "files": {},
    "native": [],
    "modules": None,
    "metadata_file": True,
    "metadata_version": "2.1",
    "metadata_extra": [],
    "metadata_text": None,
    "data": {},
    "payload_bytes": 0,
    "payload_files": 0,
    "description": None,
}


def check_keys(where, table, allowed):
    if not isinstance(table, dict):
        raise ScenarioError(f"{where}: expected a table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ScenarioError(f"{where}: unknown key '{unknown[0]}' (allowed: "
                            f"{', '.join(sorted(allowed))})")


def expect_type(where, key, value, types, what):
    if not isinstance(value, types):
        raise ScenarioError(f"{where}: '{key}' must be {what}")


class Release:
    def __init__(self, package, settings, where):
        self.name = package
        self.where = where
        for key, default in DEFAULTS.items():
            setattr(self, key, settings.get(key, default))
        self.version = settings["version"]
        expect_type(where, "version", self.version, str, "a string")
        expect_type(where, "dependencies", self.dependencies, list, "an array of strings")
        expect_type(where, "extras", self.extras, dict, "a table of arrays")
        expect_type(where, "wheels", self.wheels, list, "an array")
        expect_type(where, "sdist", self.sdist, (bool, dict), "a boolean or a table")
        expect_type(where, "yanked", self.yanked, (bool, str), "a boolean or a reason string")
        expect_type(where, "files", self.files, dict, "a table of path = content")
        expect_type(where, "native", self.native, list, "an array of tables")
        expect_type(where, "data", self.data, dict, "a table of path = content")
        if self.modules is None:
            self.modules = [escape_name(package)]
        expect_type(where, "modules", self.modules, list, "an array of module names")
        self.wheel_specs = []
        for i, w in enumerate(self.wheels):
            spec = {"tag": w} if isinstance(w, str) else dict(w)
            check_keys(f"{where}: wheels[{i}]", spec, WHEEL_KEYS)
            if "tag" not in spec:
                raise ScenarioError(f"{where}: wheels[{i}]: missing 'tag'")
            parts = spec["tag"].split("-")
            if len(parts) != 3 or not all(parts):
                raise ScenarioError(f"{where}: wheels[{i}]: tag '{spec['tag']}' is not "
                                    "python-abi-platform")
            for d in spec.get("defects", []):
                if d not in DEFECTS:
                    raise ScenarioError(f"{where}: wheels[{i}]: unknown defect '{d}' "
                                        f"(known: {', '.join(sorted(DEFECTS))})")
            for n in spec.get("native", []):
                check_keys(f"{where}: wheels[{i}]: native", n, NATIVE_KEYS)
            self.wheel_specs.append(spec)
        for n in self.native + [n for w in self.wheel_specs for n in w.get("native", [])]:
            check_keys(f"{where}: native", n, NATIVE_KEYS)
            if "path" not in n:
                raise ScenarioError(f"{where}: native: missing 'path'")
            if "glibc" in n and not re.fullmatch(r"2\.\d+", str(n["glibc"])):
                raise ScenarioError(f"{where}: native '{n['path']}': glibc must look like "
                                    f"'2.28', got '{n['glibc']}'")
            if n.get("fill", "random") not in ("random", "code"):
                raise ScenarioError(f"{where}: native '{n['path']}': fill must be 'random' or "
                                    f"'code', got '{n['fill']}'")
            if n.get("arch", "x86_64") not in ELF_MACHINES:
                raise ScenarioError(f"{where}: native '{n['path']}': arch must be one of "
                                    f"{', '.join(sorted(ELF_MACHINES))}")
        if isinstance(self.sdist, dict):
            check_keys(f"{where}: sdist", self.sdist, SDIST_KEYS)
            backend = self.sdist.get("backend", "inline")
            if backend not in ("inline", "setuptools"):
                raise ScenarioError(f"{where}: sdist: backend must be 'inline' or 'setuptools'")
            if self.sdist.get("format", "tar.gz") not in ("tar.gz", "zip"):
                raise ScenarioError(f"{where}: sdist: format must be 'tar.gz' or 'zip'")

    @property
    def project(self):
        return normalize(self.name)

    def metadata(self, for_sdist=False, name_override=None, version_override=None):
        """The core metadata text (METADATA / PKG-INFO)."""
        if self.metadata_text is not None and not for_sdist:
            return self.metadata_text.encode()
        lines = [f"Metadata-Version: {self.metadata_version}",
                 f"Name: {name_override or self.name}",
                 f"Version: {version_override or self.version}"]
        if self.summary:
            lines.append(f"Summary: {self.summary}")
        if self.requires_python:
            lines.append(f"Requires-Python: {self.requires_python}")
        for dep in self.dependencies:
            lines.append(f"Requires-Dist: {dep}")
        for extra in sorted(self.extras):
            lines.append(f"Provides-Extra: {extra}")
        for extra in sorted(self.extras):
            for dep in self.extras[extra]:
                req, _, marker = dep.partition(";")
                req, marker = req.strip(), marker.strip()
                cond = f'({marker}) and extra == "{extra}"' if marker else f'extra == "{extra}"'
                lines.append(f"Requires-Dist: {req}; {cond}")
        lines.extend(self.metadata_extra)
        text = "\n".join(lines) + "\n"
        desc = self.description
        if desc is None:
            desc = f"# {self.name}\n\nGenerated by funcpack fixturegen for tests.\n"
        if desc:
            text += "Description-Content-Type: text/markdown\n\n" + desc
        return text.encode()


# ---------------------------------------------------------------------------------------------
# Minimal ELF shared objects (for "native" members): real ELF64 little-endian ET_DYN files that
# readelf, auditwheel-style checkers and funcpack's ELF audit can read: a PT_LOAD + PT_DYNAMIC,
# .dynsym/.dynstr with undefined function symbols, DT_NEEDED entries, and symbol versions in
# .gnu.version/.gnu.version_r (GLIBC_2.x requirements). They contain no code and cannot be
# dlopen()ed usefully; they exist to be audited and shipped.

ELF_MACHINES = {"x86_64": 62, "aarch64": 183, "i686": 3}


def elf_hash(name):
    h = 0
    for c in name.encode():
        h = ((h << 4) + c) & 0xFFFFFFFF
        g = h & 0xF0000000
        if g:
            h ^= g >> 24
        h &= ~g & 0xFFFFFFFF
    return h


def native_symbols(spec):
    """(symbol, library, version) triples for a native member spec."""
    arch = spec.get("arch", "x86_64")
    base = "GLIBC_2.17" if arch == "aarch64" else "GLIBC_2.2.5"
    out = [("memcpy", "libc.so.6", "GLIBC_2.14" if arch == "x86_64" else base),
           ("free", "libc.so.6", base)]
    if "glibc" in spec:
        minor = spec["glibc"].split(".")[1]
        out.append((f"fixture_needs_glibc_2_{minor}", "libc.so.6", f"GLIBC_{spec['glibc']}"))
    for sym, ver in sorted(spec.get("symbols", {}).items()):
        lib, _, version = ver.rpartition("@") if "@" in ver else ("libc.so.6", "", ver)
        out.append((sym, lib, version))
    return out


def make_elf(spec):
    arch = spec.get("arch", "x86_64")
    if arch not in ELF_MACHINES:
        raise ScenarioError(f"native '{spec['path']}': unknown arch '{arch}'")
    needed = list(spec.get("needed", ["libc.so.6"]))
    syms = native_symbols(spec)
    for _, lib, _ in syms:
        if lib not in needed:
            needed.append(lib)

    dynstr = bytearray(b"\0")
    offsets = {}

    def s(text):
        if text not in offsets:
            offsets[text] = len(dynstr)
            dynstr.extend(text.encode() + b"\0")
        return offsets[text]

    for lib in needed:
        s(lib)
    soname = spec.get("soname")
    if soname:
        s(soname)
    # Version requirements grouped per library, in first-use order; indexes start at 2.
    versions = {}  # (lib, version) -> index
    per_lib = {}
    for _, lib, ver in syms:
        if (lib, ver) not in versions:
            versions[(lib, ver)] = len(versions) + 2
            per_lib.setdefault(lib, []).append(ver)
    for sym, _, _ in syms:
        s(sym)
    for lib, vers in per_lib.items():
        for v in vers:
            s(v)

    # .dynsym: null symbol + undefined global functions.
    dynsym = bytearray(24)
    for sym, _, _ in syms:
        dynsym += struct.pack("<IBBHQQ", s(sym), (1 << 4) | 2, 0, 0, 0, 0)
    versym = struct.pack("<H", 0) + b"".join(
        struct.pack("<H", versions[(lib, ver)]) for _, lib, ver in syms)
    verneed = bytearray()
    libs = list(per_lib.items())
    for li, (lib, vers) in enumerate(libs):
        nxt = 16 + 16 * len(vers) if li + 1 < len(libs) else 0
        verneed += struct.pack("<HHIII", 1, len(vers), s(lib), 16, nxt)
        for vi, v in enumerate(vers):
            vnext = 16 if vi + 1 < len(vers) else 0
            verneed += struct.pack("<IHHII", elf_hash(v), 0, versions[(lib, v)], s(v), vnext)
    nsyms = len(syms) + 1
    hashtab = struct.pack("<II", 1, nsyms) + struct.pack("<I", 0) + b"\0\0\0\0" * nsyms

    def align(buf, n):
        while len(buf) % n:
            buf.append(0)

    # Layout: ELF header (64) + 2 program headers (56 each), then sections.
    image = bytearray(64 + 56 * 2)
    sections = []  # (name, type, flags, offset, size, link, info, align, entsize)

    def place(name, data, sh_type, flags, alignment, entsize=0, link=0, info=0):
        align(image, alignment)
        off = len(image)
        image.extend(data)
        sections.append([name, sh_type, flags, off, len(data), link, info, alignment, entsize])
        return off

    SHF_ALLOC, SHF_WRITE = 2, 1
    hash_off = place(".hash", hashtab, 5, SHF_ALLOC, 8, 4, link=2)
    dynsym_off = place(".dynsym", dynsym, 11, SHF_ALLOC, 8, 24, link=3, info=1)
    dynstr_off = place(".dynstr", bytes(dynstr), 3, SHF_ALLOC, 1)
    versym_off = place(".gnu.version", versym, 0x6FFFFFFF, SHF_ALLOC, 2, 2, link=2)
    verneed_off = place(".gnu.version_r", bytes(verneed), 0x6FFFFFFE, SHF_ALLOC, 8, 0, link=3,
                        info=len(libs))
    dyn = bytearray()
    for lib in needed:
        dyn += struct.pack("<qQ", 1, s(lib))  # DT_NEEDED
    if soname:
        dyn += struct.pack("<qQ", 14, s(soname))  # DT_SONAME
    for tag, val in ((4, hash_off), (5, dynstr_off), (6, dynsym_off), (10, len(dynstr)),
                     (11, 24), (0x6FFFFFF0, versym_off), (0x6FFFFFFE, verneed_off),
                     (0x6FFFFFFF, len(libs)), (0, 0)):
        dyn += struct.pack("<qQ", tag, val)
    dynamic_off = place(".dynamic", bytes(dyn), 6, SHF_ALLOC | SHF_WRITE, 8, 16, link=3)
    load_end = len(image)
    shstr = bytearray(b"\0")
    name_offsets = []
    for sec in sections:
        name_offsets.append(len(shstr))
        shstr += sec[0].encode() + b"\0"
    name_offsets.append(len(shstr))
    shstr += b".shstrtab\0"
    shstr_off = len(image)
    image.extend(shstr)
    align(image, 8)
    shoff = len(image)
    shdrs = bytearray(64)  # null section
    for i, (name, sh_type, flags, off, size, link, info, al, ent) in enumerate(sections):
        addr = off if flags & SHF_ALLOC else 0
        shdrs += struct.pack("<IIQQQQIIQQ", name_offsets[i], sh_type, flags, addr, off, size,
                             link, info, al, ent)
    shdrs += struct.pack("<IIQQQQIIQQ", name_offsets[-1], 3, 0, 0, shstr_off, len(shstr), 0, 0,
                         1, 0)
    image.extend(shdrs)
    shnum = len(sections) + 2
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    image[0:64] = ident + struct.pack("<HHIQQQIHHHHHH", 3, ELF_MACHINES[arch], 1, 0, 64, shoff,
                                      0, 64, 56, 2, 64, shnum, shnum - 1)
    # PT_LOAD covering the allocated part (vaddr == file offset), PT_DYNAMIC.
    image[64:120] = struct.pack("<IIQQQQQQ", 1, 4 | 2, 0, 0, 0, load_end, load_end, 0x1000)
    image[120:176] = struct.pack("<IIQQQQQQ", 2, 4 | 2, dynamic_off, dynamic_off, dynamic_off,
                                 len(dyn), len(dyn), 8)
    # `size`: pad after the section headers (no header refers to the padding, as with
    # stripped-out debug data), so benchmarks see realistically large .so files; `fill` says
    # with what: "random" (default, incompressible) or "code" (compresses as machine code does).
    if spec.get("size", 0) > len(image):
        fill = code_like_bytes if spec.get("fill", "random") == "code" else pseudo_random_bytes
        image.extend(fill(spec["path"], spec["size"] - len(image)))
    return bytes(image)


# ---------------------------------------------------------------------------------------------
# Archives


def zip_bytes(members):
    """A deterministic zip from [(path, bytes, mode)] in the given order. mode None = 0644;
    a mode with S_IFLNK makes a symlink member whose content is the link target."""
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are written on purpose by defects
        with zipfile.ZipFile(buf, "w") as zf:
            for path, data, mode in members:
                info = zipfile.ZipInfo(path, date_time=ZIP_DATE)
                info.create_system = 3
                info.external_attr = ((mode or (stat.S_IFREG | 0o644)) & 0xFFFF) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return buf.getvalue()


def targz_bytes(members):
    """A deterministic .tar.gz from [(path, bytes, mode)]; parent directories are added."""
    dirs = set()
    for path, _, _ in members:
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]))
    raw = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tf:
            entries = [(d, None, None) for d in dirs] + list(members)
            for path, data, mode in sorted(entries, key=lambda e: e[0]):
                info = tarfile.TarInfo(path)
                info.mtime = EPOCH_1980
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                if data is None:
                    info.type = tarfile.DIRTYPE
                    info.mode = 0o755
                    tf.addfile(info)
                else:
                    info.mode = (mode or 0o644) & 0o7777
                    info.size = len(data)
                    tf.addfile(info, io.BytesIO(data))
    return raw.getvalue()


def module_sources(release):
    """{path: bytes} of the importable code of a release (without .dist-info)."""
    out = {}
    for mod in release.modules:
        doc = f'"""{release.name} {release.version} (generated by funcpack fixturegen)."""\n'
        body = (doc + f'__version__ = "{release.version}"\n\n\n'
                f"def hello():\n    return \"{release.name} {release.version}\"\n")
        if mod.endswith(".py"):
            out[mod] = body.encode()
        else:
            out[f"{mod.replace('.', '/')}/__init__.py"] = body.encode()
    first = release.modules[0].removesuffix(".py").replace(".", "/") if release.modules else "pkg"
    for i in range(release.payload_files):
        text = (f'"""Generated module {i} of {release.name}."""\n\n'
                f"VALUE = {i}\nNAME = \"{release.name}-{i:04d}\"\n" + "# filler line\n" * (i % 40))
        out[f"{first}/_generated/m{i:04d}.py"] = text.encode()
    if release.payload_files:
        out[f"{first}/_generated/__init__.py"] = b""
    if release.payload_bytes:
        out[f"{first}/_payload.bin"] = pseudo_random_bytes(
            f"{release.name}-{release.version}", release.payload_bytes)
    for path, content in sorted(release.files.items()):
        out[path] = content.encode()
    return out


def entry_points_text(entry_points):
    lines = []
    for group in sorted(entry_points):
        lines.append(f"[{group}]")
        for name in sorted(entry_points[group]):
            lines.append(f"{name} = {entry_points[group][name]}")
        lines.append("")
    return "\n".join(lines).encode()


def wheel_filename(release, spec):
    build = f"-{spec['build']}" if spec.get("build") else ""
    return f"{escape_name(release.name)}-{release.version}{build}-{spec['tag']}.whl"


def build_wheel(release, spec):
    """(filename, wheel bytes, METADATA bytes) for one wheel of a release."""
    defects = set(spec.get("defects", []))
    name = escape_name(release.name)
    distinfo = f"{name}-{release.version}.dist-info"
    sources = module_sources(release)
    platform = spec["tag"].split("-")[2]
    native = spec.get("native", release.native if platform != "any" else [])
    modes = {}
    for n in native:
        sources[n["path"]] = make_elf(n)
        modes[n["path"]] = stat.S_IFREG | 0o755
    for path, content in sorted(release.data.items()):
        key = f"{name}-{release.version}.data/{path}"
        sources[key] = content.encode()
        if path.startswith("scripts/"):
            modes[key] = stat.S_IFREG | 0o755

    metadata = release.metadata(
        name_override="other-project" if "name-mismatch" in defects else None,
        version_override="0.0.0.dev0" if "version-mismatch" in defects else None)
    tags = []
    py, abi, plats = spec["tag"].split("-")
    for p in py.split("."):
        for a in abi.split("."):
            for pl in plats.split("."):
                tags.append(f"{p}-{a}-{pl}")
    wheel_lines = ["Wheel-Version: 1.0", f"Generator: {GENERATOR}",
                   f"Root-Is-Purelib: {'true' if platform == 'any' and not native else 'false'}"]
    wheel_lines += [f"Tag: {t}" for t in tags]
    if spec.get("build"):
        wheel_lines.append(f"Build: {spec['build']}")
    distinfo_files = {f"{distinfo}/METADATA": metadata,
                      f"{distinfo}/WHEEL": ("\n".join(wheel_lines) + "\n").encode()}
    if release.entry_points:
        distinfo_files[f"{distinfo}/entry_points.txt"] = entry_points_text(release.entry_points)
    distinfo_files[f"{distinfo}/top_level.txt"] = (
        "\n".join(sorted({m.removesuffix(".py").split(".")[0] for m in release.modules})) +
        "\n").encode()

    members = [(p, sources[p], modes.get(p)) for p in sorted(sources)]
    members += [(p, distinfo_files[p], None) for p in sorted(distinfo_files)]
    if "path-traversal" in defects:
        members.insert(0, ("../escaped.py", b"print('escaped')\n", None))
    if "absolute-path" in defects:
        members.insert(0, ("/tmp/funcpack-absolute.py", b"print('absolute')\n", None))
    if "symlink-escape" in defects:
        members.insert(0, (f"{release.modules[0].removesuffix('.py').replace('.', '/')}/escape",
                           b"../../../../etc/passwd", stat.S_IFLNK | 0o777))
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    tampered = sorted(sources)[0] if "record-mismatch" in defects else None
    for path, data, _ in members:
        # record-mismatch: the RECORD hash of the first module file is of other bytes.
        digest = record_digest(data + b"tampered" if path == tampered else data)
        writer.writerow([path, digest, len(data)])
    writer.writerow([f"{distinfo}/RECORD", "", ""])
    if "duplicate-entry" in defects:
        first = members[0]
        members.append((first[0], first[1] + b"# duplicate\n", first[2]))
    if "missing-record" not in defects:
        members.append((f"{distinfo}/RECORD", record.getvalue().encode(), None))
    return wheel_filename(release, spec), zip_bytes(members), metadata


# The PEP 517 backend shipped inside generated sdists (backend = "inline"): standard library
# only, no setuptools, so a sandboxed build works offline. It turns the sdist's files listed in
# _fixture_backend/build.json into a wheel (same deterministic zip rules as this generator).
INLINE_BACKEND = r'''"""Minimal PEP 517 build backend generated by funcpack fixturegen (stdlib only)."""
import base64
import csv
import hashlib
import io
import json
import os
import tarfile
import zipfile

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_DATE = (1980, 1, 1, 0, 0, 0)


def _config():
    with open(os.path.join(_ROOT, "_fixture_backend", "build.json"), encoding="utf-8") as f:
        return json.load(f)


def _read(rel):
    with open(os.path.join(_ROOT, rel), "rb") as f:
        return f.read()


def _distinfo_files(cfg):
    distinfo = cfg["name"] + "-" + cfg["version"] + ".dist-info"
    tags = cfg["tag"].split("-")
    wheel = ["Wheel-Version: 1.0", "Generator: fixture-backend 1",
             "Root-Is-Purelib: " + ("true" if tags[2] == "any" else "false"),
             "Tag: " + cfg["tag"]]
    files = {distinfo + "/METADATA": _read("PKG-INFO"),
             distinfo + "/WHEEL": ("\n".join(wheel) + "\n").encode()}
    if os.path.exists(os.path.join(_ROOT, "_fixture_backend", "entry_points.txt")):
        files[distinfo + "/entry_points.txt"] = _read("_fixture_backend/entry_points.txt")
    return distinfo, files


def get_requires_for_build_wheel(config_settings=None):
    return list(_config().get("build_requires", []))


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    distinfo, files = _distinfo_files(_config())
    for path, data in files.items():
        target = os.path.join(metadata_directory, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as f:
            f.write(data)
    return distinfo


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    cfg = _config()
    if cfg.get("build_fails"):
        raise RuntimeError(cfg["build_fails"])
    distinfo, files = _distinfo_files(cfg)
    members = [(p, _read(p)) for p in sorted(cfg["include"])]
    members += sorted(files.items())
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for path, data in members:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
        writer.writerow([path, "sha256=" + digest.decode(), len(data)])
    writer.writerow([distinfo + "/RECORD", "", ""])
    members.append((distinfo + "/RECORD", record.getvalue().encode()))
    filename = cfg["name"] + "-" + cfg["version"] + "-" + cfg["tag"] + ".whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as zf:
        for path, data in members:
            info = zipfile.ZipInfo(path, date_time=_DATE)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return filename


def build_sdist(sdist_directory, config_settings=None):
    cfg = _config()
    stem = cfg["sdist_stem"]
    filename = stem + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as tf:
        for dirpath, dirnames, filenames in os.walk(_ROOT):
            dirnames.sort()
            for name in sorted(filenames):
                full = os.path.join(dirpath, name)
                tf.add(full, arcname=stem + "/" + os.path.relpath(full, _ROOT))
    return filename
'''


def c_extension_source(dotted):
    """A CPython extension module `dotted` (C source) with add(a, b) -> a + b (integers)."""
    leaf = dotted.rsplit(".", 1)[-1]
    return f"""/* {dotted}: generated by funcpack fixturegen. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *add(PyObject *self, PyObject *args) {{
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) return NULL;
    return PyLong_FromLong(a + b);
}}

static PyMethodDef methods[] = {{
    {{"add", add, METH_VARARGS, "add(a, b) -> a + b"}},
    {{NULL, NULL, 0, NULL}},
}};

static struct PyModuleDef module = {{PyModuleDef_HEAD_INIT, "{dotted}", NULL, -1, methods}};

PyMODINIT_FUNC PyInit_{leaf}(void) {{ return PyModule_Create(&module); }}
""".encode()


HOST_WHEELS_DIR = "/usr/share/python-wheels"


class HostWheel:
    """A real wheel of the build host (Debian's python3-setuptools-whl / python3-wheel-whl
    ship setuptools and wheel as wheels, RECORD included), served unchanged so a sandboxed
    build can install its build requirements from the fixture index with no internet."""

    def __init__(self, name, where):
        directory = os.environ.get("FIXTUREGEN_HOST_WHEELS", HOST_WHEELS_DIR)
        prefix = escape_name(name) + "-"
        found = sorted(f for f in (os.listdir(directory) if os.path.isdir(directory) else [])
                       if f.lower().startswith(prefix) and f.endswith(".whl"))
        if not found:
            raise ScenarioError(f"{where}: no {name} wheel in {directory} "
                                f"(Debian: apt-get install python3-{name}-whl)")
        filename = found[-1]
        with open(os.path.join(directory, filename), "rb") as f:
            data = f.read()
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
            metadata = z.read(meta)
        self.name = name
        self.version = filename.split("-")[1]
        self.where = where
        self.wheel_specs = []
        self.sdist = False
        self.yanked = False
        self.metadata_file = True
        m = re.search(rb"^Requires-Python: *(.+?)\r?$", metadata, re.M)
        self.requires_python = m.group(1).decode() if m else None
        self.prebuilt = [(filename, data, metadata, filename[:-4].split("-", 2)[2])]


def build_sdist(release):
    """(filename, bytes) of the sdist of a release."""
    opts = release.sdist if isinstance(release.sdist, dict) else {}
    fmt = opts.get("format", "tar.gz")
    filename = opts.get("filename") or f"{escape_name(release.name)}-{release.version}.{fmt}"
    stem = filename.removesuffix(".tar.gz").removesuffix(".zip")
    backend = opts.get("backend", "inline")
    sources = module_sources(release)
    files = dict(sources)
    files["PKG-INFO"] = release.metadata(for_sdist=True)
    deps = release.dependencies
    if backend == "inline":
        files["pyproject.toml"] = (
            "[build-system]\nrequires = []\n"
            'build-backend = "fixture_build"\nbackend-path = ["_fixture_backend"]\n\n'
            f'[project]\nname = "{release.name}"\nversion = "{release.version}"\n').encode()
        if release.requires_python:
            files["pyproject.toml"] += f'requires-python = "{release.requires_python}"\n'.encode()
        if deps:
            files["pyproject.toml"] += ("dependencies = [" +
                                        ", ".join(json.dumps(d) for d in deps) +
                                        "]\n").encode()
        cfg = {"name": escape_name(release.name), "version": release.version,
               "tag": opts.get("wheel_tag", "py3-none-any"), "include": sorted(sources),
               "sdist_stem": stem, "build_requires": opts.get("build_requires", [])}
        if opts.get("build_fails"):
            cfg["build_fails"] = opts["build_fails"]
        files["_fixture_backend/build.json"] = (json.dumps(cfg, indent=2, sort_keys=True) +
                                                "\n").encode()
        files["_fixture_backend/fixture_build.py"] = INLINE_BACKEND.encode()
        if release.entry_points:
            files["_fixture_backend/entry_points.txt"] = entry_points_text(release.entry_points)
    else:
        packages = sorted({p.rsplit("/", 1)[0].replace("/", ".") for p in sources
                           if p.endswith("/__init__.py")})
        py_modules = sorted(m.removesuffix(".py") for m in release.modules if m.endswith(".py"))
        files["pyproject.toml"] = (
            '[build-system]\nrequires = ["setuptools>=61"]\n'
            'build-backend = "setuptools.build_meta"\n').encode()
        args = [f"name={release.name!r}", f"version={release.version!r}",
                f"packages={packages!r}", f"py_modules={py_modules!r}",
                f"install_requires={list(deps)!r}"]
        if release.requires_python:
            args.append(f"python_requires={release.requires_python!r}")
        if release.extras:
            args.append(f"extras_require={dict(sorted(release.extras.items()))!r}")
        if release.entry_points:
            eps = {g: [f"{k} = {v}" for k, v in sorted(e.items())]
                   for g, e in sorted(release.entry_points.items())}
            args.append(f"entry_points={eps!r}")
        exts = opts.get("extensions", [])
        for ext in exts:
            files[ext["name"].replace(".", "/") + ".c"] = (
                ext["source"].encode() if "source" in ext else c_extension_source(ext["name"]))
        if exts:
            args.append("ext_modules=[" + ", ".join(
                f"Extension({e['name']!r}, [{e['name'].replace('.', '/') + '.c'!r}])"
                for e in exts) + "]")
        if opts.get("build_fails"):
            files["setup.py"] = (f"raise SystemExit({opts['build_fails']!r})\n").encode()
        elif "setup_py" in opts:
            files["setup.py"] = opts["setup_py"].encode()
        else:
            imports = "setup, Extension" if exts else "setup"
            files["setup.py"] = (f"from setuptools import {imports}\n\nsetup(\n" +
                                 "".join(f"    {a},\n" for a in args) + ")\n").encode()
    members = [(f"{stem}/{p}", files[p], None) for p in sorted(files)]
    if fmt == "zip":
        return filename, zip_bytes(members)
    return filename, targz_bytes(members)


# ---------------------------------------------------------------------------------------------
# Scenario files

SCENARIO_KEYS = {"index", "package"}
INDEX_KEYS = {"metadata_files", "description", "host_wheels"}


def load_scenario(path):
    """(index options, [(project display name, [Release])]) from a scenario file."""
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except OSError as e:
        raise ScenarioError(f"{path}: cannot read: {e.strerror}")
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(f"{path}: invalid TOML: {e}")
    check_keys(path, data, SCENARIO_KEYS)
    index = data.get("index", {})
    check_keys(f"{path}: [index]", index, INDEX_KEYS)
    packages = []
    seen = {}
    for i, pkg in enumerate(data.get("package", [])):
        where = f"{path}: package[{i}]"
        check_keys(where, pkg, PACKAGE_KEYS)
        name = pkg.get("name")
        if not isinstance(name, str) or not re.fullmatch(
                r"[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]", name):
            raise ScenarioError(f"{where}: 'name' must be a valid project name")
        if normalize(name) in seen:
            raise ScenarioError(f"{where}: project '{name}' already defined as "
                                f"'{seen[normalize(name)]}'")
        seen[normalize(name)] = name
        defaults = {k: v for k, v in pkg.items() if k in RELEASE_KEYS}
        releases = []
        for v in pkg.get("versions", []):
            releases.append(Release(name, {**defaults, "version": v}, f"{path}: {name} {v}"))
        for j, rel in enumerate(pkg.get("release", [])):
            check_keys(f"{where}: release[{j}]", rel, RELEASE_KEYS)
            if "version" not in rel:
                raise ScenarioError(f"{where}: release[{j}]: missing 'version'")
            releases.append(Release(name, {**defaults, **rel},
                                    f"{path}: {name} {rel['version']}"))
        versions = [r.version for r in releases]
        for v in versions:
            if versions.count(v) > 1:
                raise ScenarioError(f"{where}: version '{v}' listed twice")
        if not releases:
            raise ScenarioError(f"{where}: no versions (use 'versions' or [[package.release]])")
        packages.append((name, releases))
    for name in index.get("host_wheels", []):
        if normalize(name) in seen:
            raise ScenarioError(f"{path}: host_wheels: project '{name}' already defined")
        seen[normalize(name)] = name
        packages.append((name, [HostWheel(name, f"{path}: host_wheels")]))
    return index, packages


# ---------------------------------------------------------------------------------------------
# The static index


def quote_filename(filename):
    from urllib.parse import quote
    return quote(filename, safe="")


def write_file(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def project_html(name, entries):
    lines = ["<!DOCTYPE html>", "<html>", "  <head>",
             '    <meta name="pypi:repository-version" content="1.1">',
             f"    <title>Links for {html.escape(name)}</title>", "  </head>", "  <body>",
             f"    <h1>Links for {html.escape(name)}</h1>"]
    for e in entries:
        attrs = [f'href="../../files/{quote_filename(e["filename"])}#sha256={e["sha256"]}"']
        if e["requires_python"]:
            attrs.append(f'data-requires-python="{html.escape(e["requires_python"])}"')
        if e["yanked"] is not False:
            reason = "" if e["yanked"] is True else e["yanked"]
            attrs.append(f'data-yanked="{html.escape(reason)}"')
        if e["metadata_sha256"]:
            attrs.append(f'data-dist-info-metadata="sha256={e["metadata_sha256"]}"')
            attrs.append(f'data-core-metadata="sha256={e["metadata_sha256"]}"')
        lines.append(f'    <a {" ".join(attrs)}>{html.escape(e["filename"])}</a><br/>')
    lines += ["  </body>", "</html>", ""]
    return "\n".join(lines).encode()


def project_json(project, versions, entries):
    files = []
    for e in entries:
        meta = {"sha256": e["metadata_sha256"]} if e["metadata_sha256"] else False
        files.append({
            "core-metadata": meta,
            "data-dist-info-metadata": meta,
            "filename": e["filename"],
            "hashes": {"sha256": e["sha256"]},
            "requires-python": e["requires_python"],
            "size": e["size"],
            "url": f"../../files/{quote_filename(e['filename'])}",
            "yanked": e["yanked"],
        })
    doc = {"files": files, "meta": {"api-version": "1.1"}, "name": project,
           "versions": versions}
    return (json.dumps(doc, indent=1) + "\n").encode()


def generate(packages, out, metadata_files=True, extra_files=None):
    """Writes every distribution and the index of `packages` into `out` (replaced whole)."""
    out = os.path.abspath(out)
    if os.path.exists(out) and os.listdir(out) and not os.path.exists(
            os.path.join(out, "manifest.json")):
        raise ScenarioError(f"{out}: exists and was not made by fixturegen; not overwriting")
    tmp = out + ".fixturegen-tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.join(tmp, "files"))
    try:
        manifest = write_tree(packages, tmp, metadata_files, extra_files)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(out, ignore_errors=True)
    os.rename(tmp, out)
    return manifest


def write_tree(packages, tmp, metadata_files, extra_files):
    manifest = []
    projects = []
    for name, releases in packages:
        project = normalize(name)
        entries = []
        for rel in releases:
            dists = []
            for spec in rel.wheel_specs:
                filename, data, metadata = build_wheel(rel, spec)
                with_meta = metadata_files and rel.metadata_file and spec.get("metadata_file", True)
                dists.append(("wheel", filename, data, metadata if with_meta else None,
                              spec["tag"]))
            for filename, data, metadata, tag in getattr(rel, "prebuilt", []):
                dists.append(("wheel", filename, data, metadata if metadata_files else None, tag))
            if rel.sdist:
                filename, data = build_sdist(rel)
                # An sdist's PKG-INFO served as PEP 658 metadata (opt-in: PyPI serves none for
                # sdists, but lock needs the dependencies without building).
                sdist_meta = (rel.metadata(for_sdist=True) if isinstance(rel.sdist, dict) and
                              rel.sdist.get("metadata_file") and metadata_files else None)
                dists.append(("sdist", filename, data, sdist_meta, None))
            for kind, filename, data, metadata, tag in dists:
                if os.path.exists(os.path.join(tmp, "files", filename)):
                    raise ScenarioError(f"{rel.where}: two distributions named '{filename}'")
                write_file(os.path.join(tmp, "files", filename), data)
                meta_sha = None
                if metadata is not None:
                    write_file(os.path.join(tmp, "files", filename + ".metadata"), metadata)
                    meta_sha = sha256_hex(metadata)
                entry = {"project": project, "name": name, "version": rel.version,
                         "filename": filename, "kind": kind, "sha256": sha256_hex(data),
                         "size": len(data), "requires_python": rel.requires_python,
                         "yanked": rel.yanked, "metadata_sha256": meta_sha, "tag": tag}
                entries.append(entry)
                manifest.append(entry)
        projects.append(project)
        page_dir = os.path.join(tmp, "simple", project)
        write_file(os.path.join(page_dir, "index.html"), project_html(project, entries))
        write_file(os.path.join(page_dir, "index.json"),
                   project_json(project, [r.version for r in releases], entries))
    projects.sort()
    root = ["<!DOCTYPE html>", "<html>", "  <head>",
            '    <meta name="pypi:repository-version" content="1.1">',
            "    <title>Simple index</title>", "  </head>", "  <body>"]
    root += [f'    <a href="{p}/">{p}</a><br/>' for p in projects]
    root += ["  </body>", "</html>", ""]
    write_file(os.path.join(tmp, "simple", "index.html"), "\n".join(root).encode())
    write_file(os.path.join(tmp, "simple", "index.json"), (json.dumps(
        {"meta": {"api-version": "1.1"}, "projects": [{"name": p} for p in projects]},
        indent=1) + "\n").encode())
    for rel_path, data in (extra_files or {}).items():
        write_file(os.path.join(tmp, rel_path), data)
    write_file(os.path.join(tmp, "manifest.json"),
               (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())
    return manifest


# ---------------------------------------------------------------------------------------------
# Bench mode: a large, realistic, always-resolvable index from a seed.
#
# Packages form a DAG (package i depends only on packages after it), so there are no cycles.
# Every constraint on a dependency D admits the versions of D between 60% and 70% of its
# history (lower bounds are drawn from the first 60%, upper bounds from the last 30%), and no
# Requires-Python or marker excludes that middle band for CPython 3.10-3.13, so a resolution
# always exists; picking the newest of everything does not always work, so a resolver has to
# backtrack sometimes, as on PyPI.

SYLLABLES = ["az", "bel", "cor", "dex", "el", "fen", "gra", "hal", "ion", "jet", "kal", "lum",
             "mor", "nex", "ora", "pyr", "quo", "ros", "sol", "tor", "ul", "ven", "wex", "yar",
             "zen"]
SUFFIXES = ["", "-core", "-client", "-utils", "-sdk", "-io", "-auth", "-cli", "-types",
            "-http", "-async", "-compat"]


def bench_packages(seed, count, min_versions, requirement_count):
    rng = random.Random(seed)
    names = []
    seen = set()
    while len(names) < count:
        name = rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(SYLLABLES)
        name += rng.choice(SUFFIXES)
        if normalize(name) not in seen:
            seen.add(normalize(name))
            names.append(name)
    history = []
    for _ in range(count):
        n = min_versions + rng.randint(0, max(1, min_versions // 2))
        major, minor, patch = rng.randint(0, 3), rng.randint(0, 9), 0
        versions = []
        for _ in range(n):
            versions.append(f"{major}.{minor}.{patch}")
            r = rng.random()
            if r < 0.08:
                major, minor, patch = major + 1, 0, 0
            elif r < 0.5:
                minor, patch = minor + 1, 0
            else:
                patch += 1
        history.append(versions)

    packages = []
    for i, name in enumerate(names):
        later = list(range(i + 1, count))
        fan_out = rng.choices([0, 1, 2, 3, 4, 5, 6], [28, 22, 18, 13, 9, 6, 4])[0]
        if i < count // 4:
            fan_out += 1  # frameworks near the top pull in more
        targets = sorted(rng.sample(later, min(fan_out, len(later))))
        introduced = {t: rng.randint(0, len(history[i]) // 2) for t in targets}
        native = rng.random() < 0.25
        has_extra = bool(later) and rng.random() < 0.1
        extra_target = rng.choice(later) if has_extra else None
        releases = []
        n = len(history[i])
        for k, version in enumerate(history[i]):
            deps = []
            for t in targets:
                if k < introduced[t]:
                    continue
                nd = len(history[t])
                progress = k / max(1, n - 1)
                lb = int(0.6 * (nd - 1) * progress * rng.uniform(0.5, 1.0))
                spec = f">={history[t][lb]}"
                if rng.random() < 0.15:
                    ub = rng.randint(-(-7 * nd // 10), nd - 1)
                    if ub > lb + 1 and ub > 0:
                        spec += f",<{history[t][ub]}"
                marker = ""
                if rng.random() < 0.05:
                    marker = '; python_version < "3.9"'
                deps.append(f"{names[t]}{spec}{marker}")
            if k < n * 0.15:
                requires_python = ">=2.7,!=3.0.*,!=3.1.*,<3.8"
            elif k == n - 1 and rng.random() < 0.2:
                requires_python = ">=3.14"
            else:
                requires_python = ">=3.8"
            if native:
                wheels = [f"cp3{x}-cp3{x}-manylinux_2_17_x86_64.manylinux2014_x86_64"
                          for x in (10, 11, 12, 13)]
                wheels += ["cp311-cp311-win_amd64", "cp312-cp312-win_amd64",
                           "cp312-cp312-macosx_11_0_arm64"]
                if k == n - 1:
                    wheels.append("cp312-cp312-manylinux_2_34_x86_64")
            else:
                wheels = ["py3-none-any"]
            settings = {"version": version, "summary": f"{name} (generated benchmark package)",
                        "requires_python": requires_python, "dependencies": deps,
                        "wheels": wheels, "sdist": rng.random() < 0.3, "description": ""}
            if has_extra:
                settings["extras"] = {"speedups": [f"{names[extra_target]}>="
                                                   f"{history[extra_target][0]}"]}
            if k == n - 2 and rng.random() < 0.05:
                settings["yanked"] = "broken release"
            releases.append(Release(name, settings, f"bench {name} {version}"))
        packages.append((name, releases))

    top = sorted(rng.sample(range(min(count, 80)), min(requirement_count, count, 80)))
    lines = ["# Generated by funcpack fixturegen (bench mode)."]
    for t in top:
        if rng.random() < 0.5:
            lines.append(names[t])
        else:
            lines.append(f"{names[t]}>={history[t][rng.randint(0, len(history[t]) // 3)]}")
    return packages, ("\n".join(lines) + "\n").encode()


# ---------------------------------------------------------------------------------------------
# Command line


def main(argv=None):
    parser = argparse.ArgumentParser(prog="fixturegen.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="generate the index of one scenario file")
    b.add_argument("scenario")
    b.add_argument("-o", "--output", required=True)
    g = sub.add_parser("bench", help="generate a large index for benchmarks")
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--packages", type=int, default=300)
    g.add_argument("--versions", type=int, default=20)
    g.add_argument("--requirements", type=int, default=40)
    g.add_argument("-o", "--output", required=True)
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            index, packages = load_scenario(args.scenario)
            manifest = generate(packages, args.output, index.get("metadata_files", True))
        else:
            packages, requirements = bench_packages(args.seed, args.packages, args.versions,
                                                    args.requirements)
            manifest = generate(packages, args.output,
                                extra_files={"requirements.txt": requirements})
    except ScenarioError as e:
        print(f"fixturegen: {e}", file=sys.stderr)
        return 2
    projects = len({e["project"] for e in manifest})
    print(f"fixturegen: {projects} projects, {len(manifest)} distributions -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
