#include "materialise/zip_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include "base/fs.h"
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

// APPNOTE: every multi-byte field is little-endian.
uint16_t le16(const char* p) {
  return static_cast<uint16_t>(static_cast<uint8_t>(p[0]) | static_cast<uint8_t>(p[1]) << 8);
}
uint32_t le32(const char* p) {
  return static_cast<uint32_t>(le16(p)) | static_cast<uint32_t>(le16(p + 2)) << 16;
}
void set32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
void put_le(std::string& s, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

constexpr uint32_t kLocalSig = 0x04034b50;
constexpr uint32_t kCentralSig = 0x02014b50;
constexpr uint32_t kEndSig = 0x06054b50;
constexpr size_t kLocalFixed = 30;
constexpr size_t kCentralFixed = 46;
constexpr size_t kEndFixed = 22;
constexpr uint64_t k4GiB = 0xffffffffULL;

// Segmenting and the memory bound (see the header).
constexpr uint64_t kSegmentBytes = 1 << 20;
constexpr size_t kSegmentEntries = 256;
constexpr size_t kSpillBytes = 2 << 20;
constexpr size_t kSegmentsPerWorker = 4;

// The size of the central directory record at `p` (`n` bytes available), or 0 when there is
// no complete record there.
size_t central_record_size(const char* p, size_t n) {
  if (n < kCentralFixed || le32(p) != kCentralSig) return 0;
  size_t len = kCentralFixed + le16(p + 28) + le16(p + 30) + le16(p + 32);
  return len <= n ? len : 0;
}

// What the stat pass learnt about an entry's source.
struct SourceInfo {
  uint64_t size = 0;
  unsigned perm = 0644;
};

// Verbatim members (see the header): the headers libarchive 3.6 writes for a regular file
// whose size is known, formatted here around data it did not compress.
constexpr uint64_t kVerbatimMax = 0xf0000000ULL;  // libarchive's zip64 threshold for deflate
constexpr uint16_t kUtExtraLen = 9, kUxExtraLen = 15;

// libarchive's dos_time() under TZ=UTC0: the broken-down UTC time, clamped to the DOS range.
uint32_t dos_time_utc(int64_t t) {
  const time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  if (::gmtime_r(&tt, &tm) == nullptr) return 0xff9fbf7dU;
  if (tm.tm_year < 1980 - 1900) return 0x00210000U;
  if (tm.tm_year > 2107 - 1900) return 0xff9fbf7dU;
  uint32_t dt = static_cast<uint32_t>(((tm.tm_year - 80) & 0x7f) << 9) |
                static_cast<uint32_t>(((tm.tm_mon + 1) & 0x0f) << 5) |
                static_cast<uint32_t>(tm.tm_mday & 0x1f);
  dt <<= 16;
  dt += static_cast<uint32_t>((tm.tm_hour & 0x1f) << 11) |
        static_cast<uint32_t>((tm.tm_min & 0x3f) << 5) |
        static_cast<uint32_t>((tm.tm_sec & 0x3e) >> 1);
  return dt;
}

// The UT (mtime only) and ux (uid 0, gid 0) extra fields, the same in both headers.
std::string verbatim_extra(int64_t mtime) {
  std::string e;
  put_le(e, 0x5455, 2);
  put_le(e, kUtExtraLen - 4, 2);
  e.push_back(1);
  put_le(e, static_cast<uint32_t>(mtime), 4);
  put_le(e, 0x7875, 2);
  put_le(e, kUxExtraLen - 4, 2);
  e.push_back(1);
  e.push_back(4);
  put_le(e, 0, 4);
  e.push_back(4);
  put_le(e, 0, 4);
  return e;
}

// The three pieces of a verbatim entry: local header (with name and extra fields), data
// descriptor, and central record (offset 0, rebased by append_central).
struct VerbatimHeaders {
  std::string local, descriptor, central;
};

VerbatimHeaders verbatim_headers(const std::string& path, const SourceInfo& info,
                                 const ZipPrebuilt& p, int64_t mtime) {
  const bool ascii = std::all_of(path.begin(), path.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  const uint16_t version = p.method == 8 ? 20 : 10;
  const uint16_t flags = 0x0008 | (ascii ? 0 : 0x0800);
  const uint32_t dos = dos_time_utc(mtime);
  const std::string extra = verbatim_extra(mtime);
  VerbatimHeaders h;
  std::string& l = h.local;
  put_le(l, kLocalSig, 4);
  put_le(l, version, 2);
  put_le(l, flags, 2);
  put_le(l, p.method, 2);
  put_le(l, dos, 4);
  put_le(l, 0, 4);                                // CRC-32: in the descriptor
  put_le(l, p.method == 8 ? 0 : info.size, 4);    // compressed size known only when stored
  put_le(l, info.size, 4);
  put_le(l, path.size(), 2);
  put_le(l, extra.size(), 2);
  l += path;
  l += extra;
  std::string& d = h.descriptor;
  put_le(d, 0x08074b50, 4);
  put_le(d, p.crc32, 4);
  put_le(d, p.length, 4);
  put_le(d, info.size, 4);
  std::string& c = h.central;
  put_le(c, kCentralSig, 4);
  put_le(c, 3 * 256 + version, 2);
  put_le(c, version, 2);
  put_le(c, flags, 2);
  put_le(c, p.method, 2);
  put_le(c, dos, 4);
  put_le(c, p.crc32, 4);
  put_le(c, p.length, 4);
  put_le(c, info.size, 4);
  put_le(c, path.size(), 2);
  put_le(c, extra.size(), 2);
  put_le(c, 0, 2);  // comment
  put_le(c, 0, 2);  // disk
  put_le(c, 0, 2);  // internal attributes
  put_le(c, static_cast<uint32_t>(S_IFREG | info.perm) << 16, 4);
  put_le(c, 0, 4);  // offset of the local header
  c += path;
  c += extra;
  return h;
}

// Writes one entry (header, data) into the open archive `a`, reading `e.source` in chunks.
// `done` (if any) counts the bytes read.
Result<void> write_one(struct archive* a, struct archive_entry* entry, const ZipEntry& e,
                       const SourceInfo& info, int64_t mtime, char* buf,
                       const std::string& out_name, std::atomic<uint64_t>* done) {
  const std::string src = e.source.string();
  FdCloser fd{::open(src.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.fd < 0) return fail(src + ": cannot read: " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) return fail(src + ": cannot read: " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) return fail(src + ": not a regular file");
  if (static_cast<uint64_t>(st.st_size) != info.size) {
    return fail(src + ": changed while being archived");
  }
  archive_entry_clear(entry);
  archive_entry_set_pathname_utf8(entry, e.path.c_str());
  archive_entry_set_filetype(entry, AE_IFREG);
  archive_entry_set_perm(entry, info.perm);
  archive_entry_set_size(entry, static_cast<la_int64_t>(info.size));
  archive_entry_set_mtime(entry, static_cast<time_t>(mtime), 0);
  archive_entry_set_uid(entry, 0);
  archive_entry_set_gid(entry, 0);
  if (zip_stores_uncompressed(e.path)) {
    archive_write_zip_set_compression_store(a);
  } else {
    archive_write_zip_set_compression_deflate(a);
  }
  if (archive_write_header(a, entry) != ARCHIVE_OK) {
    return fail("cannot write " + out_name + ": " + e.path + ": " + archive_error(a));
  }
  uint64_t written = 0;
  for (;;) {
    ssize_t n = ::read(fd.fd, buf, kChunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(src + ": cannot read: " + errno_text(errno));
    }
    if (n == 0) break;
    written += static_cast<uint64_t>(n);
    if (written > info.size) return fail(src + ": changed while being archived");
    if (archive_write_data(a, buf, static_cast<size_t>(n)) != n) {
      return fail("cannot write " + out_name + ": " + e.path + ": " + archive_error(a));
    }
    if (done) done->fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
  }
  if (written != info.size) return fail(src + ": changed while being archived");
  if (archive_write_finish_entry(a) != ARCHIVE_OK) {
    return fail("cannot write " + out_name + ": " + e.path + ": " + archive_error(a));
  }
  return {};
}

// True when `p` can stand for entry `e` (see "Reuse" in the header): a well-formed central
// record and local header for the same name, size, mode and mtime, stored or deflated.
bool prebuilt_fits(const ZipPrebuilt& p, const ZipEntry& e, const SourceInfo& info,
                   int64_t mtime) {
  if (!p.file || info.size >= k4GiB) return false;
  if (p.kind == ZipPrebuilt::Kind::kData) {
    // A verbatim member (see the header): its headers are made here, so only the data's
    // description is checked.
    return (p.method == 8 || (p.method == 0 && p.length == info.size)) &&
           info.size <= kVerbatimMax && p.length < k4GiB && p.offset <= p.file->size() &&
           p.length <= p.file->size() - p.offset;
  }
  const std::string& c = p.central;
  if (central_record_size(c.data(), c.size()) != c.size()) return false;
  const size_t n = le16(c.data() + 28), m = le16(c.data() + 30);
  if (n != e.path.size() || c.compare(kCentralFixed, n, e.path) != 0) return false;
  if (le32(c.data() + 24) != info.size) return false;
  if ((le32(c.data() + 38) >> 16) != (S_IFREG | info.perm)) return false;
  // Either method: a verbatim member keeps its wheel's, whatever zip_stores_uncompressed says.
  if (le16(c.data() + 10) != 0 && le16(c.data() + 10) != 8) return false;
  bool time_ok = false;
  for (size_t q = kCentralFixed + n; q + 4 <= kCentralFixed + n + m;) {
    const uint16_t id = le16(c.data() + q), sz = le16(c.data() + q + 2);
    if (id == 0x5455 && sz >= 5 && q + 9 <= c.size() && (c[q + 4] & 1) &&
        le32(c.data() + q + 5) == static_cast<uint32_t>(mtime)) {
      time_ok = true;
    }
    q += 4 + sz;
  }
  if (!time_ok) return false;
  if (p.length < kLocalFixed + n || p.offset + p.length > p.file->size()) return false;
  std::string local(kLocalFixed + n, '\0');
  if (::pread(p.file->fd(), local.data(), local.size(), static_cast<off_t>(p.offset)) !=
      static_cast<ssize_t>(local.size())) {
    return false;
  }
  if (le32(local.data()) != kLocalSig || le16(local.data() + 26) != n ||
      local.compare(kLocalFixed, n, e.path) != 0) {
    return false;
  }
  const uint64_t needed = kLocalFixed + n + le16(local.data() + 28) + le32(c.data() + 20);
  return needed <= p.length;
}

// A worker's output: in memory up to kSpillBytes, then all of it in an unlinked temporary
// file beside the output.
class SegmentSink {
 public:
  explicit SegmentSink(std::string spill_template) : template_(std::move(spill_template)) {}
  ~SegmentSink() {
    if (fd_ >= 0) ::close(fd_);
  }
  SegmentSink(const SegmentSink&) = delete;
  SegmentSink& operator=(const SegmentSink&) = delete;

  bool append(const void* p, size_t n) {
    if (fd_ < 0 && mem_.size() + n > kSpillBytes) {
      std::string name = template_;
      fd_ = ::mkstemp(name.data());
      if (fd_ < 0) return set_error();
      ::unlink(name.c_str());
      if (!write_all(fd_, mem_.data(), mem_.size())) return set_error();
      std::string().swap(mem_);
    }
    if (fd_ >= 0) {
      if (!write_all(fd_, static_cast<const char*>(p), n)) return set_error();
    } else {
      mem_.append(static_cast<const char*>(p), n);
    }
    size_ += n;
    return true;
  }
  // Bytes [off, off + len) of what was appended.
  Result<std::string> read(uint64_t off, size_t len) const {
    if (fd_ < 0) return mem_.substr(off, len);
    std::string s(len, '\0');
    if (::pread(fd_, s.data(), len, static_cast<off_t>(off)) != static_cast<ssize_t>(len)) {
      return fail(errno_text(errno));
    }
    return s;
  }
  // Appends the first `len` bytes to `out` at its position.
  Result<void> copy_to(int out, uint64_t len) const {
    if (fd_ < 0) return write_all(out, mem_.data(), len);
    return append_file_range(fd_, 0, len, out);
  }
  uint64_t size() const { return size_; }
  const std::string& error() const { return error_; }

 private:
  bool set_error() {
    error_ = errno_text(errno);
    return false;
  }
  std::string template_;
  std::string mem_;
  int fd_ = -1;
  uint64_t size_ = 0;
  std::string error_;
};

la_ssize_t sink_write(struct archive* a, void* ctx, const void* buf, size_t n) {
  auto* sink = static_cast<SegmentSink*>(ctx);
  if (!sink->append(buf, n)) {
    archive_set_error(a, EIO, "%s", sink->error().c_str());
    return -1;
  }
  return static_cast<la_ssize_t>(n);
}

// Configures `a` as every writer here is configured (the direct path and every segment).
bool configure_zip(struct archive* a) {
  // Pad nothing: the last block is as long as the data (a zip is not a tape archive).
  archive_write_set_bytes_in_last_block(a, 1);
  return archive_write_set_format_zip(a) == ARCHIVE_OK &&
         archive_write_set_options(a, "zip:hdrcharset=UTF-8") == ARCHIVE_OK;
}

// The output of a spliced segment: headers and small data ranges are gathered in a buffer
// (at most kSpliceBuffer bytes), large ranges go straight from file to file.
class SpliceOutput {
 public:
  explicit SpliceOutput(int fd) : fd_(fd) {}
  Result<void> bytes(std::string_view b) {
    buf_.append(b);
    return buf_.size() >= kSpliceBuffer ? flush() : Result<void>{};
  }
  // Appends [off, off + len) of `in`. Returns an Error "unexpected end of file" when `in`
  // ends first, or strerror's text.
  Result<void> range(int in, uint64_t off, uint64_t len) {
    if (len > kSmallRange) {
      if (auto f = flush(); !f) return f;
      return append_file_range(in, off, len, fd_);
    }
    const size_t at = buf_.size();
    buf_.resize(at + len);
    for (size_t done = 0; done < len;) {
      ssize_t n = ::pread(in, buf_.data() + at + done, len - done,
                          static_cast<off_t>(off + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return fail(errno_text(errno));
      if (n == 0) return fail("unexpected end of file");
      done += static_cast<size_t>(n);
    }
    return buf_.size() >= kSpliceBuffer ? flush() : Result<void>{};
  }
  Result<void> flush() {
    auto w = write_all(fd_, buf_.data(), buf_.size());
    buf_.clear();
    return w;
  }

 private:
  static constexpr size_t kSpliceBuffer = 1 << 20;
  static constexpr uint64_t kSmallRange = 64 * 1024;
  int fd_;
  std::string buf_;
};

// A contiguous run of sorted entries: compressed by one worker, or (all prebuilt) spliced by
// the calling thread.
struct Segment {
  size_t begin = 0, end = 0;
  bool splice = false;
  bool done = false;  // guarded by the writer's mutex
  std::unique_ptr<SegmentSink> sink;
  uint64_t locals = 0;  // bytes of local sections at the start of `sink`
  std::string central;  // the segment's central directory (offsets from the segment start)
  std::optional<Error> error;
};

// Compresses segment `s` with its own libarchive writer, then splits its output into local
// sections and central directory using the segment's end record.
void compress_segment(Segment& s, const std::vector<ZipEntry>& entries,
                      const std::vector<SourceInfo>& infos, int64_t mtime,
                      const std::string& out_name, std::atomic<uint64_t>& done) {
  s.sink = std::make_unique<SegmentSink>(out_name + ".part.XXXXXX");
  auto failed = [&](Error e) { s.error = std::move(e); };
  std::unique_ptr<struct archive, ArchiveDeleter> a(archive_write_new());
  if (!a) return failed(Error{"cannot write " + out_name + ": out of memory", {}});
  if (!configure_zip(a.get()) ||
      archive_write_open2(a.get(), s.sink.get(), nullptr, sink_write, nullptr, nullptr) !=
          ARCHIVE_OK) {
    return failed(Error{"cannot write " + out_name + ": " + archive_error(a.get()), {}});
  }
  std::unique_ptr<char[]> buf(new char[kChunk]);
  std::unique_ptr<struct archive_entry, EntryDeleter> entry(archive_entry_new());
  for (size_t i = s.begin; i < s.end; ++i) {
    auto w = write_one(a.get(), entry.get(), entries[i], infos[i], mtime, buf.get(), out_name,
                       &done);
    if (!w) {
      archive_write_fail(a.get());
      return failed(w.error());
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    return failed(Error{"cannot write " + out_name + ": " + archive_error(a.get()), {}});
  }
  const uint64_t total = s.sink->size();
  auto bad = [&](const std::string& why) {
    failed(Error{"cannot write " + out_name + ": unexpected libarchive output (" + why + ")", {}});
  };
  if (total < kEndFixed) return bad("short");
  auto end = s.sink->read(total - kEndFixed, kEndFixed);
  if (!end) return failed(Error{"cannot write " + out_name + ": " + end.error().message, {}});
  const uint64_t cd_size = le32(end->data() + 12), cd_offset = le32(end->data() + 16);
  if (le32(end->data()) != kEndSig || le16(end->data() + 10) != s.end - s.begin ||
      cd_offset + cd_size + kEndFixed != total) {
    return bad("end record");
  }
  auto central = s.sink->read(cd_offset, cd_size);
  if (!central) {
    return failed(Error{"cannot write " + out_name + ": " + central.error().message, {}});
  }
  s.central = *std::move(central);
  s.locals = cd_offset;
}

// The end of the central directory: libarchive's zip64 end record and locator when the
// count does not fit 16 bits (APPNOTE 4.3.14, 4.3.15; the same fields libarchive writes),
// then the classic end record.
std::string end_records(uint64_t entries, uint64_t cd_offset, uint64_t cd_size) {
  std::string s;
  const uint64_t cd_end = cd_offset + cd_size;
  if (entries > 0xffff || cd_offset > k4GiB || cd_end > k4GiB) {
    put_le(s, 0x06064b50, 4);
    put_le(s, 44, 8);
    put_le(s, 45, 2);
    put_le(s, 45, 2);
    put_le(s, 0, 4);
    put_le(s, 0, 4);
    put_le(s, entries, 8);
    put_le(s, entries, 8);
    put_le(s, cd_size, 8);
    put_le(s, cd_offset, 8);
    put_le(s, 0x07064b50, 4);
    put_le(s, 0, 4);
    put_le(s, cd_end, 8);
    put_le(s, 1, 4);
  }
  put_le(s, kEndSig, 4);
  put_le(s, 0, 4);
  put_le(s, std::min<uint64_t>(entries, 0xffff), 2);
  put_le(s, std::min<uint64_t>(entries, 0xffff), 2);
  put_le(s, std::min<uint64_t>(cd_size, k4GiB), 4);
  put_le(s, std::min<uint64_t>(cd_offset, k4GiB), 4);
  put_le(s, 0, 2);
  return s;
}

// Reports progress on the calling thread: increasing values below `total` while writing;
// `finish` makes the one final call with done == total.
class Progress {
 public:
  Progress(const ZipOptions& o, uint64_t total) : fn_(o.progress), total_(total) {}
  void update(uint64_t done) {
    if (fn_ && done > last_ && done < total_) {
      last_ = done;
      fn_(done, total_);
    }
  }
  void finish() {
    if (fn_) fn_(total_, total_);
  }

 private:
  const std::function<void(uint64_t, uint64_t)>& fn_;
  uint64_t total_;
  uint64_t last_ = 0;
};

// The single-threaded path: libarchive writes every entry straight into `fd`.
Result<void> write_direct(int fd, const std::vector<ZipEntry>& entries,
                          const std::vector<SourceInfo>& infos, int64_t mtime,
                          const std::string& out_name, Progress& progress) {
  std::unique_ptr<struct archive, ArchiveDeleter> a(archive_write_new());
  if (!a) return fail("cannot write " + out_name + ": out of memory");
  if (!configure_zip(a.get()) || archive_write_open_fd(a.get(), fd) != ARCHIVE_OK) {
    return fail("cannot write " + out_name + ": " + archive_error(a.get()));
  }
  std::unique_ptr<char[]> buf(new char[kChunk]);
  std::unique_ptr<struct archive_entry, EntryDeleter> entry(archive_entry_new());
  uint64_t done = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    auto w = write_one(a.get(), entry.get(), entries[i], infos[i], mtime, buf.get(), out_name,
                       nullptr);
    if (!w) {
      archive_write_fail(a.get());
      return w;
    }
    done += infos[i].size;
    progress.update(done);
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    return fail("cannot write " + out_name + ": " + archive_error(a.get()));
  }
  return {};
}

// Rebases the central records in `central` (offsets relative to a segment) by `base`, appends
// them to `cd` and, when `layout` is given, records where each entry landed; `locals_end` is
// the absolute end of the segment's local sections.
Result<void> append_central(std::string_view central, uint64_t base, uint64_t locals_end,
                            std::string& cd, std::vector<ZipEntryLayout>* layout,
                            const std::string& out_name) {
  size_t first = layout ? layout->size() : 0;
  for (size_t p = 0; p < central.size();) {
    size_t len = central_record_size(central.data() + p, central.size() - p);
    if (len == 0) {
      return fail("cannot write " + out_name + ": unexpected libarchive output (central record)");
    }
    const uint64_t at = base + le32(central.data() + p + 42);
    if (at >= k4GiB) return fail("cannot write " + out_name + ": offset beyond 4 GiB");
    const size_t rec = cd.size();
    cd.append(central.substr(p, len));
    set32(cd.data() + rec + 42, static_cast<uint32_t>(at));
    if (layout) {
      layout->push_back({std::string(central.substr(p + kCentralFixed, le16(central.data() + p + 28))),
                         at, 0, cd.substr(rec, len)});
    }
    p += len;
  }
  if (layout) {
    for (size_t i = first; i < layout->size(); ++i) {
      uint64_t next = i + 1 < layout->size() ? (*layout)[i + 1].offset : locals_end;
      (*layout)[i].length = next - (*layout)[i].offset;
    }
  }
  return {};
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

Result<std::shared_ptr<const ZipSourceFile>> ZipSourceFile::open(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail("cannot read " + path.string() + ": " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return fail("cannot read " + path.string() + ": " + errno_text(e));
  }
  return std::shared_ptr<const ZipSourceFile>(
      new ZipSourceFile(fd, static_cast<uint64_t>(st.st_size)));
}

ZipSourceFile::~ZipSourceFile() { ::close(fd_); }

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
  const int64_t mtime = std::max<int64_t>(options.mtime, kDosEpoch);

  // The stat pass: sizes (for progress, segmenting and the 4 GiB decision), modes, and which
  // prebuilt entries fit.
  std::vector<SourceInfo> infos(entries.size());
  uint64_t total_bytes = 0, worst_case = kEndFixed;
  size_t prebuilt = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string src = entries[i].source.string();
    struct stat st {};
    if (::stat(src.c_str(), &st) != 0) return fail(src + ": cannot read: " + errno_text(errno));
    if (!S_ISREG(st.st_mode)) return fail(src + ": not a regular file");
    infos[i].size = static_cast<uint64_t>(st.st_size);
    infos[i].perm = (st.st_mode & 0111) ? 0755 : 0644;
    total_bytes += infos[i].size;
    if (entries[i].prebuilt && !prebuilt_fits(*entries[i].prebuilt, entries[i], infos[i], mtime)) {
      entries[i].prebuilt = nullptr;
    }
    const bool data = entries[i].prebuilt && entries[i].prebuilt->kind == ZipPrebuilt::Kind::kData;
    worst_case += (data ? entries[i].prebuilt->length : infos[i].size + infos[i].size / 64) + 256 +
                  2 * entries[i].path.size();
    if (entries[i].prebuilt) ++prebuilt;
  }
  unsigned threads = options.threads ? options.threads : std::thread::hardware_concurrency();
  threads = std::max(threads, 1u);
  const bool too_big = worst_case >= k4GiB;
  const bool direct = too_big || (threads == 1 && prebuilt == 0 && !options.record_layout);

  const std::string out_name = out.string();
  std::string tmpl = out_name + ".tmp.XXXXXX";
  FdCloser fd{::mkstemp(tmpl.data())};
  if (fd.fd < 0) return fail("cannot write " + out_name + ": " + errno_text(errno));
  const std::string tmp = tmpl;
  auto cleanup = [&](Error err) -> Result<ZipSummary> {
    ::unlink(tmp.c_str());
    return std::unexpected(std::move(err));
  };

  ZipSummary summary;
  Progress progress(options, total_bytes);
  if (direct) {
    UtcScope utc;
    if (auto w = write_direct(fd.fd, entries, infos, mtime, out_name, progress); !w) {
      return cleanup(w.error());
    }
  } else {
    // Segments: runs of prebuilt entries are spliced; the rest is cut by size and count.
    std::vector<Segment> segments;
    for (size_t i = 0; i < entries.size();) {
      Segment s;
      s.begin = i;
      s.splice = entries[i].prebuilt != nullptr;
      uint64_t bytes = 0;
      while (i < entries.size() && (entries[i].prebuilt != nullptr) == s.splice &&
             (s.splice || (bytes < kSegmentBytes && i - s.begin < kSegmentEntries))) {
        bytes += infos[i].size;
        ++i;
      }
      s.end = i;
      segments.push_back(std::move(s));
    }
    const size_t to_compress = static_cast<size_t>(
        std::count_if(segments.begin(), segments.end(), [](const Segment& s) { return !s.splice; }));
    const size_t workers_wanted = std::min<size_t>(threads, to_compress);
    const size_t window = std::max<size_t>(workers_wanted, 1) * kSegmentsPerWorker;

    std::mutex mu;
    std::condition_variable work_cv, done_cv;
    size_t next_claim = 0, appended = 0;
    bool abort = false;
    std::atomic<uint64_t> done_bytes{0};
    // Claims the next segment to compress within the window, or returns false when there is
    // none left (or the write was abandoned). Called with `mu` held.
    auto claim = [&](std::unique_lock<std::mutex>& lk, size_t& got, bool wait) {
      for (;;) {
        while (next_claim < segments.size() && segments[next_claim].splice) ++next_claim;
        if (abort || next_claim >= segments.size()) return false;
        if (next_claim < appended + window) {
          got = next_claim++;
          return true;
        }
        if (!wait) return false;
        work_cv.wait(lk);
      }
    };
    auto work = [&] {
      std::unique_lock<std::mutex> lk(mu);
      size_t i = 0;
      while (claim(lk, i, true)) {
        lk.unlock();
        compress_segment(segments[i], entries, infos, mtime, out_name, done_bytes);
        lk.lock();
        segments[i].done = true;
        done_cv.notify_all();
      }
    };

    std::optional<Error> error;
    uint64_t pos = 0, spliced_bytes = 0;
    std::string cd;
    {
      UtcScope utc;  // once, around every worker (see the trap in the header)
      std::vector<std::thread> workers;
      for (size_t t = 0; t < workers_wanted; ++t) {
        try {
          workers.emplace_back(work);
        } catch (const std::system_error&) {
          break;  // fewer threads; with none, this thread compresses (below)
        }
      }
      std::vector<ZipEntryLayout>* layout = options.record_layout ? &summary.layout : nullptr;
      for (size_t i = 0; i < segments.size() && !error; ++i) {
        Segment& s = segments[i];
        if (!s.splice) {
          std::unique_lock<std::mutex> lk(mu);
          size_t mine = 0;
          if (workers.empty() && claim(lk, mine, false)) {
            lk.unlock();
            compress_segment(segments[mine], entries, infos, mtime, out_name, done_bytes);
            lk.lock();
            segments[mine].done = true;
          }
          while (!s.done) {
            done_cv.wait_for(lk, std::chrono::milliseconds(100));
            lk.unlock();
            progress.update(done_bytes.load() + spliced_bytes);
            lk.lock();
          }
          lk.unlock();
          if (s.error) {
            error = std::move(s.error);
            break;
          }
          if (auto w = s.sink->copy_to(fd.fd, s.locals); !w) {
            error = Error{"cannot write " + out_name + ": " + w.error().message, {}};
            break;
          }
          if (auto c = append_central(s.central, pos, pos + s.locals, cd, layout, out_name); !c) {
            error = c.error();
            break;
          }
          pos += s.locals;
        } else {
          // Entries that lie back to back in one file (a cached wheel's, in path order) are
          // copied with one range per run instead of one per entry; verbatim members get their
          // headers around their data. Small pieces are gathered in `out` and written together.
          SpliceOutput out(fd.fd);
          const ZipPrebuilt* run = nullptr;
          uint64_t run_length = 0;
          auto flush_run = [&]() -> Result<void> {
            if (run == nullptr || run_length == 0) return {};
            auto w = out.range(run->file->fd(), run->offset, run_length);
            run = nullptr;
            run_length = 0;
            return w;
          };
          for (size_t e = s.begin; e < s.end && !error; ++e) {
            const ZipPrebuilt& p = *entries[e].prebuilt;
            Result<void> w;
            std::string central;
            uint64_t length = 0;
            if (p.kind == ZipPrebuilt::Kind::kEntry) {
              if (run != nullptr && (run->file != p.file || run->offset + run_length != p.offset)) {
                w = flush_run();
              }
              if (run == nullptr) run = &p;
              run_length += p.length;
              central = p.central;
              set32(central.data() + 42, 0);
              length = p.length;
              ++summary.reused;
            } else {
              VerbatimHeaders h = verbatim_headers(entries[e].path, infos[e], p, mtime);
              w = flush_run();
              if (w) w = out.bytes(h.local);
              if (w) w = out.range(p.file->fd(), p.offset, p.length);
              if (w) w = out.bytes(h.descriptor);
              central = std::move(h.central);
              length = h.local.size() + p.length + h.descriptor.size();
              ++summary.verbatim;
            }
            if (!w) {
              error = Error{"cannot write " + out_name + ": " + w.error().message, {}};
              break;
            }
            if (auto c = append_central(central, pos, pos + length, cd, layout, out_name); !c) {
              error = c.error();
              break;
            }
            pos += length;
            spliced_bytes += infos[e].size;
          }
          if (!error) {
            Result<void> w = flush_run();
            if (w) w = out.flush();
            if (!w) error = Error{"cannot write " + out_name + ": " + w.error().message, {}};
          }
        }
        // Free the segment's buffers and spill file (workers never look at a done segment).
        s.sink.reset();
        std::string().swap(s.central);
        {
          std::lock_guard<std::mutex> lk(mu);
          appended = i + 1;
          if (error) abort = true;
        }
        work_cv.notify_all();
        progress.update(done_bytes.load() + spliced_bytes);
      }
      {
        std::lock_guard<std::mutex> lk(mu);
        abort = true;
      }
      work_cv.notify_all();
      for (auto& t : workers) t.join();
    }
    if (error) return cleanup(*std::move(error));
    std::string tail = cd + end_records(entries.size(), pos, cd.size());
    if (auto w = write_all(fd.fd, tail.data(), tail.size()); !w) {
      return cleanup(Error{"cannot write " + out_name + ": " + w.error().message, {}});
    }
  }
  progress.finish();
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
  summary.entries = entries.size();
  summary.uncompressed_bytes = total_bytes;
  summary.zip_bytes = static_cast<uint64_t>(st.st_size);
  summary.sha256 = *std::move(digest);
  return summary;
}

}  // namespace funcpack
