// One trigger and one non-trigger per rule, asserting the exact text of the findings. Inputs
// are built in memory (requirements parsed by the real reader) unless a rule needs files.
#include "lint/checks.h"

#include <gtest/gtest.h>

#include <functional>

#include "base/fs.h"
#include "base/strings.h"

namespace funcpack {
namespace {

namespace fs = std::filesystem;

const RuleRegistry& registry() {
  static const RuleRegistry r = *RuleRegistry::load();
  return r;
}
const RuntimeProfile& profile() {
  static const RuntimeProfile p = *RuntimeProfile::load();
  return p;
}

LintInput base_input() {
  LintInput in;
  in.app_root = "app";
  in.is_app = false;  // app-level rules are opted into by the tests that need them
  in.python = {"3.11", {}, {}};
  in.plan = {"flex", {}, {}};
  in.today = "2026-01-15";
  return in;
}

void set_requirements(LintInput& in, std::string_view text) {
  DiagnosticSink sink;
  in.requirements_path = "app/requirements.txt";
  in.requirements = parse_requirements_text(text, in.requirements_path, sink,
                                            [](std::string_view) { return std::nullopt; });
  for (const auto& d : sink.diagnostics()) in.parse_errors.push_back(d);
}

// Findings of the rules whose id starts with `id`, formatted as the text output does.
std::string findings(const LintInput& in, std::string_view id) {
  std::string out;
  for (const auto& d : run_checks(registry(), profile(), in))
    if (d.rule_id.starts_with(id)) out += format_diagnostic(d);
  return out;
}

std::string lint_reqs(std::string_view text, std::string_view id,
                      const std::function<void(LintInput&)>& tweak = {}) {
  LintInput in = base_input();
  set_requirements(in, text);
  if (tweak) tweak(in);
  return findings(in, id);
}

TEST(Registry, LoadsEveryRuleWithACheck) {
  auto r = RuleRegistry::load();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->rules().size(), check_specs().size());
  EXPECT_EQ(r->rules().front().id, "FP001");
  EXPECT_EQ(r->index_of("FP101"), 1);
  EXPECT_EQ(r->find("FP999"), nullptr);
  EXPECT_EQ(r->find("FP111")->integers("commit_id_lengths"), (std::vector<int64_t>{40, 64}));
}

TEST(Registry, RejectsUnknownKeysFactsAndMismatches) {
  const std::string good =
      "id = \"FP101\"\nname = \"x\"\nseverity = \"error\"\nsummary = \"s\"\n"
      "rationale = \"r\"\nhint = \"h\"\nhelp = \"e\"\nfixable = false\nsource = \"src\"\n";
  const CheckSpec specs[] = {{"FP101", {}}};
  auto ok = RuleRegistry::parse({{"rules/lint/FP101.toml", good}}, specs);
  ASSERT_TRUE(ok) << ok.error().message;

  auto extra = RuleRegistry::parse({{"rules/lint/FP101.toml", good + "colour = \"red\"\n"}}, specs);
  ASSERT_FALSE(extra);
  EXPECT_EQ(extra.error().location.str() + ": " + extra.error().message,
            "rules/lint/FP101.toml:10:1: unknown key 'colour' in a rule file");

  auto fact = RuleRegistry::parse({{"rules/lint/FP101.toml", good + "[facts]\nlimit = 3\n"}}, specs);
  ASSERT_FALSE(fact);
  EXPECT_EQ(fact.error().location.str() + ": " + fact.error().message,
            "rules/lint/FP101.toml:11:1: unknown fact 'limit' (rule FP101 does not use it)");

  const CheckSpec needs[] = {{"FP101", {{"limit", FactType::kInteger}}}};
  auto typed = RuleRegistry::parse({{"rules/lint/FP101.toml", good + "[facts]\nlimit = \"3\"\n"}}, needs);
  ASSERT_FALSE(typed);
  EXPECT_EQ(typed.error().location.str() + ": " + typed.error().message,
            "rules/lint/FP101.toml:11:1: fact 'limit' must be an integer");
  auto missing = RuleRegistry::parse({{"rules/lint/FP101.toml", good}}, needs);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "missing fact 'limit' (an integer) in [facts]");

  auto renamed = RuleRegistry::parse({{"rules/lint/FP102.toml", good}}, specs);
  ASSERT_FALSE(renamed);
  EXPECT_EQ(renamed.error().location.str() + ": " + renamed.error().message,
            "rules/lint/FP102.toml:1:6: rule id 'FP101' does not match the file name");

  auto orphan = RuleRegistry::parse({}, specs);
  ASSERT_FALSE(orphan);
  EXPECT_EQ(orphan.error().message, "rule FP101 has a check but no file rules/lint/FP101.toml");

  auto sev = RuleRegistry::parse(
      {{"rules/lint/FP101.toml", replace_all(good, "\"error\"", "\"fatal\"")}}, specs);
  ASSERT_FALSE(sev);
  EXPECT_EQ(sev.error().location.str() + ": " + sev.error().message,
            "rules/lint/FP101.toml:3:12: severity must be \"error\", \"warning\" or \"info\", "
            "not \"fatal\"");
}

TEST(Checks, FP001ParseErrors) {
  EXPECT_EQ(lint_reqs("requests >= 2.31 extra\n", "FP001"),
            "app/requirements.txt:1:10: error[FP001]: invalid requirement: Expected end or "
            "semicolon (after version specifier)\n"
            "  requests >= 2.31 extra\n"
            "           ^~~~~~~~~\n"
            "  hint: fix the line so that it is a PEP 508 requirement, a URL, a path or a pip "
            "option\n");
  EXPECT_EQ(lint_reqs("requests>=2.31\n", "FP001"), "");
}

TEST(Checks, FP101NoConstraint) {
  EXPECT_EQ(lint_reqs("requests  # comment\n", "FP101"),
            "app/requirements.txt:1:1: error[FP101]: 'requests' has no version constraint\n"
            "  requests  # comment\n"
            "  ^~~~~~~~\n"
            "  hint: add a minimum (`NAME>=X.Y`) or an exact pin (`NAME==X.Y.Z`); `funcpack "
            "lock` pins every package\n");
  EXPECT_EQ(lint_reqs("requests>=2.31\nflask==3.0.3\n", "FP101"), "");
}

TEST(Checks, FP102OnlyExclusions) {
  EXPECT_EQ(lint_reqs("urllib3!=2.0.0\n", "FP102"),
            "app/requirements.txt:1:1: error[FP102]: 'urllib3' is constrained only by "
            "exclusions (!=2.0.0); any other version is accepted\n"
            "  urllib3!=2.0.0\n"
            "  ^~~~~~~~~~~~~~\n"
            "  hint: add a minimum or an exact pin next to the exclusion (`NAME>=X.Y,!=X.Y.1`)\n");
  EXPECT_EQ(lint_reqs("urllib3>=1.26,!=2.0.0\n", "FP102"), "");
}

TEST(Checks, FP103WildcardPin) {
  EXPECT_EQ(lint_reqs("pandas==2.*\n", "FP103"),
            "app/requirements.txt:1:1: warning[FP103]: 'pandas' is pinned with a wildcard "
            "(==2.*): any release of that series is accepted\n"
            "  pandas==2.*\n"
            "  ^~~~~~~~~~~\n"
            "  hint: pin the full version (`NAME==X.Y.Z`) or state the intent as a range "
            "(`NAME>=X.Y,<X+1`)\n");
  EXPECT_EQ(lint_reqs("pandas==2.2.3\npandas2!=2.*,>=1\n", "FP103"), "");
}

TEST(Checks, FP104PrereleasePin) {
  EXPECT_EQ(lint_reqs("httpx>=1.0.0rc1\n", "FP104"),
            "app/requirements.txt:1:1: warning[FP104]: 'httpx' names a pre-release (>=1.0.0rc1)\n"
            "  httpx>=1.0.0rc1\n"
            "  ^~~~~~~~~~~~~~~\n"
            "  hint: pin a final release of the package\n");
  EXPECT_EQ(lint_reqs("httpx>=0.27\n", "FP104"), "");
}

TEST(Checks, FP105PolicyMinimumAndExact) {
  EXPECT_EQ(lint_reqs("numpy<2\n", "FP105"),
            "app/requirements.txt:1:1: error[FP105]: 'numpy' has no lower bound (<2); policy "
            "'minimum' asks for >=, ~= or ==\n"
            "  numpy<2\n"
            "  ^~~~~~~\n"
            "  hint: minimum: add a lower bound (`NAME>=X.Y`); exact: pin with `NAME==X.Y.Z` "
            "(`funcpack lock` writes them)\n");
  EXPECT_EQ(lint_reqs("numpy>=1.26,<2\nscipy~=1.13\n", "FP105"), "");
  auto exact = [](LintInput& in) { in.policy = Policy::kExact; };
  EXPECT_EQ(lint_reqs("numpy>=1.26\n", "FP105", exact),
            "app/requirements.txt:1:1: error[FP105]: 'numpy' is not pinned exactly (>=1.26); "
            "policy 'exact' asks for == or --hash\n"
            "  numpy>=1.26\n"
            "  ^~~~~~~~~~~\n"
            "  hint: minimum: add a lower bound (`NAME>=X.Y`); exact: pin with `NAME==X.Y.Z` "
            "(`funcpack lock` writes them)\n");
  EXPECT_EQ(lint_reqs("numpy==1.26.4\nlegacy===1.0-custom\n"
                      "scipy>=1.13 --hash=sha256:" + std::string(64, 'a') + "\n",
                      "FP105", exact),
            "");
}

TEST(Checks, FP110VcsWithoutRevision) {
  EXPECT_EQ(lint_reqs("git+https://github.com/org/lib.git#egg=lib\n", "FP110"),
            "app/requirements.txt:1:1: error[FP110]: 'lib' comes from version control with no "
            "revision: whatever the default branch holds is installed\n"
            "  git+https://github.com/org/lib.git#egg=lib\n"
            "  ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            "  hint: append the full commit id: `git+https://host/repo.git@<40-hex "
            "commit>#egg=NAME`\n");
  EXPECT_EQ(lint_reqs("git+https://github.com/org/lib.git@main#egg=lib\n", "FP110"), "");
}

TEST(Checks, FP111VcsBranchOrTag) {
  EXPECT_EQ(lint_reqs("lib @ git+https://github.com/org/lib.git@v1.2.0\n", "FP111"),
            "app/requirements.txt:1:1: error[FP111]: 'lib' comes from version control at "
            "'v1.2.0', a branch, tag or abbreviated commit, not a full commit id\n"
            "  lib @ git+https://github.com/org/lib.git@v1.2.0\n"
            "  ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            "  hint: replace the revision by the full commit id it points to (`git rev-parse "
            "REV`)\n");
  EXPECT_EQ(lint_reqs("git+https://github.com/org/lib.git@3f2a9c1d5e7b8a6c4d2e0f1a3b5c7d9e1f2a4b6c"
                      "#egg=lib\n",
                      "FP111"),
            "");
  const int64_t lengths[] = {40, 64};
  EXPECT_TRUE(is_full_commit_id(std::string(64, 'e'), lengths));
  EXPECT_FALSE(is_full_commit_id("3f2a9c1", lengths));
  EXPECT_FALSE(is_full_commit_id(std::string(40, 'g'), lengths));
}

TEST(Checks, FP112UrlWithoutHash) {
  EXPECT_EQ(lint_reqs("lib @ https://example.com/lib-1.0-py3-none-any.whl\n", "FP112"),
            "app/requirements.txt:1:1: warning[FP112]: 'lib' is downloaded from a URL without "
            "a hash\n"
            "  lib @ https://example.com/lib-1.0-py3-none-any.whl\n"
            "  ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            "  hint: add `--hash=sha256:<digest>` (or a `#sha256=<digest>` fragment) to the "
            "line\n");
  EXPECT_EQ(lint_reqs("lib @ https://example.com/lib-1.0-py3-none-any.whl#sha256=" +
                          std::string(64, 'b') + "\n",
                      "FP112"),
            "");
}

TEST(Checks, FP113MissingHashInHashMode) {
  const std::string hash = " --hash=sha256:" + std::string(64, 'c');
  EXPECT_EQ(lint_reqs("flask==3.0.3" + hash + "\nrequests==2.32.3\n", "FP113"),
            "app/requirements.txt:2:1: error[FP113]: 'requests' has no --hash, but other "
            "requirements have hashes: pip refuses to install it\n"
            "  requests==2.32.3\n"
            "  ^~~~~~~~~~~~~~~~\n"
            "  hint: add `--hash=sha256:<digest>` for every file of this requirement "
            "(`funcpack lock` writes them)\n");
  EXPECT_EQ(lint_reqs("--require-hashes\nrequests==2.32.3\n", "FP113"),
            "app/requirements.txt:2:1: error[FP113]: 'requests' has no --hash, but "
            "--require-hashes is set: pip refuses to install it\n"
            "  requests==2.32.3\n"
            "  ^~~~~~~~~~~~~~~~\n"
            "  hint: add `--hash=sha256:<digest>` for every file of this requirement "
            "(`funcpack lock` writes them)\n");
  EXPECT_EQ(lint_reqs("flask==3.0.3" + hash + "\nrequests==2.32.3" + hash + "\n", "FP113"), "");
}

TEST(Checks, FP114ConflictingDuplicateAcrossIncludes) {
  auto dir = TempDir::create("lint-test");
  ASSERT_TRUE(dir);
  const fs::path root = dir->path();
  ASSERT_TRUE(write_file_atomic(root / "common.txt", "requests==2.28.2\nflask>=3\n"));
  ASSERT_TRUE(write_file_atomic(root / "requirements.txt",
                                "-r common.txt\nrequests>=2.31\nflask>=3\n"));
  LintInput in = base_input();
  DiagnosticSink sink;
  in.requirements_path = root / "requirements.txt";
  in.requirements = parse_requirements_file(in.requirements_path, sink);
  const std::string req = (root / "requirements.txt").string();
  const std::string common = (root / "common.txt").string();
  EXPECT_EQ(findings(in, "FP114"),
            req + ":2:1: warning[FP114]: 'requests' is required again with >=2.31; " + common +
                ":1:1 requires it with ==2.28.2\n"
                "  requests>=2.31\n"
                "  ^~~~~~~~~~~~~~\n"
                "  hint: keep one line for the package, in the most specific file\n");
  EXPECT_EQ(lint_reqs("requests>=2.31\nRequests>=2.31\n", "FP114"), "");
}

// Local paths must exist (the reader checks them, as pip does): a real tree in a temp dir.
class LocalPaths : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = TempDir::create("lint-paths");
    ASSERT_TRUE(d);
    dir_ = std::make_unique<TempDir>(std::move(*d));
    app_ = dir_->path() / "app";
    for (auto sub : {"app/libs/mylib", "shared/mylib"}) {
      fs::create_directories(dir_->path() / sub);
      ASSERT_TRUE(write_file_atomic(dir_->path() / sub / "pyproject.toml",
                                    "[project]\nname = \"mylib\"\nversion = \"1.0\"\n"));
    }
  }
  std::string lint(std::string_view text, std::string_view id) {
    LintInput in = base_input();
    in.app_root = app_;
    in.requirements_path = app_ / "requirements.txt";
    EXPECT_TRUE(write_file_atomic(in.requirements_path, text));
    DiagnosticSink sink;
    in.requirements = parse_requirements_file(in.requirements_path, sink);
    EXPECT_FALSE(sink.has_errors()) << format_diagnostic(sink.diagnostics().front());
    return findings(in, id);
  }
  std::unique_ptr<TempDir> dir_;
  fs::path app_;
};

TEST_F(LocalPaths, FP115Editable) {
  const std::string req = (app_ / "requirements.txt").string();
  EXPECT_EQ(lint("-e ./libs/mylib\n", "FP115"),
            req + ":1:4: error[FP115]: './libs/mylib' is an editable requirement; "
            "the deployment would link to a source directory that does not exist on Azure\n"
            "  -e ./libs/mylib\n"
            "     ^~~~~~~~~~~~\n"
            "  hint: install the package normally (`./libs/mylib` or `mylib==X.Y`); keep `-e` "
            "in a dev requirements file\n");
  EXPECT_EQ(lint("./libs/mylib\n", "FP115"), "");
}

TEST_F(LocalPaths, FP116PathOutsideApp) {
  const std::string req = (app_ / "requirements.txt").string();
  EXPECT_EQ(lint("../shared/mylib\n", "FP116"),
            req + ":1:1: error[FP116]: '../shared/mylib' is outside the app "
            "directory, which is all that is deployed\n"
            "  ../shared/mylib\n"
            "  ^~~~~~~~~~~~~~~\n"
            "  hint: move the package into the app directory, or publish it to an index and "
            "require it by name\n");
  EXPECT_EQ(lint("./libs/mylib\nlibs/mylib/\n", "FP116"), "");
}

TEST(Checks, FP201RequirementsNotAtAppRoot) {
  auto app = [](LintInput& in) { in.is_app = true; };
  EXPECT_EQ(lint_reqs("azure-functions>=1.21\n", "FP201", app),
            "app/requirements.txt: error[FP201]: no function_app.py or host.json beside this "
            "requirements file: it is not at the root of a Functions app, so nothing installs "
            "it\n"
            "  hint: move requirements.txt beside function_app.py and host.json\n");
  LintInput in = base_input();
  in.is_app = true;
  in.root_markers = {"function_app.py"};
  in.nested_requirements = {"src/requirements.txt"};
  EXPECT_EQ(findings(in, "FP201"),
            "app/function_app.py: error[FP201]: no requirements.txt beside function_app.py "
            "(found src/requirements.txt, which is not read)\n"
            "  hint: move requirements.txt beside function_app.py and host.json\n");
  EXPECT_EQ(lint_reqs("azure-functions>=1.21\n", "FP201",
                      [](LintInput& in) {
                        in.is_app = true;
                        in.root_markers = {"function_app.py", "host.json"};
                      }),
            "");
}

TEST(Checks, FP202AzureFunctionsMissing) {
  auto app = [](LintInput& in) {
    in.is_app = true;
    in.root_markers = {"function_app.py"};
  };
  EXPECT_EQ(lint_reqs("requests>=2.31\n", "FP202", app),
            "app/requirements.txt: warning[FP202]: 'azure-functions' is not required; the app "
            "gets whichever version the worker carries\n"
            "  hint: add `azure-functions>=1.21` (or the version you develop against) to "
            "requirements.txt\n");
  EXPECT_EQ(lint_reqs("Azure_Functions>=1.21\n", "FP202", app), "");
}

TEST(Checks, FP203WorkerListed) {
  EXPECT_EQ(lint_reqs("azure-functions-worker==1.1.9\n", "FP203"),
            "app/requirements.txt:1:1: error[FP203]: 'azure-functions-worker' must not be in "
            "an app's requirements: the Functions host provides the worker\n"
            "  azure-functions-worker==1.1.9\n"
            "  ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            "  hint: remove the line (`funcpack lint --fix` does it)\n");
  EXPECT_EQ(lint_reqs("azure-functions>=1.21\n", "FP203"), "");
}

TEST(Checks, FP204WorkerDependencyClash) {
  EXPECT_EQ(lint_reqs("protobuf==5.27.0\n", "FP204"),
            "app/requirements.txt:1:1: warning[FP204]: the Python 3.11 worker brings its own "
            "'protobuf' (4.25.*); without PYTHON_ISOLATE_WORKER_DEPENDENCIES=1 the app's copy "
            "clashes with it\n"
            "  protobuf==5.27.0\n"
            "  ^~~~~~~~~~~~~~~~\n"
            "  hint: set PYTHON_ISOLATE_WORKER_DEPENDENCIES=1 in the app settings, or drop the "
            "pin\n");
  EXPECT_EQ(lint_reqs("protobuf==5.27.0\nazure-functions>=1.21\n", "FP204",
                      [](LintInput& in) {
                        in.settings["PYTHON_ISOLATE_WORKER_DEPENDENCIES"] = {"1", {}, {}};
                      }),
            "");
  EXPECT_EQ(lint_reqs("protobuf==5.27.0\n", "FP204",
                      [](LintInput& in) { in.python.value = "3.13"; }),
            "");
}

std::string lint_target(std::string python, std::string plan, std::string today,
                        std::string_view id) {
  LintInput in = base_input();
  in.python = {std::move(python), {}, {}};
  in.plan = {std::move(plan), {}, {}};
  in.today = std::move(today);
  return findings(in, id);
}

TEST(Checks, FP205PythonNotOnPlan) {
  EXPECT_EQ(lint_target("3.13", "consumption", "2026-01-15", "FP205"),
            "error[FP205]: Linux Consumption does not offer Python 3.13 (it offers 3.10, 3.11, "
            "3.12)\n"
            "  hint: choose a Python version the plan offers (`--python`, or `python` in "
            "funcpack.toml), or another plan\n");
  EXPECT_EQ(lint_target("3.13", "flex", "2026-01-15", "FP205"), "");
}

TEST(Checks, FP205PointsAtTheConfigurationValue) {
  LintInput in = base_input();
  in.python = {"3.14", {"app/funcpack.toml", 1, 10, 16}, "python = \"3.14\""};
  in.plan = {"consumption", {}, {}};
  EXPECT_EQ(findings(in, "FP205"),
            "app/funcpack.toml:1:10: error[FP205]: Linux Consumption does not offer Python 3.14 "
            "(it offers 3.10, 3.11, 3.12)\n"
            "  python = \"3.14\"\n"
            "           ^~~~~~\n"
            "  hint: choose a Python version the plan offers (`--python`, or `python` in "
            "funcpack.toml), or another plan\n");
}

TEST(Checks, FP206Preview) {
  EXPECT_EQ(lint_target("3.14", "premium", "2026-01-15", "FP206"),
            "warning[FP206]: Python 3.14 is in preview on Elastic Premium\n"
            "  hint: target a GA Python version for production (`--python 3.13`)\n");
  EXPECT_EQ(lint_target("3.13", "premium", "2026-01-15", "FP206"), "");
}

TEST(Checks, FP207EndOfSupport) {
  EXPECT_EQ(lint_target("3.10", "flex", "2026-11-01", "FP207"),
            "error[FP207]: Python 3.10 reached its end of support on Azure Functions on "
            "2026-10-31\n"
            "  hint: move the app to a supported Python version\n");
  EXPECT_EQ(lint_target("3.10", "flex", "2026-10-31", "FP207"), "");
}

TEST(Checks, FP208EndOfSupportSoon) {
  EXPECT_EQ(lint_target("3.11", "flex", "2027-06-01", "FP208"),
            "info[FP208]: Python 3.11 reaches its end of support on Azure Functions on "
            "2027-10-31 (in 152 days)\n"
            "  hint: plan the move to a newer Python version\n");
  EXPECT_EQ(lint_target("3.11", "flex", "2026-10-30", "FP208"), "");
  EXPECT_EQ(lint_target("3.13", "flex", "2027-06-01", "FP208"), "");
}

TEST(Checks, FP209NoRemoteBuild) {
  EXPECT_EQ(lint_target("3.14", "flex", "2026-01-15", "FP209"),
            "warning[FP209]: remote build is not available for Python 3.14 on Flex "
            "Consumption\n"
            "  hint: build the deployment package locally (`funcpack build`) instead of relying "
            "on remote build\n");
  EXPECT_EQ(lint_target("3.14", "premium", "2026-01-15", "FP209"), "");
}

TEST(Checks, FP210HeavyPackage) {
  EXPECT_EQ(lint_reqs("torch==2.5.1\n", "FP210"),
            "app/requirements.txt:1:1: info[FP210]: 'torch' is a heavy package: it slows cold "
            "starts and uses much of the instance's memory\n"
            "  torch==2.5.1\n"
            "  ^~~~~~~~~~~~\n"
            "  hint: consider a custom container image, and import the package inside the "
            "functions that use it\n");
  EXPECT_EQ(lint_reqs("requests==2.32.3\n", "FP210"), "");
}

TEST(Checks, FP211MarkerExcludesLinux) {
  EXPECT_EQ(lint_reqs("pywin32>=306; sys_platform == \"win32\"\n", "FP211"),
            "app/requirements.txt:1:1: info[FP211]: the marker 'sys_platform == \"win32\"' is "
            "false on the Linux target (Python 3.11.14): 'pywin32' is left out of the "
            "deployment\n"
            "  pywin32>=306; sys_platform == \"win32\"\n"
            "  ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            "  hint: check that the app does not import this package on Linux, or drop the "
            "marker\n");
  EXPECT_EQ(lint_reqs("uvloop>=0.19; sys_platform == \"linux\"\n", "FP211"), "");
}

std::string lint_settings(std::map<std::string, std::string> settings, std::string_view id,
                          std::string plan = "flex") {
  LintInput in = base_input();
  in.plan.value = std::move(plan);
  int line = 3;
  for (auto& [k, v] : settings) {
    const std::string src = "    \"" + k + "\": \"" + v + "\",";
    in.settings[k] = {v, {"app/local.settings.json", line++, 5, 7 + static_cast<int>(k.size())},
                      src};
  }
  return findings(in, id);
}

TEST(Checks, FP301WorkerProcessCount) {
  EXPECT_EQ(lint_settings({{"FUNCTIONS_WORKER_PROCESS_COUNT", "16"}}, "FP301"),
            "app/local.settings.json:3:5: error[FP301]: FUNCTIONS_WORKER_PROCESS_COUNT is "
            "\"16\"; the host runs 1 to 10 worker processes\n"
            "      \"FUNCTIONS_WORKER_PROCESS_COUNT\": \"16\",\n"
            "      ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            "  hint: set FUNCTIONS_WORKER_PROCESS_COUNT to a whole number from 1 to 10\n");
  EXPECT_NE(lint_settings({{"FUNCTIONS_WORKER_PROCESS_COUNT", "four"}}, "FP301"), "");
  EXPECT_NE(lint_settings({{"FUNCTIONS_WORKER_PROCESS_COUNT", "0"}}, "FP301"), "");
  EXPECT_EQ(lint_settings({{"FUNCTIONS_WORKER_PROCESS_COUNT", "4"}}, "FP301"), "");
  EXPECT_EQ(lint_settings({{"FUNCTIONS_WORKER_PROCESS_COUNT", "10"}}, "FP301"), "");
}

TEST(Checks, FP302WorkerMemoryEstimate) {
  EXPECT_EQ(lint_settings({{"FUNCTIONS_WORKER_PROCESS_COUNT", "6"}}, "FP302", "consumption"),
            "app/local.settings.json:3:5: warning[FP302]: 6 worker processes need an estimated "
            "300-900 MB, more than 50% of the 1536 MB of a Linux Consumption instance\n"
            "      \"FUNCTIONS_WORKER_PROCESS_COUNT\": \"6\",\n"
            "      ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            "  hint: lower FUNCTIONS_WORKER_PROCESS_COUNT, or choose a plan or instance size "
            "with more memory\n");
  EXPECT_EQ(lint_settings({{"FUNCTIONS_WORKER_PROCESS_COUNT", "5"}}, "FP302", "consumption"), "");
  EXPECT_EQ(lint_settings({{"FUNCTIONS_WORKER_PROCESS_COUNT", "10"}}, "FP302", "premium"), "");
}

TEST(Checks, FP303ThreadpoolThreadCount) {
  EXPECT_EQ(lint_settings({{"PYTHON_THREADPOOL_THREAD_COUNT", "0"}}, "FP303"),
            "app/local.settings.json:3:5: error[FP303]: PYTHON_THREADPOOL_THREAD_COUNT is "
            "\"0\"; use a whole number from 1 to 32\n"
            "      \"PYTHON_THREADPOOL_THREAD_COUNT\": \"0\",\n"
            "      ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            "  hint: set PYTHON_THREADPOOL_THREAD_COUNT to a whole number from 1 to 32, or "
            "remove it to use the default\n");
  EXPECT_NE(lint_settings({{"PYTHON_THREADPOOL_THREAD_COUNT", "many"}}, "FP303"), "");
  EXPECT_NE(lint_settings({{"PYTHON_THREADPOOL_THREAD_COUNT", "64"}}, "FP303"), "");
  EXPECT_EQ(lint_settings({{"PYTHON_THREADPOOL_THREAD_COUNT", "16"}}, "FP303"), "");
}

TEST(Checks, FP401FuncignoreMissing) {
  LintInput in = base_input();
  in.is_app = true;
  in.root_markers = {"function_app.py"};
  EXPECT_EQ(findings(in, "FP401"),
            "app/.funcignore: warning[FP401]: the app has no .funcignore: Core Tools uploads "
            "everything but a few built-in names, .venv included\n"
            "  hint: add a .funcignore that lists .venv/, __pycache__/, tests/, .git/ and "
            "local.settings.json\n");
  in.funcignore = parse_ignore_text(".venv/\n", "app/.funcignore");
  EXPECT_EQ(findings(in, "FP401"), "");
}

TEST(Checks, FP402AndFP403Funcignore) {
  LintInput in = base_input();
  in.is_app = true;
  in.root_markers = {"function_app.py"};
  in.funcignore = parse_ignore_text("*.md\n*.pyc\n", "app/.funcignore");
  in.funcignore_probes = {{".venv/", false}, {"local.settings.json", true}};
  IgnoreDisagreement d1{"src/a.pyc", true, false, 2, "*.pyc", "git matches `*.pyc` at any depth; Core Tools anchors it at the app root"};
  IgnoreDisagreement d2 = d1;
  d2.path = "src/b.pyc";
  in.funcignore_disagreements = {d1, d2};
  EXPECT_EQ(findings(in, "FP40"),
            "app/.funcignore: warning[FP402]: .funcignore does not exclude .venv/\n"
            "  hint: add the path to .funcignore\n"
            "app/.funcignore:2:1: warning[FP403]: `*.pyc`: git matches `*.pyc` at any depth; "
            "Core Tools anchors it at the app root (src/a.pyc is excluded by git's rules, "
            "deployed by Core Tools; 1 more file)\n"
            "  *.pyc\n"
            "  ^~~~~\n"
            "  hint: write the pattern so both read it the same (anchor it with a leading '/', "
            "avoid '?', '[...]' and order-dependent '!')\n");
  in.funcignore_probes = {{".venv/", true}};
  in.funcignore_disagreements.clear();
  EXPECT_EQ(findings(in, "FP40"), "");
}

}  // namespace
}  // namespace funcpack
