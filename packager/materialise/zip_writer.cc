#include "materialise/zip_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>

#include "base/hash.h"

namespace funcpack {
namespace {

constexpr int64_t kDosEpoch = 315532800;  // 1980-01-01 00:00:00 UTC
constexpr size_t kChunk = 64 * 1024;

std::string errno_text(int e) { return std::strerror(e); }

bool valid_archive_path(std::string_view p) {
  if (p.empty() || p.front() == '/' || p.back() == '/') return false;
  if (p.find('\\') != std::string_view::npos || p.find('\0') != std::string_view::npos) {
    return false;
  }
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string_view::npos) end = p.size();
    std::string_view part = p.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

// Sets TZ=UTC0 while alive (libarchive's DOS time uses localtime_r), restoring it after.
class UtcScope {
 public:
  UtcScope() {
    if (const char* tz = std::getenv("TZ")) saved_ = std::string(tz);
    setenv("TZ", "UTC0", 1);
    tzset();
  }
  ~UtcScope() {
    if (saved_) {
      setenv("TZ", saved_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }
  UtcScope(const UtcScope&) = delete;
  UtcScope& operator=(const UtcScope&) = delete;

 private:
  std::optional<std::string> saved_;
};

struct FdCloser {
  int fd = -1;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(struct archive_entry* e) const { archive_entry_free(e); }
};

std::string archive_error(struct archive* a) {
  const char* s = archive_error_string(a);
  return s ? s : "libarchive error";
}

// Writes every entry into the open archive `a`. `out_name` is for messages.
Result<uint64_t> write_entries(struct archive* a, const std::vector<ZipEntry>& entries,
                               const ZipOptions& options, const std::string& out_name) {
  uint64_t total = 0;
  std::unique_ptr<char[]> buf(new char[kChunk]);
  std::unique_ptr<struct archive_entry, EntryDeleter> entry(archive_entry_new());
  const int64_t mtime = std::max<int64_t>(options.mtime, kDosEpoch);
  for (const ZipEntry& e : entries) {
    const std::string src = e.source.string();
    FdCloser fd{::open(src.c_str(), O_RDONLY | O_CLOEXEC)};
    if (fd.fd < 0) return fail(src + ": cannot read: " + errno_text(errno));
    struct stat st {};
    if (::fstat(fd.fd, &st) != 0) return fail(src + ": cannot read: " + errno_text(errno));
    if (!S_ISREG(st.st_mode)) return fail(src + ": not a regular file");

    archive_entry_clear(entry.get());
    archive_entry_set_pathname_utf8(entry.get(), e.path.c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), (st.st_mode & 0111) ? 0755 : 0644);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(st.st_size));
    archive_entry_set_mtime(entry.get(), static_cast<time_t>(mtime), 0);
    archive_entry_set_uid(entry.get(), 0);
    archive_entry_set_gid(entry.get(), 0);
    if (zip_stores_uncompressed(e.path)) {
      archive_write_zip_set_compression_store(a);
    } else {
      archive_write_zip_set_compression_deflate(a);
    }
    if (archive_write_header(a, entry.get()) != ARCHIVE_OK) {
      return fail("cannot write " + out_name + ": " + e.path + ": " + archive_error(a));
    }
    uint64_t written = 0;
    for (;;) {
      ssize_t n = ::read(fd.fd, buf.get(), kChunk);
      if (n < 0) {
        if (errno == EINTR) continue;
        return fail(src + ": cannot read: " + errno_text(errno));
      }
      if (n == 0) break;
      written += static_cast<uint64_t>(n);
      if (written > static_cast<uint64_t>(st.st_size)) {
        return fail(src + ": changed while being archived");
      }
      if (archive_write_data(a, buf.get(), static_cast<size_t>(n)) != n) {
        return fail("cannot write " + out_name + ": " + e.path + ": " + archive_error(a));
      }
    }
    if (written != static_cast<uint64_t>(st.st_size)) {
      return fail(src + ": changed while being archived");
    }
    if (archive_write_finish_entry(a) != ARCHIVE_OK) {
      return fail("cannot write " + out_name + ": " + e.path + ": " + archive_error(a));
    }
    total += written;
  }
  return total;
}

Result<std::string> sha256_of_fd(int fd, const std::string& name) {
  if (::lseek(fd, 0, SEEK_SET) < 0) return fail("cannot read " + name + ": " + errno_text(errno));
  Sha256 h;
  std::array<char, kChunk> buf{};
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot read " + name + ": " + errno_text(errno));
    }
    if (n == 0) break;
    h.update(buf.data(), static_cast<size_t>(n));
  }
  return h.finish_hex();
}

}  // namespace

Result<int64_t> zip_mtime_from_env() {
  const char* v = std::getenv("SOURCE_DATE_EPOCH");
  if (v == nullptr) return kDosEpoch;
  std::string_view s(v);
  bool ok = !s.empty() && s.size() <= 18 &&
            std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!ok) {
    return fail("SOURCE_DATE_EPOCH: not a non-negative integer: '" + std::string(s) + "'");
  }
  int64_t t = std::stoll(std::string(s));
  return std::max<int64_t>(t, kDosEpoch);
}

bool zip_stores_uncompressed(std::string_view path) {
  static constexpr std::string_view kExts[] = {
      ".zip", ".whl", ".jar", ".egg", ".gz",  ".tgz", ".bz2", ".xz",   ".zst",  ".lz4",
      ".7z",  ".png", ".jpg", ".jpeg", ".gif", ".webp", ".mp3", ".mp4", ".woff", ".woff2"};
  size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t dot = base.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  std::string ext(base.substr(dot));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::find(std::begin(kExts), std::end(kExts), ext) != std::end(kExts);
}

Result<ZipSummary> write_zip(std::vector<ZipEntry> entries, const std::filesystem::path& out,
                             const ZipOptions& options) {
  std::sort(entries.begin(), entries.end(),
            [](const ZipEntry& a, const ZipEntry& b) { return a.path < b.path; });
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!valid_archive_path(entries[i].path)) {
      return fail(entries[i].path + ": invalid archive path");
    }
    if (i > 0 && entries[i].path == entries[i - 1].path) {
      return fail(entries[i].path + ": duplicate archive path");
    }
  }

  const std::string out_name = out.string();
  std::string tmpl = out_name + ".tmp.XXXXXX";
  FdCloser fd{::mkstemp(tmpl.data())};
  if (fd.fd < 0) return fail("cannot write " + out_name + ": " + errno_text(errno));
  const std::string tmp = tmpl;
  auto cleanup = [&](Error err) -> Result<ZipSummary> {
    ::unlink(tmp.c_str());
    return std::unexpected(std::move(err));
  };

  Result<uint64_t> total = 0;
  {
    UtcScope utc;
    std::unique_ptr<struct archive, ArchiveDeleter> a(archive_write_new());
    if (!a) return cleanup(Error{"cannot write " + out_name + ": out of memory", {}});
    // Pad nothing: the last block is as long as the data (a zip is not a tape archive).
    archive_write_set_bytes_in_last_block(a.get(), 1);
    if (archive_write_set_format_zip(a.get()) != ARCHIVE_OK ||
        archive_write_set_options(a.get(), "zip:hdrcharset=UTF-8") != ARCHIVE_OK ||
        archive_write_open_fd(a.get(), fd.fd) != ARCHIVE_OK) {
      return cleanup(Error{"cannot write " + out_name + ": " + archive_error(a.get()), {}});
    }
    total = write_entries(a.get(), entries, options, out_name);
    if (!total) {
      archive_write_fail(a.get());
      return cleanup(total.error());
    }
    if (archive_write_close(a.get()) != ARCHIVE_OK) {
      return cleanup(Error{"cannot write " + out_name + ": " + archive_error(a.get()), {}});
    }
  }
  if (::fchmod(fd.fd, 0644) != 0 || ::fsync(fd.fd) != 0) {
    return cleanup(Error{"cannot write " + out_name + ": " + errno_text(errno), {}});
  }
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) {
    return cleanup(Error{"cannot write " + out_name + ": " + errno_text(errno), {}});
  }
  Result<std::string> digest = sha256_of_fd(fd.fd, tmp);
  if (!digest) return cleanup(digest.error());
  if (::rename(tmp.c_str(), out_name.c_str()) != 0) {
    return cleanup(Error{"cannot write " + out_name + ": " + errno_text(errno), {}});
  }
  ZipSummary summary;
  summary.entries = entries.size();
  summary.uncompressed_bytes = *total;
  summary.zip_bytes = static_cast<uint64_t>(st.st_size);
  summary.sha256 = *std::move(digest);
  return summary;
}

}  // namespace funcpack
