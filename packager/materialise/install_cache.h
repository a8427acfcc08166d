// install_cache.h: reuse of installed wheels, and of their compressed zip entries, across
// builds (issue 5: "a second build with unchanged inputs ... no re-unpack of unchanged wheels,
// much faster").
//
// Owns the on-disk layout under the cache root (io/cache.h's root, --cache-dir):
//   ROOT/installed-v1/HEX/manifest     what install_wheel() returned for the wheel whose
//                                      sha256 is HEX, and every installed file's size and
//                                      sha256 (text, see install_cache.cc)
//   ROOT/installed-v1/HEX/tree/...     the installed files (site-packages relative), as
//                                      install_wheel() wrote them (RECORD, INSTALLER included)
//   ROOT/installed-v1/HEX/zip-MTIME    the zip entries of those files as write_zip() wrote
//                                      them under ARCHIVE_PREFIX with that mtime: an index
//                                      (path, offset, length, central record), the sha256 of
//                                      the data, then the data (local headers + compressed
//                                      bytes + descriptors). One set per wheel (the last mtime).
// "v1" is the format version: a change of layout, of install_wheel's output or of the zip
// writer's compression settings must bump it (old entries are then simply never read).
//
// Warm build: `install` hardlinks the cached tree into the staging site-packages (copies when
// the staging directory is on another file system) instead of unpacking the wheel, and
// `attach` lets write_zip splice each cached entry's bytes instead of compressing them; so a
// warm build reads and hashes, but neither inflates nor deflates.
//
// Safety:
//  - Every hit is verified before use: the manifest parses and names this wheel's sha256;
//    every tree file is still the one the entry was made with, judged as git's index does by
//    its stamp (regular file, size, inode, mtime in ns; a file written in the same clock
//    tick as the manifest is also hashed against its recorded sha256), so a file edited,
//    truncated, replaced or removed in the cache is caught without re-reading 100 MB on every
//    build (the sha256s were checked against RECORD when the entry was made; silent media
//    corruption that keeps the stamp is not detected); and a zip set's data, which goes into
//    the zip verbatim, matches its recorded sha256 (read through one open descriptor, which
//    write_zip then reads from, so a concurrent replacement cannot mix two versions). A corrupt tree entry is moved aside, removed and
//    rebuilt from the wheel (counted in stats().rebuilt); a corrupt zip set is ignored and
//    rewritten by `remember`.
//  - Writes are atomic: a tree entry is built in ROOT/installed-v1/.tmp-HEX.XXXXXX and renamed
//    to HEX; a zip set is written to a temporary file and renamed over zip-MTIME.
//  - Two funcpack processes may share the cache: when both build the same entry, the second
//    rename fails (the directory exists), the loser discards its copy and uses (and verifies)
//    the winner's. Readers hold descriptors, so a replacement or removal never tears a read.
//  - The cache is an optimisation: when ROOT cannot be created or written, `install` falls
//    back to install_wheel() straight into site-packages, and `remember` reports an Error the
//    caller may ignore.
// Trust: the caller promises that `wheel`'s sha256 is `sha256` (cmd_build checks it against
// the lock before installing). Cached files are hardlinked into staging, so staging must be
// treated as read-only (nothing in funcpack writes into an installed tree afterwards).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "materialise/wheel_install.h"
#include "materialise/zip_writer.h"

namespace funcpack {

struct InstallCacheStats {
  size_t reused = 0;       // wheels whose cached tree was linked into site-packages
  size_t unpacked = 0;     // wheels unpacked by install_wheel (misses and rebuilt entries)
  size_t rebuilt = 0;      // corrupt tree entries found, removed and rebuilt (also unpacked)
  size_t zip_reused = 0;   // wheels whose cached zip entries were offered to write_zip
  size_t zip_stored = 0;   // wheels whose zip entries `remember` stored
};

class InstallCache {
 public:
  // `cache_root`: the cache directory (entries go under cache_root/installed-v1);
  // `archive_prefix`: where site-packages sits inside the zip (".python_packages/lib/...");
  // `mtime`: the zip's timestamp (ZipOptions::mtime), which zip sets are keyed by.
  InstallCache(std::filesystem::path cache_root, std::string archive_prefix, int64_t mtime);

  // Installs the wheel at `wheel` (sha256 `sha256`, lowercase hex, verified by the caller)
  // into `site_packages`, from the cache when a verified entry exists, else by unpacking it
  // into a new cache entry first. Returns what install_wheel() returns for the wheel, or its
  // Error ("<wheel file name>: <problem>"), including "<wheel file name>: 'PATH' is already
  // installed in SITE (two distributions ship the same file)" on a clash.
  Result<InstalledWheel> install(const std::filesystem::path& wheel, std::string_view sha256,
                                 const std::filesystem::path& site_packages);

  // Sets ZipEntry::prebuilt on every entry whose bytes a verified zip set holds (entries are
  // matched by archive path; write_zip still checks each one and compresses what does not fit).
  void attach(std::vector<ZipEntry>& entries) const;

  // After write_zip(..., record_layout = true) wrote `zip`: stores the zip set of every wheel
  // installed through `install` that had none for this mtime. Returns how many were stored,
  // or an Error "cannot write PATH: reason" (the zip itself is fine either way).
  Result<size_t> remember(const std::filesystem::path& zip, const ZipSummary& summary);

  const InstallCacheStats& stats() const { return stats_; }

 private:
  struct Installed {
    std::string sha256;
    std::vector<std::string> files;
    bool has_zip_set = false;
  };
  std::filesystem::path root_;
  std::string prefix_;
  int64_t mtime_;
  InstallCacheStats stats_;
  std::vector<Installed> installed_;
  std::map<std::string, std::shared_ptr<const ZipPrebuilt>, std::less<>> prebuilt_;
};

}  // namespace funcpack
