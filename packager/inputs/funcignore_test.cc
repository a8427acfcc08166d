#include "inputs/funcignore.h"

#include <gtest/gtest.h>

#include "base/fs.h"

namespace funcpack {
namespace {

std::string verdict(GitIgnoreMatcher& m, std::string_view path, bool dir) {
  auto v = m.check(path, dir);
  if (!v) return "error: " + v.error().message;
  std::string out = v->excluded ? "excluded" : "kept";
  if (v->pattern >= 0)
    out += " by line " + std::to_string(m.file().patterns[static_cast<size_t>(v->pattern)].line);
  if (!v->ancestor.empty()) out += " via " + v->ancestor;
  return out;
}

TEST(Funcignore, ParseSkipsCommentsBlankAndCrlf) {
  IgnoreFile f = parse_ignore_text("# c\n\n   \r\n*.pyc\r\n\\#not-comment\n!keep\nlast", "F");
  ASSERT_EQ(f.patterns.size(), 4u);
  EXPECT_EQ(f.patterns[0].text, "*.pyc");
  EXPECT_EQ(f.patterns[0].line, 4);
  EXPECT_EQ(f.patterns[1].text, "\\#not-comment");
  EXPECT_EQ(f.patterns[2].text, "!keep");
  EXPECT_EQ(f.patterns[3].text, "last");
  EXPECT_EQ(f.patterns[3].line, 7);
}

TEST(Funcignore, GitSemantics) {
  auto m = GitIgnoreMatcher::create(parse_ignore_text(
      "*.pyc\n"              // 1: any depth
      "/build/\n"            // 2: anchored directory
      "!build/keep.txt\n"    // 3: cannot re-include inside an excluded directory
      "docs/**/draft*\n"     // 4: ** spans directories
      "logs/*\n"             // 5
      "!logs/keep\n"         // 6: re-includes (logs/ itself is not excluded)
      "\\#hash\n"            // 7: escaped comment character
      "data/\n"              // 8: directory-only
      "!*.pyc\n"             // 9: later negation wins in git
      "a.pyc\n",             // 10: ...and a later pattern wins again
      ".funcignore"));
  ASSERT_TRUE(m);
  EXPECT_EQ(verdict(*m, "x.pyc", false), "kept by line 9");
  EXPECT_EQ(verdict(*m, "sub/a.pyc", false), "excluded by line 10");
  EXPECT_EQ(verdict(*m, "sub/b.pyc", false), "kept by line 9");
  EXPECT_EQ(verdict(*m, "build", true), "excluded by line 2");
  EXPECT_EQ(verdict(*m, "build/keep.txt", false), "excluded by line 2 via build/");
  EXPECT_EQ(verdict(*m, "src/build", true), "kept");
  EXPECT_EQ(verdict(*m, "docs/draft1.md", false), "excluded by line 4");
  EXPECT_EQ(verdict(*m, "docs/a/b/draft2.md", false), "excluded by line 4");
  EXPECT_EQ(verdict(*m, "logs/x", false), "excluded by line 5");
  EXPECT_EQ(verdict(*m, "logs/keep", false), "kept by line 6");
  EXPECT_EQ(verdict(*m, "#hash", false), "excluded by line 7");
  EXPECT_EQ(verdict(*m, "data", false), "kept");
  EXPECT_EQ(verdict(*m, "data", true), "excluded by line 8");
  EXPECT_EQ(verdict(*m, "deep/data/f", false), "excluded by line 8 via deep/data/");
  // libgit2's built-in ".git" rule is neutralised (app_files excludes .git itself).
  EXPECT_EQ(verdict(*m, ".git", true), "kept");
}

TEST(Funcignore, UserGlobalExcludesDoNotLeakIn) {
  auto home = TempDir::create("fi-home");
  ASSERT_TRUE(home);
  std::filesystem::create_directories(home->path() / "git");
  ASSERT_TRUE(write_file_atomic(home->path() / "git" / "ignore", "*.md\n"));
  ASSERT_TRUE(write_file_atomic(home->path() / ".gitconfig",
                                "[core]\n\texcludesfile = " + (home->path() / "git" / "ignore").string() + "\n"));
  setenv("HOME", home->path().c_str(), 1);
  setenv("XDG_CONFIG_HOME", home->path().c_str(), 1);
  auto m = GitIgnoreMatcher::create(parse_ignore_text("*.log\n", ".funcignore"));
  ASSERT_TRUE(m);
  EXPECT_EQ(verdict(*m, "README.md", false), "kept");
  EXPECT_EQ(verdict(*m, "a.log", false), "excluded by line 1");
}

std::string ct(const CoreToolsIgnoreModel& m, std::string_view file) {
  CoreToolsVerdict v = m.check_file(file);
  std::string out = v.excluded ? "excluded" : "kept";
  if (v.builtin) out += " (built-in)";
  if (v.pattern_line) out += " +" + std::to_string(v.pattern_line);
  if (v.negation_line) out += " !" + std::to_string(v.negation_line);
  return out;
}

TEST(Funcignore, CoreToolsModel) {
  CoreToolsIgnoreModel m(
      "  # trimmed, so a comment\n"  // 1
      "*.pyc\n"                      // 2: anchored: only at the root
      "build\n"                      // 3: prefix: build, build/x, buildx.py
      "!build/keep.txt\n"            // 4: any negation wins
      "docs/**\n"                    // 5: ** = .+
      "a?c\n"                        // 6: ? literal
      "[ab].txt\n"                   // 7: [...] literal
      "/rooted.txt  \r\n"            // 8: leading '/' dropped, CR and spaces trimmed
      "\\#x\n");                     // 9: no escapes
  EXPECT_EQ(ct(m, "x.pyc"), "excluded +2");
  EXPECT_EQ(ct(m, "sub/x.pyc"), "kept");
  EXPECT_EQ(ct(m, "x.pyc.bak"), "excluded +2");
  EXPECT_EQ(ct(m, "build/out.bin"), "excluded +3");
  EXPECT_EQ(ct(m, "buildinfo.py"), "excluded +3");
  EXPECT_EQ(ct(m, "build/keep.txt"), "kept +3 !4");
  EXPECT_EQ(ct(m, "docs/a/b.md"), "excluded +5");
  EXPECT_EQ(ct(m, "docs"), "kept");
  EXPECT_EQ(ct(m, "abc"), "kept");
  EXPECT_EQ(ct(m, "a?c"), "excluded +6");
  EXPECT_EQ(ct(m, "a.txt"), "kept");
  EXPECT_EQ(ct(m, "[ab].txt"), "excluded +7");
  EXPECT_EQ(ct(m, "rooted.txt"), "excluded +8");
  EXPECT_EQ(ct(m, "\\#x"), "excluded +9");
  EXPECT_EQ(ct(m, "#x"), "kept");
  EXPECT_EQ(ct(m, ".venv/lib/site.py"), "kept");
  EXPECT_EQ(ct(m, "sub/.VSCode/settings.json"), "excluded (built-in)");
  EXPECT_EQ(ct(m, "pkg/Local.Settings.json"), "excluded (built-in)");
  EXPECT_EQ(ct(m, "project.lock.json"), "excluded (built-in)");
  EXPECT_EQ(ct(m, ".gitignore"), "excluded (built-in)");
  EXPECT_EQ(m.pattern_at_line(8), "rooted.txt");
  EXPECT_EQ(m.pattern_at_line(1), "");
}

TEST(Funcignore, CompareGitAndCoreTools) {
  IgnoreFile f = parse_ignore_text(
      "*.pyc\n"            // 1
      "build/\n"           // 2
      "!build/keep.txt\n"  // 3
      "test\n"             // 4
      "data[12].csv\n"     // 5
      "!*.log\n"           // 6
      "*.log\n"            // 7
      ".venv\n",           // 8
      ".funcignore");
  std::vector<std::string> files = {
      "a.pyc",          "pkg/b.pyc",     "build/keep.txt", "build/x.o",  "test/t.py",
      "testing.py",     "data1.csv",     "app.log",        ".venv/lib/x.py",
      ".vscode/s.json", "function_app.py"};
  auto d = compare_git_and_core_tools(f, files);
  ASSERT_TRUE(d) << d.error().message;
  std::string out;
  for (const auto& x : *d)
    out += x.path + " git=" + (x.git_excluded ? "out" : "in") +
           " ct=" + (x.core_tools_excluded ? "out" : "in") + " line " + std::to_string(x.line) +
           " `" + x.pattern + "`: " + x.reason + "\n";
  EXPECT_EQ(out,
            "app.log git=out ct=in line 6 `!*.log`: git applies the last matching pattern "
            "(line 7 excludes it); Core Tools lets any matching negation win regardless of "
            "order\n"
            "build/keep.txt git=out ct=in line 3 `!build/keep.txt`: git cannot re-include a "
            "file inside an excluded directory (build/); Core Tools lets any matching negation "
            "win\n"
            "data1.csv git=out ct=in line 5 `data[12].csv`: git reads `?` and `[...]` in "
            "`data[12].csv` as wildcards; Core Tools reads them as literal characters\n"
            "pkg/b.pyc git=out ct=in line 1 `*.pyc`: git matches `*.pyc` at any depth; Core "
            "Tools anchors every pattern at the app root\n"
            "testing.py git=in ct=out line 4 `test`: Core Tools matches `test` against the "
            "start of the path (`testing.py` begins with it); git matches whole names\n");
}

}  // namespace
}  // namespace funcpack

namespace funcpack {
namespace {

TEST(Funcignore, CoreToolsModelHasNoExponentialBacktracking) {
  // 12 stars against a 4000-byte path that almost matches: a backtracking matcher would not
  // finish; the position-set matcher is linear per token.
  std::string pattern = "**a**a**a**a**a**a**a**a**a**a**a**b\n";
  std::string path(4000, 'a');
  CoreToolsIgnoreModel m(pattern);
  EXPECT_EQ(m.check_file(path).excluded, false);
  EXPECT_EQ(m.check_file(path + "b").excluded, true);
}

}  // namespace
}  // namespace funcpack

namespace funcpack {
namespace {

TEST(Funcignore, VerticalTabLineDoesNotHangLibgit2) {
  // libgit2 1.5 never returns from git_ignore_add_rule on "\va"; git matches it literally.
  auto m = GitIgnoreMatcher::create(parse_ignore_text("\va\n!\fb\n \vc\n\r\v\v\n/\v\nx[\v]\n", ".funcignore"));
  ASSERT_TRUE(m);
  EXPECT_EQ(verdict(*m, "\va", false), "excluded by line 1");
  EXPECT_EQ(verdict(*m, "x/\va", false), "excluded by line 1");
  EXPECT_EQ(verdict(*m, "\fb", false), "kept by line 2");
  EXPECT_EQ(verdict(*m, "a", false), "kept");
  EXPECT_EQ(verdict(*m, "x\v", false), "excluded by line 6");
}

}  // namespace
}  // namespace funcpack

namespace funcpack {
namespace {

TEST(Funcignore, NegationsWithoutWildcardsDoNotReachLibgit2) {
  // libgit2 1.5 dereferences NULL in git_ignore_add_rule for `*` then `!//`, and prunes
  // `!build` after `*/[!a]*` although git honours it.
  auto crash = GitIgnoreMatcher::create(parse_ignore_text("*\n!//\n", ".funcignore"));
  ASSERT_TRUE(crash);
  EXPECT_EQ(verdict(*crash, "a", false), "excluded by line 1");
  auto pruned = GitIgnoreMatcher::create(parse_ignore_text("*/[!a]*\n!build\n", ".funcignore"));
  ASSERT_TRUE(pruned);
  EXPECT_EQ(verdict(*pruned, "x/build", false), "kept by line 2");
  EXPECT_EQ(verdict(*pruned, "x/other", false), "excluded by line 1");
}

}  // namespace
}  // namespace funcpack
