// pep508_oracle: answers PEP 508 questions with funcpack's spec layer, one per input line, for
// tests/pep508/conformance.py to compare with pypa/packaging.
//
// Fields are separated by tabs and escaped (\\ \t \n \r \xHH), in both directions.
//   req<TAB>TEXT              -> OK<TAB>str<TAB>name<TAB>extras(sorted, ",")<TAB>specifier<TAB>url<TAB>marker
//                                or ERR<TAB>message<TAB>column<TAB>end_column
//   marker<TAB>TEXT           -> OK<TAB>str   or ERR<TAB>message<TAB>column<TAB>end_column
//   eval<TAB>MARKER<TAB>EXTRA<TAB>key=value...  -> 1 | 0 | ERR<TAB>message
//   env<TAB>X.Y.Z<TAB>machine -> key=value fields of linux_target_environment
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "base/strings.h"
#include "spec/marker.h"
#include "spec/requirement.h"

namespace {

std::string escape(std::string_view s) { return funcpack::escape_controls(s, true); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

std::string unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    const char k = s[++i];
    if (k == 't') out += '\t';
    else if (k == 'n') out += '\n';
    else if (k == 'r') out += '\r';
    else if (k == 'x' && i + 2 < s.size()) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += k;
    }
  }
  return out;
}

std::string error_fields(const funcpack::Error& e) {
  return "ERR\t" + escape(e.message) + "\t" + std::to_string(e.location.column) + "\t" +
         std::to_string(e.location.end_column);
}

std::string answer(const std::vector<std::string>& f) {
  using namespace funcpack;
  if (f[0] == "req" && f.size() == 2) {
    auto r = Requirement::parse(f[1]);
    if (!r) return error_fields(r.error());
    std::vector<std::string> extras = r->extras;
    std::sort(extras.begin(), extras.end());
    return "OK\t" + escape(r->str()) + "\t" + escape(r->name) + "\t" + escape(join(extras, ",")) +
           "\t" + escape(r->specifier.str()) + "\t" + escape(r->url) + "\t" +
           escape(r->marker ? r->marker->str() : "");
  }
  if (f[0] == "marker" && f.size() == 2) {
    auto m = Marker::parse(f[1]);
    if (!m) return error_fields(m.error());
    return "OK\t" + escape(m->str());
  }
  if (f[0] == "eval" && f.size() >= 3) {
    auto m = Marker::parse(f[1]);
    if (!m) return error_fields(m.error());
    MarkerEnvironment env;
    for (size_t i = 3; i < f.size(); ++i) {
      size_t eq = f[i].find('=');
      if (eq == std::string::npos) return "ERR\tbad env field";
      env[f[i].substr(0, eq)] = f[i].substr(eq + 1);
    }
    auto r = m->evaluate_checked(env, f[2]);
    if (!r) return "ERR\t" + escape(r.error().message);
    if (*r != m->evaluate(env, f[2])) return "ERR\tevaluate and evaluate_checked disagree";
    return *r ? "1" : "0";
  }
  if (f[0] == "env" && f.size() == 3) {
    std::string out;
    for (const auto& [k, v] : linux_target_environment(f[1], f[2]))
      out += (out.empty() ? "" : "\t") + escape(k + "=" + v);
    return out;
  }
  return "ERR\tbad request";
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    std::vector<std::string> fields;
    for (std::string_view part : funcpack::split(line, '\t')) fields.push_back(unescape(part));
    std::cout << answer(fields) << '\n';
  }
  return 0;
}
