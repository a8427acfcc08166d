// wheel_filename.h: distribution filenames: wheels (PEP 427 + the binary distribution format
// spec) and sdists (PEP 625, with the legacy .tar.gz/.zip forms pip still accepts).
//
//   {name}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}.whl
// Traps: the build tag starts with a digit and sorts as (int, str); names in filenames use '_'
// for '-' (compare normalised); tags may be compressed sets ("py2.py3"). Legacy sdist names
// ("foo-bar-1.0.tar.gz") are ambiguous without the project name, so `parse_sdist_filename`
// takes it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
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
  static Result<WheelFilename> parse(std::string_view filename);
};

struct SdistFilename {
  std::string name;
  Version version;
  std::string extension;  // ".tar.gz" or ".zip"
  // Returns the parsed name, or an Error when `filename` is not an sdist of `project`.
  static Result<SdistFilename> parse(std::string_view filename, std::string_view project);
};

}  // namespace funcpack
