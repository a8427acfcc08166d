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
// Contract: files are first extracted under a temporary directory inside `site_packages`'s
// parent and moved into place only after every check passed, so a failing wheel leaves the
// target as it was. Existing files are not overwritten: a clash is an Error naming the path
// (two distributions shipping the same file).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/error.h"

namespace funcpack {

struct InstalledWheel {
  std::string name;     // as in METADATA
  std::string version;  // as in METADATA
  std::string dist_info;  // "<name>-<version>.dist-info"
  std::vector<std::string> files;  // installed paths relative to site-packages, sorted
  uint64_t bytes = 0;              // total size of installed files
};

// Installs `wheel` into `site_packages` (created if missing). Returns what was installed, or
// an Error "<wheel file name>: <problem>".
Result<InstalledWheel> install_wheel(const std::filesystem::path& wheel,
                                     const std::filesystem::path& site_packages);

}  // namespace funcpack
