// The lint driver on real files in a temporary directory: configuration, settings, suppression
// and the input errors a user can cause.
#include "lint/lint.h"

#include <gtest/gtest.h>

#include "base/fs.h"
#include "lint/report.h"

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

class LintDriver : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = TempDir::create("lint-driver");
    ASSERT_TRUE(d);
    dir_ = std::make_unique<TempDir>(std::move(*d));
    root_ = dir_->path();
    write("function_app.py", "import azure.functions as func\n");
    write("host.json", "{\"version\": \"2.0\"}\n");
    write(".funcignore", ".git/\n.venv/\n__pycache__/\nlocal.settings.json\ntests/\n");
  }
  void write(const std::string& rel, std::string_view text) {
    fs::create_directories((root_ / rel).parent_path());
    ASSERT_TRUE(write_file_atomic(root_ / rel, text));
  }
  LintOptions options() const {
    LintOptions o;
    o.target = root_;
    o.today = "2026-01-15";
    return o;
  }
  // "RULE line" per finding, or "error: location: message".
  std::string run(const LintOptions& o) const {
    auto r = lint(o, registry(), profile());
    if (!r) return "error: " + r.error().location.str() + ": " + r.error().message;
    std::string out;
    for (const auto& d : r->findings)
      out += d.rule_id + ":" + std::string(severity_name(d.severity)) + ":" +
             std::to_string(d.location.line) + "\n";
    return out;
  }
  std::string path(const std::string& rel) const { return (root_ / rel).string(); }

  std::unique_ptr<TempDir> dir_;
  fs::path root_;
};

TEST_F(LintDriver, CleanAppHasNoFindings) {
  write("requirements.txt", "azure-functions>=1.21\nrequests==2.32.3\n");
  EXPECT_EQ(run(options()), "");
}

TEST_F(LintDriver, InlineSuppression) {
  write("requirements.txt",
        "azure-functions>=1.21\n"
        "requests  # funcpack: ignore[FP101]\n"
        "flask  # funcpack: ignore[FP999]\n");
  EXPECT_EQ(run(options()),
            "error: " + path("requirements.txt") + ":3:27: unknown rule 'FP999' in 'funcpack: "
            "ignore[...]'");
  write("requirements.txt",
        "azure-functions>=1.21\n"
        "requests  # funcpack: ignore[FP101]\n"
        "torch  # funcpack: ignore[FP101, FP210]\n"
        "flask  # funcpack: ignore\n"
        "click  # why: funcpack: ignore[FP210]\n");
  EXPECT_EQ(run(options()), "FP101:error:5\n");
}

TEST(Suppression, Parse) {
  auto none = parse_suppression("requests  # pinned later");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  auto in_url = parse_suppression("lib @ https://x/y#funcpack: ignore[FP112]");
  ASSERT_TRUE(in_url);
  EXPECT_FALSE(*in_url);  // '#' not after whitespace: a URL fragment, not a comment
  auto all = parse_suppression("x  # funcpack: ignore");
  ASSERT_TRUE(all && *all);
  EXPECT_EQ(**all, std::vector<std::string>{"*"});
  auto two = parse_suppression("x # funcpack: ignore[FP101 , FP102]");
  ASSERT_TRUE(two && *two);
  EXPECT_EQ(**two, (std::vector<std::string>{"FP101", "FP102"}));
  auto open = parse_suppression("x # funcpack: ignore[FP101");
  ASSERT_FALSE(open);
  EXPECT_EQ(open.error().message, "expected ']' to close the rule list of 'funcpack: ignore['");
  EXPECT_EQ(open.error().location.column, 27);
}

TEST_F(LintDriver, ConfigurationDisablesAndOverrides) {
  write("requirements.txt", "azure-functions>=1.21\ntorch==2.5.1\npandas==2.*\n");
  write("funcpack.toml", "disable = [\"FP210\"]\n[severity]\nFP103 = \"error\"\n");
  EXPECT_EQ(run(options()), "FP103:error:3\n");
  write("funcpack.toml", "disable = [\"FP210\", \"FP2100\"]\n");
  EXPECT_EQ(run(options()),
            "error: " + path("funcpack.toml") + ":1:21: unknown rule 'FP2100' in 'disable'");
  write("funcpack.toml", "[severity]\nFP0 = \"info\"\n");
  EXPECT_EQ(run(options()),
            "error: " + path("funcpack.toml") + ":2:1: unknown rule 'FP0' in [severity]");
}

TEST_F(LintDriver, TargetFromConfigurationAndCommandLine) {
  write("requirements.txt", "azure-functions>=1.21\n");
  write("funcpack.toml", "python = \"3.13\"\nplan = \"consumption\"\n");
  EXPECT_EQ(run(options()), "FP205:error:1\n");
  LintOptions o = options();
  o.plan = "flex";  // the command line wins
  EXPECT_EQ(run(o), "");
  write("funcpack.toml", "python = \"3.9\"\n");
  EXPECT_EQ(run(options()),
            "error: " + path("funcpack.toml") + ":1:10: unsupported Python version '3.9' "
            "(funcpack knows 3.10, 3.11, 3.12, 3.13, 3.14)");
  write("funcpack.toml", "python = \"3.12\"\n");
  o = options();
  o.plan = "serverless";
  EXPECT_EQ(run(o), "error: : unknown hosting plan 'serverless' (expected consumption, "
                    "dedicated, flex, premium)");
}

TEST_F(LintDriver, SettingsFromLocalSettingsAndCommandLine) {
  write("requirements.txt", "azure-functions>=1.21\n");
  write("local.settings.json",
        "{\n  \"IsEncrypted\": false,\n  \"Values\": {\n"
        "    \"FUNCTIONS_WORKER_PROCESS_COUNT\": \"12\"\n  }\n}\n");
  EXPECT_EQ(run(options()), "FP301:error:4\n");
  LintOptions o = options();
  o.settings = {"FUNCTIONS_WORKER_PROCESS_COUNT=3"};
  EXPECT_EQ(run(o), "");
  o.settings = {"FUNCTIONS_WORKER_PROCESS_COUNT"};
  EXPECT_EQ(run(o), "error: : --setting 'FUNCTIONS_WORKER_PROCESS_COUNT': expected KEY=VALUE");
  write("local.settings.json", "{\n  \"Values\": {\n    \"A\": \"1\",\n  }\n}\n");
  EXPECT_EQ(run(options()).substr(0, 7 + path("local.settings.json").size() + 5),
            "error: " + path("local.settings.json") + ":4:3:");
}

TEST_F(LintDriver, InputErrors) {
  LintOptions o = options();
  o.target = root_ / "missing";
  EXPECT_EQ(run(o), "error: : " + path("missing") + ": no such file or directory");
  o.target = root_ / "empty";
  fs::create_directories(o.target);
  EXPECT_EQ(run(o), "error: : " + path("empty") + ": not a Functions app (no function_app.py, "
                    "host.json or requirements.txt)");
  o = options();
  o.today = "2026-02-30";
  write("requirements.txt", "azure-functions>=1.21\n");
  EXPECT_EQ(run(o), "error: : --today '2026-02-30': expected a date as YYYY-MM-DD");
}

TEST_F(LintDriver, RequirementsFileBelowTheAppRoot) {
  write("src/requirements.txt", "azure-functions>=1.21\n");
  LintOptions o = options();
  EXPECT_EQ(run(o), "FP201:error:0\n");
  o.target = root_ / "src" / "requirements.txt";
  EXPECT_EQ(run(o), "FP201:error:0\n");
  // Another requirements file (not requirements.txt) is linted without the app rules.
  write("dev-requirements.txt", "pytest\n");
  o.target = root_ / "dev-requirements.txt";
  EXPECT_EQ(run(o), "FP101:error:1\n");
}

TEST_F(LintDriver, FuncignoreChecksRunOnTheApp) {
  write("requirements.txt", "azure-functions>=1.21\n");
  write(".funcignore", "*.log\n.venv/\n");
  write("data/run.log", "x\n");
  write("env/pyvenv.cfg", "home = /usr\n");
  EXPECT_EQ(run(options()),
            "FP402:warning:0\nFP402:warning:0\nFP402:warning:0\nFP402:warning:0\n"
            "FP402:warning:0\nFP403:warning:1\n");
  auto r = lint(options(), registry(), profile());
  ASSERT_TRUE(r);
  std::string messages;
  for (const auto& d : r->findings) messages += d.message + "\n";
  EXPECT_EQ(messages.substr(0, messages.find("`*.log`")),
            ".funcignore does not exclude local.settings.json\n"
            ".funcignore does not exclude __pycache__/\n"
            ".funcignore does not exclude .git/\n"
            ".funcignore does not exclude tests/\n"
            ".funcignore does not exclude env/\n");
}

TEST(Dates, IsoDate) {
  EXPECT_TRUE(is_iso_date("2024-02-29"));
  EXPECT_FALSE(is_iso_date("2023-02-29"));
  EXPECT_FALSE(is_iso_date("2024-2-29"));
  EXPECT_TRUE(is_iso_date(today_utc()));
}

}  // namespace
}  // namespace funcpack
