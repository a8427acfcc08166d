#include "spec/requirement.h"

#include <algorithm>
#include <utility>

#include "base/strings.h"
#include "spec/pep508_tokens.h"

namespace funcpack {

using pep508::SyntaxError;
using pep508::Token;
using pep508::Tokenizer;

namespace {

template <class T>
using Parsed = std::expected<T, SyntaxError>;

bool is_scheme_char(char c) { return is_ascii_alnum(c) || c == '+' || c == '-' || c == '.'; }

// The URL checks of packaging's Requirement, which rest on Python's urllib.parse.urlsplit /
// urlunsplit (3.11). Returns the error message, or nothing when the URL is accepted.
std::optional<std::string> url_problem(std::string_view original) {
  // urlsplit strips leading C0 controls and spaces and removes tabs and line breaks.
  std::string url;
  size_t i = 0;
  while (i < original.size() && static_cast<unsigned char>(original[i]) <= 0x20) ++i;
  for (; i < original.size(); ++i)
    if (original[i] != '\t' && original[i] != '\r' && original[i] != '\n') url += original[i];

  std::string scheme;
  std::string rest = url;
  if (size_t colon = url.find(':'); colon != std::string::npos && colon > 0 &&
                                    is_ascii_alpha(url[0]) &&
                                    std::all_of(url.begin(), url.begin() + colon, is_scheme_char)) {
    scheme = to_lower(std::string_view(url).substr(0, colon));
    rest = url.substr(colon + 1);
  }
  std::string netloc;
  if (rest.starts_with("//")) {
    size_t delim = rest.find_first_of("/?#", 2);
    if (delim == std::string::npos) delim = rest.size();
    netloc = rest.substr(2, delim - 2);
    rest = rest.substr(delim);
    const bool open = netloc.find('[') != std::string::npos;
    const bool close = netloc.find(']') != std::string::npos;
    if (open != close) return "Invalid IPv6 URL";
    if (open) {
      std::string_view host_port = netloc;
      if (size_t at = host_port.rfind('@'); at != std::string_view::npos)
        host_port = host_port.substr(at + 1);
      if (size_t bracket = host_port.find('['); bracket != std::string_view::npos) {
        if (bracket > 0) return "Invalid IPv6 URL";
        std::string_view after = host_port.substr(bracket + 1);
        size_t end = after.find(']');
        std::string_view port =
            end == std::string_view::npos ? std::string_view{} : after.substr(end + 1);
        if (!port.empty() && port[0] != ':') return "Invalid IPv6 URL";
      }
    }
  }
  std::string query, fragment;
  if (size_t hash = rest.find('#'); hash != std::string::npos) {
    fragment = rest.substr(hash + 1);
    rest.resize(hash);
  }
  if (size_t q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest.resize(q);
  }

  if (scheme == "file") {
    // urlunsplit, then require the round trip to be exact.
    std::string path = rest;
    if (!netloc.empty() || !path.starts_with("//")) {
      if (!path.empty() && path[0] != '/') path = "/" + path;
      path = "//" + netloc + path;
    }
    std::string rebuilt = scheme + ":" + path;
    if (!query.empty()) rebuilt += "?" + query;
    if (!fragment.empty()) rebuilt += "#" + fragment;
    if (rebuilt != original) return "Invalid URL given";
    return std::nullopt;
  }
  if (scheme.empty() || netloc.empty()) return "Invalid URL: " + std::string(original);
  return std::nullopt;
}

Parsed<std::vector<std::string>> parse_extras(Tokenizer& t) {
  std::vector<std::string> extras;
  if (!t.check(Token::kLeftBracket)) return extras;
  const size_t open = t.position();
  t.read(Token::kLeftBracket);
  t.consume(Token::kWs);
  if (t.check(Token::kIdentifier)) {
    extras.emplace_back(t.read(Token::kIdentifier));
    while (true) {
      t.consume(Token::kWs);
      if (t.check(Token::kIdentifier))
        return std::unexpected(t.error("Expected comma between extra names"));
      if (!t.check(Token::kComma)) break;
      t.read(Token::kComma);
      t.consume(Token::kWs);
      auto extra = t.expect(Token::kIdentifier, "extra name after comma");
      if (!extra) return std::unexpected(extra.error());
      extras.emplace_back(*extra);
    }
  }
  t.consume(Token::kWs);
  if (!t.check(Token::kRightBracket))
    return std::unexpected(t.error("Expected closing RIGHT_BRACKET", open));
  t.read(Token::kRightBracket);
  return extras;
}

// The version specifier as written: each clause as packaging keeps it, with its span in the
// input (for errors SpecifierSet reports).
struct SpecifierClauses {
  std::string joined;  // clauses and commas, as packaging joins them
  struct Clause {
    std::string text;
    size_t start;
    size_t end;
  };
  std::vector<Clause> clauses;
};

// specifier = "(" WS? version_many WS? ")" | WS? version_many WS?
Parsed<SpecifierClauses> parse_specifier(Tokenizer& t) {
  const bool parenthesised = t.check(Token::kLeftParen);
  const size_t open = t.position();
  if (parenthesised) t.read(Token::kLeftParen);
  t.consume(Token::kWs);
  SpecifierClauses out;
  while (t.check(Token::kSpecifier)) {
    // A SPECIFIER token is always a valid packaging Specifier; hand SpecifierSet the form
    // packaging keeps (no whitespace between operator and version).
    const size_t start = t.position();
    std::string_view token = t.read(Token::kSpecifier);
    // Only whitespace (Python's \s: ASCII space and controls, or non-ASCII) can make the kept
    // form differ from the token.
    const bool plain = std::all_of(token.begin(), token.end(), [](char ch) {
      return static_cast<unsigned char>(ch) > 0x20 && static_cast<unsigned char>(ch) < 0x80;
    });
    std::string clause = plain ? std::string(token)
                               : pep508::packaging_specifier(token).value_or(std::string(token));
    out.joined += clause;
    out.clauses.push_back({std::move(clause), start, t.position()});
    t.consume(Token::kWs);
    if (!t.check(Token::kComma)) break;
    out.joined += t.read(Token::kComma);
    t.consume(Token::kWs);
  }
  t.consume(Token::kWs);
  if (parenthesised) {
    if (!t.check(Token::kRightParen))
      return std::unexpected(t.error("Expected closing RIGHT_PARENTHESIS", open));
    t.read(Token::kRightParen);
  }
  return out;
}

Parsed<std::optional<Marker>> parse_requirement_marker(Tokenizer& t, size_t span_start,
                                                       std::string_view after) {
  if (!t.check(Token::kSemicolon)) {
    return std::unexpected(
        t.error("Expected end or semicolon (after " + std::string(after) + ")", span_start));
  }
  t.read(Token::kSemicolon);
  auto marker = Marker::parse_tokens(t);
  if (!marker) return std::unexpected(marker.error());
  return std::optional<Marker>(std::move(*marker));
}

}  // namespace

Result<Requirement> Requirement::parse(std::string_view text) {
  Tokenizer t(text);
  auto syntax = [](const SyntaxError& e) { return std::unexpected(pep508::to_error(e)); };

  t.consume(Token::kWs);
  auto name = t.expect(Token::kIdentifier, "package name at the start of dependency specifier");
  if (!name) return syntax(name.error());
  t.consume(Token::kWs);
  auto extras = parse_extras(t);
  if (!extras) return syntax(extras.error());
  t.consume(Token::kWs);

  Requirement req;
  req.name = std::string(*name);
  for (std::string& e : *extras)
    if (std::find(req.extras.begin(), req.extras.end(), e) == req.extras.end())
      req.extras.push_back(std::move(e));

  SpecifierClauses specifier;
  size_t url_start = 0;
  if (t.check(Token::kAt)) {
    t.read(Token::kAt);
    t.consume(Token::kWs);
    url_start = t.position();
    auto url = t.expect(Token::kUrl, "URL after @");
    if (!url) return syntax(url.error());
    req.url = std::string(*url);
    if (!t.check(Token::kEnd)) {
      if (auto ws = t.expect(Token::kWs, "whitespace after URL"); !ws) return syntax(ws.error());
      if (!t.check(Token::kEnd)) {
        auto marker = parse_requirement_marker(t, url_start, "URL and whitespace");
        if (!marker) return syntax(marker.error());
        req.marker = std::move(*marker);
      }
    }
  } else {
    const size_t specifier_start = t.position();
    auto spec = parse_specifier(t);
    if (!spec) return syntax(spec.error());
    specifier = std::move(*spec);
    t.consume(Token::kWs);
    if (!t.check(Token::kEnd)) {
      auto marker = parse_requirement_marker(
          t, specifier_start,
          specifier.joined.empty() ? "name and no valid version specifier"
                                   : "version specifier");
      if (!marker) return syntax(marker.error());
      req.marker = std::move(*marker);
    }
  }
  if (auto end = t.expect(Token::kEnd, "end of dependency specifier"); !end)
    return syntax(end.error());

  if (!req.url.empty()) {
    if (auto problem = url_problem(req.url)) {
      Location loc;
      loc.column = static_cast<int>(url_start) + 1;
      loc.end_column = static_cast<int>(url_start + req.url.size()) + 1;
      return fail(*problem, loc);
    }
  }
  // packaging accepts every clause its tokenizer accepted; funcpack's SpecifierSet can still
  // refuse one (version numbers beyond 64 bits, see version.h). Point at that clause.
  bool comma_in_operand = false;
  SpecifierSet parsed;
  for (const auto& clause : specifier.clauses) {
    auto one = Specifier::parse(clause.text);
    if (!one) {
      Location loc;
      loc.column = static_cast<int>(clause.start) + 1;
      loc.end_column = static_cast<int>(clause.end) + 1;
      return fail(one.error().message, loc);
    }
    comma_in_operand = comma_in_operand || clause.text.find(',') != std::string::npos;
    parsed.add(std::move(*one));
  }
  if (!comma_in_operand) {
    // The clauses are what SpecifierSet::parse would split `joined` into: no second parse.
    req.specifier = std::move(parsed);
    return req;
  }
  auto set = SpecifierSet::parse(specifier.joined);
  if (!set) {
    // An `===` operand may hold a comma ("===a,b"), which SpecifierSet splits on, as
    // packaging does: the error covers the whole specifier.
    Location loc;
    loc.column = static_cast<int>(specifier.clauses.front().start) + 1;
    loc.end_column = static_cast<int>(specifier.clauses.back().end) + 1;
    return fail(set.error().message, loc);
  }
  req.specifier = std::move(*set);
  return req;
}

std::string Requirement::normalized_name() const {
  std::string out;
  for (size_t i = 0; i < name.size();) {
    if (name[i] == '-' || name[i] == '_' || name[i] == '.') {
      while (i < name.size() && (name[i] == '-' || name[i] == '_' || name[i] == '.')) ++i;
      out += '-';
    } else {
      out += ascii_lower(name[i++]);
    }
  }
  return out;
}

std::string Requirement::str() const {
  std::string out = name;
  if (!extras.empty()) {
    std::vector<std::string> sorted = extras;
    std::sort(sorted.begin(), sorted.end());
    out += "[" + join(sorted, ",") + "]";
  }
  if (!specifier.empty()) out += specifier.str();
  if (!url.empty()) {
    out += "@ " + url;
    if (marker) out += " ";
  }
  if (marker) out += "; " + marker->str();
  return out;
}

}  // namespace funcpack
