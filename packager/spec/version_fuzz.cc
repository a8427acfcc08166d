// libFuzzer entry point for Version::parse. Arbitrary bytes must never crash; whatever parses
// must survive a round trip (str() re-parses to an equal version with the same str()), and
// ordering must be a consistent total order on what parses. Run: scripts/fuzz version_fuzz 60
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "spec/version.h"

using funcpack::Version;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

int sign(std::strong_ordering o) { return o < 0 ? -1 : o > 0 ? 1 : 0; }

void check_one(std::string_view text) {
  auto v = Version::parse(text);
  if (!v) {
    const auto& loc = v.error().location;
    check(loc.column >= 1 && size_t(loc.column) <= text.size() + 1);
    check(size_t(loc.end_column) == text.size() + 1);
    return;
  }
  std::string s = v->str();
  auto again = Version::parse(s);
  check(again.has_value());
  check(again->str() == s);
  check(*again == *v);
  check((*v <=> *v) == 0);
  // Trailing zeros are insignificant, so the canonical form is the same version.
  auto canonical = Version::parse(v->canonical_str());
  check(canonical.has_value() && *canonical == *v);
  // A local version sorts after its public version; the base version drops pre/post/dev.
  check(v->public_version() <= *v);
  check((v->public_version() == *v) == !v->has_local());
  check(v->base_version().str().size() <= s.size());
  check(v->is_prerelease() == (v->pre().has_value() || v->dev().has_value()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  check_one(input);
  // With a NUL inside, also compare the two halves (antisymmetry and consistency with ==).
  size_t nul = input.find('\0');
  if (nul != std::string_view::npos) {
    std::string_view a_text = input.substr(0, nul), b_text = input.substr(nul + 1);
    check_one(b_text);
    auto a = Version::parse(a_text);
    auto b = Version::parse(b_text);
    if (a && b) {
      check(sign(*a <=> *b) == -sign(*b <=> *a));
      check((*a == *b) == ((*a <=> *b) == 0));
      if (a->str() == b->str()) check(*a == *b);
    }
  }
  return 0;
}
