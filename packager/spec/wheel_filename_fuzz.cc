// libFuzzer entry point: WheelFilename::parse and SdistFilename::parse must never crash on any
// input; on success the parsed parts are consistent with the input (the tags are non-empty,
// the error columns of failures lie within the filename).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "spec/wheel_filename.h"

namespace {

void check_location(const funcpack::Error& e, size_t size) {
  const auto& loc = e.location;
  if (loc.column < 1 || static_cast<size_t>(loc.column) > size + 1) std::abort();
  if (loc.end_column != 0 && loc.end_column < loc.column) std::abort();
  if (static_cast<size_t>(loc.end_column) > size + 1) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto w = funcpack::WheelFilename::parse(text)) {
    if (w->tags.empty() || w->name.empty()) std::abort();
    for (const funcpack::Tag& t : w->tags)
      if (t.interpreter.empty() || t.abi.empty() || t.platform.empty()) std::abort();
  } else {
    check_location(w.error(), size);
  }
  // Use the first '-'-separated field as the project name, as an index page would.
  std::string_view project = text.substr(0, text.find('-'));
  if (auto s = funcpack::SdistFilename::parse(text, project)) {
    if (s->extension != ".tar.gz" && s->extension != ".zip") std::abort();
  } else {
    check_location(s.error(), size);
  }
  return 0;
}
