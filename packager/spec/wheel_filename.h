// wheel_filename.h: distribution filenames: wheels (PEP 427 + the binary distribution format
// spec) and sdists (PEP 625, with the legacy .tar.gz/.zip forms pip still accepts).
//
//   {name}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}.whl
//   {name}-{version}.tar.gz | {name}-{version}.zip
// Traps: the build tag starts with a digit and sorts as (int, str); names in filenames use '_'
// for '-' (compare normalised); tags may be compressed sets ("py2.py3"). Legacy sdist names
// ("foo-bar-1.0.tar.gz") are ambiguous without the project name, so `SdistFilename::parse`
// takes it.
//
// Errors: every failure is an Error whose message starts with "invalid wheel filename
// 'FILE': " or "invalid sdist filename 'FILE': " followed by the reason, and whose location
// columns (1-based, end exclusive) cover the offending part of FILE:
//   extension must be '.whl'                          (the whole filename)
//   expected {name}-{version}[-{build tag}]-{python tag}-{abi tag}-{platform tag}.whl
//                                                     (too few or too many '-' parts)
//   invalid project name 'NAME'                       (not [A-Za-z0-9._] runs, "__", empty)
//   invalid version 'VERSION'                         (not PEP 440)
//   build tag 'TAG' must start with a digit
//   build number in 'TAG' is too large
//   empty tag in 'PART'                               ("py3..py2", a trailing '.')
//   extension must be '.tar.gz' or '.zip'             (sdists)
//   name does not match project 'PROJECT'             (sdists)
// Deliberate differences from packaging.utils.parse_wheel_filename (counted by
// tests/distfiles/filename_conformance.py): an empty or non-ASCII name, an empty tag in a
// compressed set and a build number above 2^64-1 are errors here, accepted there.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "spec/tags.h"
#include "spec/version.h"

namespace funcpack {

struct WheelFilename {
  std::string name;  // as in the filename
  Version version;
  std::optional<std::pair<uint64_t, std::string>> build;  // build tag
  std::vector<Tag> tags;                                  // expanded
  // Returns the parsed filename, or an Error as listed above. `filename` is a bare file name
  // (no directory).
  static Result<WheelFilename> parse(std::string_view filename);
};

struct SdistFilename {
  std::string name;  // as in the filename
  Version version;
  std::string extension;  // ".tar.gz" or ".zip"
  // Returns the parsed name, or an Error when `filename` is not an sdist of `project`
  // (compared after PEP 503 normalisation; the split point is the '-' after which the name
  // matches and the rest is a valid version).
  static Result<SdistFilename> parse(std::string_view filename, std::string_view project);
};

}  // namespace funcpack
