// toml_document.h: reading a TOML document (TOML 1.0, through toml11) with an error a user can
// act on.
//
// Owns: turning toml11's exceptions into an Error located at the file, line and column of the
// syntax error, with toml11's first report line as the reason ("invalid TOML: REASON", the
// "[error] " and "toml::function_name: " prefixes removed). Every user-written TOML file
// (funcpack.toml, pyproject.toml, pylock.toml) is read through here so they all report alike.
#pragma once

#include <toml.hpp>

#include <string>
#include <string_view>

#include "base/error.h"

namespace funcpack {

// Parses `text` as the document named `name` (used in messages and locations). Returns the
// root value, or an Error "invalid TOML: REASON" at NAME:LINE:COL (line and column 0 when
// toml11 gives none); text that is not UTF-8 (TOML requires it) is "invalid TOML: invalid
// UTF-8" at the first bad byte, found before toml11 sees it: toml11 3.7.1 (bookworm's) reads
// out of bounds on invalid UTF-8 inside a literal string (ToruNiina/toml11#199).
Result<toml::value> parse_toml_document(std::string_view text, const std::string& name);

}  // namespace funcpack
