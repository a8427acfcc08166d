// build_system.h: the [build-system] table of a source tree's pyproject.toml (PEP 518), and
// PEP 517's defaults when it is missing.
//
// Owns: reading `requires` (PEP 508 strings), `build-backend` ("module" or "module:object")
// and `backend-path` (directories relative to the source tree) for the sandbox builder.
// Rules (PEP 517/518, as frontends apply them):
//  - no pyproject.toml, or no [build-system] table: requires = ["setuptools>=40.8.0"],
//    backend "setuptools.build_meta:__legacy__" (setuptools' get_requires_for_build_wheel adds
//    "wheel" itself when it needs it);
//  - [build-system] without `requires`: an error (PEP 518 makes the key mandatory);
//  - [build-system] without `build-backend`: the legacy setuptools backend with the given
//    requires;
//  - `backend-path` entries must stay inside the source tree (no absolute path, no `..` that
//    leaves it): PEP 517 requires frontends to check.
// Errors carry pyproject.toml:line:col when toml11 knows the place.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "spec/requirement.h"

namespace funcpack {

inline constexpr std::string_view kLegacyBackend = "setuptools.build_meta:__legacy__";

struct BuildSystem {
  std::vector<Requirement> requires_;   // parsed `requires`
  std::vector<std::string> requires_text;  // as written, for messages
  std::string backend;                  // "module" or "module:object"
  std::vector<std::string> backend_path;
  bool defaulted = false;               // no [build-system]: PEP 517's defaults
};

// Parses `text` (the contents of `path`, used in error locations). Returns the build system,
// or an Error such as "invalid TOML: ...", "'build-system.requires' is missing",
// "'build-system.requires' entry 'x y': <PEP 508 error>", "'build-system.backend-path' entry
// '../x' leaves the source tree".
Result<BuildSystem> parse_build_system(std::string_view text, const std::filesystem::path& path);

// Reads `source_dir`/pyproject.toml (absent: the defaults) and parses it as above.
Result<BuildSystem> read_build_system(const std::filesystem::path& source_dir);

}  // namespace funcpack
