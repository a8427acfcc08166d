// libFuzzer entry point: parse_pyproject_metadata must never crash, hang or read out of bounds
// on any input, and on success its invariants hold: the core metadata text parses with
// CoreMetadata::parse into the same name, version, Requires-Python, requirements (each
// dependency, then each extra's with its extra marker) and normalised extras.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "inputs/pyproject_metadata.h"
#include "spec/metadata.h"
#include "spec/package_name.h"

namespace {

void check_static(const funcpack::StaticMetadata& m) {
  using namespace funcpack;
  if (!is_valid_name(m.name) || m.normalized_name != normalize_name(m.name)) std::abort();
  auto core = CoreMetadata::parse(m.core_metadata, "core");
  if (!core || core->name != m.name || !(core->version == m.version)) std::abort();
  const bool has_rp = m.requires_python && !m.requires_python->empty();
  if (has_rp != core->requires_python.has_value()) std::abort();
  if (has_rp && core->requires_python->str() != m.requires_python->str()) std::abort();
  size_t i = 0;
  auto next = [&]() -> const Requirement& {
    if (i >= core->requires_dist.size()) std::abort();
    return core->requires_dist[i++];
  };
  for (const Requirement& r : m.dependencies)
    if (next().str() != r.str()) std::abort();
  std::set<std::string> names;
  std::vector<std::string> extras;
  for (const StaticExtra& e : m.extras) {
    if (!is_valid_name(e.key) || e.name != normalize_name(e.key)) std::abort();
    if (!names.insert(e.name).second) std::abort();
    extras.push_back(e.name);
    const MarkerEnvironment env = linux_target_environment("3.12.8");
    for (const Requirement& r : e.requirements) {
      const Requirement& got = next();
      // Same requirement, now guarded by the extra: false without it, and with it exactly
      // the original marker's value.
      if (got.name != r.name || got.url != r.url || got.specifier.str() != r.specifier.str() ||
          !got.marker || got.marker->evaluate(env, "") ||
          got.marker->evaluate(env, e.name) != (!r.marker || r.marker->evaluate(env, e.name)))
        std::abort();
    }
  }
  if (i != core->requires_dist.size() || core->provides_extra != extras) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = funcpack::parse_pyproject_metadata(text, "fuzz");
  if (!r) {
    const auto& l = r.error().location;
    if (r.error().message.empty() || l.path != "fuzz" || l.line < 0 || l.column < 0)
      std::abort();
    return 0;
  }
  if (const auto* n = std::get_if<funcpack::NotStatic>(&*r)) {
    if (n->message.empty()) std::abort();
    return 0;
  }
  check_static(std::get<funcpack::StaticMetadata>(*r));
  return 0;
}
