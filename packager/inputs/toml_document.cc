#include "inputs/toml_document.h"

#include <algorithm>
#include <exception>
#include <optional>
#include <sstream>

namespace funcpack {

namespace {

// The offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629,
// the table toml11's lex_utf8_code uses), or nullopt. A TOML document must be UTF-8; this is
// checked before toml11 sees the text because toml11 3.7.1 (Debian bookworm's) reads out of
// bounds when a literal string holds invalid UTF-8 (ToruNiina/toml11#199, fixed upstream by
// #208 after 3.7.1). With the whole text valid, toml11's own check can never fail.
std::optional<size_t> invalid_utf8_at(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t more = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
    if (c >= 0xC2 && c <= 0xDF) more = 1;
    else if (c == 0xE0) more = 2, lo = 0xA0;
    else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) more = 2;
    else if (c == 0xED) more = 2, hi = 0x9F;
    else if (c == 0xF0) more = 3, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) more = 3;
    else if (c == 0xF4) more = 3, hi = 0x8F;
    else return i;
    if (s.size() - i <= more) return i;
    for (size_t k = 1; k <= more; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return i;
    }
    i += more + 1;
  }
  return std::nullopt;
}

}  // namespace

Result<toml::value> parse_toml_document(std::string_view text, const std::string& name) {
  if (const auto bad = invalid_utf8_at(text)) {
    const std::string_view before = text.substr(0, *bad);
    const size_t newline = before.rfind('\n');
    const size_t line_start = newline == std::string_view::npos ? 0 : newline + 1;
    const auto line = std::count(before.begin(), before.end(), '\n') + 1;
    return fail("invalid TOML: invalid UTF-8",
                Location{name, static_cast<int>(line), static_cast<int>(*bad - line_start) + 1, 0});
  }
  try {
    std::istringstream in{std::string(text)};
    return toml::parse(in, name);
  } catch (const toml::syntax_error& e) {
    // toml11's what() is a multi-line report; its first line is the reason.
    std::string what = e.what();
    std::string reason = what.substr(0, what.find('\n'));
    if (reason.starts_with("[error] ")) reason = reason.substr(8);
    // "toml::parse_key_value_pair: missing key-value separator" -> the part after the colon.
    if (reason.starts_with("toml::")) {
      auto colon = reason.find(": ");
      if (colon != std::string::npos) reason = reason.substr(colon + 2);
    }
    return fail("invalid TOML: " + reason, Location{name, static_cast<int>(e.location().line()),
                                                    static_cast<int>(e.location().column()), 0});
  } catch (const std::exception& e) {
    return fail(std::string("invalid TOML: ") + e.what(), Location{name, 0, 0, 0});
  }
}

}  // namespace funcpack
