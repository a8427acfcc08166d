// The packse scenarios (../shared/data/packse-scenarios, uv's resolver test corpus) as resolver
// tests: each scenario's packages become an in-memory index (a wheel per listed wheel tag, or
// py3-none-any by default; an sdist unless `sdist = false`; Requires-Python on the files and in
// the metadata; extras as `Provides-Extra` + `Requires-Dist: ...; extra == "x"`), resolved for
// one target: CPython at the scenario's Python version (resolver_options.python, else
// environment.python, else 3.12) on Linux x86_64, manylinux up to glibc 2.31 (2.17 for
// python_platform = "x86_64-manylinux2014"), with pip's defaults (wheels and sdists allowed,
// --no-binary / --only-binary from no_binary / no_build, --pre from prereleases).
//
// Every scenario must either meet its [expected] table, or be listed in
// packse_not_applicable.txt with a reason. A listed scenario is still resolved:
//   "pip: satisfiable a=1.0 b=2.0" / "pip: unsatisfiable"  -> pip's outcome, asserted exactly
//       (for scenarios where uv's expectation differs from what pip does; the reason says why);
//   "n/a"  -> not a single-target question (universal/forked resolution); the resolver must
//       still answer it for the Linux target without a source or input error, and the listing
//       must still be needed (the single-target answer differs from uv's universal one).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <toml.hpp>

#include "base/strings.h"
#include "resolve/memory_source.h"
#include "resolve/resolver.h"
#include "spec/package_name.h"

namespace funcpack {
namespace {

namespace fs = std::filesystem;

const fs::path kScenarioDir = fs::path(FUNCPACK_SHARED_DIR) / "data" / "packse-scenarios";
const fs::path kListFile =
    fs::path(FUNCPACK_SOURCE_DIR) / "packager" / "resolve" / "packse_not_applicable.txt";

struct Listed {
  std::string kind;  // "pip" or "n/a"
  bool satisfiable = false;
  std::map<std::string, std::string> packages;
  std::string reason;
};

// Format: one scenario per line, `name | pip: satisfiable a=1.0 b=2.0 | reason` or
// `name | n/a | reason`; '#' starts a comment line.
std::map<std::string, Listed> load_list() {
  std::map<std::string, Listed> out;
  std::ifstream in(kListFile);
  std::string line;
  while (std::getline(in, line)) {
    if (trim(line).empty() || trim(line).starts_with("#")) continue;
    auto parts = split(line, '|');
    if (parts.size() != 3) ADD_FAILURE() << "malformed line in " << kListFile << ": " << line;
    if (parts.size() != 3) continue;
    Listed l;
    std::string name(trim(parts[0]));
    std::string outcome(trim(parts[1]));
    l.reason = std::string(trim(parts[2]));
    if (outcome == "n/a") {
      l.kind = "n/a";
    } else if (outcome.starts_with("pip:")) {
      l.kind = "pip";
      std::istringstream words(outcome.substr(4));
      std::string w;
      words >> w;
      l.satisfiable = w == "satisfiable";
      if (w != "satisfiable" && w != "unsatisfiable") ADD_FAILURE() << "bad outcome: " << line;
      while (words >> w) {
        auto eq = w.find('=');
        l.packages[w.substr(0, eq)] = w.substr(eq + 1);
      }
    } else {
      ADD_FAILURE() << "unknown outcome '" << outcome << "' in: " << line;
    }
    if (l.reason.empty()) ADD_FAILURE() << "no reason given: " << line;
    out[name] = l;
  }
  return out;
}

std::vector<fs::path> scenario_files() {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(kScenarioDir))
    if (e.is_regular_file() && e.path().extension() == ".toml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> strings_of(const toml::value& table, const std::string& key) {
  std::vector<std::string> out;
  if (!table.is_table() || !table.contains(key)) return out;
  for (const auto& v : table.at(key).as_array()) out.push_back(v.as_string().str);
  return out;
}

// "name[x]>=1; marker" + extra "e" -> "name[x]>=1 ; (marker) and extra == \"e\"".
std::string with_extra(const std::string& req, const std::string& extra) {
  auto semi = req.find(';');
  std::string head = semi == std::string::npos ? req : req.substr(0, semi);
  std::string marker = "extra == \"" + extra + "\"";
  if (semi != std::string::npos) marker = "(" + std::string(trim(req.substr(semi + 1))) + ") and " + marker;
  return std::string(trim(head)) + " ; " + marker;
}

struct Scenario {
  std::string name;
  bool satisfiable = false;
  std::map<std::string, std::string> expected;
  MemorySource source;
  ResolveRequest request;
  std::string root_requires_python;
};

void load_scenario(const fs::path& path, Scenario& s) {
  const toml::value data = toml::parse(path.string());
  s.name = toml::find<std::string>(data, "name");
  const auto& expected = toml::find(data, "expected");
  s.satisfiable = toml::find<bool>(expected, "satisfiable");
  if (expected.contains("packages"))
    for (const auto& [k, v] : expected.at("packages").as_table())
      s.expected[normalize_name(k)] = v.as_string().str;

  toml::value options = data.contains("resolver_options") ? data.at("resolver_options") : toml::value(toml::table{});
  toml::value env = data.contains("environment") ? data.at("environment") : toml::value(toml::table{});
  std::string python = "3.12";
  if (env.contains("python")) python = env.at("python").as_string().str;
  if (options.contains("python")) python = options.at("python").as_string().str;
  auto dots = split(python, '.');
  Target& t = s.request.target;
  t.python_major = std::stoi(std::string(dots.at(0)));
  t.python_minor = std::stoi(std::string(dots.at(1)));
  t.python_full_version = dots.size() >= 3 ? python : python + ".0";
  t.machine = "x86_64";
  if (options.contains("python_platform") &&
      options.at("python_platform").as_string().str == "x86_64-manylinux2014") {
    t.glibc_minor = 17;
  }
  s.request.binary = BinaryPolicy::pip_default();
  for (const auto& n : strings_of(options, "no_binary")) s.request.binary.no_binary.insert(normalize_name(n));
  for (const auto& n : strings_of(options, "no_build")) s.request.binary.only_binary.insert(normalize_name(n));
  s.request.pre = options.contains("prereleases") && options.at("prereleases").as_boolean();

  const auto& root = toml::find(data, "root");
  for (const auto& r : strings_of(root, "requires")) {
    auto req = Requirement::parse(r);
    ASSERT_TRUE(req.has_value()) << r << ": " << req.error().message;
    s.request.requirements.push_back(*req);
  }
  if (root.contains("requires_python")) s.root_requires_python = root.at("requires_python").as_string().str;

  if (!data.contains("packages")) return;
  for (const auto& [pname, pkg] : data.at("packages").as_table()) {
    if (!pkg.contains("versions")) continue;
    for (const auto& [version, meta] : pkg.at("versions").as_table()) {
      std::vector<std::string> requires_dist = strings_of(meta, "requires");
      std::vector<std::string> extras;
      if (meta.is_table() && meta.contains("extras")) {
        for (const auto& [extra, reqs] : meta.at("extras").as_table()) {
          extras.push_back(extra);
          for (const auto& r : reqs.as_array()) requires_dist.push_back(with_extra(r.as_string().str, extra));
        }
      }
      std::optional<std::string> requires_python;
      if (meta.is_table() && meta.contains("requires_python"))
        requires_python = meta.at("requires_python").as_string().str;
      bool sdist = !(meta.is_table() && meta.contains("sdist")) || meta.at("sdist").as_boolean();
      bool wheel = !(meta.is_table() && meta.contains("wheel")) || meta.at("wheel").as_boolean();
      bool yanked = meta.is_table() && meta.contains("yanked") && meta.at("yanked").as_boolean();
      std::vector<std::string> tags = strings_of(meta, "wheel_tags");
      if (tags.empty()) tags.push_back("py3-none-any");
      std::string metadata = make_core_metadata(pname, version, requires_dist, requires_python, extras);
      std::string stem = normalize_name(pname);
      for (char& c : stem)
        if (c == '-') c = '_';
      auto add = [&](std::string filename) {
        DistributionFile f;
        f.filename = std::move(filename);
        f.requires_python = requires_python;
        f.yanked = yanked;
        s.source.add_file(pname, std::move(f), metadata);
      };
      if (wheel)
        for (const auto& tag : tags) add(stem + "-" + version + "-" + tag + ".whl");
      if (sdist) add(stem + "-" + version + ".tar.gz");
    }
  }
}

class Packse : public ::testing::TestWithParam<fs::path> {};

TEST_P(Packse, Scenario) {
  static const std::map<std::string, Listed> listed = load_list();
  Scenario s;
  load_scenario(GetParam(), s);
  if (HasFatalFailure()) return;

  auto result = resolve(s.source, s.request);
  // The root project's own Requires-Python must admit the target (pip: the project refuses to
  // install otherwise).
  bool root_ok = true;
  if (!s.root_requires_python.empty()) {
    auto spec = SpecifierSet::parse(s.root_requires_python);
    ASSERT_TRUE(spec.has_value());
    root_ok = spec->contains(s.request.target.python_full(), true);
  }
  std::map<std::string, std::string> got;
  if (result && root_ok)
    for (const auto& p : result->packages) got[p.name] = p.version.str();
  bool satisfiable = result.has_value() && root_ok;
  if (!result) {
    ASSERT_EQ(result.error().kind, ResolveFailure::Kind::kNoSolution) << result.error().message;
  }
  std::string detail = result ? "resolved" : result.error().message;

  auto it = listed.find(s.name);
  if (it == listed.end()) {
    EXPECT_EQ(satisfiable, s.satisfiable) << s.name << ": " << detail;
    if (satisfiable && !s.expected.empty()) {
      EXPECT_EQ(got, s.expected) << s.name;
    }
    return;
  }
  const Listed& l = it->second;
  if (l.kind == "pip") {
    EXPECT_EQ(satisfiable, l.satisfiable) << s.name << ": " << detail;
    if (satisfiable) {
      EXPECT_EQ(got, l.packages) << s.name;
    }
    // The listing must be needed: uv's expectation really is different from pip's.
    bool same = l.satisfiable == s.satisfiable && (!l.satisfiable || s.expected.empty() || l.packages == s.expected);
    EXPECT_FALSE(same) << s.name << " is listed as differing from pip but is not";
  } else {
    // A stale listing hides a scenario that now passes: it must be removed from the list.
    bool meets = satisfiable == s.satisfiable && (!satisfiable || s.expected.empty() || got == s.expected);
    EXPECT_FALSE(meets) << s.name << " is listed as not applicable but meets its expectation";
  }
}

std::string scenario_test_name(const ::testing::TestParamInfo<fs::path>& info) {
  std::string n = info.param.stem().string();
  for (char& c : n)
    if (!is_ascii_alnum(c)) c = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(All, Packse, ::testing::ValuesIn(scenario_files()), scenario_test_name);

TEST(PackseList, EveryListedScenarioExists) {
  std::set<std::string> names;
  for (const auto& f : scenario_files()) {
    Scenario s;
    load_scenario(f, s);
    names.insert(s.name);
  }
  EXPECT_GE(names.size(), 147u);
  for (const auto& [name, l] : load_list()) EXPECT_TRUE(names.count(name)) << name << " is listed but no scenario has that name";
}

}  // namespace
}  // namespace funcpack
