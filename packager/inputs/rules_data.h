// rules_data.h: the project's data files under rules/ (lint rules, runtime profiles, manylinux
// policies), compiled into the binary so that funcpack works from any directory.
//
// Contract: `read_rules_file("runtime.toml")` returns the embedded copy, unless the environment
// variable FUNCPACK_RULES_DIR names a directory, in which case the file is read from there
// (for developing rules without rebuilding, and for tests that need altered facts). Paths are
// relative to rules/, '/'-separated.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace funcpack {

struct EmbeddedFile {
  std::string_view path;  // relative to rules/, e.g. "lint/FP001.toml"
  std::string_view data;
};

// Every embedded file, sorted by path (generated at build time by cmake/embed_files.cmake).
std::span<const EmbeddedFile> embedded_rules_files();

// Returns the file's text, or an Error "no rules file 'PATH'" / a read error.
Result<std::string> read_rules_file(std::string_view relative_path);

// Paths (relative to rules/) of the files directly or indirectly under `dir` ("lint"), sorted.
std::vector<std::string> list_rules_files(std::string_view dir);

}  // namespace funcpack
