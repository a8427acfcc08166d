// error.h: the value every fallible operation returns on failure.
//
// Owns: Error (a message plus where it happened) and Result<T> = std::expected<T, Error>.
// Conventions (../shared/DESIGN.md): expected failures are values, never exceptions; rows and
// columns are 1-based, 0 means unknown. A parser of a standalone string (a version, a PEP 508
// requirement) reports `column`/`end_column` relative to that string with `path` empty and
// `line` 0; callers that know the file translate with `Location::shifted`.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace funcpack {

struct Location {
  std::string path;    // empty when not from a file
  int line = 0;        // 1-based; 0 = unknown
  int column = 0;      // 1-based; 0 = unknown
  int end_column = 0;  // 1-based, exclusive; 0 = unknown (caret covers one char)

  // This location moved into a file: `column` of a string found at `line`, starting at
  // column `first_column` (1-based) of that line.
  Location shifted(std::string file, int at_line, int first_column) const;
  // "path:line:col", omitting parts that are unknown ("path", "path:line", or "").
  std::string str() const;
};

struct Error {
  std::string message;
  Location location;
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(std::string message, Location location = {}) {
  return std::unexpected<Error>(Error{std::move(message), std::move(location)});
}

}  // namespace funcpack
