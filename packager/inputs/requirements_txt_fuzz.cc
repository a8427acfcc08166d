// libFuzzer entry point: parse_requirements_text on arbitrary bytes must never crash, hang or
// trip a sanitizer. Includes resolve relative to a directory that does not exist, so a fuzzed
// "-r" cannot read the host's files; environment lookups are answered from the input itself.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "inputs/requirements_txt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  funcpack::DiagnosticSink sink;
  funcpack::EnvLookup env = [](std::string_view name) -> std::optional<std::string> {
    if (name.empty() || name[0] == 'U') return std::nullopt;  // some variables are unset
    return std::string(name.size() % 3 == 0 ? "" : "${" + std::string(name) + "} #x");
  };
  funcpack::RequirementsFile file = funcpack::parse_requirements_text(
      text, "/nonexistent-funcpack-fuzz-dir/requirements.txt", sink, env);
  for (const auto& d : sink.diagnostics()) (void)funcpack::format_diagnostic(d);
  for (const auto& e : file.entries) (void)e.req.str();
  return 0;
}
