// zip_writer.h: the reproducible deployment zip (the artifact of `funcpack build`).
//
// Owns: turning a list of (archive path, source file) pairs into a zip file (PKWARE APPNOTE
// format, written by libarchive) whose bytes depend only on the paths, the file contents and
// the compressed bytes of the wheel members copied verbatim (see "Verbatim members").
//
// What is fixed, whatever the host, the clock or the file system:
//  - entry order: sorted by archive path (byte order), one entry per regular file; directory
//    entries are not written (unzip and Python's zipfile create parents as needed; empty
//    directories are therefore not carried);
//  - every timestamp: `ZipOptions::mtime` (see `zip_mtime_from_env`: SOURCE_DATE_EPOCH if
//    set, else 1980-01-01 00:00:00 UTC, the earliest DOS date). Times before 1980 are clamped
//    to 1980-01-01; atime/ctime/birthtime are never written;
//  - modes: 0755 when the source has any execute bit, else 0644; uid/gid 0, no user/group
//    names; the "version made by" is Unix;
//  - extra fields: libarchive 3.6 always writes an extended-timestamp field (UT, 0x5455) with
//    the mtime and an Info-ZIP Unix field (ux, 0x7875) with uid/gid. There is no option to
//    omit them, so they are made deterministic instead: mtime is ours, uid/gid are 0. No zip64
//    field is written below 4 GiB per entry (sizes are given to libarchive up front);
//  - compression: raw deflate at zlib's default level, except files whose contents are
//    already compressed, which are stored (see `zip_stores_uncompressed`). Shared objects
//    (.so) are deflated: ELF text and tables compress well. A verbatim member keeps its
//    wheel's method and compressed bytes instead (below);
//  - names: UTF-8 bytes as given; libarchive sets the language-encoding flag (bit 11) on
//    entries whose name is not plain ASCII (the flag is a function of the name alone).
//
// Trap (libarchive): DOS date/time fields are computed with localtime_r(), so the same mtime
// gives different bytes under a different TZ. `write_zip` therefore sets TZ=UTC0 (and calls
// tzset) once on the calling thread before any worker starts, and restores the previous value
// after every worker has been joined; workers never touch TZ. The process must not call
// setenv/localtime() from another thread meanwhile.
//
// Parallel, deterministic compression (decision). The sorted entries are cut into contiguous
// segments (about 1 MiB of input or 256 entries each; a big file is a segment of its own).
// Worker threads (ZipOptions::threads, default all cores) each write a segment with their
// OWN libarchive zip writer into a segment buffer. A zip member's local header, data and data
// descriptor do not depend on where the member sits in the file (only the central directory
// holds offsets), so the calling thread appends the segments' local sections to the output in
// order, takes each segment's central directory records (parsed from the segment's own end
// record, APPNOTE 4.3.12/4.3.16), adds the segment's position to each record's "relative
// offset of local header" field, and writes one central directory and end record (plus the
// zip64 end record and locator when there are more than 65,535 entries, exactly as libarchive
// writes them). The bytes are therefore the same for any thread count and any segmentation,
// and the same as libarchive writing all entries in one stream (the single-threaded "direct"
// path, used when threads == 1 and nothing is prebuilt and no layout is requested); tests
// compare them byte for byte.
//
// Size limit: the spliced central directory has no zip64 extra fields, so the segment path is
// only taken when the worst-case zip size (sizes + 1/64 deflate overhead + headers; a
// verbatim member's own compressed length) stays below 4 GiB. Above that the direct path is used whatever the options (libarchive then writes zip64
// records itself; serial; no reuse, no layout); the choice depends only on the inputs, so the
// output is still the same for every thread count.
//
// Memory bound: at most 4 segments per worker are in flight (written by a worker, not yet
// appended); a segment's buffer holds at most 2 MiB in memory and spills the rest to an
// unlinked temporary file beside the output. Files are read in 64 KiB chunks. So memory is
// about threads x (4 x 2 MiB + zlib state), whatever the package size, plus the central
// directory (~100 bytes per entry, as libarchive itself keeps).
//
// Reuse (ZipPrebuilt, kind kEntry): an entry may carry the bytes an earlier write produced for
// it (its local section and central record, as returned in ZipSummary::layout). Those bytes
// are copied instead of compressed (copy_file_range). The writer checks what it can cheaply:
// signatures, name, uncompressed size, mode, mtime (UT field) and compression method (stored
// or deflate: either can be right, as a verbatim member keeps its wheel's); a prebuilt that
// does not fit is ignored (the entry is compressed). That the data matches the source
// file's CONTENT is the caller's promise (install_cache.h verifies it by sha256).
//
// Verbatim members (ZipPrebuilt, kind kData; decision). An entry may instead carry only its
// compressed data: a byte range of another zip (a wheel) holding the member's stored bytes or
// raw deflate stream, with its method (0 or 8) and CRC-32. The writer then writes the local
// header, data descriptor and central record itself, field for field as libarchive 3.6 writes
// them for a regular file of that name, size, mode and mtime: version needed 20 (deflate) or
// 10 (stored), flags bit 3 (sizes after the data) plus bit 11 for a non-ASCII name, the
// local header's CRC-32 0 and compressed size 0 for deflate (the size for stored), the UT and
// ux fields above in both headers, a 16-byte signed data descriptor, "made by" 3.x (Unix),
// external attributes the mode. Such an entry therefore differs from one libarchive would
// write only in its compressed bytes and method; the tests splice libarchive's own output
// this way and get the same bytes back. It is taken only for a member of at most
// 0xF0000000 bytes (above that libarchive would add Zip64 fields), stored data as long as the
// source, and a range inside the file; otherwise the entry is compressed as usual. That the
// range inflates to the source's CONTENT with that CRC-32 is the caller's promise
// (wheel_install.h inflates exactly those bytes, checks them against RECORD and installs the
// result as the source). The DOS time is computed here from the UTC calendar (the same
// fields libarchive computes under TZ=UTC0), so this path never reads TZ.
//
// Why a raw path beside libarchive, and why our own header code rather than libzip or
// minizip: libarchive cannot write a member whose data is already compressed
// (archive_write_data always stores or compresses what it is given), and recompressing is
// what made cold builds slow (zlib deflates ~27 MB/s; copying is I/O bound). Another
// library would write its own header layout, so the zip would mix two writers' conventions
// and need a second set of reproducibility rules; formatting libarchive's layout here is
// about 60 lines, already needed for the spliced central directory, and is tested byte for
// byte against libarchive. libarchive still writes everything else: app files, RECORD,
// INSTALLER, rewritten scripts, members that cannot be copied, container contexts.
//
// Contract: streaming (memory as above). The zip is written to `<out>.tmp.XXXXXX` beside
// `out`, fsynced and renamed over `out`; on any failure the temporary file is removed and
// `out` is untouched. Sources are stat'ed before anything is compressed, so a missing or
// non-regular source is reported first (the first such in sorted order); otherwise the error
// is that of the first entry, in sorted order, whose compression failed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace funcpack {

// A read-only open file that prebuilt entries point into (kept open, so a concurrent
// rename over its path does not change what is read).
class ZipSourceFile {
 public:
  // Returns the open file, or an Error "cannot read PATH: reason".
  static Result<std::shared_ptr<const ZipSourceFile>> open(const std::filesystem::path& path);
  ~ZipSourceFile();
  ZipSourceFile(const ZipSourceFile&) = delete;
  ZipSourceFile& operator=(const ZipSourceFile&) = delete;
  int fd() const { return fd_; }
  uint64_t size() const { return size_; }

 private:
  ZipSourceFile(int fd, uint64_t size) : fd_(fd), size_(size) {}
  int fd_;
  uint64_t size_;
};

// Bytes an entry can be written from instead of compressing its source (see "Reuse" and
// "Verbatim members" above).
struct ZipPrebuilt {
  enum class Kind {
    kEntry,  // [offset, offset + length) of `file` is the whole local section (header, data,
             // data descriptor) from an earlier write_zip; `central` its central record
    kData,   // [offset, offset + length) of `file` is only the compressed data, `method`
             // (0 stored, 8 deflate) and `crc32` describe it; the writer adds the headers
  };
  std::shared_ptr<const ZipSourceFile> file;
  uint64_t offset = 0;
  uint64_t length = 0;
  std::string central;  // kEntry (any offset)
  Kind kind = Kind::kEntry;
  uint16_t method = 0;  // kData
  uint32_t crc32 = 0;   // kData
};

struct ZipEntry {
  std::string path;                 // inside the archive: relative, '/'-separated
  std::filesystem::path source;     // a regular file (a symlink to one is followed)
  std::shared_ptr<const ZipPrebuilt> prebuilt = nullptr;  // see "Reuse" above
};

struct ZipOptions {
  int64_t mtime = 315532800;  // seconds since the epoch; 1980-01-01 00:00:00 UTC
  unsigned threads = 0;       // compression threads; 0: std::thread::hardware_concurrency()
  // Called on the calling thread (never from a worker) with the bytes of entry data done so
  // far; `done` never decreases, and the last call (always made) has done == total.
  std::function<void(uint64_t done_bytes, uint64_t total_bytes)> progress = nullptr;
  bool record_layout = false;  // fill ZipSummary::layout (below the 4 GiB limit)
};

// Where an entry landed in the written zip (what a later ZipPrebuilt is made from).
struct ZipEntryLayout {
  std::string path;
  uint64_t offset = 0;   // of its local header
  uint64_t length = 0;   // local header + data + data descriptor
  std::string central;   // its central directory record, as written
};

struct ZipSummary {
  size_t entries = 0;
  uint64_t uncompressed_bytes = 0;  // sum of the entries' sizes
  uint64_t zip_bytes = 0;           // size of the written zip
  std::string sha256;               // of the written zip, lowercase hex
  size_t reused = 0;                // entries copied from a kEntry ZipPrebuilt
  size_t verbatim = 0;              // entries whose data was copied from a kData ZipPrebuilt
  std::vector<ZipEntryLayout> layout;  // sorted by path, when options.record_layout
};

// The timestamp to use: SOURCE_DATE_EPOCH when set (a decimal integer of seconds, clamped up
// to 1980-01-01), else 1980-01-01 00:00:00 UTC. Returns an Error
// "SOURCE_DATE_EPOCH: not a non-negative integer: 'VALUE'" when it is set but malformed.
Result<int64_t> zip_mtime_from_env();

// True when `path`'s extension names a format that is already compressed (.zip .whl .jar .egg
// .gz .tgz .bz2 .xz .zst .lz4 .7z .png .jpg .jpeg .gif .webp .mp3 .mp4 .woff .woff2);
// case-insensitive. Those entries are stored; all others are deflated.
bool zip_stores_uncompressed(std::string_view path);

// Writes `entries` (in any order; they are sorted here) to `out`. Returns the summary, or an
// Error: "PATH: invalid archive path" (empty, absolute, '..' or '.' or empty component,
// backslash, NUL), "PATH: duplicate archive path", "SOURCE: cannot read: reason",
// "SOURCE: not a regular file", "SOURCE: changed while being archived",
// "cannot write OUT: reason".
Result<ZipSummary> write_zip(std::vector<ZipEntry> entries, const std::filesystem::path& out,
                             const ZipOptions& options = {});

}  // namespace funcpack
