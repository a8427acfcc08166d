#include "base/fs.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

namespace funcpack {
namespace {

TEST(Fs, AtomicWriteReplacesAndLeavesNoTemporaries) {
  auto dir = TempDir::create("fs_test");
  ASSERT_TRUE(dir.has_value()) << dir.error().message;
  auto p = dir->path() / "out.txt";
  ASSERT_TRUE(write_file_atomic(p, "first").has_value());
  ASSERT_TRUE(write_file_atomic(p, "second", 0755).has_value());
  EXPECT_EQ(read_file(p).value(), "second");
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  int n = 0;
  for (auto& e : std::filesystem::directory_iterator(dir->path())) (void)e, ++n;
  EXPECT_EQ(n, 1);
}

TEST(Fs, AtomicWriteIntoMissingDirectoryFailsCleanly) {
  auto dir = TempDir::create("fs_test");
  ASSERT_TRUE(dir.has_value());
  auto p = dir->path() / "missing" / "out.txt";
  auto r = write_file_atomic(p, "x");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "cannot write " + p.string() + ": No such file or directory");
}

TEST(Fs, ReadMissingFileNamesIt) {
  auto r = read_file("/nonexistent/funcpack");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "cannot read /nonexistent/funcpack: No such file or directory");
}

TEST(Fs, TempDirIsRemovedUnlessReleased) {
  std::filesystem::path kept, gone;
  {
    auto a = TempDir::create("fs_test");
    auto b = TempDir::create("fs_test");
    gone = a->path();
    kept = b->release();
  }
  EXPECT_FALSE(std::filesystem::exists(gone));
  EXPECT_TRUE(std::filesystem::exists(kept));
  std::filesystem::remove_all(kept);
}

}  // namespace
}  // namespace funcpack
