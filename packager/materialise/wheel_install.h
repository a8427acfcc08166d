// wheel_install.h: installs a wheel (PEP 427, the binary distribution format spec) into a
// target site-packages directory the way `pip install --target` lays it out, verifying
// everything before a byte is placed.
//
// Layout (pip's --target, which installs into a `home` scheme and moves it up):
//   purelib / platlib and the wheel root       -> <site-packages>/
//   <name>-<ver>.data/scripts/X                 -> <site-packages>/bin/X   ("#!python" shebangs
//                                                  become "#!/usr/bin/env python3": the runtime's
//                                                  interpreter, not the build host's)
//   <name>-<ver>.data/headers/X                 -> <site-packages>/include/python/<name>/X
//   <name>-<ver>.data/data/X                    -> <site-packages>/X
// Console-script launchers for entry points are not generated: the Functions host never runs
// them, and pip's launchers would embed the build host's interpreter path.
//
// Checks (each failure is an Error naming the wheel and the entry; nothing is installed):
//  - the filename parses (spec/wheel_filename.h) and exactly one `<name>-<ver>.dist-info/`
//    with METADATA, WHEEL and RECORD exists at the root, whose name and version agree with the
//    filename and with METADATA's Name/Version (normalised comparison);
//  - WHEEL's Wheel-Version major is 1;
//  - no absolute path, no `..` component, no backslash, no symlink or other special entry,
//    no duplicate entry;
//  - every file (except RECORD and its signatures) is listed in RECORD with a sha256 and size
//    that match the inflated bytes; every file RECORD lists exists.
// After install, `INSTALLER` ("funcpack") and a rewritten RECORD (paths relative to
// site-packages, INSTALLER hashed, RECORD itself without hash) are written in the dist-info.
//
// Reading: members are read by materialise/wheel_reader.h (stored and deflate only; a member
// whose size or CRC-32 disagrees with the central directory is an Error). The installer
// inflates each member's compressed bytes itself and checks the result against RECORD, so
// for every installed file that is a member's bytes unchanged it can say where those
// compressed bytes are (InstalledWheel::verbatim): the deployment zip copies them instead of
// compressing the file again (zip_writer.h, "Verbatim members"). Not verbatim: RECORD and
// INSTALLER written here, scripts whose shebang was rewritten, members whose compressed
// bytes do not end exactly with their deflate stream.
//
// Contract: a failing wheel leaves the target as it was. Into an existing `site_packages`,
// files are first extracted under a temporary directory inside its parent and moved into
// place only after every check passed; existing files are not overwritten: a clash is an
// Error naming the path (two distributions shipping the same file). When `site_packages` does
// not exist yet (an install cache entry, the first wheel of a build), members are extracted
// in place and the directory is removed again on failure: nothing can clash there, and it
// saves a rename per file. Modes are exact (0755 for files with an execute bit and scripts,
// else 0644) whatever the umask.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/error.h"
#include "materialise/zip_writer.h"

namespace funcpack {

// An installed file whose bytes are a wheel member's, unchanged: where the member's compressed
// bytes are in the wheel file.
struct VerbatimFile {
  std::string path;     // installed path relative to site-packages (as in InstalledWheel::files)
  uint64_t offset = 0;  // of the member's compressed data in the wheel
  uint64_t length = 0;  // compressed size
  uint16_t method = 0;  // 0 stored, 8 deflate
  uint32_t crc32 = 0;   // of the (uncompressed) bytes
  bool operator==(const VerbatimFile&) const = default;
};

struct InstalledWheel {
  std::string name;     // as in METADATA
  std::string version;  // as in METADATA
  std::string dist_info;  // "<name>-<version>.dist-info"
  std::vector<std::string> files;  // installed paths relative to site-packages, sorted
  uint64_t bytes = 0;              // total size of installed files
  std::vector<VerbatimFile> verbatim;  // sorted by path; offsets into `wheel`'s bytes
  // The wheel as it was read (kept open, so what is copied later is what was checked); null
  // when the InstalledWheel was not made from an open wheel (install_cache.h's warm path).
  std::shared_ptr<const ZipSourceFile> wheel;
  // The lowercase hex sha256 of each installed file, in `files` order.
  std::vector<std::string> sha256;
};

// Installs `wheel` into `site_packages` (created if missing). Returns what was installed, or
// an Error "<wheel file name>: <problem>".
Result<InstalledWheel> install_wheel(const std::filesystem::path& wheel,
                                     const std::filesystem::path& site_packages);

}  // namespace funcpack
