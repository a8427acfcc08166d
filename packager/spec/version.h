// version.h: PEP 440 versions: parse, normalise, order.
//
// Implements the "Version scheme" of PEP 440 as pypa/packaging 23.0's Version does (the
// conformance test tests/pep440/ compares thousands of cases against it): the permissive
// parse (leading 'v', case-insensitive, '-', '_', '.' separators, implicit post releases
// "1.0-1", alternate spellings alpha/beta/c/pre/preview/rev/r, separators after a label with
// no number "1.0a." = 1.0a0), surrounding whitespace ignored, normalised string form, and
// total ordering. packaging 23 has no LegacyVersion: anything else is an error.
//
// Traps (read before using):
// - Ordering is not matching. 1.0 == 1.0.0 (trailing zeros are insignificant in comparison),
//   but `str()` keeps the release as written ("1.0.0").
// - dev < pre < final < post:  1.0.dev0 < 1.0a1.dev0 < 1.0a1 < 1.0a1.post0.dev0 < 1.0a1.post0
//   < 1.0b1 < 1.0rc1 < 1.0 < 1.0+local < 1.0.post0.dev0 < 1.0.post0 < 1.0.post0+local.
// - A local version sorts right after its public version (before any post-release); local
//   segments compare numerically when both are numbers, a number sorts after a string
//   ("1.0+abc.a" < "1.0+abc.0"), strings compare lowercase, and a shorter local sorts first
//   when it is a prefix of the longer ("1.0+a" < "1.0+a.0").
// - Leading zeros are insignificant everywhere ("01.02+abc.007" is "1.2+abc.7").
//
// Deliberate differences from packaging (tests/pep440/conformance.py skips exactly these):
// - Numbers must fit in uint64_t; larger ones are a parse error ("number too large");
//   packaging has unbounded ints. No real project uses them.
// - Input is bytes, matched as ASCII. packaging matches Python str with re.IGNORECASE and
//   Unicode `\s`, so it also accepts non-ASCII whitespace around a version (U+00A0, U+2003...)
//   and letters that case-fold to ASCII (KELVIN SIGN U+212A for 'k', LONG S U+017F for 's');
//   we reject every non-ASCII byte. The ASCII whitespace set is Python's: space, \t \n \v \f
//   \r and the separators \x1c-\x1f.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/error.h"

namespace funcpack {

class Version {
 public:
  enum class PreKind { kAlpha, kBeta, kRc };
  struct Pre {
    PreKind kind;
    uint64_t number;
    bool operator==(const Pre&) const = default;
  };
  using LocalSegment = std::variant<uint64_t, std::string>;  // strings stored lowercase

  // Returns the parsed version, or an Error "invalid version 'TEXT'" (with ": number too
  // large" appended when a number exceeds uint64_t) whose column points at the first
  // offending character (1-based within `text`; one past the end when the text stops early)
  // and whose end_column is one past the end of `text`.
  static Result<Version> parse(std::string_view text);

  // Constructs X.Y.Z... directly (used by targets and tests). An empty `release` gives 0.
  static Version from_release(std::vector<uint64_t> release);

  uint64_t epoch() const { return epoch_; }
  const std::vector<uint64_t>& release() const { return release_; }
  const std::optional<Pre>& pre() const { return pre_; }
  const std::optional<uint64_t>& post() const { return post_; }
  const std::optional<uint64_t>& dev() const { return dev_; }
  const std::vector<LocalSegment>& local() const { return local_; }

  bool is_prerelease() const { return pre_.has_value() || dev_.has_value(); }
  bool is_postrelease() const { return post_.has_value(); }
  bool is_devrelease() const { return dev_.has_value(); }
  bool has_local() const { return !local_.empty(); }

  Version public_version() const;  // without the local part
  Version base_version() const;    // epoch + release only

  // Normalised form, as packaging's str(Version): "1!2.0a1.post2.dev3+abc.4".
  std::string str() const;
  // packaging.utils.canonicalize_version: str() with trailing ".0" release components
  // removed (at least one component is kept): "1.0.0.post1" -> "1.post1".
  std::string canonical_str() const;

  // Total order of PEP 440 (packaging's _cmpkey). Equal means "same version", not same text:
  // 1.0 == 1.0.0 and 1.0+01 == 1.0+1.
  std::strong_ordering operator<=>(const Version& other) const;
  bool operator==(const Version& other) const { return (*this <=> other) == 0; }

  Version() = default;  // 0

 private:
  struct Unset {};
  explicit Version(Unset) : release_() {}  // empty release, filled by parse (no allocation)

  uint64_t epoch_ = 0;
  std::vector<uint64_t> release_{0};
  std::optional<Pre> pre_;
  std::optional<uint64_t> post_;
  std::optional<uint64_t> dev_;
  std::vector<LocalSegment> local_;
};

// Python's ASCII whitespace (str.isspace / re's \s on ASCII): the set PEP 440 and PEP 508
// parsers of packaging strip.
constexpr bool is_python_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

}  // namespace funcpack
