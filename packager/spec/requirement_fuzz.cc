// libFuzzer target: Requirement::parse never crashes; whatever parses has a str() that parses
// back to the same str() (a fixed point) with the same normalised name, URL and extras.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "spec/requirement.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace funcpack;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto req = Requirement::parse(text);
  if (!req) {
    if (req.error().location.column < 1) std::abort();
    return 0;
  }
  const std::string once = req->str();
  auto again = Requirement::parse(once);
  if (!again || again->str() != once) std::abort();
  if (again->normalized_name() != req->normalized_name() || again->url != req->url ||
      again->extras.size() != req->extras.size() ||
      again->marker.has_value() != req->marker.has_value())
    std::abort();
  return 0;
}
