// pyproject_oracle: reads pyproject.toml files with funcpack's inputs/pyproject_metadata, one
// path per input line, and answers one line each for tests/pyproject/conformance.py:
//   OK<TAB>core_metadata
//   NOTSTATIC<TAB>reason_id<TAB>line<TAB>column<TAB>message
//   ERR<TAB>line<TAB>column<TAB>end_column<TAB>message
// Fields are escaped (\\ \t \n \r \xHH) so each answer is one line.
#include <iostream>
#include <string>
#include <variant>

#include "base/strings.h"
#include "inputs/pyproject_metadata.h"

namespace {

std::string escape(std::string_view s) { return funcpack::escape_controls(s, true); }

std::string answer(const std::string& path) {
  using namespace funcpack;
  auto r = read_pyproject_metadata(path);
  if (!r) {
    const Location& l = r.error().location;
    return "ERR\t" + std::to_string(l.line) + "\t" + std::to_string(l.column) + "\t" +
           std::to_string(l.end_column) + "\t" + escape(r.error().message);
  }
  if (const auto* n = std::get_if<NotStatic>(&*r))
    return "NOTSTATIC\t" + std::string(reason_id(n->reason)) + "\t" +
           std::to_string(n->location.line) + "\t" + std::to_string(n->location.column) + "\t" +
           escape(n->message);
  return "OK\t" + escape(std::get<StaticMetadata>(*r).core_metadata);
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) std::cout << answer(line) << '\n';
  return 0;
}
