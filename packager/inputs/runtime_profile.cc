#include "inputs/runtime_profile.h"

#include <sstream>
#include <toml.hpp>

#include "base/strings.h"
#include "inputs/rules_data.h"
#include "spec/package_name.h"

namespace funcpack {

namespace {

// Parses "MAJOR.MINOR" into two small non-negative ints.
std::optional<std::pair<int, int>> parse_major_minor(std::string_view s) {
  auto parts = split(s, '.');
  if (parts.size() != 2) return std::nullopt;
  int out[2];
  for (int i = 0; i < 2; ++i) {
    if (parts[i].empty() || parts[i].size() > 4) return std::nullopt;
    int v = 0;
    for (char c : parts[i]) {
      if (!is_ascii_digit(c)) return std::nullopt;
      v = v * 10 + (c - '0');
    }
    out[i] = v;
  }
  return std::make_pair(out[0], out[1]);
}

std::vector<std::string> string_list(const toml::value& table, const char* key) {
  return toml::find_or<std::vector<std::string>>(table, key, {});
}

}  // namespace

const PythonRuntime* RuntimeProfile::python(std::string_view version) const {
  for (const auto& p : pythons)
    if (p.version == version) return &p;
  return nullptr;
}

const HostingPlan* RuntimeProfile::plan(std::string_view id) const {
  for (const auto& p : plans)
    if (p.id == id) return &p;
  return nullptr;
}

std::string RuntimeProfile::python_versions() const {
  std::vector<std::string> v;
  for (const auto& p : pythons) v.push_back(p.version);
  return join(v, ", ");
}

Result<RuntimeProfile> RuntimeProfile::parse(std::string_view toml_text, std::string_view path) {
  // toml11 reports problems by exception; they stop here and become an Error value.
  try {
    std::istringstream in{std::string(toml_text)};
    const toml::value root = toml::parse(in, std::string(path));
    RuntimeProfile profile;
    profile.default_python = toml::find<std::string>(root, "default_python");
    profile.default_plan = toml::find<std::string>(root, "default_plan");
    for (const auto& [version, t] : toml::find<toml::table>(root, "python")) {
      PythonRuntime p;
      p.version = version;
      p.full_version = toml::find<std::string>(t, "full_version");
      const auto glibc = toml::find<std::string>(t, "glibc");
      auto mm = parse_major_minor(glibc);
      if (!mm) return fail(std::string(path) + ": python." + version + ".glibc: invalid '" + glibc + "'");
      p.glibc_major = mm->first;
      p.glibc_minor = mm->second;
      p.base_image = toml::find<std::string>(t, "base_image");
      p.status = toml::find<std::string>(t, "status");
      p.end_of_support = toml::find<std::string>(t, "end_of_support");
      p.isolates_worker_dependencies = toml::find<bool>(t, "isolates_worker_dependencies");
      for (const auto& w : toml::find<toml::array>(t, "worker_packages"))
        p.worker_packages.push_back({normalize_name(toml::find<std::string>(w, "name")),
                                     toml::find<std::string>(w, "version")});
      profile.pythons.push_back(std::move(p));
    }
    // toml11's table is unordered: keep versions ascending so listings are stable.
    std::sort(profile.pythons.begin(), profile.pythons.end(), [](const auto& a, const auto& b) {
      auto x = parse_major_minor(a.version), y = parse_major_minor(b.version);
      return x && y ? *x < *y : a.version < b.version;
    });
    for (const auto& [id, t] : toml::find<toml::table>(root, "plan")) {
      HostingPlan plan;
      plan.id = id;
      plan.title = toml::find<std::string>(t, "title");
      plan.python_ga = string_list(t, "python_ga");
      plan.python_preview = string_list(t, "python_preview");
      plan.no_remote_build = string_list(t, "no_remote_build");
      plan.instance_memory_mb = toml::find<std::vector<int>>(t, "instance_memory_mb");
      profile.plans.push_back(std::move(plan));
    }
    std::sort(profile.plans.begin(), profile.plans.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    if (!profile.python(profile.default_python))
      return fail(std::string(path) + ": default_python '" + profile.default_python +
                  "' has no [python] table");
    return profile;
  } catch (const std::exception& e) {
    return fail(std::string(path) + ": " + e.what());
  }
}

Result<RuntimeProfile> RuntimeProfile::load() {
  auto text = read_rules_file("runtime.toml");
  if (!text) return std::unexpected(text.error());
  return parse(*text, "rules/runtime.toml");
}

Result<Target> make_target(const RuntimeProfile& profile, std::string_view python,
                           std::optional<std::string_view> glibc,
                           std::optional<std::string_view> full_version) {
  if (python.empty()) python = profile.default_python;
  const PythonRuntime* rt = profile.python(python);
  if (!rt)
    return fail("unsupported Python version '" + std::string(python) + "' (funcpack targets " +
                profile.python_versions() + ")");
  Target t;
  auto mm = parse_major_minor(rt->version);
  t.python_major = mm->first;
  t.python_minor = mm->second;
  t.python_full_version = rt->full_version;
  t.glibc_major = rt->glibc_major;
  t.glibc_minor = rt->glibc_minor;
  if (glibc) {
    auto g = parse_major_minor(*glibc);
    if (!g)
      return fail("invalid glibc version '" + std::string(*glibc) +
                  "' (expected MAJOR.MINOR, e.g. 2.28)");
    t.glibc_major = g->first;
    t.glibc_minor = g->second;
  }
  if (full_version) {
    auto v = Version::parse(*full_version);
    const auto& r = v ? v->release() : std::vector<uint64_t>{};
    if (!v || r.size() != 3 || r[0] != uint64_t(t.python_major) ||
        r[1] != uint64_t(t.python_minor))
      return fail("invalid Python full version '" + std::string(*full_version) + "' (expected " +
                  rt->version + ".PATCH)");
    t.python_full_version = std::string(*full_version);
  }
  return t;
}

}  // namespace funcpack
