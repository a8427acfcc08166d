// libFuzzer target: Marker::parse never crashes; whatever parses has a str() that parses
// back to the same str() (a fixed point), and evaluates without crashing.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "spec/marker.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace funcpack;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto marker = Marker::parse(text);
  if (!marker) {
    if (marker.error().location.column < 1) std::abort();
    return 0;
  }
  const std::string once = marker->str();
  auto again = Marker::parse(once);
  if (!again || again->str() != once) std::abort();
  static const MarkerEnvironment env = linux_target_environment("3.11.9");
  const bool value = marker->evaluate(env, "Some_Extra");
  auto checked = again->evaluate_checked(env, "some-extra");
  if (checked.value_or(false) != value) std::abort();
  return 0;
}
