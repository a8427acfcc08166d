#include "spec/specifier.h"

#include <algorithm>

#include "base/strings.h"

namespace funcpack {
namespace {

// packaging's _version_split: split on '.', and split an item such as "4a1" or "0rc2"
// (^[0-9]+(a|b|c|rc)[0-9]+$, case-sensitive) into its number and its pre-release.
void version_split(std::string_view s, std::vector<std::string>& out) {
  for (std::string_view item : split(s, '.')) {
    size_t i = 0;
    while (i < item.size() && is_ascii_digit(item[i])) ++i;
    size_t label_end = i;
    if (i > 0 && i < item.size()) {
      if (item.substr(i, 2) == "rc") {
        label_end = i + 2;
      } else if (item[i] == 'a' || item[i] == 'b' || item[i] == 'c') {
        label_end = i + 1;
      }
    }
    bool split_here = label_end > i && label_end < item.size();
    for (size_t j = label_end; split_here && j < item.size(); ++j)
      split_here = is_ascii_digit(item[j]);
    if (split_here) {
      out.emplace_back(item.substr(0, i));
      out.emplace_back(item.substr(i));
    } else {
      out.emplace_back(item);
    }
  }
}

// packaging's _is_not_suffix (case-sensitive on purpose: packaging's is).
bool is_not_suffix(std::string_view item) {
  for (std::string_view prefix : {"dev", "a", "b", "rc", "post"})
    if (item.starts_with(prefix)) return false;
  return true;
}

// Python's str.isdigit on an ASCII item.
bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_ascii_digit);
}

// canonicalize_version(text, strip_trailing_zero): the normalised form when `text` parses,
// otherwise `text` unchanged.
std::string canonicalize(std::string_view text, bool strip_trailing_zero) {
  auto v = Version::parse(text);
  if (!v) return std::string(text);
  return strip_trailing_zero ? v->canonical_str() : v->str();
}

// Same epoch and release, trailing zeros ignored (Version(a.base_version) ==
// Version(b.base_version)).
bool same_base(const Version& a, const Version& b) {
  if (a.epoch() != b.epoch()) return false;
  const auto& ra = a.release();
  const auto& rb = b.release();
  size_t n = std::max(ra.size(), rb.size());
  for (size_t i = 0; i < n; ++i) {
    uint64_t x = i < ra.size() ? ra[i] : 0, y = i < rb.size() ? rb[i] : 0;
    if (x != y) return false;
  }
  return true;
}

// Version(v.public) <=> spec, without copying when `v` has no local label.
std::strong_ordering compare_public(const Version& v, const Version& spec) {
  if (!v.has_local()) return v <=> spec;
  return v.public_version() <=> spec;
}

std::string_view trim_python_space(std::string_view s) {
  while (!s.empty() && is_python_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_python_space(s.back())) s.remove_suffix(1);
  return s;
}

constexpr std::string_view kOperators = "(==, !=, <=, >=, <, >, ~=, ===)";

}  // namespace

std::string_view Specifier::op_str() const {
  switch (op_) {
    case Op::kEqual: return "==";
    case Op::kNotEqual: return "!=";
    case Op::kLessEqual: return "<=";
    case Op::kGreaterEqual: return ">=";
    case Op::kLess: return "<";
    case Op::kGreater: return ">";
    case Op::kCompatible: return "~=";
    case Op::kArbitrary: return "===";
  }
  return "";
}

Result<Specifier> Specifier::parse(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && is_python_space(text[begin])) ++begin;
  while (end > begin && is_python_space(text[end - 1])) --end;
  auto error = [&](size_t at, std::string_view reason) -> Result<Specifier> {
    return fail("invalid specifier '" + std::string(text) + "': " + std::string(reason),
                Location{"", 0, int(at) + 1, int(text.size()) + 1});
  };

  struct OpSpelling {
    std::string_view text;
    Op op;
  };
  // Longest first: "===" before "==", "<=" before "<".
  static constexpr OpSpelling kSpellings[] = {
      {"===", Op::kArbitrary}, {"~=", Op::kCompatible}, {"==", Op::kEqual},
      {"!=", Op::kNotEqual},   {"<=", Op::kLessEqual},  {">=", Op::kGreaterEqual},
      {"<", Op::kLess},        {">", Op::kGreater}};
  std::string_view body = text.substr(begin, end - begin);
  Specifier s;
  size_t p = begin;
  bool found = false;
  for (const auto& sp : kSpellings) {
    if (body.starts_with(sp.text)) {
      s.op_ = sp.op;
      p += sp.text.size();
      found = true;
      break;
    }
  }
  if (!found) return error(begin, "expected an operator " + std::string(kOperators));
  while (p < end && is_python_space(text[p])) ++p;
  std::string_view operand = text.substr(p, end - p);

  if (s.op_ == Op::kArbitrary) {
    // "===" takes anything up to whitespace, ';' or ')' (even nothing at all).
    for (size_t i = 0; i < operand.size(); ++i) {
      char c = operand[i];
      if (is_python_space(c) || c == ';' || c == ')')
        return error(p + i, "'===' takes a version without whitespace, ';' or ')'");
    }
    s.text_ = std::string(operand);
    if (auto v = Version::parse(operand)) s.version_ = std::move(*v);
    return s;
  }

  std::string op_name(s.op_str());
  if (operand.empty()) return error(p, "expected a version after '" + op_name + "'");

  if (operand.ends_with(".*")) {
    std::string_view core = operand.substr(0, operand.size() - 2);
    if (s.op_ != Op::kEqual && s.op_ != Op::kNotEqual)
      return error(p + core.size(), "'.*' is allowed only with '==' and '!='");
    // Only "v? (N!)? N(.N)*" may precede ".*".
    auto v = Version::parse(core);
    size_t bad = core.find_first_not_of("0123456789.!vV");
    if (!v || bad != std::string_view::npos) {
      size_t at = bad != std::string_view::npos ? bad : (v ? 0 : size_t(v.error().location.column - 1));
      return error(p + std::min(at, core.size()),
                   "'.*' must follow a release segment such as '1.2' (no pre, post, dev or "
                   "local part)");
    }
    s.wildcard_ = true;
    s.text_ = std::string(core);
    s.version_ = std::move(*v);
    version_split(s.version_->str(), s.prefix_);
    return s;
  }

  auto v = Version::parse(operand);
  if (!v) {
    std::string reason = "invalid version '" + std::string(operand) + "'";
    if (v.error().message.ends_with("number too large")) reason += ": number too large";
    return error(p + size_t(v.error().location.column - 1), reason);
  }
  if (v->has_local() && s.op_ != Op::kEqual && s.op_ != Op::kNotEqual)
    return error(p + operand.find('+'),
                 "a local version label is allowed only with '==' and '!='");
  if (s.op_ == Op::kCompatible && v->release().size() < 2)
    return error(p, "'~=' needs a version with at least two release segments (~=X.Y)");
  s.text_ = std::string(operand);
  s.version_ = std::move(*v);

  if (s.op_ == Op::kCompatible) {
    // packaging: the items of the text as written, up to the first suffix item, minus the
    // last one, joined with '.' and then matched as "==PREFIX.*".
    std::vector<std::string> items;
    version_split(s.text_, items);
    size_t keep = 0;
    while (keep < items.size() && is_not_suffix(items[keep])) ++keep;
    std::string prefix;
    for (size_t i = 0; i + 1 < keep; ++i) {
      if (i) prefix += '.';
      prefix += items[i];
    }
    version_split(canonicalize(prefix, false), s.prefix_);
  }
  return s;
}

bool Specifier::names_prerelease() const {
  switch (op_) {
    case Op::kEqual:
    case Op::kGreaterEqual:
    case Op::kLessEqual:
    case Op::kCompatible:
    case Op::kArbitrary:
      return version_ && version_->is_prerelease();
    default:
      return false;
  }
}

// packaging's _compare_equal for "==X.*": the candidate's public version in canonical form
// (trailing zeros dropped), split into items, padded with "0" items up to the prefix's
// numeric length, cut to the prefix's length, and compared item by item.
bool Specifier::wildcard_match(const Version& v) const {
  std::vector<std::string> items;
  version_split(v.has_local() ? v.public_version().canonical_str() : v.canonical_str(), items);
  auto numeric_len = [](const std::vector<std::string>& xs) {
    size_t n = 0;
    while (n < xs.size() && is_digits(xs[n])) ++n;
    return n;
  };
  size_t num_v = numeric_len(items), num_s = numeric_len(prefix_);
  size_t pad = num_s > num_v ? num_s - num_v : 0;
  if (items.size() + pad < prefix_.size()) return false;
  for (size_t i = 0; i < prefix_.size(); ++i) {
    std::string_view item;
    if (i < num_v) {
      item = items[i];
    } else if (i < num_v + pad) {
      item = "0";
    } else {
      item = items[i - pad];
    }
    if (item != prefix_[i]) return false;
  }
  return true;
}

bool Specifier::contains(const Version& v, bool prereleases) const {
  if (v.is_prerelease() && !prereleases) return false;
  if (op_ == Op::kArbitrary) return iequals(v.str(), text_);
  const Version& spec = *version_;
  switch (op_) {
    case Op::kEqual:
    case Op::kNotEqual: {
      bool eq;
      if (wildcard_) {
        eq = wildcard_match(v);
      } else if (!spec.has_local()) {
        eq = compare_public(v, spec) == 0;
      } else {
        eq = v == spec;
      }
      return op_ == Op::kEqual ? eq : !eq;
    }
    case Op::kLessEqual:
      return compare_public(v, spec) <= 0;
    case Op::kGreaterEqual:
      return compare_public(v, spec) >= 0;
    case Op::kLess:
      if (!(v < spec)) return false;
      // "<1.0" must not admit 1.0a1 (unless the bound is itself a pre-release).
      if (!spec.is_prerelease() && v.is_prerelease() && same_base(v, spec)) return false;
      return true;
    case Op::kGreater:
      if (!(v > spec)) return false;
      // ">1.0" must not admit 1.0.post1 (unless the bound is a post-release) nor 1.0+local.
      if (!spec.is_postrelease() && v.is_postrelease() && same_base(v, spec)) return false;
      if (v.has_local() && same_base(v, spec)) return false;
      return true;
    case Op::kCompatible:
      return compare_public(v, spec) >= 0 && wildcard_match(v);
    case Op::kArbitrary:
      break;
  }
  return false;
}

std::string Specifier::str() const {
  std::string out(op_str());
  out += text_;
  if (wildcard_) out += ".*";
  return out;
}

bool Specifier::equivalent(const Specifier& other) const {
  if (op_ != other.op_) return false;
  // packaging's _canonical_spec compares canonicalize_version of the version text (".*"
  // included, so a wildcard never parses and is compared as written; trailing zeros kept for
  // "~="). Equal canonical strings are exactly equal versions (and, for "~=", equal release
  // lengths); a text that does not parse never equals a canonical string. Comparing
  // structurally avoids building strings in SpecifierSet::add.
  if (wildcard_ || other.wildcard_) return wildcard_ == other.wildcard_ && text_ == other.text_;
  if (!version_ || !other.version_) return !version_ && !other.version_ && text_ == other.text_;
  if (op_ == Op::kCompatible && version_->release().size() != other.version_->release().size())
    return false;
  return *version_ == *other.version_;
}

Result<SpecifierSet> SpecifierSet::parse(std::string_view text) {
  SpecifierSet set;
  size_t start = 0;
  for (;;) {
    size_t comma = text.find(',', start);
    size_t stop = comma == std::string_view::npos ? text.size() : comma;
    std::string_view item = text.substr(start, stop - start);
    std::string_view clause = trim_python_space(item);
    if (!clause.empty()) {
      auto spec = Specifier::parse(clause);
      if (!spec) {
        Error e = std::move(spec.error());
        e.location.column += int(clause.data() - text.data());
        e.location.end_column = int(text.size()) + 1;
        return std::unexpected(std::move(e));
      }
      set.add(std::move(*spec));
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return set;
}

void SpecifierSet::add(Specifier s) {
  for (const Specifier& have : specs_)
    if (have.equivalent(s)) return;
  specs_.push_back(std::move(s));
}

SpecifierSet SpecifierSet::operator&(const SpecifierSet& other) const {
  SpecifierSet out = *this;
  for (const Specifier& s : other.specs_) out.add(s);
  return out;
}

bool SpecifierSet::names_prerelease() const {
  return std::any_of(specs_.begin(), specs_.end(),
                     [](const Specifier& s) { return s.names_prerelease(); });
}

bool SpecifierSet::contains(const Version& v, std::optional<bool> prereleases) const {
  bool pre = prereleases.value_or(names_prerelease());
  if (v.is_prerelease() && !pre) return false;
  return std::all_of(specs_.begin(), specs_.end(),
                     [&](const Specifier& s) { return s.contains(v, pre); });
}

std::vector<Version> SpecifierSet::filter(const std::vector<Version>& versions,
                                          std::optional<bool> prereleases) const {
  std::vector<Version> out;
  if (!specs_.empty()) {
    bool pre = prereleases.value_or(names_prerelease());
    for (const Version& v : versions)
      if (contains(v, pre)) out.push_back(v);
    return out;
  }
  // Empty set: finals (or everything when pre-releases are allowed); with `prereleases`
  // unset and no final at all, the pre-releases.
  bool pre = prereleases.value_or(false);
  for (const Version& v : versions)
    if (pre || !v.is_prerelease()) out.push_back(v);
  if (out.empty() && !prereleases.has_value()) out = versions;
  return out;
}

std::string SpecifierSet::str() const {
  std::vector<std::string> parts;
  parts.reserve(specs_.size());
  for (const Specifier& s : specs_) parts.push_back(s.str());
  std::sort(parts.begin(), parts.end());
  return join(parts, ",");
}

}  // namespace funcpack
