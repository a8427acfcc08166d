#include "spec/package_name.h"

#include "base/strings.h"

namespace funcpack {

std::string normalize_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  bool in_run = false;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (!in_run) out += '-';
      in_run = true;
    } else {
      out += ascii_lower(c);
      in_run = false;
    }
  }
  return out;
}

bool is_valid_name(std::string_view name) {
  if (name.empty()) return false;
  if (!is_ascii_alnum(name.front()) || !is_ascii_alnum(name.back())) return false;
  for (char c : name)
    if (!is_ascii_alnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

}  // namespace funcpack
