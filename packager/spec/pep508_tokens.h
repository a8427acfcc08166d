// pep508_tokens.h: the context-sensitive tokenizer shared by the PEP 508 marker and
// requirement parsers (internal to the spec band; users include marker.h / requirement.h).
//
// Owns: the token rules of pypa/packaging 23.0's `_tokenizer.py`, hand-written (no regex
// engine), and packaging's "is this a valid Specifier string" test used by marker evaluation.
// Every rule is tried only where the grammar asks for it (packaging's `check`), so the same
// text can be a URL in one place and an identifier in another.
//
// Traps reproduced on purpose (packaging does the same):
// - IDENTIFIER is `\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b`: it backtracks to the last position that
//   is a word boundary, so "foo-" yields "foo" but "foo_" yields "foo_" ('_' is a word char).
// - END is Python's `$`: it also matches just before a final "\n" ("foo\n" is a requirement).
// - WS is only space and tab; but the whitespace *inside* a SPECIFIER token (`>= 1.0`) and
//   around a Specifier is Python's `\s`, which includes "\n", "\x1c".."\x1f" and Unicode
//   spaces (decoded from UTF-8 here).
// - SPECIFIER tries the operators in packaging's order (~=, ==, !=, <=, >=, <, >, ===) and
//   takes the first whose version pattern matches, so "===x" is `===` with operand "x" and
//   "===" alone is a valid specifier with an empty operand.
// Approximation (documented deliberate difference): Python's `\b`/`\w` treat every Unicode
// letter or digit as a word character; here every non-ASCII code point that is not Unicode
// whitespace counts as one (so an em dash right after a name differs). Only reachable with
// non-ASCII text outside quoted strings, which no valid PEP 508 string contains.
#pragma once

#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace funcpack::pep508 {

enum class Token {
  kLeftParen, kRightParen, kLeftBracket, kRightBracket, kSemicolon, kComma,
  kQuotedString, kOp, kBoolOp, kIn, kNot, kVariable, kSpecifier, kAt, kUrl, kIdentifier,
  kWs, kEnd,
};

// A syntax error as packaging's ParserSyntaxError: 0-based span [start, end] where `end` is
// the position parsing stopped at (packaging draws "~" under [start, end) and "^" at end).
struct SyntaxError {
  std::string message;
  size_t start = 0;
  size_t end = 0;
};

// The Error for a syntax error: column = start + 1; end_column = end + 2 (exclusive, so the
// caret run covers the construct through the character where parsing stopped) when the span
// is not empty, else 0.
Error to_error(const SyntaxError& e);

// Length in bytes of the Python `\s` character at `pos` (0 when there is none).
size_t py_space_length(std::string_view s, size_t pos);

// When `text` is accepted by packaging's Specifier() (its anchored regex; the version is not
// parsed), returns it as operator + operand with the Python whitespace around the operand
// removed (">=\u00a01.0 " -> ">=1.0", which is what packaging keeps); otherwise nullopt.
// Used by marker evaluation to choose version comparison over string comparison, and to hand
// SpecifierSet clauses that need no Unicode whitespace handling.
std::optional<std::string> packaging_specifier(std::string_view text);

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view source) : source_(source) {}

  std::string_view source() const { return source_; }
  size_t position() const { return pos_; }

  // Length of token `t` at the current position, or nullopt when it does not match there.
  std::optional<size_t> match(Token t) const;
  bool check(Token t) const { return match(t).has_value(); }
  // Consumes token `t` (which must match) and returns its text.
  std::string_view read(Token t);
  // Consumes `t` if it matches.
  void consume(Token t) {
    if (check(t)) read(t);
  }
  // Consumes `t` and returns its text, or fails with "Expected <what>" at the current
  // position.
  std::expected<std::string_view, SyntaxError> expect(Token t, std::string_view what);

  SyntaxError error(std::string message) const { return {std::move(message), pos_, pos_}; }
  SyntaxError error(std::string message, size_t span_start) const {
    return {std::move(message), span_start, pos_};
  }

 private:
  std::optional<size_t> scan(Token t) const;  // match() without the memo

  std::string_view source_;
  size_t pos_ = 0;
  // The last match computed, so that the parsers' check-then-read does not scan a token
  // twice (SPECIFIER and IDENTIFIER scans dominate requirement parsing).
  mutable size_t memo_pos_ = std::string_view::npos;
  mutable Token memo_token_ = Token::kEnd;
  mutable std::optional<size_t> memo_length_;
};

}  // namespace funcpack::pep508
