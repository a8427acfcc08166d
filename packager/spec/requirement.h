// requirement.h: PEP 508 dependency specifications, as pypa/packaging 23.0's Requirement
// parses them (the conformance oracle, tests/pep508/conformance.py).
//
//   name [extras] (version-spec | @ url) [; marker]
// - name: packaging's IDENTIFIER (`[a-zA-Z0-9][a-zA-Z0-9._-]*` ending on a word boundary, so
//   "foo_" is a name but "foo-" stops before '-'); extras: comma-separated identifiers in [ ];
//   version-spec with or without parentheses, each clause packaging's SPECIFIER token
//   (">= 1.0" keeps its inner space; clauses are joined and parsed by SpecifierSet).
// - `name @ url ; marker` needs whitespace before ';' when a URL is used: the URL is every
//   character up to a space or tab, so `name @ url;marker` is all URL.
// - URLs are checked as packaging checks them with Python's urllib: a `file:` URL must survive
//   urlunparse(urlparse(url)) unchanged (so "file:/x", "FILE:///x", "file:///x?" are invalid);
//   any other URL needs a scheme and a non-empty network location.
// - Errors carry packaging's message ("Expected end or semicolon (after version specifier)")
//   and the 1-based column / exclusive end column of packaging's span (see
//   pep508_tokens.h: to_error). URL errors ("Invalid URL: x", "Invalid URL given") span the URL.
//
// Traps reproduced on purpose: a single trailing "\n" is accepted; str() writes
// "name@ url" (no space before '@') and, with a URL and a marker, "name@ url ; marker".
//
// Deliberate differences from packaging 23.0 (skipped in the conformance test):
// - everything marker.h lists for the marker part;
// - URL checks: bracketed IPv6 hosts are checked for balance and placement of the brackets
//   only (packaging also validates the address with ipaddress); non-ASCII network locations
//   are not NFKC-checked.
// - version numbers must fit in 64 bits (see version.h); the error spans the clause.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "spec/marker.h"
#include "spec/specifier.h"

namespace funcpack {

struct Requirement {
  std::string name;                 // as written
  std::vector<std::string> extras;  // as written, in order, duplicates removed
  SpecifierSet specifier;
  std::string url;                  // direct reference (`name @ url`); empty if none
  std::optional<Marker> marker;

  // Returns the parsed requirement, or an Error located within `text` (as above).
  static Result<Requirement> parse(std::string_view text);

  // PEP 503 normalised name ("Foo.Bar_baz" -> "foo-bar-baz").
  std::string normalized_name() const;
  // packaging's str(Requirement): name, sorted extras, specifier str(), "@ url", "; marker".
  std::string str() const;
};

}  // namespace funcpack
