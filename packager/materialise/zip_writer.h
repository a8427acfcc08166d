// zip_writer.h: the reproducible deployment zip (the artifact of `funcpack build`).
//
// Owns: turning a list of (archive path, source file) pairs into a zip file (PKWARE APPNOTE
// format, written by libarchive) whose bytes depend only on the paths and the file contents.
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
//    (.so) are deflated: ELF text and tables compress well;
//  - names: UTF-8 bytes as given; libarchive sets the language-encoding flag (bit 11) on
//    entries whose name is not plain ASCII (the flag is a function of the name alone).
//
// Trap (libarchive): DOS date/time fields are computed with localtime_r(), so the same mtime
// gives different bytes under a different TZ. `write_zip` therefore sets TZ=UTC0 for the
// duration of the write and restores the previous value afterwards. The process must not
// be using localtime() from another thread meanwhile (funcpack is single-threaded there).
//
// Contract: streaming (each file is read in 64 KiB chunks; memory does not grow with the
// tree). The zip is written to `<out>.tmp.XXXXXX` beside `out`, fsynced and renamed over
// `out`; on any failure the temporary file is removed and `out` is untouched.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace funcpack {

struct ZipEntry {
  std::string path;                 // inside the archive: relative, '/'-separated
  std::filesystem::path source;     // a regular file (a symlink to one is followed)
};

struct ZipOptions {
  int64_t mtime = 315532800;  // seconds since the epoch; 1980-01-01 00:00:00 UTC
};

struct ZipSummary {
  size_t entries = 0;
  uint64_t uncompressed_bytes = 0;  // sum of the entries' sizes
  uint64_t zip_bytes = 0;           // size of the written zip
  std::string sha256;               // of the written zip, lowercase hex
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
