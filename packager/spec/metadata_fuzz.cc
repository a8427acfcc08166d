// libFuzzer entry point: CoreMetadata::parse must never crash, hang or read out of bounds on
// any input, and on success its invariants hold (every Requires-Dist round-trips through
// str() and parses again; the name is a valid project name).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "spec/metadata.h"
#include "spec/package_name.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto m = funcpack::CoreMetadata::parse(text, "fuzz");
  if (!m) {
    // Locations point into the input: line within the line count, 0 only for whole-file
    // errors.
    if (m.error().location.line < 0 || m.error().message.empty()) std::abort();
    return 0;
  }
  if (!funcpack::is_valid_name(m->name)) std::abort();
  for (const funcpack::Requirement& r : m->requires_dist)
    if (!funcpack::Requirement::parse(r.str())) std::abort();
  (void)m->description();
  (void)m->get_all("Classifier");
  return 0;
}
