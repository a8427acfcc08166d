// strings.h: small ASCII string helpers shared by every parser.
//
// All functions are ASCII-only on purpose: every grammar funcpack parses (PEP 440, PEP 508,
// requirements.txt options, wheel filenames) is ASCII, and locale-dependent <cctype> calls
// would make parsing depend on the host.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace funcpack {

constexpr bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
constexpr bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_ascii_alnum(char c) { return is_ascii_digit(c) || is_ascii_alpha(c); }
constexpr char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view s);
std::string_view trim(std::string_view s);
std::string_view trim_left(std::string_view s);
std::string_view trim_right(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
// Splits on every occurrence of `sep` (keeps empty fields).
std::vector<std::string_view> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// Appends the UTF-8 encoding of code point `cp` (at most 0x10FFFF; callers decide what to do
// with surrogates and NUL before calling).
void append_utf8(std::string& out, uint32_t cp);
// `s` on one line: '\n', '\t', '\r' written as those escapes, other control characters (and
// DEL) as "\xHH", and, with `backslash`, '\' as "\\" (so the result reads back unambiguously).
std::string escape_controls(std::string_view s, bool backslash = false);
// Replaces every occurrence of `from` (non-empty) by `to`.
std::string replace_all(std::string_view s, std::string_view from, std::string_view to);

}  // namespace funcpack
