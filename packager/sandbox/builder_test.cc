#include "sandbox/builder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "base/fs.h"

namespace funcpack {
namespace {

namespace fs = std::filesystem;

TEST(LastLines, KeepsTheEndWithoutTheFinalEmptyLine) {
  EXPECT_EQ(last_lines("a\nb\nc\n", 2), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(last_lines("a\nb", 5), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(last_lines("", 3), std::vector<std::string>{});
}

class Unpack : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = TempDir::create("funcpack-unpack-test");
    ASSERT_TRUE(t);
    dir_ = std::make_unique<TempDir>(std::move(*t));
  }
  // A tar.gz made by Python's tarfile with members (name, kind, data-or-link-target).
  fs::path tar(const std::string& name, const std::string& members_py) {
    fs::path out = dir_->path() / name;
    std::string cmd = "/usr/bin/python3 -c \"import io, tarfile, sys\n"
                      "t = tarfile.open(sys.argv[1], 'w:gz')\n"
                      "for n, kind, d in " + members_py + ":\n"
                      "    i = tarfile.TarInfo(n)\n"
                      "    if kind == 'l': i.type = tarfile.SYMTYPE; i.linkname = d; t.addfile(i)\n"
                      "    else: i.size = len(d); i.mode = 0o755 if kind == 'x' else 0o644; "
                      "t.addfile(i, io.BytesIO(d.encode()))\n"
                      "t.close()\" " + out.string();
    EXPECT_EQ(std::system(cmd.c_str()), 0);
    return out;
  }
  std::unique_ptr<TempDir> dir_;
};

TEST_F(Unpack, SingleTopDirectoryIsTheSourceTree) {
  fs::path t = tar("demo-1.0.tar.gz",
                   "[('demo-1.0/setup.py', 'f', 'x'), ('demo-1.0/run.sh', 'x', 'y'), "
                   "('demo-1.0/link', 'l', 'setup.py')]");
  auto src = unpack_sdist(t, dir_->path() / "out");
  ASSERT_TRUE(src) << src.error().message;
  EXPECT_EQ(*src, dir_->path() / "out" / "demo-1.0");
  EXPECT_EQ(*read_file(*src / "setup.py"), "x");
  EXPECT_EQ(fs::status(*src / "run.sh").permissions() & fs::perms::owner_exec,
            fs::perms::owner_exec);
  EXPECT_EQ(fs::read_symlink(*src / "link"), "setup.py");
}

TEST_F(Unpack, RefusesEntriesThatLeaveTheTree) {
  fs::path a = tar("a.tar.gz", "[('demo/../../evil', 'f', 'x')]");
  auto r = unpack_sdist(a, dir_->path() / "a");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "a.tar.gz: unsafe entry 'demo/../../evil' (absolute or with '..')");
  fs::path b = tar("b.tar.gz", "[('/etc/evil', 'f', 'x')]");
  EXPECT_EQ(unpack_sdist(b, dir_->path() / "b").error().message,
            "b.tar.gz: unsafe entry '/etc/evil' (absolute or with '..')");
  fs::path c = tar("c.tar.gz", "[('demo/l', 'l', '../../etc/passwd')]");
  EXPECT_EQ(unpack_sdist(c, dir_->path() / "c").error().message,
            "c.tar.gz: symlink 'demo/l' points outside the tree");
  EXPECT_FALSE(fs::exists(dir_->path() / "evil"));
}

TEST_F(Unpack, NotAnArchiveIsAnError) {
  fs::path p = dir_->path() / "junk.tar.gz";
  ASSERT_TRUE(write_file_atomic(p, "not an archive"));
  auto r = unpack_sdist(p, dir_->path() / "j");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message.starts_with("junk.tar.gz: ")) << r.error().message;
}

TEST_F(Unpack, CopySourceTreeLeavesOutVcsCachesAndVirtualEnvironments) {
  fs::path from = dir_->path() / "proj";
  auto put = [&](const std::string& rel, const std::string& text) {
    fs::create_directories((from / rel).parent_path());
    ASSERT_TRUE(write_file_atomic(from / rel, text));
  };
  put("pyproject.toml", "[project]\n");
  put("src/pkg/__init__.py", "x = 1\n");
  put("src/pkg/__pycache__/__init__.cpython-311.pyc", "junk");
  put(".git/HEAD", "ref: refs/heads/main\n");
  put(".venv/pyvenv.cfg", "home = /usr/bin\n");
  put(".venv/lib/site.py", "");
  put("tools/run.sh", "#!/bin/sh\n");
  fs::permissions(from / "tools/run.sh", fs::perms(0755));
  fs::create_symlink("../pyproject.toml", from / "src/link.toml");
  fs::path to = dir_->path() / "copy";
  ASSERT_TRUE(copy_source_tree(from, to));
  std::vector<std::string> got;
  for (auto it = fs::recursive_directory_iterator(to); it != fs::recursive_directory_iterator(); ++it)
    if (!it->is_directory()) got.push_back(it->path().lexically_relative(to).generic_string());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"pyproject.toml", "src/link.toml", "src/pkg/__init__.py",
                                           "tools/run.sh"}));
  EXPECT_FALSE(fs::is_symlink(to / "src/link.toml"));
  EXPECT_EQ(*read_file(to / "src/link.toml"), "[project]\n");
  EXPECT_NE(fs::status(to / "tools/run.sh").permissions() & fs::perms::owner_exec, fs::perms::none);

  fs::create_directory_symlink(from / "src", from / "loop");
  auto refused = copy_source_tree(from, dir_->path() / "copy2");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message,
            (from / "loop").string() + ": a symbolic link to a directory (not followed; copy the "
            "directory into the project instead)");
}

}  // namespace
}  // namespace funcpack
