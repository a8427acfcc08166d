// specifier.h: PEP 440 version specifiers and specifier sets, as pypa/packaging's
// Specifier/SpecifierSet match them.
//
// Operators: ==, !=, <=, >=, <, >, ~=, ===, and the prefix forms ==X.* / !=X.*.
// Traps:
// - `==1.0` matches 1.0+anything (local versions are ignored when the specifier has none),
//   `==1.0+abc` matches only that local; `<`/`>`/`<=`/`>=` compare public versions.
// - `<V` excludes pre-releases of V unless V is itself a pre-release; `>V` excludes
//   post-releases of V unless V is a post-release (and local versions of V).
// - `~=X.Y` needs at least two release segments; means >=X.Y, ==X.*.
// - `===` is a case-insensitive string comparison with no normalisation.
// - Pre-releases: a specifier set accepts a pre-release only when `prereleases` is true, or
//   when it is unset and one of its specifiers explicitly names a pre-release (for example
//   ">=1.0a1"). `filter` additionally applies packaging's fallback: when no final release
//   matches, the matching pre-releases are returned.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "spec/version.h"

namespace funcpack {

class Specifier {
 public:
  enum class Op { kEqual, kNotEqual, kLessEqual, kGreaterEqual, kLess, kGreater, kCompatible,
                  kArbitrary };

  // Parses one clause such as ">= 1.0" or "==2.*". Error column is 1-based within `text`.
  static Result<Specifier> parse(std::string_view text);

  Op op() const { return op_; }
  bool is_wildcard() const { return wildcard_; }           // ==X.* or !=X.*
  const std::string& version_text() const { return text_; }  // as written, trimmed, no ".*"
  // Parsed version; absent only for `===` with a non-PEP 440 operand.
  const std::optional<Version>& version() const { return version_; }
  // True when the operand names a pre-release and the operator is inclusive (packaging's
  // Specifier.prereleases when not set explicitly).
  bool names_prerelease() const;

  // Whether `v` matches this single specifier; `prereleases` says whether pre-releases are
  // acceptable at all (a pre-release `v` never matches when false).
  bool contains(const Version& v, bool prereleases) const;

  // Normalised text: operator then normalised version, no spaces ("~=1.4.5", "==2.0.*").
  std::string str() const;

 private:
  Op op_ = Op::kEqual;
  bool wildcard_ = false;
  std::string text_;
  std::optional<Version> version_;
};

class SpecifierSet {
 public:
  // Parses a comma-separated list (may be empty: matches everything). Error column is 1-based
  // within `text`.
  static Result<SpecifierSet> parse(std::string_view text);

  const std::vector<Specifier>& specifiers() const { return specs_; }
  bool empty() const { return specs_.empty(); }
  void add(Specifier s) { specs_.push_back(std::move(s)); }
  // Intersection: every specifier of both.
  SpecifierSet operator&(const SpecifierSet& other) const;

  // packaging's SpecifierSet.prereleases when not forced: true if any specifier names a
  // pre-release.
  bool names_prerelease() const;

  // packaging's SpecifierSet.contains(v, prereleases): with `prereleases` unset, uses
  // names_prerelease(). (packaging also accepts pre-releases when the set is empty only
  // through filter(), not contains().)
  bool contains(const Version& v, std::optional<bool> prereleases = std::nullopt) const;

  // packaging's SpecifierSet.filter: the matching versions in input order; when `prereleases`
  // is unset and no final release matches, the matching pre-releases instead.
  std::vector<Version> filter(const std::vector<Version>& versions,
                              std::optional<bool> prereleases = std::nullopt) const;

  // Normalised text: the specifiers' str() sorted and joined with "," (packaging's
  // str(SpecifierSet)).
  std::string str() const;

 private:
  std::vector<Specifier> specs_;
};

}  // namespace funcpack
