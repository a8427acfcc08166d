#include "inputs/rules_data.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "base/fs.h"

namespace funcpack {

namespace {
const char* override_dir() {
  const char* dir = std::getenv("FUNCPACK_RULES_DIR");
  return (dir && *dir) ? dir : nullptr;
}
}  // namespace

Result<std::string> read_rules_file(std::string_view relative_path) {
  if (const char* dir = override_dir()) return read_file(std::filesystem::path(dir) / relative_path);
  for (const auto& f : embedded_rules_files())
    if (f.path == relative_path) return std::string(f.data);
  return fail("no rules file '" + std::string(relative_path) + "'");
}

std::vector<std::string> list_rules_files(std::string_view dir) {
  std::vector<std::string> out;
  std::string prefix = std::string(dir) + "/";
  if (const char* root = override_dir()) {
    std::error_code ec;
    std::filesystem::path base(root);
    for (auto it = std::filesystem::recursive_directory_iterator(base / dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file()) out.push_back(it->path().lexically_relative(base).generic_string());
    }
  } else {
    for (const auto& f : embedded_rules_files())
      if (f.path.starts_with(prefix)) out.emplace_back(f.path);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace funcpack
