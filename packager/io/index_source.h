// index_source.h: the PackageSource of real runs: simple-API indexes (HTTP(S) or file://),
// --find-links locations, and the cache, behind package_source.h's interface.
//
// Owns the multi-index policy, find-links handling, offline mode, PEP 658 metadata with the
// wheel fallback (for an sdist: its PKG-INFO when PEP 643 makes it final, sdist_metadata.h),
// verified downloads and the parallel prefetch of project pages and PEP 658 files (each
// outcome, errors included, is kept: a later request never transfers again).
//
// Policy (README section "index" documents it for users):
// - Indexes are searched in this order: every --extra-index-url in the order given, then
//   --index-url (as uv does: a private extra index must win over the public default).
// - kFirstIndex (default): the first index whose page for the project exists (HTTP 200, even
//   with no files) supplies all of its files; later indexes are not asked. This defeats
//   dependency confusion (a public package shadowing a private name).
//   kMergeAll (pip's behaviour): the files of every index are merged, in index order.
// - --find-links sources are always merged in, whichever policy: local directories (files
//   named after the project), local or remote HTML pages (anchors named after the project).
// - A project page that is 404 (or 410) is "the index does not have it", not an error.
//   401/403 and other 4xx are errors naming the URL; 5xx and timeouts are retried (http.h).
// - offline: nothing goes to the network; pages and artifacts come from the cache; a page
//   that is not cached is an error "GET URL: not in the cache (offline mode)".
// - Pages are revalidated with the cache's ETag/Last-Modified (304 keeps the cached body).
//
// Traps: index URLs may carry credentials ("https://user:token@host/simple"); they are moved
// into the HTTP client's per-host credentials so that file URLs on the same host (which the
// page lists without credentials) authenticate too, and nothing stored or printed has them.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "inputs/requirements_txt.h"
#include "io/http.h"
#include "io/package_source.h"

namespace funcpack {

inline constexpr std::string_view kDefaultIndexUrl = "https://pypi.org/simple";

enum class IndexStrategy {
  kFirstIndex,  // the first index that has the project supplies it (default, uv's)
  kMergeAll,    // every index's files are merged (pip's)
};

struct IndexSourceOptions {
  std::optional<std::string> index_url;  // nullopt: kDefaultIndexUrl
  std::vector<std::string> extra_index_urls;
  std::vector<std::string> find_links;   // directory, HTML file, file:// or http(s) URL
  bool no_index = false;                 // ignore index_url and extra_index_urls
  bool offline = false;
  IndexStrategy strategy = IndexStrategy::kFirstIndex;
  std::optional<std::filesystem::path> cache_dir;  // nullopt: Cache::default_root()
  bool no_cache = false;
  // Credentials for the --index-url host when its URL has none (FUNCPACK_INDEX_USERNAME /
  // FUNCPACK_INDEX_PASSWORD).
  std::optional<std::pair<std::string, std::string>> index_credentials;
  HttpOptions http;
  // The metadata of a downloaded sdist whose PKG-INFO PEP 643 does not make final: when set,
  // metadata() asks it (funcpack lock sets it to a sandboxed PEP 517 metadata build) instead
  // of failing, and caches the answer by the sdist's sha256 like any metadata. It may call
  // back into the source on the same thread (the source's lock is recursive). `sdist` is the
  // local file (named by its hash in the cache; `file` says its name).
  std::function<Result<std::string>(const std::filesystem::path& sdist, const DistributionFile& file)>
      sdist_metadata_builder;
};

// Fills what `options` leaves unset from the environment, as pip reads it: index_url from
// PIP_INDEX_URL; extra_index_urls from PIP_EXTRA_INDEX_URL and find_links from PIP_FIND_LINKS
// (whitespace-separated) when empty; no_index from PIP_NO_INDEX (1/true/yes/on);
// index_credentials from FUNCPACK_INDEX_USERNAME and FUNCPACK_INDEX_PASSWORD. `env` is
// requirements_txt.h's lookup (nullopt for an unset variable).
void apply_environment(IndexSourceOptions& options, const EnvLookup& env);

// Copies a requirements file's index options (-i, --extra-index-url, -f, --no-index) into
// `options` (the file's -i replaces index_url; lists are appended).
void apply_requirements_options(IndexSourceOptions& options, const IndexOptions& from_file);

class IndexSource : public PackageSource {
 public:
  explicit IndexSource(IndexSourceOptions options);
  ~IndexSource() override;

  Result<ProjectPage> project(std::string_view normalized_name) override;
  Result<std::string> metadata(const DistributionFile& file) override;
  // Fetches the pages of all `normalized_names` not fetched yet, in parallel (for
  // kFirstIndex, one round per index for the names the earlier indexes lack). Blocks until
  // done; results (and errors) are kept for project().
  void prefetch(const std::vector<std::string>& normalized_names) override;
  // Fetches the PEP 658 files of `files` that nothing cached covers, in parallel; metadata()
  // then finishes each (hash check, cache) as if it had fetched it, errors included.
  void prefetch_metadata(const std::vector<DistributionFile>& files) override;
  // metadata(file) when that needs no transfer: a memoised result, the metadata cache, a local
  // file, or a prefetched PEP 658 answer; else nullopt.
  std::optional<std::string> cached_metadata(const DistributionFile& file) override;

  // The local path of `file`'s bytes: a local file as is, else the cache's artifact
  // (downloaded when missing). The sha256 the index gave is checked. Errors name the URL
  // (redacted): HTTP status, transfer failure, "sha256 mismatch for FILE: expected X, got Y",
  // or "not in the cache (offline mode)".
  Result<std::filesystem::path> download(const DistributionFile& file);

  // download() for many files at once: local files and cache hits need no transfer, the rest
  // are fetched in parallel. One result per file, in the order of `files`.
  std::vector<Result<std::filesystem::path>> download_all(const std::vector<DistributionFile>& files);

  // The indexes in search order (redacted), for messages and -v logs.
  std::vector<std::string> index_urls() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace funcpack
