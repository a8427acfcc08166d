#include "resolve/memory_source.h"

#include "base/hash.h"
#include "spec/package_name.h"

namespace funcpack {

std::string make_core_metadata(std::string_view name, std::string_view version,
                               const std::vector<std::string>& requires_dist,
                               const std::optional<std::string>& requires_python,
                               const std::vector<std::string>& provides_extra) {
  std::string out = "Metadata-Version: 2.1\nName: ";
  out += name;
  out += "\nVersion: ";
  out += version;
  out += "\n";
  if (requires_python) out += "Requires-Python: " + *requires_python + "\n";
  for (const auto& e : provides_extra) out += "Provides-Extra: " + e + "\n";
  for (const auto& r : requires_dist) out += "Requires-Dist: " + r + "\n";
  return out;
}

void MemorySource::add_file(std::string_view project, DistributionFile file, std::string metadata) {
  std::string name = normalize_name(project);
  if (file.url.empty()) file.url = "https://memory.invalid/files/" + file.filename;
  if (file.hashes.empty()) file.hashes["sha256"] = sha256_hex(file.filename + "\n" + metadata);
  if (file.index.empty()) file.index = "memory";
  metadata_by_url_[file.url] = std::move(metadata);
  ProjectPage& page = projects_[name];
  page.name = name;
  page.files.push_back(std::move(file));
}

void MemorySource::add_wheel(std::string_view project, std::string_view version,
                             const std::vector<std::string>& requires_dist, std::string_view tags,
                             const std::optional<std::string>& requires_python) {
  std::string stem = normalize_name(project);
  for (char& c : stem)
    if (c == '-') c = '_';
  DistributionFile f;
  f.filename = stem + "-" + std::string(version) + "-" + std::string(tags) + ".whl";
  f.requires_python = requires_python;
  add_file(project, std::move(f),
           make_core_metadata(project, version, requires_dist, requires_python));
}

void MemorySource::fail_project(std::string_view normalized_name, std::string message) {
  failures_[std::string(normalized_name)] = std::move(message);
}

Result<ProjectPage> MemorySource::project(std::string_view normalized_name) {
  std::string name(normalized_name);
  project_calls_.push_back(name);
  if (auto f = failures_.find(name); f != failures_.end()) return fail(f->second);
  auto it = projects_.find(name);
  if (it == projects_.end()) return ProjectPage{name, {}};
  return it->second;
}

Result<std::string> MemorySource::metadata(const DistributionFile& file) {
  ++metadata_calls_;
  auto it = metadata_by_url_.find(file.url);
  if (it == metadata_by_url_.end()) return fail("no metadata for " + file.url);
  return it->second;
}

void MemorySource::prefetch(const std::vector<std::string>& normalized_names) {
  prefetch_calls_.insert(prefetch_calls_.end(), normalized_names.begin(), normalized_names.end());
}

}  // namespace funcpack
