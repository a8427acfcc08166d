// pep440_oracle: answers PEP 440 / PEP 503 questions with funcpack's spec layer, one request
// per line on stdin, one answer per line on stdout, so that conformance.py can put the same
// questions to pypa/packaging and compare.
//
// Fields are tab-separated; inside a field "\\" is a backslash, "\t" a tab, "\n" a newline
// and "\r" a carriage return. PRE is "none", "true" or "false".
//   parse    TEXT                 -> OK <tab> str() <tab> pre|final | ERR
//   cmp      A B                  -> -1 | 0 | 1            (A and B must parse)
//   spec     TEXT                 -> OK <tab> str() | ERR  (one Specifier)
//   set      TEXT                 -> OK <tab> str() <tab> 0|1 (names_prerelease) | ERR
//   contains SET VERSION PRE      -> 1 | 0
//   filter   SET PRE V1 V2 ...    -> indices of the kept versions, comma-separated ("" = none)
//   name     TEXT                 -> normalize_name(TEXT) <tab> 0|1 (is_valid_name)
// A malformed request prints "BAD <reason>" (conformance.py treats it as a failure).
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "spec/package_name.h"
#include "spec/specifier.h"
#include "spec/version.h"

namespace {

using funcpack::SpecifierSet;
using funcpack::Version;

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\t') {
      fields.emplace_back();
    } else if (c == '\\' && i + 1 < line.size()) {
      char e = line[++i];
      fields.back() += e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e;
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\t') out += "\\t";
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else out += c;
  }
  return out;
}

bool parse_pre(const std::string& s, std::optional<bool>& out) {
  if (s == "none") out.reset();
  else if (s == "true") out = true;
  else if (s == "false") out = false;
  else return false;
  return true;
}

std::string answer(const std::vector<std::string>& f) {
  const std::string& op = f[0];
  if (op == "parse" && f.size() == 2) {
    auto v = Version::parse(f[1]);
    if (!v) return "ERR";
    return "OK\t" + escape(v->str()) + (v->is_prerelease() ? "\tpre" : "\tfinal");
  }
  if (op == "cmp" && f.size() == 3) {
    auto a = Version::parse(f[1]);
    auto b = Version::parse(f[2]);
    if (!a || !b) return "BAD unparsable version";
    auto c = *a <=> *b;
    return c < 0 ? "-1" : c > 0 ? "1" : "0";
  }
  if (op == "spec" && f.size() == 2) {
    auto s = funcpack::Specifier::parse(f[1]);
    return s ? "OK\t" + escape(s->str()) : "ERR";
  }
  if (op == "set" && f.size() == 2) {
    auto s = SpecifierSet::parse(f[1]);
    if (!s) return "ERR";
    return "OK\t" + escape(s->str()) + (s->names_prerelease() ? "\t1" : "\t0");
  }
  if (op == "contains" && f.size() == 4) {
    auto s = SpecifierSet::parse(f[1]);
    auto v = Version::parse(f[2]);
    std::optional<bool> pre;
    if (!s || !v || !parse_pre(f[3], pre)) return "BAD unparsable contains request";
    return s->contains(*v, pre) ? "1" : "0";
  }
  if (op == "filter" && f.size() >= 3) {
    auto s = SpecifierSet::parse(f[1]);
    std::optional<bool> pre;
    if (!s || !parse_pre(f[2], pre)) return "BAD unparsable filter request";
    std::vector<Version> versions;
    for (size_t i = 3; i < f.size(); ++i) {
      auto v = Version::parse(f[i]);
      if (!v) return "BAD unparsable version in filter";
      versions.push_back(*v);
    }
    // Versions come back as values; map them to input positions by walking in order (filter
    // keeps input order, and equal versions are kept or dropped together).
    std::vector<Version> kept = s->filter(versions, pre);
    std::string out;
    size_t k = 0;
    for (size_t i = 0; i < versions.size() && k < kept.size(); ++i) {
      if (versions[i].str() == kept[k].str()) {
        if (!out.empty()) out += ',';
        out += std::to_string(i);
        ++k;
      }
    }
    if (k != kept.size()) return "BAD filter returned a version not in its input";
    return out;
  }
  if (op == "name" && f.size() == 2) {
    return escape(funcpack::normalize_name(f[1])) +
           (funcpack::is_valid_name(f[1]) ? "\t1" : "\t0");
  }
  return "BAD unknown request '" + escape(op) + "'";
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) std::cout << answer(split_fields(line)) << '\n';
  return 0;
}
