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

TEST(Fs, AsNamedLinksAHashNamedFileUnderItsName) {
  auto dir = TempDir::create("fs_test");
  ASSERT_TRUE(dir);
  const auto blob = dir->path() / "ab12";
  ASSERT_TRUE(write_file_atomic(blob, "wheel bytes"));
  // Already named so: the file itself.
  auto same = as_named(blob, "ab12", dir->path() / "named");
  ASSERT_TRUE(same);
  EXPECT_EQ(*same, blob);
  EXPECT_FALSE(std::filesystem::exists(dir->path() / "named"));
  // Else a hard link (same inode) in the directory, created; a stale file there is replaced.
  std::filesystem::create_directories(dir->path() / "named");
  ASSERT_TRUE(write_file_atomic(dir->path() / "named/a-1.0-py3-none-any.whl", "stale"));
  auto named = as_named(blob, "a-1.0-py3-none-any.whl", dir->path() / "named");
  ASSERT_TRUE(named) << named.error().message;
  EXPECT_EQ(*named, dir->path() / "named/a-1.0-py3-none-any.whl");
  EXPECT_EQ(*read_file(*named), "wheel bytes");
  struct stat a {}, b {};
  ASSERT_EQ(::stat(blob.c_str(), &a), 0);
  ASSERT_EQ(::stat(named->c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  // A source that does not exist: the error names both paths.
  auto missing = as_named(dir->path() / "nope", "x.whl", dir->path() / "named");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message.rfind("cannot copy " + (dir->path() / "nope").string() + " to " +
                                              (dir->path() / "named/x.whl").string() + ": ",
                                          0),
            0u);
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
