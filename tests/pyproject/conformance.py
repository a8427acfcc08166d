#!/usr/bin/python3
"""pyproject.toml [project] conformance: funcpack's inputs/pyproject_metadata against Debian's
python3-pyproject-metadata 0.6.1.

Run by Debian's /usr/bin/python3 (python3-pyproject-metadata, python3-packaging 23.0, tomllib).
Usage: conformance.py PYPROJECT_ORACLE

Generates thousands of deterministic (seeded) pyproject.toml files: names needing
normalisation, versions, requires-python, dependencies and extras with markers, URLs and
extras, every combination of `dynamic`, fields a resolver ignores, unknown keys, wrong types,
invalid values and invalid TOML, written in every TOML string and table style. Each file is
read by funcpack (the oracle executable) and by pyproject_metadata's
StandardMetadata.from_pyproject(tomllib.load(f), project_dir).as_rfc822(), and:
  - both reject it; or
  - funcpack says NotStatic and pyproject_metadata's `dynamic` (which also holds `version`
    when it is missing) names the same first relevant entry; or
  - both accept it and agree on Name, Version, Requires-Python, Requires-Dist (parsed by
    packaging) and Provides-Extra, after the normalisations below (each says why it is only a
    difference of form); funcpack's text must also parse with Python's email parser.
Anything else must match one of the deliberate differences documented in
packager/inputs/pyproject_metadata.h (recognised here by an independent check of the input,
counted, and each asserted to occur); otherwise it is reported and the test fails.
"""

import copy
import email.parser
import os
import random
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "support"))
from harness import unescape  # noqa: E402
import tempfile
import tomllib

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version
from pyproject_metadata import StandardMetadata

SEED = int(os.environ.get("PYPROJECT_SEED", "621"))  # fixed in ctest; other seeds explore
CASES = int(os.environ.get("PYPROJECT_CASES", "3000"))
MAX_REPORTED = 25

# The [project] keys of the pyproject.toml specification (pyproject_metadata.h, kProjectKeys).
KNOWN_KEYS = {
    "authors", "classifiers", "dependencies", "description", "dynamic", "entry-points",
    "gui-scripts", "import-names", "import-namespaces", "keywords", "license", "license-files",
    "maintainers", "name", "optional-dependencies", "readme", "requires-python", "scripts",
    "urls", "version",
}
RELEVANT = {
    "version": "version-dynamic",
    "requires-python": "requires-python-dynamic",
    "dependencies": "dependencies-dynamic",
    "optional-dependencies": "optional-dependencies-dynamic",
}
IDENTIFIER = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)

# ---------------------------------------------------------------------------------------------
# Oracle protocol (pyproject_oracle.cc).


def ask_funcpack(oracle, paths):
    data = "".join(p + "\n" for p in paths)
    proc = subprocess.run([oracle], input=data.encode(), stdout=subprocess.PIPE, check=True)
    lines = proc.stdout.decode("utf-8").split("\n")[:-1]
    if len(lines) != len(paths):
        sys.exit(f"oracle answered {len(lines)} lines for {len(paths)} files")
    out = []
    for line in lines:
        f = [unescape(x) for x in line.split("\t")]
        if f[0] == "OK":
            out.append(("OK", f[1]))
        elif f[0] == "NOTSTATIC":
            out.append(("NOTSTATIC", f[1], int(f[2]), int(f[3]), f[4]))
        else:
            out.append(("ERR", int(f[1]), int(f[2]), int(f[3]), f[4]))
    return out


# ---------------------------------------------------------------------------------------------
# pyproject_metadata's answer.


def pyproject_metadata(data, project_dir):
    """('OK', meta, text, dynamic) | ('NOMETA', meta, message, dynamic) | ('ERR', message).
    NOMETA: from_pyproject accepted the table but as_rfc822 refused (a dynamic version).
    `dynamic` is meta.dynamic, which also names `version` when the table has none."""
    # A copy: from_pyproject keeps project.dynamic's list and appends 'version' to it when the
    # version is missing.
    data = copy.deepcopy(data)
    try:
        meta = StandardMetadata.from_pyproject(data, project_dir)
    except Exception as e:  # ConfigurationError, InvalidVersion, InvalidSpecifier, TypeError
        return ("ERR", f"{type(e).__name__}: {e}")
    dynamic = list(meta.dynamic)  # before as_rfc822, which rewrites requirement markers
    try:
        text = str(meta.as_rfc822())
    except Exception as e:
        return ("NOMETA", meta, f"{type(e).__name__}: {e}", dynamic)
    return ("OK", meta, text, dynamic)


def without_unread_fields(data):
    """The table without the keys funcpack does not read (deliberate difference 5), unless
    `dynamic` lists them (then 'both set and dynamic' must still be seen)."""
    project = data.get("project")
    if not isinstance(project, dict):
        return data
    dynamic = project.get("dynamic")
    dynamic = dynamic if isinstance(dynamic, list) else []
    keep = {k: v for k, v in project.items()
            if k not in KNOWN_KEYS or k in RELEVANT or k in ("name", "dynamic") or k in dynamic}
    return dict(data, project=keep)


# ---------------------------------------------------------------------------------------------
# Normalisations of form (never of meaning).


def norm_comparison(t):
    lhs, op, rhs = t
    # PEP 685: `extra` comparisons are on normalised names, so 'extra == "Foo_Bar"' and
    # 'extra == "foo-bar"' select the same requirements. pyproject_metadata writes the key as
    # given; funcpack writes the normalised name; packaging normalises only the first.
    if lhs.value == "extra" and type(lhs).__name__ == "Variable":
        return (lhs.serialize(), op.serialize(), '"' + canonicalize_name(rhs.value) + '"')
    if rhs.value == "extra" and type(rhs).__name__ == "Variable":
        return ('"' + canonicalize_name(lhs.value) + '"', op.serialize(), rhs.serialize())
    return (lhs.serialize(), op.serialize(), rhs.serialize())


def norm_markers(items):
    """packaging's parsed marker list with parentheses that cannot change the meaning removed
    (funcpack parenthesises every existing marker it ands with the extra clause; packaging's
    str() keeps or drops groups by its own rule): a group is inlined when it has no top-level
    `or`, or when both its neighbours are `or` (precedence makes it the same expression)."""
    out = []
    for i, x in enumerate(items):
        if isinstance(x, tuple):
            out.append(norm_comparison(x))
        elif isinstance(x, list):
            inner = norm_markers(x)
            left = items[i - 1] if i > 0 else "or"
            right = items[i + 1] if i + 1 < len(items) else "or"
            if "or" not in inner or (left == "or" and right == "or"):
                out.extend(inner)
            else:
                out.append(inner)
        else:
            out.append(x)
    return out


def fmt_markers(items):
    return " ".join("(" + fmt_markers(x) + ")" if isinstance(x, list)
                    else " ".join(x) if isinstance(x, tuple) else x for x in items)


def norm_requirement(text):
    r = Requirement(text)
    marker = fmt_markers(norm_markers(r.marker._markers)) if r.marker else ""
    return (r.name, ",".join(sorted(r.extras)), str(r.specifier), r.url or "", marker)


def headers(text):
    """Field name -> values, in order, of an RFC 822 text (both sides write one line each)."""
    out = {}
    for line in text.split("\n"):
        if not line:
            break
        name, _, value = line.partition(": ")
        out.setdefault(name, []).append(value)
    return out


def top_level_or(marker_text):
    return "or" in Marker(marker_text)._markers


# ---------------------------------------------------------------------------------------------
# Generators.

NAMES = ["foo", "Foo", "foo-bar", "Foo.Bar_baz", "foo__bar", "a", "A1", "9lives",
         "zope.interface", "azure-functions", "azure_functions", "x.y-z_w", "FOO--BAR"]
BAD_NAMES = ["foo-", "-foo", "", "foo bar", "\u00e9", "foo!", ".foo", "foo_", "a\tb"]
VERSIONS = ["1.0", "v1.0", "1.0.0-RC1", "1!2.0.post1.dev2+Local.7", " 1.0 ", "2024.1", "0.1a",
            "1.0-1", "1.0_post_2", "01.02", "1.0.0", "1.0+abc.0", "3.0.0.dev0"]
BAD_VERSIONS = ["1.0x", "", "abc", "1.0+", "1..0", "1.0 1", "1.0-"]
REQUIRES_PYTHON = [">=3.8", ">= 3.8, <4", "~=3.9", "==3.*", "", ">=3.8,>=3.8.0",
                   "!=3.9.*,>=3.8", ">3.7, <=3.13", "===3.11", ">=3.8,", "<4.0, >=3.9.1",
                   ">=3.10.0rc1"]
BAD_REQUIRES_PYTHON = [">=3.8x", "3.8", ">=3.8.*", "~=3", ">= 3.8 <4", "=>3.8"]
REQ_NAMES = ["requests", "Azure.Functions", "typing_extensions", "numpy", "x", "Foo-Bar",
             "zope.interface"]
REQ_EXTRAS = ["", "", "", "[socks]", "[Security,socks]", "[ a_b ]"]
REQ_SPECS = ["", "", ">=2.0", " >= 1.0, <2", "==1.*", "~=1.4.2", "(>=1.0)", "!=1.5,>1",
             "===odd", "==1.0+local", "<2.0.0rc1"]
URLS = ["https://e.org/p-1.0-py3-none-any.whl", "git+https://github.com/a/b.git@v1.0",
        "file:///tmp/p.tar.gz"]
MARKERS = [
    "python_version < '3.11'",
    "os_name == 'posix' or os_name == 'nt'",
    'sys_platform == "linux" and platform_machine == "x86_64"',
    '(python_version >= "3.8" or implementation_name == "pypy") and os_name == "posix"',
    "extra == 'Other_Extra'",
    'python_version >= "3.8" and (os_name == "nt" or os_name == "posix")',
    "platform_system != 'Windows'",
    'python_full_version >= "3.10.1"',
    "implementation_name == 'cpython' or implementation_name == 'pypy' or os_name == 'nt'",
    "'linux' in sys_platform",
    "(os_name == 'nt')",
    "os_name == 'a' and python_version > '3' or sys_platform == 'win32'",
    "python_version not in '2.7 3.5'",
]
BAD_REQUIREMENTS = ["foo >=", "foo; os_name = 'a'", "foo[", "-foo", "foo @ ", "foo==1.0+",
                    "foo;", "", "foo bar", "foo (>=1", "foo; python_version >= '3.8' and"]
EXTRA_KEYS = ["test", "Test_Extra", "dev", "a.b", "socks", "docs", "X", "all-of-it"]
CLASHES = [("Test_Extra", "test-extra"), ("a.b", "A_B"), ("dev", "DEV")]
BAD_EXTRA_KEYS = ["a b", "\u00e9", "", "-x", "x-", "a\nb"]
DYNAMIC = ["version", "dependencies", "optional-dependencies", "requires-python", "readme",
           "description", "scripts", "classifiers", "license", "entry-points", "urls"]
ODD_DYNAMIC = ["name", "Dependencies", "foo", "dynamic", "optional_dependencies"]


def toml_str(rng, s):
    """A TOML string for s, in a random style that can hold it."""
    styles = ["basic"]
    if "'" not in s and "\n" not in s and not any(ord(c) < 0x20 and c != "\t" for c in s):
        styles += ["literal", "literal", "multi_literal"]
    if not s.endswith('"'):
        styles.append("multi_basic")
    style = rng.choice(styles)
    if style == "literal":
        return "'" + s + "'"
    if style == "multi_literal" and not s.endswith("'") and "'''" not in s:
        return "'''" + s + "'''"

    def escaped(ch):
        if ch == '"':
            return '\\"'
        if ch == "\\":
            return "\\\\"
        if ch == "\n":
            return "\\n"
        if ord(ch) < 0x20 or ord(ch) == 0x7F:
            return "\\u%04x" % ord(ch)
        if rng.random() < 0.01:
            return "\\u%04x" % ord(ch)  # an escape that means the same character
        return ch

    body = "".join(escaped(c) for c in s)
    if style == "multi_basic":
        return '"""' + body + '"""'
    return '"' + body + '"'


def toml_key(rng, k):
    """A bare key when k can be one, else a quoted key (keys cannot be multi-line strings)."""
    if re.fullmatch(r"[A-Za-z0-9_-]+", k) and rng.random() < 0.8:
        return k
    if "'" not in k and "\n" not in k and rng.random() < 0.5:
        return "'" + k + "'"
    return '"' + k.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def toml_array(rng, items):
    parts = [toml_str(rng, s) if isinstance(s, str) else str(s) for s in items]
    if rng.random() < 0.3:
        return "[\n" + "".join("  " + p + ",\n" for p in parts) + "]"
    return "[" + ", ".join(parts) + "]"


def gen_requirement(rng):
    if rng.random() < 0.04:
        return rng.choice(BAD_REQUIREMENTS)
    name = rng.choice(REQ_NAMES)
    extras = rng.choice(REQ_EXTRAS)
    if rng.random() < 0.1:
        text = name + extras + " @ " + rng.choice(URLS)
        if rng.random() < 0.5:
            text += " ; " + rng.choice(MARKERS)
        return text
    text = name + extras + rng.choice(REQ_SPECS)
    if rng.random() < 0.5:
        text += rng.choice([";", "; ", " ; "]) + rng.choice(MARKERS)
    return text


def gen_extras_table(rng, top, sub):
    """Adds an optional-dependencies table in one of three TOML forms."""
    r = rng.random
    keys = rng.sample(EXTRA_KEYS, rng.randint(0, 3))
    if r() < 0.06:
        keys += list(rng.choice(CLASHES))
    if r() < 0.05:
        keys.append(rng.choice(BAD_EXTRA_KEYS))
    entries = []
    for k in dict.fromkeys(keys):
        roll = r()
        if roll < 0.02:
            value = toml_str(rng, "pytest")
        elif roll < 0.04:
            value = "[1]"
        else:
            value = toml_array(rng, [gen_requirement(rng) for _ in range(rng.randint(0, 3))])
        entries.append((toml_key(rng, k), value))
    style = rng.choice(["table", "inline", "dotted"])
    if r() < 0.02:
        top.append("optional-dependencies = ['x']")
    elif style == "table":
        sub.append("[project.optional-dependencies]\n"
                   + "".join(f"{k} = {v}\n" for k, v in entries))
    elif style == "inline":
        # An inline table is one line; the arrays in it may span lines, but need not.
        top.append("optional-dependencies = {"
                   + ", ".join(f"{k} = {v.replace(chr(10), ' ')}" for k, v in entries) + "}")
    else:
        top.extend(f"optional-dependencies.{k} = {v}" for k, v in entries)


def gen_case(rng):
    """The text of one generated pyproject.toml."""
    r = rng.random
    if r() < 0.03:
        tool = "[tool.x]\ny = 1\n" if r() < 0.5 else ""
        return "[build-system]\nrequires = ['setuptools']\n" + tool
    top = []  # key = value lines of the [project] table
    sub = []  # [project.*] sub-tables, after it

    roll = r()
    if roll < 0.02:
        top.append("name = 3")
    elif roll < 0.04:
        pass  # no name: an error
    else:
        top.append("name = " + toml_str(rng, rng.choice(BAD_NAMES if r() < 0.05 else NAMES)))

    dynamic = []
    if r() < 0.45:
        pool = DYNAMIC + (ODD_DYNAMIC if r() < 0.15 else [])
        dynamic = rng.sample(pool, rng.randint(1, 3))

    # Each relevant key: usually absent when dynamic (sometimes both: an error), sometimes of
    # the wrong type or invalid.
    if "version" not in dynamic or r() < 0.03:
        roll = r()
        if roll < 0.04:
            pass  # missing: an error unless dynamic
        elif roll < 0.06:
            top.append("version = 1.0")
        else:
            version = rng.choice(BAD_VERSIONS if r() < 0.05 else VERSIONS)
            top.append("version = " + toml_str(rng, version))
    if ("requires-python" not in dynamic and r() < 0.6) or r() < 0.02:
        if r() < 0.02:
            top.append("requires-python = 3.8")
        else:
            spec = rng.choice(BAD_REQUIRES_PYTHON if r() < 0.05 else REQUIRES_PYTHON)
            top.append("requires-python = " + toml_str(rng, spec))
    if ("dependencies" not in dynamic and r() < 0.8) or r() < 0.02:
        roll = r()
        if roll < 0.02:
            top.append("dependencies = " + toml_str(rng, "requests"))
        elif roll < 0.04:
            top.append("dependencies = ['a', 3]")
        else:
            reqs = [gen_requirement(rng) for _ in range(rng.randint(0, 4))]
            top.append("dependencies = " + toml_array(rng, reqs))
    if ("optional-dependencies" not in dynamic and r() < 0.6) or r() < 0.02:
        gen_extras_table(rng, top, sub)
    if dynamic:
        roll = r()
        if roll < 0.02:
            top.append("dynamic = 'version'")
        elif roll < 0.04:
            top.append("dynamic = ['version', 3]")
        else:
            top.append("dynamic = " + toml_array(rng, dynamic))
    # Fields funcpack does not read (some in shapes pyproject_metadata 0.6.1 rejects; some
    # also listed in dynamic, an error).
    if r() < 0.3:
        top.append("description = " + rng.choice(['"A thing"', "3"]))
    if r() < 0.2:
        top.append("readme = " + rng.choice(["{text = 'hello', content-type = 'text/markdown'}",
                                            "'README.md'", "'README.txt'"]))
    if r() < 0.2:
        top.append("license = " + rng.choice(["{text = 'MIT'}", "'MIT'", "{file = 'LICENSE'}"]))
    if r() < 0.2:
        top.append("keywords = ['a', 'b']")
    if r() < 0.2:
        top.append("classifiers = ['Programming Language :: Python :: 3']")
    if r() < 0.15:
        top.append("authors = [{name = 'A. Person', email = 'a@example.com'}, {name = 'B'}]")
    if r() < 0.1:
        sub.append("[project.urls]\nHomepage = 'https://example.com'\n")
    if r() < 0.1:
        sub.append("[project.scripts]\nx = 'x.cli:main'\n")
    if r() < 0.03:
        top.append(rng.choice(["dependency = ['y']", "requires_python = '>=3'", "foo = 1"]))
    rng.shuffle(top)
    build_system = ""
    if r() < 0.1:
        build_system = ("[build-system]\nrequires = ['hatchling']\n"
                        "build-backend = 'hatchling.build'\n")
    if r() < 0.1:
        # Dotted keys at the top level (before any [table] header, or they would belong to
        # it); [project.*] sub-tables may still follow (TOML 1.0).
        text = "".join("project." + t + "\n" for t in top) + "".join(sub) + build_system
    else:
        text = build_system + "[project]\n" + "".join(t + "\n" for t in top) + "".join(sub)
    if r() < 0.02:
        text += rng.choice(["name = 'dup'\n", "[project]\n", "x = 'unterminated\n", "= 1\n"])
    return text


HAND_PICKED = [
    "",
    "[project]\nname = 'x'\nversion = '1'\n",
    "[project]\nname = 'x'\n",
    "[project]\nname = 'x'\ndynamic = ['version']\n",
    "[project]\nname = 'x'\ndynamic = ['name', 'version']\n",
    "[project]\nname = 'x'\nversion = '1'\ndynamic = ['version']\n",
    "project = 3\n",
    "[project]\nversion = '1'\n",
    "[project]\nname = 'Foo.Bar'\nversion = '1'\noptional-dependencies.Test_X = []\n",
    "[project]\nname = 'x'\nversion = '1'\n"
    "optional-dependencies.e = [\"y; os_name == 'a' or os_name == 'b'\"]\n",
    "[project]\nname = 'x'\nversion = '1'\noptional-dependencies = {A_b = ['y'], 'a-B' = ['z']}\n",
    "[project]\nname = 'x'\nversion = '1'\ndynamic = ['readme']\nreadme = 'R.md'\n",
    "[project]\nname = 'x'\nversion = '1'\ndependency = ['y']\n",
    "[project]\nname = 'x'\nversion = '1'\ndynamic = ['Dependencies']\n",
    "[project]\nname = 'x'\nversion = '1'\nrequires-python = ''\n",
    "[project]\nname = 'x'\nversion = '1'\nlicense = 'MIT'\n",
]


# ---------------------------------------------------------------------------------------------


def location_problem(text, ours):
    """None when the error's line and column lie inside the file."""
    line, column = ours[1], ours[2]
    lines = text.encode("utf-8").split(b"\n")
    if line == 0:
        return None if column == 0 else f"column {column} without a line"
    if line > len(lines):
        return f"line {line} past the end ({len(lines)} lines)"
    if column > len(lines[line - 1]) + 1:
        return f"column {column} past the end of line {line}"
    return None


def fails(parse, value):
    try:
        parse(value)
        return False
    except Exception:
        return True


def bad_strings(value):
    return not isinstance(value, list) or any(not isinstance(x, str) for x in value)


def unjustified(message, project):
    """None when the input really has the problem funcpack's error names (checked here with
    packaging, independently of pyproject_metadata, whose message for the same file may be
    about another problem), else a description."""
    if not isinstance(project, dict):
        ok = message == "'project' must be a table"
        return None if ok else f"unexplained error {message!r} for a non-table project"
    dynamic = project.get("dynamic", [])
    extras = project.get("optional-dependencies")
    both = re.match(r"'project\.(.*)' is both set and listed in 'project\.dynamic'$", message)
    rules = [
        ("'project.dynamic' must be an array of strings", lambda: bad_strings(dynamic)),
        ("'project.name' cannot be dynamic", lambda: "name" in dynamic),
        ("'project.name' is missing", lambda: "name" not in project),
        ("'project.name' must be a string", lambda: not isinstance(project["name"], str)),
        ("'project.name': invalid project name", lambda: not IDENTIFIER.match(project["name"])),
        ("'project.version' is missing and not listed in 'project.dynamic'",
         lambda: "version" not in project and "version" not in dynamic),
        ("'project.version' must be a string", lambda: not isinstance(project["version"], str)),
        ("'project.version': ", lambda: fails(Version, project["version"])),
        ("'project.requires-python' must be a string",
         lambda: not isinstance(project["requires-python"], str)),
        ("'project.requires-python': ", lambda: fails(SpecifierSet, project["requires-python"])),
        ("'project.dependencies' must be an array of strings",
         lambda: bad_strings(project["dependencies"])),
        ("'project.dependencies' entry ",
         lambda: any(fails(Requirement, r) for r in project["dependencies"])),
        ("'project.optional-dependencies' must be a table",
         lambda: not isinstance(extras, dict)),
        ("'project.optional-dependencies' key ",
         lambda: any(not IDENTIFIER.match(k) for k in extras)),
        ("'project.optional-dependencies' keys ",
         lambda: len({canonicalize_name(k) for k in extras}) < len(extras)),
        ("'project.optional-dependencies.",
         lambda: any(bad_strings(v) or any(fails(Requirement, r) for r in v)
                     for v in extras.values())),
    ]
    if both:
        key = both.group(1)
        return None if key in dynamic and key in project else f"unexplained: {message!r}"
    for prefix, check in rules:
        if message.startswith(prefix):
            try:
                true = check()
            except (KeyError, TypeError, AttributeError):  # the field is absent or odd
                true = False
            return None if true else f"funcpack's error {message!r} is not true of the input"
    return f"unrecognised funcpack error {message!r}"


# The documented deliberate differences (pyproject_metadata.h, "Deliberate differences").
DELIBERATE = {
    1: "names and extra names are validated",
    2: "extras normalising to one name are an error",
    3: "an extra with no requirements is provided",
    4: "the extra marker is and-ed with the existing marker in parentheses",
    5: "fields a resolver does not read are not validated",
    6: "unknown [project] keys and dynamic entries ask the backend",
}
# Every kind of answer must be exercised in quantity, or the comparison proves little.
MINIMUMS = {"OK": 800, "ERR": 300, "NOTSTATIC version-dynamic": 60,
            "NOTSTATIC dependencies-dynamic": 50, "NOTSTATIC optional-dependencies-dynamic": 50,
            "NOTSTATIC requires-python-dynamic": 50, "NOTSTATIC no-project-table": 20}


def compare(text, project_dir, ours, deliberate, count):
    """None when funcpack's answer agrees with pyproject_metadata's (or differs only by a
    recognised deliberate difference, which is counted), else a description."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        if ours[0] == "ERR" and ours[4].startswith("invalid TOML: "):
            return None
        return f"tomllib rejects the file ({e}), funcpack does not"
    if ours[0] == "ERR" and ours[4].startswith("invalid TOML: "):
        return "funcpack rejects TOML that tomllib reads"
    project = data.get("project")
    theirs = pyproject_metadata(data, project_dir)
    if ours[0] == "NOTSTATIC" and ours[1] == "no-project-table":
        if project is None and theirs[0] == "ERR" and "Section `project` missing" in theirs[1]:
            return None
        return f"no-project-table, but pyproject_metadata says {theirs[:1] + theirs[-1:]}"
    if theirs[0] == "ERR":
        # Rejected only for a field funcpack does not read: compare with the answer for the
        # fields it does (whatever funcpack said).
        stripped = pyproject_metadata(without_unread_fields(data), project_dir)
        if stripped[0] != "ERR":
            if ours[0] != "ERR":
                count(deliberate, 5)
            theirs = stripped

    if ours[0] == "ERR":
        message = ours[4]
        problem = unjustified(message, project)
        if problem:
            return problem
        if theirs[0] in ("ERR", "NOMETA"):
            return None
        if message.startswith("'project.name': invalid project name") and \
                not IDENTIFIER.match(project["name"]):
            count(deliberate, 1)
            return None
        m = re.match(r"'project\.optional-dependencies' key '.*': invalid extra name$", message)
        if m and any(not IDENTIFIER.match(k) for k in project["optional-dependencies"]):
            count(deliberate, 1)
            return None
        if "both normalise to" in message:
            keys = [canonicalize_name(k) for k in project["optional-dependencies"]]
            if len(set(keys)) < len(keys):
                count(deliberate, 2)
                return None
        return f"funcpack rejects ({message}); pyproject_metadata accepts"

    if theirs[0] == "ERR":
        return f"pyproject_metadata rejects ({theirs[1]}); funcpack does not"

    if ours[0] == "NOTSTATIC":
        reason = ours[1]
        dynamic = theirs[3]
        first = next((d for d in dynamic if d in RELEVANT or d not in KNOWN_KEYS), None)
        if first is None:
            unknown = [k for k in project if k not in KNOWN_KEYS]
            if reason == "unknown-project-key" and unknown:
                count(deliberate, 6)
                return None
            return f"NotStatic {reason}, but pyproject_metadata's dynamic is {dynamic}"
        expected = RELEVANT.get(first, "unknown-dynamic-entry")
        if reason != expected:
            return f"NotStatic {reason}, expected {expected} (dynamic {dynamic})"
        if expected == "unknown-dynamic-entry":
            count(deliberate, 6)
        if first == "version" and theirs[0] != "NOMETA":
            return "version is dynamic but pyproject_metadata wrote metadata"
        return None

    # Both accept: compare the metadata.
    if theirs[0] != "OK":
        return f"pyproject_metadata cannot write metadata ({theirs[2]}); funcpack can"
    dynamic = theirs[3]
    if any(d in RELEVANT or d not in KNOWN_KEYS for d in dynamic):
        return f"funcpack calls it static, but pyproject_metadata's dynamic is {dynamic}"
    ours_h = headers(ours[1])
    theirs_h = headers(theirs[2])
    # Python's email parser (what importlib.metadata and pip use) must read funcpack's text
    # into the same fields.
    parsed = email.parser.Parser().parsestr(ours[1])
    if parsed.get_all("Requires-Dist", []) != ours_h.get("Requires-Dist", []):
        return "email.parser reads other Requires-Dist values"
    # Name: pyproject_metadata 0.6.1 writes the normalised name, funcpack the name as written
    # (as a built wheel's METADATA does); names compare normalised everywhere (PEP 503).
    if [canonicalize_name(n) for n in ours_h.get("Name", [])] != theirs_h.get("Name"):
        return f"Name {ours_h.get('Name')} != {theirs_h.get('Name')}"
    # Metadata-Version is not compared: funcpack writes 2.3 (normalised extras, PEP 685),
    # pyproject_metadata 2.1 or 2.2. Nor are the fields funcpack does not write (Summary,
    # Dynamic, Classifier, ...): its text is a resolver's view (pyproject_metadata.h).
    for field in ("Version", "Requires-Python"):
        if ours_h.get(field) != theirs_h.get(field):
            return f"{field} {ours_h.get(field)} != {theirs_h.get(field)}"
    # Provides-Extra: pyproject_metadata writes the key as given, funcpack normalised (PEP
    # 685, Metadata-Version 2.3).
    ours_extras = ours_h.get("Provides-Extra", [])
    theirs_extras = [canonicalize_name(e) for e in theirs_h.get("Provides-Extra", [])]
    if ours_extras != theirs_extras:
        table = project.get("optional-dependencies", {})
        nonempty = [canonicalize_name(k) for k, v in table.items() if v]
        if theirs_extras == nonempty and ours_extras == [canonicalize_name(k) for k in table]:
            count(deliberate, 3)
        else:
            return f"Provides-Extra {ours_extras} != {theirs_extras}"
    ours_rd = ours_h.get("Requires-Dist", [])
    theirs_rd = theirs_h.get("Requires-Dist", [])
    if len(ours_rd) != len(theirs_rd):
        return f"{len(ours_rd)} Requires-Dist != {len(theirs_rd)}"
    originals = list(project.get("dependencies", []))
    extra_of = [None] * len(originals)
    for key, reqs in project.get("optional-dependencies", {}).items():
        originals += reqs
        extra_of += [key] * len(reqs)
    for a, b, original, extra in zip(ours_rd, theirs_rd, originals, extra_of):
        na, nb = norm_requirement(a), norm_requirement(b)
        if extra is not None:
            # Checked against packaging directly as well, so a fault funcpack shared with
            # pyproject_metadata would still be seen: the requirement with its marker (if
            # any) in parentheses, and-ed with the normalised extra.
            marker = Requirement(original).marker
            fixed = Requirement(original)
            clause = f'extra == "{canonicalize_name(extra)}"'
            fixed.marker = Marker(f"({marker}) and {clause}" if marker else clause)
            if na != norm_requirement(str(fixed)):
                return f"Requires-Dist {a!r} is not {str(fixed)!r}"
            if na != nb and marker is not None and top_level_or(str(marker)):
                # pyproject_metadata 0.6.1 writes str(marker) + ' and extra == "..."':
                # without parentheses `a or b and extra == "x"` means
                # `a or (b and extra == "x")`.
                buggy = Requirement(original)
                buggy.marker = Marker(f'{marker} and extra == "{extra}"')
                if nb == norm_requirement(str(buggy)):
                    count(deliberate, 4)
                    continue
        if na != nb:
            return f"Requires-Dist {a!r} != {b!r} ({na} != {nb})"
    return None


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: conformance.py PYPROJECT_ORACLE")
    oracle = sys.argv[1]
    rng = random.Random(SEED)
    texts = list(HAND_PICKED) + [gen_case(rng) for _ in range(CASES)]

    failures = []
    deliberate = {}
    outcomes = {}

    def count(table, key):
        table[key] = table.get(key, 0) + 1

    with tempfile.TemporaryDirectory(prefix="pyproject-conformance.") as tmp:
        paths = []
        for i, text in enumerate(texts):
            d = os.path.join(tmp, str(i))
            os.mkdir(d)
            with open(os.path.join(d, "pyproject.toml"), "w", encoding="utf-8") as f:
                f.write(text)
            paths.append(os.path.join(d, "pyproject.toml"))
        answers = ask_funcpack(oracle, paths)

        for text, path, ours in zip(texts, paths, answers):
            problem = compare(text, os.path.dirname(path), ours, deliberate, count)
            count(outcomes, ours[0] if ours[0] != "NOTSTATIC" else "NOTSTATIC " + ours[1])
            if ours[0] == "ERR" and not problem:
                where = location_problem(text, ours)
                if where:
                    problem = "error location: " + where
            if problem:
                failures.append(f"{text!r}\n    funcpack: {ours}\n    {problem}")

    print(f"pyproject conformance: {len(texts)} files compared with pyproject-metadata 0.6.1")
    print("funcpack outcomes: " + ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())))
    print("deliberate differences recognised: "
          + ", ".join(f"#{k}: {v}" for k, v in sorted(deliberate.items(), key=str)))
    missing = [k for k in DELIBERATE if k not in deliberate]
    if missing:
        failures.append(f"deliberate differences never exercised (generator or rule rot): "
                        f"{missing}")
    for kind, minimum in MINIMUMS.items():
        if outcomes.get(kind, 0) < minimum:
            failures.append(f"only {outcomes.get(kind, 0)} '{kind}' outcomes "
                            f"(expected >= {minimum})")
    if failures:
        print(f"{len(failures)} disagreements; first {min(len(failures), MAX_REPORTED)}:")
        for f in failures[:MAX_REPORTED]:
            print("  " + f)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
