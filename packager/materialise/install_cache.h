// install_cache.h: reuse of installed wheels, and of their compressed zip entries, across
// builds (issue 5: "a second build with unchanged inputs ... no re-unpack of unchanged wheels,
// much faster").
//
// Owns the on-disk layout under the cache root (io/cache.h's root, --cache-dir):
//   ROOT/installed-v1/HEX/manifest     what install_wheel() returned for the wheel whose
//                                      sha256 is HEX: every installed file's size and
//                                      sha256, and where the compressed bytes of the files
//                                      that are members verbatim are in the wheel (text,
//                                      see install_cache.cc)
//   ROOT/installed-v1/HEX/tree/...     the installed files (site-packages relative), as
//                                      install_wheel() wrote them (RECORD, INSTALLER included)
//   ROOT/installed-v1/HEX/zip-MTIME    the zip entries of the files that are not verbatim
//                                      members (RECORD, INSTALLER, rewritten scripts) as
//                                      write_zip() wrote them under ARCHIVE_PREFIX with that
//                                      mtime: an index (path, offset, length, central record),
//                                      the sha256 of the data, then the data (local headers +
//                                      compressed bytes + descriptors). One set per wheel (the
//                                      last mtime). The verbatim members' bytes are not copied
//                                      here: the wheel holds them, and every build has it.
// Format versions: "v1" in the directory name versions the directory layout above; the
// manifest's first line ("funcpack-installed 3") versions what an entry holds: a change of
// the manifest, of install_wheel's output or of the zip bytes written for an installed wheel
// (the zip writer's compression settings, verbatim copying) must bump it. An entry whose
// manifest has another version is treated as corrupt: moved aside and rebuilt (counted in
// stats().rebuilt), so a cache written by an older funcpack costs one rebuild per wheel.
// Version 3 (verbatim members) records where each verbatim file's compressed bytes are. The
// zip set's first line versions its own format ("funcpack-zip-entries v2": only the entries
// that are not verbatim); a set of another version is ignored and rewritten.
//
// Cold build: `install` unpacks the wheel into a new entry (install_wheel inflates and
// checks every member), and `attach` offers write_zip each verbatim file's compressed bytes
// in the wheel (ZipPrebuilt kind kData, read through the wheel's descriptor that
// install_wheel checked), so nothing a wheel ships unchanged is compressed again.
//
// Warm build: `install` hardlinks the cached tree into the staging site-packages (copies when
// the staging directory is on another file system) instead of unpacking the wheel, and
// `attach` lets write_zip splice the zip set's entries and copy the verbatim files' bytes from
// the wheel (located by the manifest, the wheel checked by sha256 through the descriptor
// write_zip reads) instead of compressing them; so a warm build reads and hashes, but neither
// inflates nor deflates. Without a zip set for this mtime (first build with another
// SOURCE_DATE_EPOCH, or the set was damaged) only the few files that are not verbatim are
// compressed again.
//
// Same bytes either way: a verbatim file's entry is made from the wheel's bytes whether the
// build is cold, warm, or without the cache (--no-cache, `install_uncached`): only the wheel's
// bytes decide it. The files that are not verbatim (RECORD, INSTALLER, rewritten scripts) are
// compressed by libarchive on a cold build and spliced from the zip set on a warm one.
//
// Safety:
//  - Every hit is verified before use: the manifest parses and names this wheel's sha256;
//    every tree file is still the one the entry was made with, judged as git's index does by
//    its stamp (regular file, size, inode, mtime in ns; a file written in the same clock
//    tick as the manifest is also hashed against its recorded sha256), so a file edited,
//    truncated, replaced or removed in the cache is caught without re-reading 100 MB on every
//    build (the sha256s were checked against RECORD when the entry was made; silent media
//    corruption that keeps the stamp is not detected); a zip set's data, which goes into the
//    zip verbatim, matches its recorded sha256, and so does the wheel the verbatim members
//    are copied from (each read through one open descriptor, which write_zip then reads from,
//    so a concurrent replacement cannot mix two versions). A corrupt tree entry is moved
//    aside, removed and rebuilt from the wheel (counted in stats().rebuilt); a corrupt zip set
//    is ignored and rewritten by `remember`.
//  - Writes are atomic: a tree entry is built in ROOT/installed-v1/.tmp-HEX.XXXXXX and renamed
//    to HEX; a zip set is written to a temporary file and renamed over zip-MTIME.
//  - Two funcpack processes may share the cache: when both build the same entry, the second
//    rename fails (the directory exists), the loser discards its copy and uses (and verifies)
//    the winner's. Readers hold descriptors, so a replacement or removal never tears a read.
//  - The cache is an optimisation: when ROOT cannot be created or written, `install` falls
//    back to install_wheel() straight into site-packages, and `remember` reports an Error the
//    caller may ignore. An empty cache root (--no-cache) does the same without trying.
// Trust: the caller promises that `wheel`'s sha256 is `sha256` (cmd_build checks it against
// the lock before installing). Cached files are hardlinked into staging, so staging must be
// treated as read-only (nothing in funcpack writes into an installed tree afterwards). A
// manifest's verbatim offsets are trusted as its sha256s are: funcpack wrote them from a
// checked install of the wheel with that sha256, and they are used only with a wheel whose
// sha256 is checked again through the descriptor that is read.
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
  size_t verbatim = 0;     // wheels whose verbatim files were offered from the wheel itself
};

class InstallCache {
 public:
  // `cache_root`: the cache directory (entries go under cache_root/installed-v1), or empty
  // for none (every install is `install_uncached`, `remember` stores nothing);
  // `archive_prefix`: where site-packages sits inside the zip (".python_packages/lib/...");
  // `mtime`: the zip's timestamp (ZipOptions::mtime), which zip sets are keyed by.
  InstallCache(std::filesystem::path cache_root, std::string archive_prefix, int64_t mtime);

  // True when there is a cache root (entries are stored and reused).
  bool enabled() const { return !root_.empty(); }

  // Installs the wheel at `wheel` (sha256 `sha256`, lowercase hex, verified by the caller)
  // into `site_packages`, from the cache when a verified entry exists, else by unpacking it
  // into a new cache entry first. Returns what install_wheel() returns for the wheel, or its
  // Error ("<wheel file name>: <problem>"), including "<wheel file name>: 'PATH' is already
  // installed in SITE (two distributions ship the same file)" on a clash.
  Result<InstalledWheel> install(const std::filesystem::path& wheel, std::string_view sha256,
                                 const std::filesystem::path& site_packages);

  // Installs `wheel` with install_wheel() straight into `site_packages`, storing nothing (for
  // wheels whose sha256 the lock does not pin, such as ones built from sdists). Returns what
  // install_wheel() returns; its verbatim files are offered by `attach` like the others.
  Result<InstalledWheel> install_uncached(const std::filesystem::path& wheel,
                                          const std::filesystem::path& site_packages);

  // Sets ZipEntry::prebuilt on every entry whose bytes a verified zip set holds, and on every
  // verbatim file of an installed wheel (its compressed bytes in the wheel). Entries are
  // matched by archive path; write_zip still checks each one and compresses what does not
  // fit. Returns how many of them came from a cache hit (a cached tree's zip set or manifest:
  // what `-v` reports as reused).
  size_t attach(std::vector<ZipEntry>& entries) const;

  // After write_zip(..., record_layout = true) wrote `zip`: stores the zip set of every wheel
  // installed through `install` that had none for this mtime. Returns how many were stored,
  // or an Error "cannot write PATH: reason" (the zip itself is fine either way).
  Result<size_t> remember(const std::filesystem::path& zip, const ZipSummary& summary);

  const InstallCacheStats& stats() const { return stats_; }

 private:
  // Adds a kData prebuilt for each of `w`'s verbatim files, reading from `file`.
  void offer_verbatim(const InstalledWheel& w, const std::shared_ptr<const ZipSourceFile>& file,
                      bool from_cache);
  static std::vector<std::string> zip_set_files(const InstalledWheel& w);
  struct Offer {
    std::shared_ptr<const ZipPrebuilt> bytes;
    bool from_cache = false;  // made from a cache hit
  };
  struct Installed {
    std::string sha256;
    std::vector<std::string> files;  // those a zip set holds (see zip_set_files)
    bool has_zip_set = false;
  };
  std::filesystem::path root_;
  std::string prefix_;
  int64_t mtime_;
  InstallCacheStats stats_;
  std::vector<Installed> installed_;
  std::map<std::string, Offer, std::less<>> prebuilt_;
};

}  // namespace funcpack
