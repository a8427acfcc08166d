#include "inputs/config.h"
#include "inputs/toml_document.h"

#include <gtest/gtest.h>

#include "base/fs.h"

namespace funcpack {
namespace {

namespace fs = std::filesystem;

std::string error_of(std::string_view text, bool pyproject = false) {
  auto c = parse_config(text, pyproject ? "app/pyproject.toml" : "app/funcpack.toml", pyproject);
  if (c) return "(no error)";
  return c.error().location.str() + ": " + c.error().message;
}

TEST(Config, ReadsEveryKeyWithLocations) {
  auto c = parse_config(
      "python = \"3.12\"\nplan = \"flex\"\npolicy = \"exact\"\ndisable = [\"FP210\", \"FP401\"]\n"
      "size_warning_mb = 800\n"
      "[severity]\nFP103 = \"error\"\n\"FP104\" = \"info\"\n",
      "app/funcpack.toml", false);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->path, "app/funcpack.toml");
  EXPECT_EQ(c->python->value, "3.12");
  EXPECT_EQ(c->python->location.str(), "app/funcpack.toml:1:10");
  EXPECT_EQ(c->plan->value, "flex");
  EXPECT_EQ(c->policy->value, "exact");
  ASSERT_EQ(c->disable.size(), 2u);
  EXPECT_EQ(c->disable[1].value, "FP401");
  EXPECT_EQ(c->disable[1].location.str(), "app/funcpack.toml:4:21");
  ASSERT_EQ(c->severity.size(), 2u);
  EXPECT_EQ(c->severity[0].first.value, "FP103");
  EXPECT_EQ(c->size_warning_mb->value, 800);
  EXPECT_EQ(c->size_warning_mb->location.str(), "app/funcpack.toml:5:19");
  EXPECT_EQ(c->severity[0].first.location.str(), "app/funcpack.toml:7:1");
  EXPECT_EQ(c->severity[0].second, Severity::kError);
  EXPECT_EQ(c->severity[1].first.value, "FP104");
  EXPECT_EQ(c->severity[1].first.location.str(), "app/funcpack.toml:8:1");
  EXPECT_EQ(c->severity[1].second, Severity::kInfo);
}

TEST(Config, PyprojectToolTable) {
  auto c = parse_config("[project]\nname = \"x\"\n\n[tool.funcpack]\nplan = \"premium\"\n",
                        "app/pyproject.toml", true);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->path, "app/pyproject.toml");
  EXPECT_EQ(c->plan->value, "premium");
  EXPECT_EQ(c->plan->location.str(), "app/pyproject.toml:5:8");
  auto none = parse_config("[project]\nname = \"x\"\n[tool.black]\nline-length = 99\n",
                           "app/pyproject.toml", true);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->path.empty());
  EXPECT_FALSE(none->plan);
}

TEST(Config, ErrorsCarryFileLineColumn) {
  EXPECT_EQ(error_of("python = \"3.12\"\ncolour = \"blue\"\n"),
            "app/funcpack.toml:2:1: unknown key 'colour' in funcpack configuration (expected "
            "python, plan, policy, disable, severity, size_warning_mb)");
  EXPECT_EQ(error_of("[tool.funcpack]\n  pythn = \"3.12\"\n", true),
            "app/pyproject.toml:2:3: unknown key 'tool.funcpack.pythn' in funcpack "
            "configuration (expected python, plan, policy, disable, severity, "
            "size_warning_mb)");
  EXPECT_EQ(error_of("python = 3.12\n"), "app/funcpack.toml:1:1: 'python' must be a string");
  EXPECT_EQ(error_of("size_warning_mb = -1\n"),
            "app/funcpack.toml:1:1: 'size_warning_mb' must be a non-negative integer (MiB)");
  EXPECT_EQ(error_of("size_warning_mb = \"500\"\n"),
            "app/funcpack.toml:1:1: 'size_warning_mb' must be a non-negative integer (MiB)");
  EXPECT_EQ(error_of("policy = \"strict\"\n"),
            "app/funcpack.toml:1:10: policy must be \"minimum\" or \"exact\", not \"strict\"");
  EXPECT_EQ(error_of("disable = \"FP101\"\n"),
            "app/funcpack.toml:1:1: 'disable' must be an array of rule ids");
  EXPECT_EQ(error_of("[severity]\nFP101 = \"fatal\"\n"),
            "app/funcpack.toml:2:9: severity must be \"error\", \"warning\" or \"info\", not "
            "\"fatal\"");
  EXPECT_EQ(error_of("python = \"3.12\nplan = \"x\"\n"),
            "app/funcpack.toml:1:1: invalid TOML: the next token is not a valid string");
  EXPECT_EQ(error_of("[severity]\nFP101 = \"info\"\n[severity]\n"),
            "app/funcpack.toml:3:1: invalid TOML: table (\"severity\") already exists.");
}

TEST(Config, InvalidUtf8IsAnErrorAtItsByteForEveryTomlFile) {
  // Checked before toml11 parses: toml11 3.7.1 reads out of bounds on invalid UTF-8 in a
  // literal string (ToruNiina/toml11#199); under ASan this test would crash without it.
  auto r = parse_toml_document("python = '3.11'\nsandbox = 'a\xff'\n", "funcpack.toml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().location.str() + ": " + r.error().message,
            "funcpack.toml:2:13: invalid TOML: invalid UTF-8");
  auto cut = parse_toml_document("x = '''\xe2\x82", "pylock.toml");  // a truncated sequence
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().location.str(), "pylock.toml:1:8");
  EXPECT_TRUE(parse_toml_document("name = 'caf\xc3\xa9'\n", "ok.toml"));
}

TEST(Config, FindConfigLookupOrder) {
  auto dir = TempDir::create("config-test");
  ASSERT_TRUE(dir);
  const fs::path app = dir->path();
  auto none = find_config(app, std::nullopt);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->path.empty());

  ASSERT_TRUE(write_file_atomic(app / "pyproject.toml", "[tool.funcpack]\nplan = \"premium\"\n"));
  auto py = find_config(app, std::nullopt);
  ASSERT_TRUE(py) << py.error().message;
  EXPECT_EQ(py->plan->value, "premium");

  ASSERT_TRUE(write_file_atomic(app / "funcpack.toml", "plan = \"flex\"\n"));
  auto both = find_config(app, std::nullopt);
  ASSERT_FALSE(both);
  EXPECT_EQ(both.error().message, "both " + (app / "funcpack.toml").string() +
                                      " and [tool.funcpack] in " +
                                      (app / "pyproject.toml").string() +
                                      " configure funcpack; keep one");

  ASSERT_TRUE(write_file_atomic(app / "pyproject.toml", "[project]\nname = \"x\"\n"));
  auto own = find_config(app, std::nullopt);
  ASSERT_TRUE(own) << own.error().message;
  EXPECT_EQ(own->plan->value, "flex");

  ASSERT_TRUE(write_file_atomic(app / "other.toml", "plan = \"dedicated\"\n"));
  auto given = find_config(app, app / "other.toml");
  ASSERT_TRUE(given);
  EXPECT_EQ(given->plan->value, "dedicated");
  auto missing = find_config(app, app / "nope.toml");
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().message.starts_with("cannot read " + (app / "nope.toml").string()))
      << missing.error().message;
}

TEST(Config, LocateTomlKey) {
  Location v{"f", 3, 9, 0};
  EXPECT_EQ(locate_toml_key(v, "FP101 = \"x\"", "FP101").column, 1);
  EXPECT_EQ(locate_toml_key(v, "  'a.b' = 1", "a.b").column, 3);
  EXPECT_EQ(locate_toml_key(v, "other = 1", "FP101").column, 9);
}

}  // namespace
}  // namespace funcpack
