#!/usr/bin/python3
"""PEP 440 / PEP 503 conformance: funcpack's spec layer against pypa/packaging.

Usage: conformance.py PATH/TO/pep440_oracle [--seed N] [--scale K]

Generates thousands of versions, specifiers, specifier sets, comparisons, contains() and
filter() questions (a seeded, deterministic generator of valid and near-valid inputs plus a
list of hand-picked edge cases), asks both packaging (this interpreter's, which must be
Debian's /usr/bin/python3 with python3-packaging 23.x) and the oracle (pep440_oracle.cc, one
request per line), and fails listing the first disagreements. It prints how many cases were
compared and how many were skipped as documented deliberate differences (version.h,
specifier.h):
  - numbers above 2**64-1 (funcpack rejects them; packaging's ints are unbounded);
  - non-ASCII input that packaging accepts through Unicode case folding or Unicode
    whitespace (funcpack matches ASCII only);
  - contains()/filter() where packaging raises InvalidVersion because the set holds
    `===X` with X not a PEP 440 version and prereleases is unset.
"""

import random
import re
import subprocess
import sys

import packaging
from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

U64_MAX = 2**64 - 1
MAX_REPORTED = 25


# ---------------------------------------------------------------------------------------------
# Deliberate differences (see the module docstring).

def too_big(text):
    return any(int(run) > U64_MAX for run in re.findall(r"[0-9]+", text))


def unicode_trap(text):
    for c in text:
        if ord(c) < 128:
            continue
        if c.isspace() or any(ord(x) < 128 for x in c.lower() + c.upper() + c.casefold()):
            return True
    return False


def deliberate(texts, packaging_accepts=True):
    """Whether a case falls under a documented deliberate difference: funcpack answers
    differently on purpose whenever Unicode is involved, and on numbers above 2**64-1 when
    packaging accepts them (both reject malformed input with big numbers)."""
    return any(unicode_trap(t) or (packaging_accepts and too_big(t)) for t in texts)


# ---------------------------------------------------------------------------------------------
# Generators.

PRE_LABELS = ["a", "b", "c", "rc", "alpha", "beta", "pre", "preview"]
POST_LABELS = ["post", "rev", "r"]
SEPS = ["", "", "", ".", "-", "_"]
SPACES = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "  "]
JUNK = ["*", ".", "..", "+", "!", "-", "_", "a", "x", "z", "dev", "post", " ", "é", "\u212a",
        "0", "9", ",", ";", ")", "=", "~", "\u00a0", "V", "+-", "1!"]


def random_case(rng, s):
    r = rng.random()
    if r < 0.7:
        return s
    if r < 0.85:
        return s.upper()
    return "".join(ch.upper() if rng.random() < 0.5 else ch for ch in s)


def number(rng):
    r = rng.random()
    if r < 0.55:
        return str(rng.randint(0, 3))
    if r < 0.8:
        return str(rng.randint(0, 20))
    if r < 0.9:
        return "0" * rng.randint(1, 3) + str(rng.randint(0, 12))
    if r < 0.97:
        return str(rng.randint(0, 10**9))
    return rng.choice(["18446744073709551615", "18446744073709551616",
                       "99999999999999999999", "0000000000000000000000001"])


def gen_release(rng, min_len=1):
    return ".".join(number(rng) for _ in range(rng.randint(min_len, max(min_len, 4))))


def gen_public(rng, min_release=1, allow_local=True):
    """A valid version text in any of PEP 440's accepted spellings."""
    parts = []
    if rng.random() < 0.08:
        parts.append(rng.choice(["v", "V"]))
    if rng.random() < 0.12:
        parts.append(number(rng) + "!")
    parts.append(gen_release(rng, min_release))
    if rng.random() < 0.35:
        parts.append(rng.choice(SEPS) + random_case(rng, rng.choice(PRE_LABELS)))
        if rng.random() < 0.8:
            parts.append(rng.choice(SEPS) + number(rng))
        elif rng.random() < 0.3:
            parts.append(rng.choice([".", "-", "_"]))
    if rng.random() < 0.25:
        if rng.random() < 0.3:
            parts.append("-" + number(rng))
        else:
            parts.append(rng.choice(SEPS) + random_case(rng, rng.choice(POST_LABELS)))
            if rng.random() < 0.8:
                parts.append(rng.choice(SEPS) + number(rng))
    if rng.random() < 0.25:
        parts.append(rng.choice(SEPS) + random_case(rng, "dev"))
        if rng.random() < 0.8:
            parts.append(rng.choice(SEPS) + number(rng))
    if allow_local and rng.random() < 0.15:
        segs = []
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.5:
                segs.append(number(rng))
            else:
                segs.append(random_case(rng, "".join(
                    rng.choice("abcdefxyz0123") for _ in range(rng.randint(1, 5)))))
        text = segs[0]
        for s in segs[1:]:
            text += rng.choice([".", "-", "_"]) + s
        parts.append("+" + text)
    return "".join(parts)


def mutate(rng, text):
    """A near-valid variant: insert, delete, duplicate or swap characters."""
    for _ in range(rng.randint(1, 2)):
        r = rng.random()
        i = rng.randint(0, len(text))
        if r < 0.4:
            text = text[:i] + rng.choice(JUNK) + text[i:]
        elif r < 0.6 and text:
            i = min(i, len(text) - 1)
            text = text[:i] + text[i + 1:]
        elif r < 0.8 and text:
            i = min(i, len(text) - 1)
            text = text[:i] + text[i] + text[i:]
        elif len(text) > 1:
            i = min(i, len(text) - 2)
            text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text


def pad(rng, text):
    if rng.random() < 0.15:
        text = rng.choice(SPACES) + text
    if rng.random() < 0.15:
        text = text + rng.choice(SPACES)
    return text


SOUP = (list("0123456789") + ["0", "1", "."] * 3 + list("-_.+!vV *") +
        ["a", "b", "c", "rc", "alpha", "beta", "pre", "preview", "post", "rev", "r", "dev",
         "A", "Post", "DEV", "x", "e", "l", "p", "o", "s", "t", "d"])


def gen_soup(rng):
    """Short strings over the grammar's alphabet: where a hand-written scanner and a
    backtracking regex would part ways."""
    return "".join(rng.choice(SOUP) for _ in range(rng.randint(1, 10)))


def gen_version_text(rng):
    text = gen_public(rng)
    if rng.random() < 0.3:
        text = mutate(rng, text)
    return pad(rng, text)


OPERATORS = ["==", "!=", "<=", ">=", "<", ">", "~=", "==="]
BAD_OPERATORS = ["=", "=>", "=<", "<>", "~", "====", "!", "!==", ""]


def gen_spec_text(rng, valid_bias=0.85):
    op = rng.choice(OPERATORS) if rng.random() < 0.95 else rng.choice(BAD_OPERATORS)
    if op == "===":
        if rng.random() < 0.6:
            version = gen_public(rng)
        else:
            version = rng.choice(["foo", "1.0-custom", "", "Foo.Bar", "1.0)", "a;b", "x y",
                                  "1.0.*", "2013-01-01", "1.0+Local"])
    else:
        version = gen_public(rng, min_release=2 if op == "~=" and rng.random() < 0.9 else 1,
                             allow_local=op in ("==", "!=") and rng.random() < 0.5)
        if op in ("==", "!=") and rng.random() < 0.3:
            version = re.sub(r"^([vV]?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*).*$", r"\1", version) + ".*"
    space = rng.choice(["", "", "", " ", "  ", "\t"])
    text = op + space + version
    if rng.random() > valid_bias:
        text = mutate(rng, text)
    return pad(rng, text)


def gen_set_text(rng, valid_bias=0.9):
    n = rng.choice([0, 1, 1, 1, 2, 2, 3])
    items = [gen_spec_text(rng, valid_bias) for _ in range(n)]
    if rng.random() < 0.05:
        items.insert(rng.randint(0, len(items)), rng.choice(["", " "]))
    return rng.choice([",", ", ", " ,"]).join(items)


def neighbours(rng, version, count):
    """Versions near `version`: the same release with other suffixes, trailing zeros,
    bumped components, other epochs, locals."""
    out = []
    release = list(version.release)
    for _ in range(count):
        rel = list(release)
        r = rng.random()
        if r < 0.2 and rel:
            i = rng.randrange(len(rel))
            rel[i] = max(0, rel[i] + rng.choice([-1, 1]))
        elif r < 0.3:
            rel.append(0)
        elif r < 0.4:
            rel.append(rng.randint(1, 3))
        elif r < 0.5 and len(rel) > 1:
            rel.pop()
        text = ".".join(map(str, rel))
        epoch = version.epoch if rng.random() < 0.9 else rng.randint(0, 2)
        if epoch:
            text = f"{epoch}!{text}"
        if rng.random() < 0.35:
            text += rng.choice(["a", "b", "rc"]) + str(rng.randint(0, 2))
        elif version.pre and rng.random() < 0.5:
            text += f"{version.pre[0]}{version.pre[1] + rng.choice([-1, 0, 0, 1]) if version.pre[1] else 0}"
        if rng.random() < 0.25:
            text += f".post{rng.randint(0, 2)}"
        if rng.random() < 0.2:
            text += f".dev{rng.randint(0, 2)}"
        if rng.random() < 0.15:
            text += "+" + rng.choice(["local", "1", "abc.5", "ubuntu-1", "0"])
        out.append(text)
    return out


def set_versions(spec_set):
    out = []
    for s in sorted(spec_set, key=str):  # a frozenset: its order varies with PYTHONHASHSEED
        v = s.version
        if s.operator == "==" and v.endswith(".*"):
            v = v[:-2]
        try:
            out.append(Version(v))
        except InvalidVersion:
            pass
    return out or [Version("1.0")]


# Hand-picked edge cases.
EDGE_VERSIONS = [
    "", " ", "v", "1", "1.0", "01.02.003", "1.0.0.0.0", "v1.0", "V1.0", " 1.0 ", "\t1.0\n",
    "1.0\x1c", "\x1f1.0", "1!1.0", "0!1.0", "01!1.0", "1!", "!1.0", "1.0!", "1..0", "1.0.",
    ".1.0", "1.0a", "1.0a.", "1.0a-", "1.0a_", "1.0a.1", "1.0a-1", "1.0a_1", "1.0-a1", "1.0_a1",
    "1.0.a1", "1.0alpha1", "1.0ALPHA1", "1.0beta2", "1.0c3", "1.0pre4", "1.0preview5",
    "1.0prev", "1.0rc", "1.0RC1", "1.0r", "1.0rev", "1.0rev1", "1.0-r1", "1.0.post",
    "1.0.post.", "1.0-post-1", "1.0post1", "1.0-1", "1.0-0", "1.0--1", "1.0a--1", "1.0a.-1",
    "1.0-", "1.0_1", "1.0.1-1", "1.0dev", "1.0.dev", "1.0.dev.", "1.0-dev-1", "1.0DEV1",
    "1.0a1.post2.dev3", "1.0a1-2.dev3", "1.0a1.dev1", "1.0.post1.dev1", "1.0.dev1.post1",
    "1.0+", "1.0+abc", "1.0+ABC", "1.0+abc.", "1.0+.abc", "1.0+abc..1", "1.0+abc-1_2.3",
    "1.0+01", "1.0+a+b", "1.0+ubuntu-1", "1.0a1+local", "1.0.dev1+local.7", "1.0+é",
    "1.0+\u212a", "1.0\u00a0", "\u20031.0", "1.0 a1", "1.0.0a 1", "1.0a1 ", "1.0a1b1",
    "1.0a1rc1", "1.0.post1.post2", "1.0.dev1.dev2", "1.0.*", "1.0a1.*", "*", "1.0==",
    "18446744073709551615", "18446744073709551616", "1.18446744073709551616",
    "1!18446744073709551615.0", "1.0+18446744073709551616", "1.0a99999999999999999999",
    "0000000000000000000000000001.0", "1.0.0.0.0.0.0.0.0.0.0.0.1", "1.0\x00", "1.0ä",
    "1.0.POST1", "1.0.Post1", "1.0-REV2", "1.0_dev_3", "1.0pre_1", "1!2.3.4rc5.post6.dev7+x.8",
]

EDGE_SPECS = [
    "", "==", "== ", "==1.0", "== 1.0", "==\t1.0", "  >= 1.0  ", ">=v1.0A1", "==1.0.*",
    "==1.*", "==v1.*", "==1!1.*", "==1!1.0.*", "!=1.0.*", ">=1.0.*", "~=1.0.*", "==1.0a1.*",
    "==1.0.post1.*", "==1.0+local.*", "==1.0+local", "!=1.0+local", ">=1.0+local", "<1.0+x",
    "~=1", "~=1.0", "~=1.4.5", "~=1.4.5a1", "~=1.4.a1", "~=1.4.A1", "~=1.4.c1", "~=1.4.rc1",
    "~=1.4.pre1", "~=1.4.r1", "~=1.4-1", "~=1.4.5-1", "~=1.4_a1", "~=1.4.A.1", "~=v1.4",
    "~=1!1.4", "~=1.4.5.post1", "~=1.4.5.dev1", "~=1.4.5+local", "~= 2.2", "===", "===foo",
    "=== foo", "===foo bar", "===1.0)", "===a;b", "===1.0", "===1.0.0", "====1.0", "=1.0",
    "=>1.0", "<>1.0", "1.0", "~1.0", "<1.0", ">1.0", "<=1.0", "< 1.0", "<1.0a1", ">1.0.post1",
    ">1.0a1", "!=1.0a1", "==1.0a1", "<=1.0.dev0", "==1.0.*, ", "===\u00e9", "==1.0\u00a0",
    ">=18446744073709551616", "===18446744073709551616", ">=1.0;", ">=1.0)", "(>=1.0)",
]

EDGE_SETS = [
    "", ",", " , ", ">=1.0,<2.0", ">=1.0,,<2.0", ">=1.0, <2.0, !=1.5", "==1.0,==1.0.0",
    "==1.0.0,==1.0", "===1.0,===1.0.0", "~=1.0,~=1.0.0", "==1.0.*,==1.0.0.*", ">=1.0a1,<2",
    "<2,>=1.0a1", "!=1.0a1", ">=1.0,>=1.0", ">=1.0, ,", ">=1.0, junk", "===foo", "===foo,>=1",
    ">=1.0;python_version<'3'", "== 1.0 ,!= 1.0.1", ">1.0,<1.0",
]

EDGE_CONTAINS = [
    ("==1.0", ["1.0", "1.0.0", "1.0+local", "1.0.post1", "1.0a1", "1.0.dev0", "1"]),
    ("==1.0+abc", ["1.0", "1.0+abc", "1.0+ABC", "1.0+abc.0", "1.0.0+abc"]),
    ("==1.0.*", ["1.0", "1", "1.0.5", "1.0a1", "1.0.post1", "1.0+x", "1.1", "1.01", "1.0.dev0"]),
    ("==1!1.0.*", ["1!1.0", "1!1.0.1", "1!1", "1.0", "1!1.0a1"]),
    ("==1!1.*", ["1!1.0", "1!1", "1!1.5", "1!2"]),
    ("!=1.0.*", ["1.0", "1.0.1", "1.1", "0.9"]),
    ("~=1.4.5", ["1.4.5", "1.4.9", "1.5", "1.4.4", "1.4.5a1", "1.4.5.post1", "2.0"]),
    ("~=1.4", ["1.4", "1.9", "2.0", "1.3", "1.4a1", "1!1.4"]),
    ("~=1.4.a1", ["1.4", "1.9", "1.4a1", "1.3"]),
    ("~=1.4.A1", ["1.4", "1.9", "1.4a1", "1.5"]),
    ("~=1.4.A.1", ["1.4", "1.4.5", "1.4a0", "1.4a1"]),
    ("<1.0", ["0.9", "1.0a1", "1.0.dev0", "0.9a1", "1.0", "0.9.post1", "1.0+x"]),
    ("<1.0a2", ["1.0a1", "1.0a2", "1.0.dev0", "0.9"]),
    (">1.0", ["1.0.post1", "1.0+local", "1.0.1", "1.1a1", "1.0", "1.0.0.post1"]),
    (">1.0.post1", ["1.0.post2", "1.0.post1+x", "1.0.1"]),
    ("<=1.0", ["1.0+local", "1.0", "1.0.post1", "1.0a1"]),
    (">=1.0", ["1.0+local", "1.0", "0.9+x", "1.0a1"]),
    ("===1.0", ["1.0", "v1.0", "1.0.0", "1.0+x"]),
    ("===1.0+ABC", ["1.0+abc", "1.0+ABC", "1.0"]),
    ("", ["1.0", "1.0a1", "1.0.dev0", "1.0.post1"]),
    (">=1.0a1", ["1.0a1", "1.0b1", "2.0a1", "0.9"]),
    ("!=1.0a1", ["1.0a1", "1.0a2", "1.0"]),
    ("===foo", ["1.0"]),
]


# ---------------------------------------------------------------------------------------------
# Oracle protocol.

def esc(s):
    return (s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def unesc(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            i += 1
            out.append({"t": "\t", "n": "\n", "r": "\r"}.get(s[i], s[i]))
        else:
            out.append(c)
        i += 1
    return "".join(out)


def arbitrary_trap(spec_set):
    """Whether packaging may raise InvalidVersion from .prereleases (and so from contains()
    and filter() with prereleases unset): the set holds ===X with X not a PEP 440 version.
    Whether it actually raises depends on the frozenset's iteration order (any() stops at the
    first clause naming a pre-release), so the test decides by this rule, not by catching."""
    for s in spec_set:
        if s.operator == "===":
            try:
                Version(s.version)
            except InvalidVersion:
                return True
    return False


def pre_word(p):
    return {None: "none", True: "true", False: "false"}[p]


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    oracle = args[0]
    seed, scale = 440, 1
    if "--seed" in args:
        seed = int(args[args.index("--seed") + 1])
    if "--scale" in args:
        scale = int(args[args.index("--scale") + 1])
    if not packaging.__version__.startswith("23."):
        sys.exit(f"conformance.py: expected packaging 23.x, found {packaging.__version__}")
    rng = random.Random(seed)

    requests = []  # (kind, description, oracle line, expected answer or None when skipped)
    skipped = {"number above 2**64-1 or Unicode-only spelling": 0,
               "packaging raises on ===X with non-PEP 440 X": 0}

    def add(kind, desc, line, expected, texts, packaging_accepts=True):
        if deliberate(texts, packaging_accepts):
            skipped["number above 2**64-1 or Unicode-only spelling"] += 1
            return
        requests.append((kind, desc, line, expected))

    # 1. Version parsing and normalisation.
    version_texts = (list(EDGE_VERSIONS) + [gen_version_text(rng) for _ in range(12000 * scale)]
                     + [gen_soup(rng) for _ in range(8000 * scale)])
    valid_versions = []
    for text in version_texts:
        try:
            v = Version(text)
            expected = f"OK\t{esc(str(v))}\t{'pre' if v.is_prerelease else 'final'}"
        except InvalidVersion:
            v, expected = None, "ERR"
        if deliberate([text], v is not None):
            skipped["number above 2**64-1 or Unicode-only spelling"] += 1
            continue
        requests.append(("parse", repr(text), f"parse\t{esc(text)}", expected))
        if v is not None:
            valid_versions.append(text)

    # 2. Ordering: random pairs, and pairs of neighbours (where ordering is subtle).
    def cmp_case(a, b):
        va, vb = Version(a), Version(b)
        expected = str((va > vb) - (va < vb))
        add("cmp", f"{a!r} vs {b!r}", f"cmp\t{esc(a)}\t{esc(b)}", expected, [a, b])

    for _ in range(4000 * scale):
        cmp_case(rng.choice(valid_versions), rng.choice(valid_versions))
    for _ in range(4000 * scale):
        a = rng.choice(valid_versions)
        for b in neighbours(rng, Version(a), 2):
            cmp_case(a, b)
    chain = ["1.0.dev0", "1.0a1.dev0", "1.0a1", "1.0a1.post0.dev0", "1.0a1.post0", "1.0b1",
             "1.0rc1", "1.0", "1.0.post0.dev0", "1.0.post0", "1.0+local", "1.0+local.0",
             "1.0+local.a", "1.0+1", "1.0+2", "1.0+10", "1.0.1", "1!0.1"]
    for a in chain:
        for b in chain:
            cmp_case(a, b)

    # 3. Single specifiers and specifier sets: validity and str().
    def spec_case(text):
        try:
            expected = f"OK\t{esc(str(Specifier(text)))}"
        except InvalidSpecifier:
            expected = "ERR"
        add("spec", repr(text), f"spec\t{esc(text)}", expected, [text], expected != "ERR")

    def set_case(text):
        try:
            s = SpecifierSet(text)
            if arbitrary_trap(s):
                # Deliberate: packaging parses X of ===X in .prereleases and raises; funcpack
                # says "names no pre-release". Compare validity and str() only.
                skipped["packaging raises on ===X with non-PEP 440 X"] += 1
                names_pre = "*"
            else:
                names_pre = str(int(bool(s.prereleases)))
            expected = f"OK\t{esc(str(s))}\t{names_pre}"
        except InvalidSpecifier:
            s, expected = None, "ERR"
        add("set", repr(text), f"set\t{esc(text)}", expected, [text], s is not None)
        return s

    for text in EDGE_SPECS:
        spec_case(text)
    for _ in range(6000 * scale):
        spec_case(gen_spec_text(rng, valid_bias=0.75))
    for _ in range(6000 * scale):
        spec_case(rng.choice(OPERATORS + [""]) + gen_soup(rng))
    valid_sets = []
    for text in EDGE_SETS + EDGE_SPECS:
        if set_case(text) is not None and not deliberate([text]):
            valid_sets.append(text)
    for _ in range(5000 * scale):
        text = gen_set_text(rng)
        if set_case(text) is not None and not deliberate([text]):
            valid_sets.append(text)

    # 4. contains() with prereleases unset/true/false, and filter().
    def contains_case(set_text, vtext, pre):
        s = SpecifierSet(set_text)
        if pre is None and arbitrary_trap(s):
            skipped["packaging raises on ===X with non-PEP 440 X"] += 1
            return
        expected = str(int(s.contains(vtext, prereleases=pre)))
        add("contains", f"{set_text!r} contains {vtext!r} prereleases={pre}",
            f"contains\t{esc(set_text)}\t{esc(vtext)}\t{pre_word(pre)}", expected,
            [set_text, vtext])

    def filter_case(set_text, vtexts, pre):
        s = SpecifierSet(set_text)
        if pre is None and arbitrary_trap(s):
            skipped["packaging raises on ===X with non-PEP 440 X"] += 1
            return
        kept = list(s.filter(vtexts, prereleases=pre))
        # Map back to positions (filter keeps input order).
        idx, k = [], 0
        for i, t in enumerate(vtexts):
            if k < len(kept) and kept[k] is t:
                idx.append(str(i))
                k += 1
        add("filter", f"{set_text!r}.filter({vtexts!r}, prereleases={pre})",
            "\t".join(["filter", esc(set_text), pre_word(pre)] + [esc(t) for t in vtexts]),
            ",".join(idx), [set_text, *vtexts])

    for set_text, vtexts in EDGE_CONTAINS:
        for vtext in vtexts:
            for pre in (None, True, False):
                contains_case(set_text, vtext, pre)
        for pre in (None, True, False):
            filter_case(set_text, vtexts, pre)
    for _ in range(4000 * scale):
        set_text = rng.choice(valid_sets)
        bases = set_versions(SpecifierSet(set_text))
        cands = neighbours(rng, rng.choice(bases), 3) + [rng.choice(valid_versions)]
        for vtext in cands:
            if deliberate([vtext]):
                continue
            contains_case(set_text, vtext, rng.choice([None, None, True, False]))
    for _ in range(1500 * scale):
        set_text = rng.choice(valid_sets)
        bases = set_versions(SpecifierSet(set_text))
        vtexts = [t for t in neighbours(rng, rng.choice(bases), rng.randint(0, 6))
                  if not deliberate([t])]
        if rng.random() < 0.2:
            vtexts = [t for t in vtexts if Version(t).is_prerelease]
        for pre in (None, True, False):
            filter_case(set_text, vtexts, pre)

    # 5. PEP 503 name normalisation (ASCII; funcpack lowercases ASCII only).
    name_chars = "abcXYZ019-_.~ "
    for _ in range(1500 * scale):
        name = "".join(rng.choice(name_chars) for _ in range(rng.randint(0, 10)))
        valid = re.fullmatch(r"[A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9]", name, re.I) is not None
        requests.append(("name", repr(name), f"name\t{esc(name)}",
                         f"{esc(canonicalize_name(name))}\t{int(valid)}"))

    # Ask the oracle everything at once.
    stdin = "".join(line + "\n" for _, _, line, _ in requests)
    proc = subprocess.run([oracle], input=stdin.encode("utf-8", "surrogateescape"),
                          capture_output=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"conformance.py: oracle exited with {proc.returncode}: "
                 f"{proc.stderr.decode(errors='replace')}")
    answers = proc.stdout.decode("utf-8", "surrogateescape").split("\n")
    if answers and answers[-1] == "":
        answers.pop()
    if len(answers) != len(requests):
        sys.exit(f"conformance.py: {len(requests)} requests but {len(answers)} answers")

    by_kind = {}
    failures = []
    for (kind, desc, line, expected), got in zip(requests, answers):
        by_kind[kind] = by_kind.get(kind, 0) + 1
        if expected.endswith("\t*"):
            got = got[:got.rfind("\t")] + "\t*" if "\t" in got else got
        if got != expected:
            failures.append(f"  {kind}: {desc}\n    packaging: {unesc(expected)!r}\n"
                            f"    funcpack:  {unesc(got)!r}")

    counts = ", ".join(f"{n} {k}" for k, n in sorted(by_kind.items()))
    skips = ", ".join(f"{n} ({why})" for why, n in skipped.items())
    print(f"pep440 conformance against packaging {packaging.__version__} (seed {seed}): "
          f"{len(requests)} cases compared ({counts}); skipped as deliberate differences: "
          f"{skips}")
    if failures:
        print(f"{len(failures)} disagreements; the first {min(len(failures), MAX_REPORTED)}:")
        print("\n".join(failures[:MAX_REPORTED]))
        sys.exit(1)
    print("no disagreements")


if __name__ == "__main__":
    main()
