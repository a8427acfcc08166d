#!/usr/bin/python3
"""PEP 508 conformance: funcpack's Marker/Requirement against pypa/packaging 23.0.

Run by Debian's /usr/bin/python3 (python3-packaging). Usage: conformance.py PEP508_ORACLE

Generates thousands of deterministic (seeded) requirement and marker strings: valid ones built
from every variable, operator, quoting and whitespace form, and near misses (hand-written
mistakes, random single-character mutations of valid strings, and "token soup": random
sequences of grammar fragments). For each it compares with
packaging:
  - parse validity; for syntax errors the exact message and span (column = span start + 1,
    end column = span end + 2, or 0 for an empty span);
  - str(), and for requirements name, sorted extras, specifier, url, marker;
  - evaluation of every valid marker against the Linux target environment of CPython
    3.10-3.14 on x86_64 and aarch64 (also checking linux_target_environment itself) and
    against random environments and extras.
Prints the number of cases compared; exits 1 listing the first disagreements.

The deliberate differences documented in packager/spec/marker.h and requirement.h are
recognised here, one rule each, and counted instead of compared (see `deliberate`).
"""

import copy
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "support"))
from harness import unescape  # noqa: E402

from packaging._parser import Value, Variable, _parse_marker
from packaging._tokenizer import DEFAULT_RULES, ParserSyntaxError, Tokenizer
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

SEED = int(os.environ.get("PEP508_SEED", "508"))  # fixed in ctest; other seeds explore
MAX_REPORTED = 25

# ---------------------------------------------------------------------------------------------
# Oracle protocol (see pep508_oracle.cc): tab-separated, escaped fields.


def esc(s):
    out = []
    for ch in s:
        o = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif o < 0x20 or o == 0x7F:
            out.append("\\x%02x" % o)
        else:
            out.append(ch)
    return "".join(out)


def ask(oracle, requests):
    data = "".join("\t".join(esc(f) for f in r) + "\n" for r in requests)
    proc = subprocess.run(
        [oracle], input=data.encode("utf-8"), stdout=subprocess.PIPE, check=True
    )
    lines = proc.stdout.decode("utf-8").split("\n")[:-1]
    if len(lines) != len(requests):
        sys.exit(f"oracle answered {len(lines)} lines for {len(requests)} requests")
    return [[unescape(f) for f in line.split("\t")] for line in lines]


# ---------------------------------------------------------------------------------------------
# Expected answers from packaging.


def fixed_format(marker, first=True):
    """packaging's _format_marker with funcpack's deliberate differences 3 and 4 (marker.h):
    a value containing '"' is single-quoted, and a doubly parenthesised group that is not the
    whole expression keeps its parentheses."""
    if isinstance(marker, list) and len(marker) == 1 and isinstance(marker[0], (list, tuple)):
        return fixed_format(marker[0], first)  # packaging: _format_marker(marker[0])
    if isinstance(marker, list):
        inner = " ".join(fixed_format(m, first=False) for m in marker)
        return inner if first else "(" + inner + ")"
    if isinstance(marker, tuple):
        parts = []
        for node in marker:
            if isinstance(node, Value):
                q = "'" if '"' in node.value else '"'
                parts.append(q + node.value + q)
            else:
                parts.append(node.serialize())
        return " ".join(parts)
    return marker


def leading_comparison(items, first):
    """(list, index) of the comparison funcpack's str() prints first, as in marker.cc."""
    if len(items) == 1:
        if isinstance(items[0], list):
            return leading_comparison(items[0], first)
        return (items, 0)
    if not first:
        return None
    if isinstance(items[0], tuple):
        return (items, 0)
    return leading_comparison(items[0], False)


def funcpack_markers(markers):
    """packaging's parsed marker list with funcpack's extra normalisation (deliberate
    difference 7 in marker.h: the comparison printed first, even inside redundant
    parentheses). packaging already normalised it when it is the first element."""
    markers = copy.deepcopy(markers)
    found = leading_comparison(markers, True)
    if found:
        items, i = found
        lhs, op, rhs = items[i]
        if isinstance(lhs, Variable) and lhs.value == "extra":
            rhs = Value(canonicalize_name(rhs.value))
        elif isinstance(rhs, Variable) and rhs.value == "extra":
            lhs = Value(canonicalize_name(lhs.value))
        items[i] = (lhs, op, rhs)
    return markers


def funcpack_str(markers):
    return fixed_format(funcpack_markers(markers))


def syntax_error(exc, source):
    """(message, column, end_column) for a ParserSyntaxError, else None."""
    cause = exc if isinstance(exc, ParserSyntaxError) else exc.__cause__
    if not isinstance(cause, ParserSyntaxError):
        return None
    # funcpack's columns count UTF-8 bytes (as every funcpack diagnostic); Python's count
    # characters.
    start = len(source[: cause.span[0]].encode("utf-8"))
    end = len(source[: cause.span[1]].encode("utf-8"))
    return (cause.message, str(start + 1), str(end + 2 if end > start else 0))


def walk(markers):
    for m in markers:
        if isinstance(m, list):
            yield from walk(m)
        elif isinstance(m, tuple):
            yield m


def trailing_garbage_position(text):
    """Deliberate difference 1: where packaging 23.0 stops reading a standalone marker, or
    None when it reads it all."""
    tokenizer = Tokenizer(text, rules=DEFAULT_RULES)
    _parse_marker(tokenizer)
    return None if tokenizer.check("END", peek=True) else tokenizer.position


BACKSLASH_MESSAGE = "Backslash escapes are not supported in quoted strings"


def expect_marker(text):
    """('OK', str) | ('ERR', message, col, endcol) | ('ERR',) for non-syntax errors |
    ('DELIBERATE', n) for a documented difference."""
    try:
        m = Marker(text)
    except Exception as e:  # InvalidMarker, or SyntaxError/ValueError from literal_eval
        se = syntax_error(e, text)
        return ("ERR",) + se if se else ("ERR",)
    pos = trailing_garbage_position(text)
    if pos is not None:
        # Deliberate difference 1: funcpack rejects what packaging 23.0 ignores.
        column = len(text[:pos].encode("utf-8")) + 1
        return ("ERR", "Expected end of marker expression", str(column), "0")
    return ("OK", funcpack_str(m._markers))


def expect_requirement(text):
    try:
        r = Requirement(text)
    except Exception as e:
        se = syntax_error(e, text)
        if se:
            return ("ERR",) + se
        msg = str(e)
        if msg == "Invalid URL given" or msg.startswith("Invalid URL: "):
            return ("ERR", msg)
        if isinstance(e, ValueError) and msg != "Invalid IPv6 URL" and "[" in text:
            return ("DELIBERATE", "url-ipv6")  # bracketed host content (requirement.h)
        return ("ERR",)
    marker = funcpack_str(r.marker._markers) if r.marker is not None else ""
    parts = [r.name]
    if r.extras:
        parts.append("[" + ",".join(sorted(r.extras)) + "]")
    if r.specifier:
        parts.append(str(r.specifier))
    if r.url:
        parts.append("@ " + r.url)
        if r.marker:
            parts.append(" ")
    if r.marker:
        parts.append("; " + marker)
    return (
        "OK",
        "".join(parts),
        r.name,
        ",".join(sorted(r.extras)),
        str(r.specifier),
        r.url or "",
        marker,
    )


def compare_parse(kind, text, expected, got):
    """None when they agree, else a description."""
    if expected[0] == "ERR":
        if got[0] != "ERR":
            return f"{kind} {text!r}: packaging rejects {expected[1:]}, funcpack gives {got}"
        if len(expected) > 1:
            n = len(expected) - 1
            if tuple(got[1 : 1 + n]) != tuple(expected[1:]):
                return f"{kind} {text!r}: error {tuple(got[1:])} != packaging {expected[1:]}"
        return None
    if tuple(got) != tuple(expected):
        return f"{kind} {text!r}: funcpack {tuple(got)} != packaging {expected}"
    return None


# ---------------------------------------------------------------------------------------------
# Generators.

VARIABLES = [
    "python_version", "python_full_version", "os_name", "sys_platform", "platform_release",
    "platform_system", "platform_version", "platform_machine",
    "platform_python_implementation", "implementation_name", "implementation_version",
    "extra", "os.name", "sys.platform", "platform.version", "platform.machine",
    "platform.python_implementation", "python_implementation",
]
OPERATORS = ["==", "!=", "<", "<=", ">", ">=", "~=", "===", "in", "not in"]
VALUES = [
    "3.8", "3.10", "3.11", "3", "3.12.1", "3.13.0rc1", "2.7", "3.*", "3.1*", "3.11.*", "1!3.0",
    "3.10+local", "3.9.post1", "v3.12", "3.14.0a1", " 3.9 ", "3.11.2-1", "",
    "linux", "win32", "darwin", "posix", "nt", "Linux", "Windows", "CPython", "PyPy",
    "cpython", "x86_64", "aarch64", "AMD64", "5.15.0-1073-azure", "#1 SMP", "lin", "ux",
    "Foo_Bar", "foo-bar", "FOO.BAR", "test", "dev", "a", "é", "x y", "a;b", "(x)",
]
ODD_VALUES = ['a"b', "\\x41", "tab\there"]  # quoted with ' when they contain "
WS = ["", " ", " ", " ", "  ", "\t", " \t "]


def gen_value(rng):
    v = rng.choice(VALUES + ODD_VALUES if rng.random() < 0.05 else VALUES)
    if '"' in v:
        return "'" + v + "'"
    return (rng.choice(["'", '"']) if rng.random() < 0.3 else '"').join(["", v, ""])


def gen_operator(rng):
    op = rng.choice(OPERATORS)
    if op == "not in" and rng.random() < 0.3:
        op = rng.choice(["not  in", "not\tin", "notin", "not", "not inn"])
    if rng.random() < 0.02:
        op = rng.choice(["=", "=>", "<>", "!==", "in not", "is", "~"])
    return op


def gen_comparison(rng):
    r = rng.random()
    var = rng.choice(VARIABLES)
    if r < 0.62:
        lhs, rhs = var, gen_value(rng)
    elif r < 0.92:
        lhs, rhs = gen_value(rng), var
    elif r < 0.96:
        lhs, rhs = var, rng.choice(VARIABLES)
    else:
        lhs, rhs = gen_value(rng), gen_value(rng)
    op = gen_operator(rng)
    # Keywords need a word boundary; alphabetic operators get a space unless we test that.
    sep_l = rng.choice(WS)
    sep_r = rng.choice(WS)
    if op[0].isalpha() and rng.random() < 0.9:
        sep_l = sep_l or " "
        sep_r = sep_r or " "
    return lhs + sep_l + op + sep_r + rhs


def gen_marker(rng, depth=0):
    n = 1 + (rng.random() < 0.55) + (rng.random() < 0.3) + (rng.random() < 0.1)
    parts = []
    for i in range(n):
        if depth < 3 and rng.random() < 0.25:
            inner = gen_marker(rng, depth + 1)
            open_p, close_p = "(", ")"
            if rng.random() < 0.15:
                open_p, close_p = "((", "))"
            atom = open_p + rng.choice(WS) + inner + rng.choice(WS) + close_p
        else:
            atom = gen_comparison(rng)
        if i:
            op = rng.choice(["and", "or"])
            if rng.random() < 0.02:
                op = rng.choice(["And", "&&", "||", "an", "xor"])
            left = rng.choice(WS)
            right = rng.choice(WS)
            if rng.random() < 0.9:
                left, right = left or " ", right or " "
            parts.append(left + op + right)
        parts.append(atom)
    return rng.choice(WS) + "".join(parts) + rng.choice(WS)


NAMES = [
    "foo", "Foo", "foo-bar", "foo_bar", "foo.bar", "Foo.Bar_baz", "a", "A1", "9lives", "x_",
    "zope.interface", "azure-functions", "azure.functions", "requests", "numpy", "pkg-",
    "-pkg", ".pkg", "_pkg", "pkg.", "pk g", "", "pkg!", "pkg$", "é",
]
EXTRAS = ["security", "socks", "Test_Extra", "a.b", "dev", "x_", "x-", "é", ""]
SPEC_VERSIONS = [
    "1.0", "1", "2.0.1", "1.0.*", "1.*", "v1.0", "V2", "1!2.0", "1.0a1", "1.0A1", "1.0-alpha.1",
    "1.0rc", "1.0.post1", "1.0-1", "1.0.dev0", "1.0DEV", "1.0+local", "1.0+loc.al",
    "1.0a", "2.0.0-rc.1", "01.02", "1.0_post_2", "1.0r", "1.0rev3", "1.0c1", "1.0preview2",
    "1.0pre", "1.2.3.4.5",
]
BAD_SPEC_VERSIONS = ["1.0+", "1.0.", "1.0.*.1", "abc", "1.0 x", "1.0a1.*", "1.0+x.*", ""]
SPEC_OPERATORS = ["==", "!=", "<", "<=", ">", ">=", "~=", "===", "=", "=>", "<>", "==="]
SPEC_INNER_WS = ["", "", "", " ", "  ", "\t", "\n", "\u00a0", "\x1c"]
URLS = [
    "http://example.com/pkg-1.0.whl", "https://files.example.org/p/pkg-1.0.tar.gz#sha256=abc",
    "git+https://github.com/a/b.git@v1.0#egg=b", "file:///tmp/pkg.whl", "file://localhost/x",
    "file:/tmp/x", "FILE:///x", "file:///x?", "file:///x#", "file:///x?q=1#f", "file:relative",
    "file://", "file:////x", "http:x", "//host/x", "http://", "http://[::1]:8080/x",
    "http://[::1/x", "http://x]/y", "http://user@[::1]/x", "http://a[::1]/x", "ftp://host/x;y",
    "https://host/x;python_version", "/local/path", "C:\\path\\x.whl", "h://x", "1http://x",
    "Http://Example.com/X", " http://x", "http://x/y\\z",
]


def gen_specifier(rng):
    n = rng.choice([0, 1, 1, 1, 2, 2, 3])
    clauses = []
    for _ in range(n):
        op = rng.choice(SPEC_OPERATORS[:8] if rng.random() < 0.93 else SPEC_OPERATORS)
        ver = rng.choice(SPEC_VERSIONS if rng.random() < 0.93 else BAD_SPEC_VERSIONS)
        clauses.append(op + rng.choice(SPEC_INNER_WS) + ver)
    sep = rng.choice([",", ", ", " ,", " , ", ",\t"])
    body = sep.join(clauses)
    if rng.random() < 0.04 and clauses:
        body += ","
    if rng.random() < 0.3:
        open_p, close_p = "(", ")"
        if rng.random() < 0.05:
            close_p = rng.choice(["", "]", "))"])
        return open_p + rng.choice(WS) + body + rng.choice(WS) + close_p
    return body


def gen_extras(rng):
    r = rng.random()
    if r < 0.5:
        return ""
    if r < 0.55:
        return "[" + rng.choice(WS) + "]"
    names = [rng.choice(EXTRAS[:-3] if rng.random() < 0.95 else EXTRAS) for _ in range(rng.randint(1, 3))]
    sep = rng.choice([",", ", ", " , ", ",\t"])
    if rng.random() < 0.03:
        sep = " "
    body = sep.join(names)
    close = "]" if rng.random() < 0.97 else ""
    return "[" + rng.choice(WS) + body + rng.choice(WS) + close


def gen_requirement(rng):
    name = rng.choice(NAMES[:15] if rng.random() < 0.95 else NAMES)
    text = rng.choice(WS[:3]) + name + rng.choice(WS) + gen_extras(rng) + rng.choice(WS)
    marker = None
    if rng.random() < 0.45:
        marker = gen_marker(rng)
    if rng.random() < 0.2:
        url = rng.choice(URLS)
        text += "@" + rng.choice(WS) + url
        if marker is not None:
            text += rng.choice([" ", " ", "\t", ""]) + ";" + marker
    else:
        text += gen_specifier(rng)
        if marker is not None:
            text += rng.choice(WS) + ";" + marker
    if rng.random() < 0.05:
        text += rng.choice(["\n", " ", " junk", ";", "\n\n", "#comment"])
    return text


MUTATION_CHARS = " \t;,()[]@<>=!~.\"'abxz019_-\\\n"


def mutate(rng, text):
    for _ in range(rng.randint(1, 2)):
        if not text:
            return rng.choice(MUTATION_CHARS)
        i = rng.randrange(len(text))
        r = rng.random()
        if r < 0.35:
            text = text[:i] + text[i + 1 :]
        elif r < 0.7:
            text = text[:i] + rng.choice(MUTATION_CHARS) + text[i:]
        elif r < 0.85:
            text = text[:i] + rng.choice(MUTATION_CHARS) + text[i + 1 :]
        else:
            text = text[:i] + text[i] + text[i:]
    return text


# Token soup: random sequences of grammar fragments, mostly invalid, to compare error messages
# and spans on inputs no hand would write.
SOUP = [
    "foo", "a", "_", "-", ".", "[", "]", "(", ")", ",", ";", "@", " ", "\t", "\n", "==", "===",
    "~=", "!=", "<", ">", "<=", ">=", "=", "!", "1", "1.0", ".*", "*", "v", "a1", "rc", "post",
    "dev", "+", "local", "'", '"', "os_name", "extra", "python_version", "and", "or", "not",
    "in", "http://x/y", "file:///x", "é", "\u00a0", "\x1c", "#", "x",
]


def soup(rng):
    return "".join(rng.choice(SOUP) for _ in range(rng.randint(1, 12)))


HAND_PICKED_MARKERS = [
    'python_version >= "3.8"', "python_version>='3.8'", 'os.name == "posix"',
    'sys.platform == "linux"', 'platform.python_implementation == "CPython"',
    'python_implementation == "CPython"', 'extra == "Foo_Bar"', '"Foo_Bar" == extra',
    'os_name == "a" and extra == "Foo_Bar"', 'extra == extra', 'python_version == extra',
    '(python_version >= "3.8")', '((python_version >= "3.8"))',
    'os_name == "a" and ((os_name == "b" or os_name == "c"))',
    'os_name == "a" or os_name == "b" and os_name == "c"',
    '(os_name == "a" or os_name == "b") and os_name == "c"',
    'python_version in "3.10 3.11"', 'python_version not in "3.10 3.11"',
    '"linux" in sys_platform', 'python_version ~= "3"', 'os_name ~= "posix"',
    'os_name === "posix"', 'python_version === "3.11"', 'platform_release >= "5"',
    'python_full_version < "3.11.0rc1"', 'python_version < "3.11.*"', "os_name == 'a\"b'",
    'os_name == "a" junk', 'os_name == "a")', 'os_name == "a" or', '', ' ', '(', '()',
    'os_name', 'os_name ==', 'os_name == "a', 'os_name = "a"', 'os_name <> "a"',
    'os_name not "a"', 'os_name not  in "a"', 'os_name notin "a"', 'Os_name == "a"',
    'os_name=="a"and os_name=="b"', 'os_name=="a"or(os_name=="b")', 'os_nameand == "a"',
    'python_version >= "3.8"\n', 'python_version >= "3.8"\n\n', '"a" == "b"',
    'python_version == "3.11" and extra == ""', 'extra == "1.0"', 'extra in "test,dev"',
    'os_name == "\\x41"', 'os_name == "a\nb"', 'os_name == "\\"', 'os_name == "\x00"',
    'python_version >= "3.\u00a08"', 'python_version >= "3.8" or python_version <= "abc def"',
    'platform_version in "#1 SMP"', 'implementation_version >= "3.11.0"',
    'python_version === "a,b"', 'python_version === "3.11)"', 'python_version === " 3.11 "',
    'python_version >= "3.8 "', 'python_version >= "\u00a03.8"', 'python_version == "3.*"',
]
HAND_PICKED_REQUIREMENTS = [
    "foo", "foo\n", "foo\n\n", " foo", "foo ", "Foo.Bar_baz>=1", "foo_", "foo-", "foo.",
    "foo [bar]", "foo[ bar , baz ]", "foo[bar,bar]", "foo[]", "foo[bar baz]", "foo[bar,]",
    "foo[,bar]", "foo[bar", "foo>=1.0,<2", "foo (>=1.0, <2)", "foo(>=1.0", "foo>=1.0)",
    "foo>= 1.0", "foo>=\n1.0", "foo===", "foo=== x", "foo===x;os_name=='a'", "foo==1.0.*",
    "foo~=1", "foo~=1.0", "foo>=1.0 bar", "foo bar", "foo;", "foo ;os_name=='a'",
    "foo;os_name=='a'", "foo @ http://x/y", "foo@http://x/y", "foo @ http://x/y;os_name=='a'",
    "foo @ http://x/y ; os_name=='a'", "foo @ http://x/y ;", "foo @ ", "foo @", "foo @ file:/x",
    "foo @ file:///x", "foo @ http:x", "foo>=1.0,>=1.0.0", "foo>=1.0.POST", "foo==1.0+LOCAL",
    "foo[bar]==1; extra == 'Bar_Baz'", "foo>=1.0; os_name == 'a' junk", "foo>=1.0,",
    "foo>=1.0,,<2", "foo >=1.0 , <2", "foo<>1", "foo=>1", "foo = 1", "foo==1.0a1", "-foo",
    "foo[bar]@http://x/y", "foo [bar] @ http://x/y ; extra == 'bar'", "foo===a,b", "o===,]",
    "foo===a,>=1", "foo (===a)", "foo === a ; os_name == 'a'",
]

# ---------------------------------------------------------------------------------------------
# Environments.

TARGET_PYTHONS = ["3.10.16", "3.11.11", "3.12.8", "3.13.1", "3.14.0"]
MACHINES = ["x86_64", "aarch64"]


def target_env(full, machine):
    return {
        "implementation_name": "cpython",
        "implementation_version": full,
        "os_name": "posix",
        "platform_machine": machine,
        "platform_python_implementation": "CPython",
        "platform_release": "5.15.0-1073-azure",
        "platform_system": "Linux",
        "platform_version": "#82-Ubuntu SMP Mon Aug 26 2024",
        "python_full_version": full,
        "python_version": ".".join(full.split(".")[:2]),
        "sys_platform": "linux",
    }


ENV_POOLS = {
    "implementation_name": ["cpython", "pypy", "CPython", ""],
    "implementation_version": ["3.11.4", "3.12.0rc1", "7.3.12", "3.13.0a1", "x"],
    "os_name": ["posix", "nt", "java", "a", ""],
    "platform_machine": ["x86_64", "aarch64", "AMD64", "arm64", "i686"],
    "platform_python_implementation": ["CPython", "PyPy", "Jython"],
    "platform_release": ["5.15.0-1073-azure", "6.1.0", "10", "22.6.0", "1.0.post1"],
    "platform_system": ["Linux", "Windows", "Darwin", "Java", ""],
    "platform_version": ["#1 SMP", "10.0.19045", "Darwin Kernel Version 22.6.0", "3.8"],
    "python_full_version": ["3.11.4", "3.12.0rc1", "3.8.10+", "2.7.18", "3.10.0", "3.13.0a1"],
    "python_version": ["3.8", "3.10", "3.11", "3.12", "2.7", "3.1", "4.0", "3.9"],
    "sys_platform": ["linux", "win32", "darwin", "cygwin", "linux2", "lin"],
}
EXTRA_VALUES = ["", "foo-bar", "Foo_Bar", "test", "dev", "a", "FOO.BAR", "1.0"]


def random_env(rng):
    return {k: rng.choice(v) for k, v in ENV_POOLS.items()}


def literal_pairs(markers):
    """Deliberate difference 5: a variable-variable or literal-literal comparison."""
    return any(
        isinstance(t[0], Variable) == isinstance(t[2], Variable) for t in walk(markers)
    )


def non_ascii_extra(markers, extra):
    """Deliberate difference 6: Unicode lowercasing of extra values."""
    if not extra.isascii():
        return True
    for lhs, _, rhs in walk(markers):
        sides = (lhs, rhs)
        if any(isinstance(s, Variable) and s.value == "extra" for s in sides) and any(
            isinstance(s, Value) and not s.value.isascii() for s in sides
        ):
            return True
    return False


def packaging_eval(marker, env, extra):
    try:
        return "1" if marker.evaluate(dict(env, extra=extra)) else "0"
    except Exception:
        return "ERR"


# ---------------------------------------------------------------------------------------------


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: conformance.py PEP508_ORACLE")
    oracle = sys.argv[1]
    rng = random.Random(SEED)

    markers = list(HAND_PICKED_MARKERS)
    markers += [gen_marker(rng) for _ in range(3000)]
    markers += [mutate(rng, rng.choice(markers[: len(HAND_PICKED_MARKERS) + 3000])) for _ in range(1500)]
    markers += [soup(rng) for _ in range(2000)]
    requirements = list(HAND_PICKED_REQUIREMENTS)
    requirements += [gen_requirement(rng) for _ in range(3500)]
    requirements += [mutate(rng, rng.choice(requirements)) for _ in range(1500)]
    requirements += [soup(rng) for _ in range(2000)]

    requests = []
    expected = []
    deliberate = {}
    for text in markers:
        e = expect_marker(text)
        if e[0] == "DELIBERATE":
            deliberate[e[1]] = deliberate.get(e[1], 0) + 1
            continue
        if e[0] == "OK":
            try:
                if funcpack_str(Marker(text)._markers) != str(Marker(text)):
                    # Differences 3, 4 and 7: compared with the corrected str().
                    deliberate["3/4/7"] = deliberate.get("3/4/7", 0) + 1
            except Exception:
                pass
        requests.append(("marker", text))
        expected.append(("marker", text, e))
    for text in requirements:
        e = expect_requirement(text)
        if e[0] == "DELIBERATE":
            deliberate[e[1]] = deliberate.get(e[1], 0) + 1
            continue
        requests.append(("req", text))
        expected.append(("req", text, e))

    # Evaluation: every marker packaging and funcpack both accept.
    envs = [(f"linux {p} {m}", target_env(p, m)) for p in TARGET_PYTHONS for m in MACHINES]
    for (label, env), (p, m) in zip(envs, [(p, m) for p in TARGET_PYTHONS for m in MACHINES]):
        requests.append(("env", p, m))
        expected.append(("env", label, ("ENV",) + tuple(f"{k}={v}" for k, v in sorted(env.items()))))
    valid_markers = []
    for text in markers:
        try:
            parsed = Marker(text)
        except Exception:
            continue
        if trailing_garbage_position(text) is not None or "\\" in text:
            continue
        valid_markers.append((text, parsed))
    eval_count = 0
    for text, parsed in valid_markers:
        if literal_pairs(parsed._markers):
            deliberate[5] = deliberate.get(5, 0) + 1
            continue
        cases = [(env, rng.choice(EXTRA_VALUES)) for _, env in envs]
        cases += [(random_env(rng), rng.choice(EXTRA_VALUES)) for _ in range(6)]
        for env, extra in cases:
            if non_ascii_extra(parsed._markers, extra):
                deliberate[6] = deliberate.get(6, 0) + 1
                continue
            requests.append(("eval", text, extra) + tuple(f"{k}={v}" for k, v in env.items()))
            expected.append(("eval", (text, extra, env), (packaging_eval(parsed, env, extra),)))
            eval_count += 1

    answers = ask(oracle, requests)
    failures = []
    for (kind, text, e), got in zip(expected, answers):
        if kind in ("marker", "req") and got[0] == "ERR" and got[1] == BACKSLASH_MESSAGE:
            # Deliberate difference 2: packaging runs literal_eval on quoted strings.
            deliberate[2] = deliberate.get(2, 0) + 1
            continue
        if kind in ("marker", "req"):
            problem = compare_parse(kind, text, e, got)
        elif kind == "env":
            problem = None if tuple(got) == e[1:] else f"env {text}: {got} != {e[1:]}"
        else:
            problem = None if got[0] == e[0] else f"eval {text!r}: funcpack {got} != packaging {e[0]}"
        if problem:
            failures.append(problem)

    n_markers = sum(1 for k, _, _ in expected if k == "marker")
    n_reqs = sum(1 for k, _, _ in expected if k == "req")
    outcomes = {}
    for kind, _, e in expected:
        key = f"{kind} {e[0]}"
        outcomes[key] = outcomes.get(key, 0) + 1
    print(
        f"pep508 conformance: {len(expected)} cases compared "
        f"({n_markers} markers, {n_reqs} requirements, {eval_count} evaluations, "
        f"{len(envs)} target environments); deliberate differences recognised: "
        + (", ".join(f"#{k}: {v}" for k, v in sorted(deliberate.items(), key=str)) or "none")
    )
    print("packaging outcomes: " + ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())))
    if failures:
        print(f"{len(failures)} disagreements; first {min(len(failures), MAX_REPORTED)}:")
        for f in failures[:MAX_REPORTED]:
            print("  " + f)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
