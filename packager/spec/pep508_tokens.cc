#include "spec/pep508_tokens.h"

#include <array>

#include "base/strings.h"

namespace funcpack::pep508 {
namespace {

constexpr size_t kNoMatch = std::string_view::npos;

unsigned char byte_at(std::string_view s, size_t i) {
  return i < s.size() ? static_cast<unsigned char>(s[i]) : 0;
}

// Python's `\w` at `pos` (see the header for the non-ASCII approximation).
bool is_word_at(std::string_view s, size_t pos) {
  if (pos >= s.size()) return false;
  const unsigned char c = byte_at(s, pos);
  if (c < 0x80) return is_ascii_alnum(static_cast<char>(c)) || c == '_';
  return py_space_length(s, pos) == 0;
}

// Whether the code point that ends right before `pos` is a word character.
bool is_word_before(std::string_view s, size_t pos) {
  if (pos == 0) return false;
  size_t start = pos - 1;
  // Step back over UTF-8 continuation bytes (at most three) to the lead byte.
  for (int i = 0; i < 3 && start > 0 && (byte_at(s, start) & 0xC0) == 0x80; ++i) --start;
  return is_word_at(s, start);
}

// Python's `\b` at `pos`.
bool word_boundary(std::string_view s, size_t pos) {
  return is_word_before(s, pos) != is_word_at(s, pos);
}

bool starts_at(std::string_view s, size_t pos, std::string_view lit) {
  return pos <= s.size() && s.substr(pos).starts_with(lit);
}

bool istarts_at(std::string_view s, size_t pos, std::string_view lit) {
  if (pos > s.size() || s.size() - pos < lit.size()) return false;
  for (size_t i = 0; i < lit.size(); ++i)
    if (ascii_lower(s[pos + i]) != lit[i]) return false;
  return true;
}

size_t count_digits(std::string_view s, size_t pos) {
  size_t n = 0;
  while (pos + n < s.size() && is_ascii_digit(s[pos + n])) ++n;
  return n;
}

size_t count_alnum(std::string_view s, size_t pos) {
  size_t n = 0;
  while (pos + n < s.size() && is_ascii_alnum(s[pos + n])) ++n;
  return n;
}

bool is_sep(std::string_view s, size_t pos) {
  return pos < s.size() && (s[pos] == '-' || s[pos] == '_' || s[pos] == '.');
}

size_t skip_py_spaces(std::string_view s, size_t pos) {
  while (size_t k = py_space_length(s, pos)) pos += k;
  return pos;
}

// `[-_.]? (one of words) [-_.]? [0-9]*`, words tried in order; returns the end or kNoMatch.
// A leading separator cannot start a word, so trying "with separator, then without" reduces
// to skipping an optional separator.
template <size_t N>
size_t match_labelled(std::string_view s, size_t pos, const std::array<std::string_view, N>& words) {
  size_t q = is_sep(s, pos) ? pos + 1 : pos;
  for (std::string_view w : words) {
    if (istarts_at(s, q, w)) {
      size_t r = q + w.size();
      if (is_sep(s, r)) ++r;
      return r + count_digits(s, r);
    }
  }
  return kNoMatch;
}

size_t optional_pre(std::string_view s, size_t pos) {
  static constexpr std::array<std::string_view, 8> kPre = {"alpha", "beta", "preview", "pre",
                                                           "a",     "b",    "c",       "rc"};
  size_t r = match_labelled(s, pos, kPre);
  return r == kNoMatch ? pos : r;
}

size_t optional_post(std::string_view s, size_t pos) {
  if (byte_at(s, pos) == '-' && count_digits(s, pos + 1) > 0)
    return pos + 1 + count_digits(s, pos + 1);
  static constexpr std::array<std::string_view, 3> kPost = {"post", "rev", "r"};
  size_t r = match_labelled(s, pos, kPost);
  return r == kNoMatch ? pos : r;
}

size_t optional_dev(std::string_view s, size_t pos) {
  static constexpr std::array<std::string_view, 1> kDev = {"dev"};
  size_t r = match_labelled(s, pos, kDev);
  return r == kNoMatch ? pos : r;
}

size_t optional_local(std::string_view s, size_t pos) {
  if (byte_at(s, pos) != '+' || count_alnum(s, pos + 1) == 0) return pos;
  size_t q = pos + 1 + count_alnum(s, pos + 1);
  while (is_sep(s, q) && count_alnum(s, q + 1) > 0) q += 1 + count_alnum(s, q + 1);
  return q;
}

enum class OperandKind { kArbitrary, kEquality, kCompatible, kOrdered };

// The version half of packaging's Specifier regex for one operator kind, starting right
// after the operator. Every part after the release is optional, and for this pattern the
// greedy first choice is also the longest one, so no further backtracking is needed.
size_t match_operand(std::string_view s, size_t pos, OperandKind kind) {
  size_t q = skip_py_spaces(s, pos);
  if (kind == OperandKind::kArbitrary) {
    while (q < s.size() && s[q] != ';' && s[q] != ')' && py_space_length(s, q) == 0) ++q;
    return q;
  }
  if (q < s.size() && (s[q] == 'v' || s[q] == 'V')) ++q;
  // Epoch `[0-9]+!` only counts when a release follows; otherwise the regex backtracks.
  if (size_t d = count_digits(s, q); d > 0 && byte_at(s, q + d) == '!' &&
                                      count_digits(s, q + d + 1) > 0)
    q += d + 1;
  size_t d = count_digits(s, q);
  if (d == 0) return kNoMatch;
  q += d;
  int dotted = 0;
  while (byte_at(s, q) == '.' && count_digits(s, q + 1) > 0) {
    q += 1 + count_digits(s, q + 1);
    ++dotted;
  }
  if (kind == OperandKind::kCompatible && dotted == 0) return kNoMatch;
  if (kind == OperandKind::kEquality && byte_at(s, q) == '.' && byte_at(s, q + 1) == '*')
    return q + 2;
  q = optional_dev(s, optional_post(s, optional_pre(s, q)));
  if (kind == OperandKind::kEquality) q = optional_local(s, q);
  return q;
}

struct OperatorRule {
  std::string_view op;
  OperandKind kind;
};
// packaging's `(~=|==|!=|<=|>=|<|>|===)`, in that order.
constexpr std::array<OperatorRule, 8> kOperators = {{
    {"~=", OperandKind::kCompatible},
    {"==", OperandKind::kEquality},
    {"!=", OperandKind::kEquality},
    {"<=", OperandKind::kOrdered},
    {">=", OperandKind::kOrdered},
    {"<", OperandKind::kOrdered},
    {">", OperandKind::kOrdered},
    {"===", OperandKind::kArbitrary},
}};

size_t match_specifier(std::string_view s, size_t pos) {
  for (const OperatorRule& rule : kOperators) {
    if (!starts_at(s, pos, rule.op)) continue;
    size_t end = match_operand(s, pos + rule.op.size(), rule.kind);
    if (end != kNoMatch) return end;
  }
  return kNoMatch;
}

size_t match_identifier(std::string_view s, size_t pos) {
  if (pos >= s.size() || !is_ascii_alnum(s[pos]) || !word_boundary(s, pos)) return kNoMatch;
  size_t end = pos + 1;
  while (end < s.size() && (is_ascii_alnum(s[end]) || is_sep(s, end))) ++end;
  // Backtrack to the longest prefix that ends on a word boundary.
  for (; end > pos; --end)
    if (word_boundary(s, end)) return end;
  return kNoMatch;
}

size_t match_variable(std::string_view s, size_t pos) {
  if (!word_boundary(s, pos)) return kNoMatch;
  // packaging's alternation, in order; `[._]` spelled out.
  static constexpr std::array<std::string_view, 18> kNames = {
      "python_version",
      "python_full_version",
      "os.name",
      "os_name",
      "sys.platform",
      "sys_platform",
      "platform_release",
      "platform_system",
      "platform.version",
      "platform_version",
      "platform.machine",
      "platform_machine",
      "platform.python_implementation",
      "platform_python_implementation",
      "python_implementation",
      "implementation_name",
      "implementation_version",
      "extra",
  };
  for (std::string_view name : kNames) {
    if (starts_at(s, pos, name) && word_boundary(s, pos + name.size())) return pos + name.size();
  }
  return kNoMatch;
}

size_t match_keyword(std::string_view s, size_t pos, std::string_view word) {
  if (word_boundary(s, pos) && starts_at(s, pos, word) && word_boundary(s, pos + word.size()))
    return pos + word.size();
  return kNoMatch;
}

}  // namespace

size_t py_space_length(std::string_view s, size_t pos) {
  const unsigned char c = byte_at(s, pos);
  if (pos >= s.size()) return 0;
  if (c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f)) return 1;
  if (c < 0x80) return 0;
  const unsigned char c1 = byte_at(s, pos + 1), c2 = byte_at(s, pos + 2);
  if (c == 0xC2 && (c1 == 0x85 || c1 == 0xA0)) return 2;  // U+0085, U+00A0
  if (c == 0xE1 && c1 == 0x9A && c2 == 0x80) return 3;     // U+1680
  if (c == 0xE2 && c1 == 0x80 &&
      ((c2 >= 0x80 && c2 <= 0x8A) || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF))
    return 3;                                              // U+2000..200A, 2028, 2029, 202F
  if (c == 0xE2 && c1 == 0x81 && c2 == 0x9F) return 3;     // U+205F
  if (c == 0xE3 && c1 == 0x80 && c2 == 0x80) return 3;     // U+3000
  return 0;
}

Error to_error(const SyntaxError& e) {
  Location loc;
  loc.column = static_cast<int>(e.start) + 1;
  loc.end_column = e.end > e.start ? static_cast<int>(e.end) + 2 : 0;
  return Error{e.message, loc};
}

std::optional<std::string> packaging_specifier(std::string_view text) {
  // `^\s*` operator version `\s*$` (Python's `$` also before a final "\n", which `\s*`
  // consumes anyway). Operators are tried in order, as the regex backtracks into them.
  const size_t start = skip_py_spaces(text, 0);
  for (const OperatorRule& rule : kOperators) {
    if (!starts_at(text, start, rule.op)) continue;
    const size_t operand = start + rule.op.size();
    const size_t end = match_operand(text, operand, rule.kind);
    if (end != kNoMatch && skip_py_spaces(text, end) == text.size()) {
      const size_t first = skip_py_spaces(text, operand);
      return std::string(rule.op) + std::string(text.substr(first, end - first));
    }
  }
  return std::nullopt;
}

std::optional<size_t> Tokenizer::match(Token t) const {
  if (memo_pos_ == pos_ && memo_token_ == t) return memo_length_;
  memo_pos_ = pos_;
  memo_token_ = t;
  memo_length_ = scan(t);
  return memo_length_;
}

std::optional<size_t> Tokenizer::scan(Token t) const {
  const std::string_view s = source_;
  const size_t p = pos_;
  const char c = p < s.size() ? s[p] : '\0';
  const bool more = p < s.size();
  size_t end = kNoMatch;
  switch (t) {
    case Token::kLeftParen: if (more && c == '(') end = p + 1; break;
    case Token::kRightParen: if (more && c == ')') end = p + 1; break;
    case Token::kLeftBracket: if (more && c == '[') end = p + 1; break;
    case Token::kRightBracket: if (more && c == ']') end = p + 1; break;
    case Token::kSemicolon: if (more && c == ';') end = p + 1; break;
    case Token::kComma: if (more && c == ',') end = p + 1; break;
    case Token::kAt: if (more && c == '@') end = p + 1; break;
    case Token::kQuotedString:
      if (more && (c == '\'' || c == '"')) {
        size_t close = s.find(c, p + 1);
        if (close != std::string_view::npos) end = close + 1;
      }
      break;
    case Token::kOp:
      for (std::string_view op : {"===", "==", "~=", "!=", "<=", ">=", "<", ">"}) {
        if (starts_at(s, p, op)) {
          end = p + op.size();
          break;
        }
      }
      break;
    case Token::kBoolOp:
      end = match_keyword(s, p, "or");
      if (end == kNoMatch) end = match_keyword(s, p, "and");
      break;
    case Token::kIn: end = match_keyword(s, p, "in"); break;
    case Token::kNot: end = match_keyword(s, p, "not"); break;
    case Token::kVariable: end = match_variable(s, p); break;
    case Token::kSpecifier: end = match_specifier(s, p); break;
    case Token::kUrl: {
      size_t q = p;
      while (q < s.size() && s[q] != ' ' && s[q] != '\t') ++q;
      if (q > p) end = q;
      break;
    }
    case Token::kIdentifier: end = match_identifier(s, p); break;
    case Token::kWs: {
      size_t q = p;
      while (q < s.size() && (s[q] == ' ' || s[q] == '\t')) ++q;
      if (q > p) end = q;
      break;
    }
    case Token::kEnd:
      if (p == s.size() || (p + 1 == s.size() && c == '\n')) end = p;
      break;
  }
  if (end == kNoMatch) return std::nullopt;
  return end - p;
}

std::string_view Tokenizer::read(Token t) {
  const size_t n = match(t).value_or(0);
  std::string_view text = source_.substr(pos_, n);
  pos_ += n;
  return text;
}

std::expected<std::string_view, SyntaxError> Tokenizer::expect(Token t, std::string_view what) {
  if (!check(t)) return std::unexpected(error("Expected " + std::string(what)));
  return read(t);
}

}  // namespace funcpack::pep508
