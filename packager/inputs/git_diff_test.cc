#include "inputs/git_diff.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "base/fs.h"

namespace funcpack {
namespace {

namespace fs = std::filesystem;

void put(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// A real repository made with the git command line, isolated from the user's configuration.
class GitDiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = TempDir::create("gitdiff");
    ASSERT_TRUE(d);
    tmp_.emplace(std::move(*d));
    repo_ = fs::canonical(tmp_->path()) / "repo";
    fs::create_directories(repo_);
    setenv("HOME", tmp_->path().c_str(), 1);
    setenv("XDG_CONFIG_HOME", tmp_->path().c_str(), 1);
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    setenv("GIT_AUTHOR_NAME", "t", 1);
    setenv("GIT_AUTHOR_EMAIL", "t@example.invalid", 1);
    setenv("GIT_COMMITTER_NAME", "t", 1);
    setenv("GIT_COMMITTER_EMAIL", "t@example.invalid", 1);
    git("init -q -b main");
  }
  void git(const std::string& args) {
    std::string cmd = "git -C '" + repo_.string() + "' " + args;
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  std::optional<TempDir> tmp_;
  fs::path repo_;
};

std::set<int> lines_of(const LineChanges& c, const fs::path& p) {
  auto it = c.changed_lines.find(p);
  return it == c.changed_lines.end() ? std::set<int>{} : it->second;
}

TEST_F(GitDiffTest, CommittedStagedUnstagedAndUntrackedLines) {
  fs::path app = repo_ / "app";
  put(app / "requirements.txt", "azure-functions\nrequests==2.0\n-r extra.txt\n");
  put(app / "extra.txt", "six\nnumpy\n");
  put(app / "gone.txt", "x\n");
  git("add -A && git -C '" + repo_.string() + "' commit -q -m one && git -C '" +
      repo_.string() + "' tag v1");

  // Committed after v1: line 2 changed, line 4 added.
  put(app / "requirements.txt", "azure-functions\nrequests==2.31.0\n-r extra.txt\nflask\n");
  git("commit -q -am two");
  // Staged only: a new file.
  put(app / "staged.txt", "a\nb\n");
  git("add app/staged.txt");
  // Unstaged edit and a deletion of a line.
  put(app / "extra.txt", "six==1.16\n");
  // Untracked file in an untracked directory.
  put(app / "dev" / "dev.txt", "pytest\nblack\n");
  fs::remove(app / "gone.txt");

  auto c = lines_changed_since(app, "v1");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->workdir, repo_);
  EXPECT_EQ(c->base_commit.size(), 40u);
  EXPECT_EQ(lines_of(*c, app / "requirements.txt"), (std::set<int>{2, 4}));
  EXPECT_EQ(lines_of(*c, app / "extra.txt"), (std::set<int>{1}));
  EXPECT_EQ(lines_of(*c, app / "staged.txt"), (std::set<int>{1, 2}));
  EXPECT_EQ(lines_of(*c, app / "dev" / "dev.txt"), (std::set<int>{1, 2}));
  EXPECT_EQ(c->new_files, (std::set<fs::path>{app / "dev" / "dev.txt", app / "staged.txt"}));
  EXPECT_EQ(c->changed_lines.size(), 4u);  // gone.txt: deleted lines leave nothing

  EXPECT_TRUE(c->line_changed(app / "requirements.txt", 2));
  EXPECT_FALSE(c->line_changed(app / "requirements.txt", 1));
  EXPECT_FALSE(c->line_changed(app / "requirements.txt", 3));
  EXPECT_TRUE(c->line_changed(app / "dev" / ".." / "dev" / "dev.txt", 2));
  EXPECT_FALSE(c->line_changed(app / "extra.txt", 2));
  EXPECT_TRUE(c->file_changed(app / "extra.txt"));
  EXPECT_FALSE(c->file_changed(app / "gone.txt"));
  EXPECT_FALSE(c->line_changed(tmp_->path() / "outside.txt", 1));

  // Since HEAD only the working-tree changes count.
  auto head = lines_changed_since(app / "requirements.txt", "HEAD");
  ASSERT_TRUE(head);
  EXPECT_EQ(lines_of(*head, app / "requirements.txt"), std::set<int>{});
  EXPECT_EQ(lines_of(*head, app / "extra.txt"), (std::set<int>{1}));
  EXPECT_TRUE(head->line_changed(app / "staged.txt", 1));

  // Restricted to the files lint read (the root file and its -r include).
  std::vector<fs::path> only = {app / "requirements.txt", app / "extra.txt",
                                tmp_->path() / "not-in-repo.txt"};
  auto some = lines_changed_since(app, "main~1", only);
  ASSERT_TRUE(some);
  EXPECT_EQ(some->changed_lines.size(), 2u);
  EXPECT_EQ(lines_of(*some, app / "requirements.txt"), (std::set<int>{2, 4}));
  EXPECT_TRUE(some->new_files.empty());
}

TEST_F(GitDiffTest, Errors) {
  put(repo_ / "requirements.txt", "x\n");
  git("add -A && git -C '" + repo_.string() + "' commit -q -m one");
  auto unknown = lines_changed_since(repo_, "no-such-branch");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message,
            "--diff-base: unknown revision 'no-such-branch' in " + repo_.string());
  auto tree = lines_changed_since(repo_, "HEAD^{tree}");
  ASSERT_FALSE(tree);
  EXPECT_EQ(tree.error().message, "--diff-base: unknown revision 'HEAD^{tree}' in " +
                                      repo_.string() + " (it does not name a commit)");
  fs::path outside = tmp_->path() / "plain";
  fs::create_directories(outside);
  auto norepo = lines_changed_since(outside, "HEAD");
  ASSERT_FALSE(norepo);
  EXPECT_EQ(norepo.error().message,
            "--diff-base: " + outside.string() + " is not inside a git repository");
}

TEST_F(GitDiffTest, CrlfLinesAndNoFinalNewline) {
  put(repo_ / "r.txt", "a\r\nb\r\nc");
  git("add -A && git -C '" + repo_.string() + "' commit -q -m one");
  put(repo_ / "r.txt", "a\r\nB\r\nc\r\nd");
  auto c = lines_changed_since(repo_, "HEAD");
  ASSERT_TRUE(c);
  EXPECT_EQ(lines_of(*c, repo_ / "r.txt"), (std::set<int>{2, 3, 4}));
}

}  // namespace
}  // namespace funcpack
