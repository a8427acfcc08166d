// version.h: PEP 440 versions: parse, normalise, order.
//
// Implements the "Version scheme" of PEP 440 as pypa/packaging's Version does (the
// conformance tests compare against it): the permissive parse (leading 'v', case-insensitive,
// '-', '_', '.' separators, implicit post releases "1.0-1", alternate spellings alpha/beta/c/
// pre/preview/rev/r), normalised string form, and total ordering.
//
// Traps (read before using):
// - Ordering is not matching. 1.0 == 1.0.0 (trailing zeros are insignificant in comparison),
//   but `str()` keeps the release as written ("1.0.0").
// - dev < pre < final < post:  1.0.dev0 < 1.0a1.dev0 < 1.0a1 < 1.0a1.post0.dev0 < 1.0a1.post0
//   < 1.0b1 < 1.0rc1 < 1.0 < 1.0.post0.dev0 < 1.0.post0 < 1.0+local.
// - A local version sorts after its public version; local segments compare numerically when
//   both are numbers, a number sorts after a string, strings compare lowercase.
// - Numbers must fit in uint64_t; larger ones are a parse error (deliberate difference from
//   packaging, which has unbounded ints; no real project uses them).
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

  // Returns the parsed version, or an Error "invalid version 'TEXT'" whose column points at
  // the first offending character (1-based within `text`).
  static Result<Version> parse(std::string_view text);

  // Constructs X.Y.Z... directly (used by targets and tests).
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

  std::strong_ordering operator<=>(const Version& other) const;
  bool operator==(const Version& other) const { return (*this <=> other) == 0; }

 private:
  uint64_t epoch_ = 0;
  std::vector<uint64_t> release_;
  std::optional<Pre> pre_;
  std::optional<uint64_t> post_;
  std::optional<uint64_t> dev_;
  std::vector<LocalSegment> local_;
};

}  // namespace funcpack
