// lint --fix edits: the FP203 deletion through the byte-preserving editor, on text and on real
// files (CRLF, no final newline, continuation lines), and the data/code fixable contract.
#include "lint/fix.h"

#include <gtest/gtest.h>

#include "base/fs.h"

namespace funcpack {
namespace {

namespace fs = std::filesystem;

const RuleRegistry& registry() {
  static const RuleRegistry r = *RuleRegistry::load();
  return r;
}

Diagnostic finding(std::string rule, std::string path, int line) {
  Diagnostic d;
  d.rule_id = std::move(rule);
  d.location.path = std::move(path);
  d.location.line = line;
  d.location.column = 1;
  return d;
}

TEST(Fix, EveryFixableRuleHasAFix) {
  EXPECT_TRUE(fixable_rules_have_fixes(registry()));
  ASSERT_NE(registry().find("FP203"), nullptr);
  EXPECT_TRUE(registry().find("FP203")->fixable);
  EXPECT_TRUE(has_fix("FP203"));
  EXPECT_FALSE(has_fix("FP101"));
}

TEST(Fix, FixableWithoutFixIsAnError) {
  auto text = std::string(
      "id = \"FP101\"\nname = \"x\"\nseverity = \"error\"\nsummary = \"s\"\nrationale = \"r\"\n"
      "hint = \"h\"\nhelp = \"h\"\nfixable = true\nsource = \"s\"\n");
  const CheckSpec spec{"FP101", {}};
  auto rules = RuleRegistry::parse({{"rules/lint/FP101.toml", text}}, std::span(&spec, 1));
  ASSERT_TRUE(rules) << rules.error().message;
  auto r = fixable_rules_have_fixes(*rules);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "rule FP101 is marked fixable but funcpack has no fix for it");
}

TEST(Fix, DeletesWorkerEntryWithContinuationKeepingTheRest) {
  RequirementsEditor e("# top\r\nazure-functions>=1.21\r\nazure-functions-worker==1.1.9 \\\r\n"
                       "    --hash=sha256:00\r\nrequests>=2  # keep\r\n",
                       "requirements.txt");
  auto n = queue_fixes(e, {finding("FP203", "requirements.txt", 3),
                           finding("FP203", "requirements.txt", 3)});
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(e.render(), "# top\r\nazure-functions>=1.21\r\nrequests>=2  # keep\r\n");
}

TEST(Fix, LastLineWithoutFinalNewline) {
  RequirementsEditor e("azure-functions\nazure-functions-worker", "r.txt");
  ASSERT_TRUE(queue_fixes(e, {finding("FP203", "r.txt", 2)}));
  EXPECT_EQ(e.render(), "azure-functions");
}

TEST(Fix, OutOfRangeLineIsAnError) {
  RequirementsEditor e("azure-functions\n", "r.txt");
  auto n = queue_fixes(e, {finding("FP203", "r.txt", 7)});
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().location.str(), "r.txt:7");
}

TEST(Fix, ApplyWritesOnlyFixableFindingsPerFile) {
  auto dir = TempDir::create("lint-fix");
  ASSERT_TRUE(dir);
  const fs::path a = dir->path() / "requirements.txt";
  const fs::path b = dir->path() / "more.txt";
  const fs::path c = dir->path() / "untouched.txt";
  ASSERT_TRUE(write_file_atomic(a, "-r more.txt\r\nazure-functions-worker\r\nrequests\r\n"));
  ASSERT_TRUE(write_file_atomic(b, "azure-functions-worker==1.0 # x\nflask"));
  ASSERT_TRUE(write_file_atomic(c, "requests\n"));
  auto s = apply_fixes({finding("FP203", a.string(), 2), finding("FP101", a.string(), 3),
                        finding("FP203", b.string(), 1), finding("FP101", c.string(), 1),
                        finding("FP202", a.string(), 0)},
                       registry());
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->findings, 2);
  EXPECT_EQ(s->files, 2);
  EXPECT_EQ(*read_file(a), "-r more.txt\r\nrequests\r\n");
  EXPECT_EQ(*read_file(b), "flask");
  EXPECT_EQ(*read_file(c), "requests\n");
}

TEST(Fix, UnreadableFileIsAnError) {
  auto s = apply_fixes({finding("FP203", "/nonexistent/requirements.txt", 1)}, registry());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message.rfind("cannot read /nonexistent/requirements.txt", 0), 0u)
      << s.error().message;
}

}  // namespace
}  // namespace funcpack
