// libFuzzer entry point for Specifier / SpecifierSet. Input: a specifier set on the first line,
// candidate versions on the following lines. Arbitrary bytes must never crash; a set that
// parses must re-parse from its str() to a set that answers every question the same way.
// Run: scripts/fuzz specifier_fuzz 60
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <vector>

#include "spec/specifier.h"

using funcpack::Specifier;
using funcpack::SpecifierSet;
using funcpack::Version;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t nl = input.find('\n');
  std::string_view set_text = input.substr(0, nl);

  // Every clause on its own.
  auto single = Specifier::parse(set_text);
  if (single) {
    auto again = Specifier::parse(single->str());
    check(again.has_value() && again->str() == single->str());
    check(again->equivalent(*single));
    check(again->names_prerelease() == single->names_prerelease());
  } else {
    const auto& loc = single.error().location;
    check(loc.column >= 1 && size_t(loc.column) <= set_text.size() + 1);
  }

  auto set = SpecifierSet::parse(set_text);
  if (!set) {
    const auto& loc = set.error().location;
    check(loc.column >= 1 && size_t(loc.column) <= set_text.size() + 1);
    return 0;
  }
  std::string str = set->str();
  auto again = SpecifierSet::parse(str);
  check(again.has_value());
  check(again->str() == str);
  check(again->names_prerelease() == set->names_prerelease());
  check((*set & *set).str() == str);  // equivalent specifiers are held once

  std::vector<Version> versions;
  while (nl != std::string_view::npos) {
    size_t start = nl + 1;
    nl = input.find('\n', start);
    auto v = Version::parse(input.substr(start, nl == std::string_view::npos ? nl : nl - start));
    if (v) versions.push_back(std::move(*v));
  }
  for (const Version& v : versions) {
    for (std::optional<bool> pre : {std::optional<bool>(), std::optional<bool>(true),
                                    std::optional<bool>(false)}) {
      check(set->contains(v, pre) == again->contains(v, pre));
    }
    // The pre-release switch only matters for pre-releases.
    if (!v.is_prerelease()) check(set->contains(v, true) == set->contains(v, false));
    if (set->contains(v, false)) check(set->contains(v, true));
  }
  for (std::optional<bool> pre : {std::optional<bool>(), std::optional<bool>(true),
                                  std::optional<bool>(false)}) {
    std::vector<Version> kept = set->filter(versions, pre);
    check(kept.size() <= versions.size());
    if (!set->empty()) {
      size_t k = 0;
      for (const Version& v : versions) {
        bool in = set->contains(v, pre.value_or(set->names_prerelease()));
        if (in) check(k < kept.size() && kept[k++].str() == v.str());
      }
      check(k == kept.size());
    }
  }
  return 0;
}
