// memory_source.h: a PackageSource over data held in memory, for resolver and lock tests (and
// the packse scenario harness).
//
// Owns: projects -> files, each file with the core metadata text `metadata()` returns. URLs are
// "https://memory.invalid/files/<filename>"; a file's sha256 is the SHA-256 of
// "<filename>\n<metadata>" unless given (stable, so golden lock texts stay stable).
// It records every `project()` and `prefetch()` call, so tests can check that the resolver asks
// for pages before it needs them, and can be told to fail a project (to test error paths).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/package_source.h"

namespace funcpack {

// Core metadata text (Metadata-Version 2.1) with the fields the resolver reads.
std::string make_core_metadata(std::string_view name, std::string_view version,
                               const std::vector<std::string>& requires_dist,
                               const std::optional<std::string>& requires_python = std::nullopt,
                               const std::vector<std::string>& provides_extra = {});

class MemorySource : public PackageSource {
 public:
  // Adds `file` to `project` (any spelling; stored normalised). Empty url/hashes are filled in
  // as described above. `metadata` is what metadata(file) returns.
  void add_file(std::string_view project, DistributionFile file, std::string metadata);

  // Convenience: one version with a wheel named `filename_tags` ("py3-none-any" by default),
  // metadata from `requires_dist` / `requires_python`.
  void add_wheel(std::string_view project, std::string_view version,
                 const std::vector<std::string>& requires_dist = {},
                 std::string_view tags = "py3-none-any",
                 const std::optional<std::string>& requires_python = std::nullopt);

  // Makes project() for `normalized_name` fail with `message`.
  void fail_project(std::string_view normalized_name, std::string message);

  Result<ProjectPage> project(std::string_view normalized_name) override;
  Result<std::string> metadata(const DistributionFile& file) override;
  void prefetch(const std::vector<std::string>& normalized_names) override;

  const std::vector<std::string>& project_calls() const { return project_calls_; }
  const std::vector<std::string>& prefetch_calls() const { return prefetch_calls_; }
  int metadata_calls() const { return metadata_calls_; }

 private:
  std::map<std::string, ProjectPage> projects_;
  std::map<std::string, std::string> metadata_by_url_;
  std::map<std::string, std::string> failures_;
  std::vector<std::string> project_calls_;
  std::vector<std::string> prefetch_calls_;
  int metadata_calls_ = 0;
};

}  // namespace funcpack
