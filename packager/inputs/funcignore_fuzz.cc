// libFuzzer target for .funcignore reading: both parsers take any bytes; the input's first line
// is used as a path. Invariants: the Core Tools model never excludes a path it has no reason
// for; the git matcher answers (libgit2 accepts every pattern line) and names a pattern whose
// sign agrees with its verdict.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "inputs/funcignore.h"

using namespace funcpack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  size_t nl = text.find('\n');
  std::string path = nl == std::string::npos ? text : text.substr(0, nl);
  if (path.empty() || path.find('\0') != std::string::npos || path.front() == '/' ||
      path.back() == '/' || path.size() > 200)
    return 0;
  CoreToolsIgnoreModel ct(text);
  CoreToolsVerdict c = ct.check_file(path);
  if (c.excluded && !c.builtin && c.pattern_line == 0) std::abort();
  IgnoreFile f = parse_ignore_text(text, ".funcignore");
  auto m = GitIgnoreMatcher::create(f);
  if (!m) std::abort();
  auto v = m->check(path, false);
  if (!v) std::abort();
  if (v->excluded && v->pattern < 0) std::abort();
  if (v->pattern >= 0 && v->ancestor.empty()) {
    bool negation = f.patterns[static_cast<size_t>(v->pattern)].text[0] == '!';
    if (negation == v->excluded) std::abort();
  }
  return 0;
}
