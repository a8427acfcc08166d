// package_source.h: the seam between the resolver and the network (../shared/DESIGN.md).
//
// The resolver sees package indexes only through PackageSource, so resolver tests run on
// in-memory data and lock runs on HTTP indexes, find-links directories and the cache alike.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace funcpack {

// One file of a project as an index lists it (PEP 503/691 attributes).
struct DistributionFile {
  std::string filename;
  std::string url;                            // absolute; credentials never included
  std::map<std::string, std::string> hashes;  // algorithm -> lowercase hex ("sha256" -> "…")
  std::optional<std::string> requires_python; // data-requires-python, unescaped
  bool yanked = false;                        // PEP 592
  std::string yanked_reason;
  // PEP 658/714: the index serves "<url>.metadata"; the value is its hashes (may be empty).
  std::optional<std::map<std::string, std::string>> core_metadata;
  std::optional<uint64_t> size;
  std::string index;                          // the index (or find-links source) it came from
};

// Where a distribution named by a direct reference comes from, instead of an index: pip's URL,
// VCS and local-path requirements (PEP 508 `name @ URL`), recorded as PEP 751 records them
// (packages.archive / packages.vcs / packages.directory of pylock.toml).
struct DirectOrigin {
  enum class Kind {
    kArchive,    // a wheel or sdist at a URL or local path; DistributionFile holds its hashes
    kVcs,        // a git repository at a commit
    kDirectory,  // a local source tree
  };
  Kind kind = Kind::kArchive;
  std::string url;                 // kArchive: the http(s)/file URL (no credentials);
                                   // kVcs: the repository URL, without "git+", "@rev" and
                                   // fragment (no credentials)
  std::filesystem::path path;      // kArchive from a local path, kDirectory: absolute path
  std::string requested_revision;  // kVcs: as written after '@' ("" = the default branch)
  std::string commit_id;           // kVcs: the full commit id the lock pins
  std::string subdirectory;        // where pyproject.toml/setup.py is ("" = the root)
  bool editable = false;           // asked for with -e (built as a regular wheel: an editable
                                   // install cannot be deployed)

  bool operator==(const DirectOrigin&) const = default;
};

struct ProjectPage {
  std::string name;  // normalised
  std::vector<DistributionFile> files;
};

class PackageSource {
 public:
  virtual ~PackageSource() = default;

  // Every file of the project `normalized_name` (PEP 503 normalised) across the configured
  // sources, after the multi-index policy is applied. A project no source knows is an empty
  // page, not an error. Errors: network or parse failures, naming the URL (redacted).
  virtual Result<ProjectPage> project(std::string_view normalized_name) = 0;

  // The core metadata (METADATA / PKG-INFO text) of `file`: from the PEP 658 file when the
  // index has one (hash-checked), else read out of the downloaded wheel, or out of the
  // downloaded sdist's PKG-INFO when PEP 643 makes it final (io/sdist_metadata.h).
  virtual Result<std::string> metadata(const DistributionFile& file) = 0;

  // A hint that these projects will be asked for soon; implementations may fetch them in
  // parallel in the background. Never fails.
  virtual void prefetch(const std::vector<std::string>& normalized_names) { (void)normalized_names; }

  // A hint that metadata(file) will be asked for these files soon; implementations may fetch
  // them in parallel now and keep each outcome (errors included) for metadata(), so that asking
  // later costs no transfer and sees the same result. Never fails.
  virtual void prefetch_metadata(const std::vector<DistributionFile>& files) { (void)files; }

  // The text metadata(file) would return, when it is at hand without any transfer (fetched
  // before, or in a cache), else nullopt. Never fails, never touches the network; for callers
  // that only speculate (the resolver's prefetch walk).
  virtual std::optional<std::string> cached_metadata(const DistributionFile& file) {
    (void)file;
    return std::nullopt;
  }
};

}  // namespace funcpack
