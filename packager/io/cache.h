// cache.h: funcpack's cache directory (--cache-dir).
//
// Owns the on-disk layout (versioned, so a future change of format starts a new directory):
//   ROOT/http-v1/XX/SHA           one HTTP response: a JSON header line (url, status, etag,
//                                 last_modified, content_type, effective_url, fresh_until),
//                                 "\n", the body.
//                                 SHA = sha256 of "URL\nVARIANT" (URL without credentials).
//   ROOT/artifacts-v1/sha256/XX/HEX   a downloaded file whose sha256 is HEX (content-addressed:
//                                 the name is checked against the bytes when stored).
//   ROOT/metadata-v1/sha256/XX/HEX    the core metadata of the artifact whose sha256 is HEX.
//   ROOT/git-v1/...               bare mirrors of git repositories (owned by git_checkout.h);
//   ROOT/installed-v1/...         installed wheels and their zip entries (owned by
//                                 materialise/install_cache.h).
// XX is the first two hex digits. Every write is atomic (a temporary file renamed into place),
// so concurrent runs and killed runs never leave a torn entry; a corrupt or empty entry reads
// as a miss. Artifacts are fsync'ed (write_file_atomic); responses and metadata are not (a cold
// lock writes hundreds of them; a power cut costs a refetch at most).
//
// Default root: $FUNCPACK_CACHE_DIR, else $XDG_CACHE_HOME/funcpack, else ~/.cache/funcpack.
// Credentials never reach the cache: keys and stored URLs are stripped/redacted.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace funcpack {

struct CachedResponse {
  std::string url;  // redacted, informational
  long status = 200;
  std::string etag;
  std::string last_modified;
  std::string content_type;
  std::string effective_url;
  // Unix time (seconds) until which the response may be used without asking the server again
  // (from its Cache-Control max-age); 0: revalidate before use.
  int64_t fresh_until = 0;
  std::string body;
};

class Cache {
 public:
  // The default root described above (not created).
  static std::filesystem::path default_root();

  explicit Cache(std::filesystem::path root) : root_(std::move(root)) {}
  const std::filesystem::path& root() const { return root_; }

  // The stored response for `url` + `variant` (for example the Accept header), or nullopt on
  // a miss or a corrupt entry.
  std::optional<CachedResponse> load_response(std::string_view url, std::string_view variant) const;
  // Stores `response` for `url` + `variant`. Errors: "cannot write PATH: reason".
  Result<void> store_response(std::string_view url, std::string_view variant,
                              const CachedResponse& response) const;

  // The path of the artifact whose sha256 is `sha256_hex`, when present and intact (its size
  // is non-zero; the bytes were checked when stored), else nullopt.
  std::optional<std::filesystem::path> artifact_path(std::string_view sha256_hex) const;
  // Stores `data` under its own sha256 and returns the path. Errors: cannot write.
  Result<std::filesystem::path> store_artifact(std::string_view data) const;

  // Core metadata text of the artifact `sha256_hex`, or nullopt.
  std::optional<std::string> load_metadata(std::string_view sha256_hex) const;
  Result<void> store_metadata(std::string_view sha256_hex, std::string_view metadata) const;

 private:
  std::filesystem::path response_path(std::string_view url, std::string_view variant) const;
  std::filesystem::path sharded(std::string_view area, std::string_view hex) const;
  std::filesystem::path root_;
};

}  // namespace funcpack
