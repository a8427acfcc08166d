#include "spec/marker.h"

#include <utility>
#include <vector>

#include "base/strings.h"
#include "spec/pep508_tokens.h"
#include "spec/specifier.h"
#include "spec/version.h"

namespace funcpack {

using pep508::SyntaxError;
using pep508::Token;
using pep508::Tokenizer;

namespace {

struct Side {
  bool variable = false;  // else a literal
  std::string text;       // variable name (normalised) or literal value

  std::string serialize() const {
    if (variable) return text;
    // Deliberate difference 3 (header): keep str() re-parseable.
    const char quote = text.find('"') == std::string::npos ? '"' : '\'';
    return quote + text + quote;
  }
};

// One element of packaging's marker list: a comparison, a parenthesised list, or a boolean
// operator between two of those.
struct Item {
  enum class Kind { kComparison, kGroup, kAnd, kOr };
  Kind kind = Kind::kComparison;
  Side lhs;
  std::string op;  // "==", "not in", ...
  Side rhs;
  std::vector<Item> group;
};

// PEP 503 normalisation as packaging's canonicalize_name: runs of -_. become "-", lowercase.
std::string canonicalize(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '-' || s[i] == '_' || s[i] == '.') {
      while (i < s.size() && (s[i] == '-' || s[i] == '_' || s[i] == '.')) ++i;
      out += '-';
    } else {
      out += ascii_lower(s[i++]);
    }
  }
  return out;
}

std::expected<Side, SyntaxError> parse_var(Tokenizer& t) {
  if (t.check(Token::kVariable)) {
    std::string name(t.read(Token::kVariable));
    for (char& c : name)
      if (c == '.') c = '_';
    if (name == "python_implementation") name = "platform_python_implementation";
    return Side{true, std::move(name)};
  }
  if (t.check(Token::kQuotedString)) {
    const size_t start = t.position();
    std::string_view quoted = t.read(Token::kQuotedString);
    std::string_view body = quoted.substr(1, quoted.size() - 2);
    for (size_t i = 0; i < body.size(); ++i) {
      const char c = body[i];
      const char* problem = nullptr;
      if (c == '\\') problem = "Backslash escapes are not supported in quoted strings";
      else if (c == '\n' || c == '\r') problem = "Expected closing quote before the line break";
      else if (c == '\0') problem = "NUL character in quoted string";
      if (problem) return std::unexpected(SyntaxError{problem, start + 1 + i, start + 1 + i});
    }
    return Side{false, std::string(body)};
  }
  return std::unexpected(t.error("Expected a marker variable or quoted string"));
}

std::expected<std::string, SyntaxError> parse_op(Tokenizer& t) {
  if (t.check(Token::kIn)) {
    t.read(Token::kIn);
    return "in";
  }
  if (t.check(Token::kNot)) {
    t.read(Token::kNot);
    if (auto ws = t.expect(Token::kWs, "whitespace after 'not'"); !ws)
      return std::unexpected(ws.error());
    if (auto in = t.expect(Token::kIn, "'in' after 'not'"); !in)
      return std::unexpected(in.error());
    return "not in";
  }
  if (t.check(Token::kOp)) return std::string(t.read(Token::kOp));
  return std::unexpected(
      t.error("Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in"));
}

std::expected<Item, SyntaxError> parse_comparison(Tokenizer& t) {
  Item item;
  t.consume(Token::kWs);
  auto lhs = parse_var(t);
  if (!lhs) return std::unexpected(lhs.error());
  t.consume(Token::kWs);
  auto op = parse_op(t);
  if (!op) return std::unexpected(op.error());
  t.consume(Token::kWs);
  auto rhs = parse_var(t);
  if (!rhs) return std::unexpected(rhs.error());
  t.consume(Token::kWs);
  item.lhs = std::move(*lhs);
  item.op = std::move(*op);
  item.rhs = std::move(*rhs);
  return item;
}

// Deliberate difference 8 (header): bounded recursion.
constexpr int kMaxNesting = 200;

std::expected<std::vector<Item>, SyntaxError> parse_list(Tokenizer& t, int depth);

std::expected<Item, SyntaxError> parse_atom(Tokenizer& t, int depth) {
  t.consume(Token::kWs);
  Item item;
  if (t.check(Token::kLeftParen)) {
    const size_t open = t.position();
    if (depth >= kMaxNesting) {
      return std::unexpected(t.error("Too deeply nested parentheses (more than " +
                                     std::to_string(kMaxNesting) + ")"));
    }
    t.read(Token::kLeftParen);
    t.consume(Token::kWs);
    auto inner = parse_list(t, depth + 1);
    if (!inner) return std::unexpected(inner.error());
    t.consume(Token::kWs);
    if (!t.check(Token::kRightParen))
      return std::unexpected(t.error("Expected closing RIGHT_PARENTHESIS", open));
    t.read(Token::kRightParen);
    item.kind = Item::Kind::kGroup;
    item.group = std::move(*inner);
  } else {
    auto cmp = parse_comparison(t);
    if (!cmp) return std::unexpected(cmp.error());
    item = std::move(*cmp);
  }
  t.consume(Token::kWs);
  return item;
}

std::expected<std::vector<Item>, SyntaxError> parse_list(Tokenizer& t, int depth) {
  std::vector<Item> items;
  auto first = parse_atom(t, depth);
  if (!first) return std::unexpected(first.error());
  items.push_back(std::move(*first));
  while (t.check(Token::kBoolOp)) {
    Item op;
    op.kind = t.read(Token::kBoolOp) == "and" ? Item::Kind::kAnd : Item::Kind::kOr;
    auto next = parse_atom(t, depth);
    if (!next) return std::unexpected(next.error());
    items.push_back(std::move(op));
    items.push_back(std::move(*next));
  }
  return items;
}

// The comparison str() prints first without parentheses before it, following format_list:
// when the text is read back, that is the first element of the top-level list.
Item* leading_comparison(std::vector<Item>& items, bool first) {
  if (items.size() == 1) {
    if (items[0].kind == Item::Kind::kGroup) return leading_comparison(items[0].group, first);
    return &items[0];
  }
  if (!first) return nullptr;  // printed as "(...)"
  if (items[0].kind == Item::Kind::kComparison) return &items[0];
  return leading_comparison(items[0].group, false);
}

// packaging's _normalize_extra_values, which looks only at the first element of the
// top-level list; applied to the comparison printed first (deliberate difference 7 in the
// header) so that str() is a fixed point.
void normalize_first_extra(std::vector<Item>& items) {
  Item* first = leading_comparison(items, true);
  if (first == nullptr) return;
  if (first->lhs.variable && first->lhs.text == "extra") {
    first->rhs = Side{false, canonicalize(first->rhs.text)};
  } else if (first->rhs.variable && first->rhs.text == "extra") {
    first->lhs = Side{false, canonicalize(first->lhs.text)};
  }
}

std::string format_comparison(const Item& item) {
  return item.lhs.serialize() + " " + item.op + " " + item.rhs.serialize();
}

std::string format_list(const std::vector<Item>& items, bool first) {
  if (items.size() == 1) {
    // Deliberate difference 4 (header): packaging passes first=true here.
    if (items[0].kind == Item::Kind::kGroup) return format_list(items[0].group, first);
    return format_comparison(items[0]);
  }
  std::string out;
  for (const Item& item : items) {
    if (!out.empty()) out += ' ';
    switch (item.kind) {
      case Item::Kind::kComparison: out += format_comparison(item); break;
      case Item::Kind::kGroup: out += format_list(item.group, false); break;
      case Item::Kind::kAnd: out += "and"; break;
      case Item::Kind::kOr: out += "or"; break;
    }
  }
  return first ? out : "(" + out + ")";
}

// packaging's _eval_op on two strings.
Result<bool> eval_op(const std::string& lhs, const std::string& op, const std::string& rhs) {
  const std::string spec_text = op + rhs;
  if (auto compact = pep508::packaging_specifier(spec_text)) {
    auto spec = Specifier::parse(*compact);
    if (!spec) return fail(spec.error().message);  // beyond funcpack's 64-bit numbers
    auto version = Version::parse(lhs);
    if (!version)
      return fail("Invalid version: '" + lhs + "' (compared with " + spec_text + ")");
    return spec->contains(*version, /*prereleases=*/true);
  }
  if (op == "in") return rhs.find(lhs) != std::string::npos;
  if (op == "not in") return rhs.find(lhs) == std::string::npos;
  if (op == "==") return lhs == rhs;
  if (op == "!=") return lhs != rhs;
  if (op == "<") return lhs < rhs;
  if (op == "<=") return lhs <= rhs;
  if (op == ">") return lhs > rhs;
  if (op == ">=") return lhs >= rhs;
  return fail("Undefined comparison: '" + lhs + "' " + op + " '" + rhs + "'");
}

Result<bool> eval_comparison(const Item& item, const MarkerEnvironment& env,
                             std::string_view extra) {
  if (item.lhs.variable == item.rhs.variable) {
    return fail(std::string("Cannot compare two ") +
                (item.lhs.variable ? "variables" : "literals") + ": " + format_comparison(item));
  }
  const std::string& key = item.lhs.variable ? item.lhs.text : item.rhs.text;
  std::string value;
  if (key == "extra") {
    value = std::string(extra);
  } else {
    auto it = env.find(key);
    if (it == env.end()) return fail("Undefined environment variable '" + key + "'");
    value = it->second;
  }
  std::string lhs = item.lhs.variable ? value : item.lhs.text;
  std::string rhs = item.lhs.variable ? item.rhs.text : value;
  if (key == "extra") {
    lhs = canonicalize(lhs);
    rhs = canonicalize(rhs);
  }
  return eval_op(lhs, item.op, rhs);
}

// packaging's _evaluate_markers: `or` splits groups of `and`ed results; everything is
// evaluated (an error anywhere is an error).
Result<bool> eval_list(const std::vector<Item>& items, const MarkerEnvironment& env,
                       std::string_view extra) {
  bool any_group = false;
  bool group_ok = true;
  for (const Item& item : items) {
    Result<bool> r = true;
    switch (item.kind) {
      case Item::Kind::kAnd: continue;
      case Item::Kind::kOr:
        any_group = any_group || group_ok;
        group_ok = true;
        continue;
      case Item::Kind::kGroup: r = eval_list(item.group, env, extra); break;
      case Item::Kind::kComparison: r = eval_comparison(item, env, extra); break;
    }
    if (!r) return r;
    group_ok = group_ok && *r;
  }
  return any_group || group_ok;
}

}  // namespace

struct Marker::Node {
  std::vector<Item> items;
};

Marker::Marker(const Marker& other)
    : root_(other.root_ ? std::make_unique<Node>(*other.root_) : nullptr) {}
Marker& Marker::operator=(const Marker& other) {
  if (this != &other) root_ = other.root_ ? std::make_unique<Node>(*other.root_) : nullptr;
  return *this;
}
Marker::Marker(Marker&&) noexcept = default;
Marker& Marker::operator=(Marker&&) noexcept = default;
Marker::~Marker() = default;

std::expected<Marker, SyntaxError> Marker::parse_tokens(Tokenizer& tokens) {
  auto items = parse_list(tokens, 0);
  if (!items) return std::unexpected(items.error());
  tokens.consume(Token::kWs);
  normalize_first_extra(*items);
  Marker m;
  m.root_ = std::make_unique<Node>(Node{std::move(*items)});
  return m;
}

Result<Marker> Marker::parse(std::string_view text) {
  Tokenizer tokens(text);
  auto m = parse_tokens(tokens);
  if (!m) return std::unexpected(pep508::to_error(m.error()));
  // Deliberate difference 1 (header): packaging 23.0 ignores what follows.
  if (!tokens.check(Token::kEnd))
    return std::unexpected(pep508::to_error(tokens.error("Expected end of marker expression")));
  return std::move(*m);
}

bool Marker::evaluate(const MarkerEnvironment& env, std::string_view extra) const {
  return evaluate_checked(env, extra).value_or(false);
}

Result<bool> Marker::evaluate_checked(const MarkerEnvironment& env,
                                      std::string_view extra) const {
  if (!root_) return fail("evaluating a moved-from Marker");
  return eval_list(root_->items, env, extra);
}

std::string Marker::str() const { return root_ ? format_list(root_->items, true) : ""; }

MarkerEnvironment linux_target_environment(std::string_view python_full_version,
                                           std::string_view machine) {
  std::string_view short_version = python_full_version;
  if (size_t dot = python_full_version.find('.'); dot != std::string_view::npos) {
    if (size_t second = python_full_version.find('.', dot + 1); second != std::string_view::npos)
      short_version = python_full_version.substr(0, second);
  }
  return MarkerEnvironment{
      {"implementation_name", "cpython"},
      {"implementation_version", std::string(python_full_version)},
      {"os_name", "posix"},
      {"platform_machine", std::string(machine)},
      {"platform_python_implementation", "CPython"},
      {"platform_release", "5.15.0-1073-azure"},
      {"platform_system", "Linux"},
      {"platform_version", "#82-Ubuntu SMP Mon Aug 26 2024"},
      {"python_full_version", std::string(python_full_version)},
      {"python_version", std::string(short_version)},
      {"sys_platform", "linux"},
  };
}

}  // namespace funcpack
