#include "io/cache.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>

#include "base/fs.h"
#include "base/hash.h"
#include "io/url.h"

namespace funcpack {
namespace {

bool is_sha256_hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Result<void> ensure_parent(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return fail("cannot create " + path.parent_path().string() + ": " + ec.message());
  return {};
}

// A cache entry is written to a temporary file and renamed into place (readers never see a torn
// entry, concurrent writers never mix) but not fsync'ed: a cold lock writes hundreds of
// entries, and fsync'ing each one cost more than all the parsing on a busy machine. An entry
// a power cut leaves empty or cut short reads as a miss (load_* below check it) and is fetched
// again; nothing in the cache is the only copy of anything.
Result<void> write_entry(const std::filesystem::path& path, std::string_view data) {
  std::string tmpl = (path.parent_path() / ("." + path.filename().string() + ".tmp.XXXXXX")).string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return fail("cannot write " + path.string() + ": " + std::strerror(errno));
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = errno;
      ::close(fd);
      ::unlink(tmpl.c_str());
      return fail("cannot write " + path.string() + ": " + std::strerror(e));
    }
    p += n;
    left -= size_t(n);
  }
  ::fchmod(fd, 0644);
  if (::close(fd) != 0 || ::rename(tmpl.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmpl.c_str());
    return fail("cannot write " + path.string() + ": " + std::strerror(e));
  }
  return {};
}

}  // namespace

std::filesystem::path Cache::default_root() {
  if (const char* d = std::getenv("FUNCPACK_CACHE_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
    return std::filesystem::path(x) / "funcpack";
  if (const char* h = std::getenv("HOME"); h && *h)
    return std::filesystem::path(h) / ".cache" / "funcpack";
  return std::filesystem::path(".cache") / "funcpack";
}

std::filesystem::path Cache::sharded(std::string_view area, std::string_view hex) const {
  return root_ / std::string(area) / std::string(hex.substr(0, 2)) / std::string(hex);
}

std::filesystem::path Cache::response_path(std::string_view url, std::string_view variant) const {
  std::string key = strip_credentials(url) + "\n" + std::string(variant);
  return sharded("http-v1", sha256_hex(key));
}

std::optional<CachedResponse> Cache::load_response(std::string_view url,
                                                   std::string_view variant) const {
  Result<std::string> text = read_file(response_path(url, variant));
  if (!text) return std::nullopt;
  size_t nl = text->find('\n');
  if (nl == std::string::npos) return std::nullopt;
  nlohmann::json h = nlohmann::json::parse(text->begin(), text->begin() + static_cast<long>(nl),
                                           nullptr, false);
  if (h.is_discarded() || !h.is_object()) return std::nullopt;
  CachedResponse r;
  auto str = [&](const char* key, std::string& out) {
    if (auto it = h.find(key); it != h.end() && it->is_string()) out = it->get<std::string>();
  };
  str("url", r.url);
  str("etag", r.etag);
  str("last_modified", r.last_modified);
  str("content_type", r.content_type);
  str("effective_url", r.effective_url);
  if (auto it = h.find("status"); it != h.end() && it->is_number_integer())
    r.status = it->get<long>();
  else
    return std::nullopt;
  if (auto it = h.find("fresh_until"); it != h.end() && it->is_number_integer())
    r.fresh_until = it->get<int64_t>();
  r.body = text->substr(nl + 1);
  return r;
}

Result<void> Cache::store_response(std::string_view url, std::string_view variant,
                                   const CachedResponse& response) const {
  std::filesystem::path path = response_path(url, variant);
  if (auto ok = ensure_parent(path); !ok) return ok;
  nlohmann::json h = {{"url", redact_url(strip_credentials(url))},
                      {"status", response.status},
                      {"etag", response.etag},
                      {"last_modified", response.last_modified},
                      {"content_type", response.content_type},
                      {"effective_url", strip_credentials(response.effective_url)},
                      {"fresh_until", response.fresh_until}};
  std::string text = h.dump() + "\n" + response.body;
  return write_entry(path, text);
}

std::optional<std::filesystem::path> Cache::artifact_path(std::string_view sha256_hex) const {
  if (!is_sha256_hex(sha256_hex)) return std::nullopt;
  std::filesystem::path p = sharded("artifacts-v1/sha256", sha256_hex);
  std::error_code ec;
  if (std::filesystem::is_regular_file(p, ec)) return p;
  return std::nullopt;
}

Result<std::filesystem::path> Cache::store_artifact(std::string_view data) const {
  std::string hex = sha256_hex(data);
  std::filesystem::path p = sharded("artifacts-v1/sha256", hex);
  std::error_code ec;
  if (std::filesystem::is_regular_file(p, ec)) return p;
  if (auto ok = ensure_parent(p); !ok) return std::unexpected(ok.error());
  // Artifacts (what gets installed) keep the fsync: only responses and metadata skip it.
  if (auto ok = write_file_atomic(p, data); !ok) return std::unexpected(ok.error());
  return p;
}

std::optional<std::string> Cache::load_metadata(std::string_view sha256_hex) const {
  if (!is_sha256_hex(sha256_hex)) return std::nullopt;
  Result<std::string> text = read_file(sharded("metadata-v1/sha256", sha256_hex));
  // Core metadata starts with its Metadata-Version field and ends with a newline or its body;
  // an empty entry is one a crash cut short.
  if (!text || text->empty()) return std::nullopt;
  return *text;
}

Result<void> Cache::store_metadata(std::string_view sha256_hex, std::string_view metadata) const {
  if (!is_sha256_hex(sha256_hex)) return fail("not a sha256: " + std::string(sha256_hex));
  std::filesystem::path p = sharded("metadata-v1/sha256", sha256_hex);
  if (auto ok = ensure_parent(p); !ok) return ok;
  return write_entry(p, metadata);
}

}  // namespace funcpack
