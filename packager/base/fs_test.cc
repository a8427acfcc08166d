#include "base/fs.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

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

TEST(Fs, AppendFileRangeCopiesTheRangeAfterWhatIsThere) {
  auto dir = TempDir::create("fs-test");
  ASSERT_TRUE(dir);
  std::string big(200 * 1024, '\0');  // larger than one 64 KiB chunk of the fallback path
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  ASSERT_TRUE(write_file_atomic(dir->path() / "in", big));
  int in = ::open((dir->path() / "in").c_str(), O_RDONLY);
  int out = ::open((dir->path() / "out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(in, 0);
  ASSERT_GE(out, 0);
  ASSERT_TRUE(write_all(out, "head:", 5));
  ASSERT_TRUE(append_file_range(in, 3, 150 * 1024, out));
  auto tail = append_file_range(in, big.size() - 10, 11, out);  // one byte past the end
  ASSERT_FALSE(tail);
  EXPECT_EQ(tail.error().message, "unexpected end of file");
  ::close(in);
  ::close(out);
  auto got = read_file(dir->path() / "out");
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, "head:" + big.substr(3, 150 * 1024) + big.substr(big.size() - 10));
}

TEST(Fs, WriteAllToAClosedDescriptorNamesTheReason) {
  auto w = write_all(-1, "x", 1);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().message, "Bad file descriptor");
}

}  // namespace
}  // namespace funcpack
