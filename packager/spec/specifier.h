// specifier.h: PEP 440 version specifiers and specifier sets, as pypa/packaging 23.0's
// Specifier/SpecifierSet parse and match them (tests/pep440/ checks thousands of cases).
//
// Operators: ==, !=, <=, >=, <, >, ~=, ===, and the prefix forms ==X.* / !=X.*.
// Grammar: operator, optional whitespace, version. Local labels ("+abc") only with == and !=;
// ".*" only with == and != and right after the release ("==1.0a1.*" is invalid); ~= needs at
// least two release segments; === takes any text without whitespace, ';' or ')' (even none).
// Traps:
// - `==1.0` matches 1.0+anything (local versions are ignored when the specifier has none),
//   `==1.0+abc` matches only that local; `<=`/`>=` compare public versions; `<`/`>` compare
//   whole versions.
// - `<V` excludes pre-releases of V's release unless V is itself a pre-release; `>V` excludes
//   post-releases of V unless V is a post-release, and local versions of V always.
// - `~=X.Y.Z` means `>=X.Y.Z, ==X.Y.*`; the prefix is taken from the text as written the way
//   packaging does it (release components up to the first suffix item, minus the last), which
//   makes it case-sensitive in odd corners: `~=1.4.a1` is `>=1.4a1, ==1.*` but `~=1.4.A1` is
//   `>=1.4a1, ==1.4.*`.
// - `==X.*` compares canonical strings padded with zeros, as packaging does; one consequence:
//   with an epoch, `==1!1.0.*` does not match 1!1.0 (but matches 1!1.0.1).
// - `===` is a case-insensitive comparison of the text with the candidate's normalised str()
//   ("===1.0" matches "v1.0" but not "1.0.0").
// - str() is packaging's: the operator and the version text as written, whitespace removed,
//   NOT normalised (">= v1.0A1" -> ">=v1.0A1").
// - A set holds each specifier once, by packaging's equality (operator plus canonical version,
//   so "==1.0,==1.0.0" keeps only "==1.0"; the first spelling wins); empty items between
//   commas are ignored (">=1,,<2" is valid).
// - Pre-releases: a specifier set accepts a pre-release only when `prereleases` is true, or
//   when it is unset and one of its specifiers names a pre-release with an inclusive operator
//   (==, >=, <=, ~=, ===; ">=1.0a1"). `filter` on a NON-EMPTY set never falls back to
//   pre-releases (packaging 23.0: SpecifierSet(">=1.2.3").filter(["1.2", "1.5a1"]) is
//   empty); only an EMPTY set with `prereleases` unset returns the pre-releases when the
//   input has no final release.
// Deliberate difference: packaging 23.0 raises InvalidVersion from contains()/filter() when
// `prereleases` is unset and the set holds `===X` with X not a PEP 440 version (its
// Specifier.prereleases parses X); here such a clause simply names no pre-release.
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

  // Parses one clause such as ">= 1.0" or "==2.*" (surrounding whitespace allowed). Returns
  // the specifier, or an Error "invalid specifier 'TEXT': REASON" whose column (1-based within
  // `text`) points at the offending character.
  static Result<Specifier> parse(std::string_view text);

  Op op() const { return op_; }
  std::string_view op_str() const;                           // "==", "~=", "===", ...
  bool is_wildcard() const { return wildcard_; }             // ==X.* or !=X.*
  const std::string& version_text() const { return text_; }  // as written, trimmed, no ".*"
  // Parsed version (for a wildcard, the part before ".*"); absent only for `===` with a
  // non-PEP 440 operand.
  const std::optional<Version>& version() const { return version_; }
  // True when the operand names a pre-release and the operator is inclusive (packaging's
  // Specifier.prereleases when not set explicitly).
  bool names_prerelease() const;

  // Whether `v` matches this single specifier; `prereleases` says whether pre-releases are
  // acceptable at all (a pre-release `v` never matches when false).
  bool contains(const Version& v, bool prereleases) const;

  // packaging's str(Specifier): operator then the version text as written ("~=1.4.5",
  // "==2.0.*", ">=v1.0A1").
  std::string str() const;

  // packaging's Specifier equality: same operator and same canonical version
  // (canonicalize_version, keeping trailing zeros for ~=). "==1.0" equals "== 1.0.0".
  bool equivalent(const Specifier& other) const;

 private:
  bool wildcard_match(const Version& v) const;

  Op op_ = Op::kEqual;
  bool wildcard_ = false;
  std::string text_;
  std::optional<Version> version_;
  // For ==X.* / !=X.* and ~=: packaging's split canonical prefix ("1.4" -> {"1", "4"}).
  std::vector<std::string> prefix_;
};

class SpecifierSet {
 public:
  // Parses a comma-separated list (may be empty: matches every final release). Returns the
  // set, or the first clause's Error with its column made 1-based within `text`.
  static Result<SpecifierSet> parse(std::string_view text);

  // The distinct specifiers in order of first appearance.
  const std::vector<Specifier>& specifiers() const { return specs_; }
  bool empty() const { return specs_.empty(); }
  // Adds `s` unless an equivalent specifier is already present.
  void add(Specifier s);
  // Intersection: every specifier of both (this set's spelling wins for equivalent ones).
  SpecifierSet operator&(const SpecifierSet& other) const;

  // packaging's SpecifierSet.prereleases when not forced: true if any specifier names a
  // pre-release (false for an empty set).
  bool names_prerelease() const;

  // packaging's SpecifierSet.contains(v, prereleases): with `prereleases` unset, uses
  // names_prerelease(); a pre-release is rejected unless pre-releases are allowed, then every
  // specifier must match.
  bool contains(const Version& v, std::optional<bool> prereleases = std::nullopt) const;

  // packaging's SpecifierSet.filter: the matching versions in input order. Non-empty set:
  // exactly the versions contains(v, prereleases.value_or(names_prerelease())) accepts. Empty
  // set: every final release, or every version when `prereleases` is true; when `prereleases`
  // is unset and the input has no final release, the pre-releases.
  std::vector<Version> filter(const std::vector<Version>& versions,
                              std::optional<bool> prereleases = std::nullopt) const;

  // packaging's str(SpecifierSet): the specifiers' str() sorted and joined with ",".
  std::string str() const;

 private:
  std::vector<Specifier> specs_;
};

}  // namespace funcpack
