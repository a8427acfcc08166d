#include "materialise/zip_writer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "base/fs.h"

namespace funcpack {
namespace {

namespace fs = std::filesystem;

// Runs `cmd` through the shell; returns its stdout and sets `status` to its exit code.
std::string run(const std::string& cmd, int* status) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) {
    *status = -1;
    return out;
  }
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = ::pclose(p);
  *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

void put(const fs::path& p, const std::string& data, unsigned mode = 0644) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << data;
  ::chmod(p.c_str(), mode);
}

std::string slurp(const fs::path& p) {
  auto r = read_file(p);
  return r ? *r : std::string("<unreadable>");
}

class ZipWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = TempDir::create("zipw");
    ASSERT_TRUE(t.has_value());
    dir_ = std::make_unique<TempDir>(*std::move(t));
    ::unsetenv("SOURCE_DATE_EPOCH");
  }
  void TearDown() override { ::unsetenv("SOURCE_DATE_EPOCH"); }

  // A small tree with a script, nested packages, a compressible .so-like blob, a .whl,
  // a non-ASCII name and an empty file. `salt` changes nothing but mtimes and modes that
  // must not matter (group/other bits, which execute bit).
  std::vector<ZipEntry> make_tree(const fs::path& root, int salt) {
    std::string big;
    for (int i = 0; i < 20000; ++i) big += "line " + std::to_string(i % 97) + " of data\n";
    put(root / "function_app.py", "import azure.functions as func\napp = func.FunctionApp()\n",
        salt ? 0664 : 0644);
    put(root / "host.json", "{\"version\": \"2.0\"}\n", salt ? 0600 : 0644);
    put(root / "bin/run.sh", "#!/bin/sh\necho hi\n", salt ? 0700 : 0755);
    put(root / ".python_packages/lib/site-packages/pkg/__init__.py", "X = 1\n");
    put(root / ".python_packages/lib/site-packages/pkg/_speed.so", big);
    put(root / "vendor/dep-1.0-py3-none-any.whl", big.substr(0, 5000));
    put(root / "data/caf\xc3\xa9.txt", "caf\xc3\xa9\n");
    put(root / "empty.txt", "");
    std::vector<ZipEntry> entries;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (!e.is_regular_file()) continue;
      struct utimbuf times {};
      times.actime = times.modtime = 1600000000 + salt * 86400 * 400;
      ::utime(e.path().c_str(), &times);
      entries.push_back({fs::relative(e.path(), root).generic_string(), e.path()});
    }
    if (salt) std::reverse(entries.begin(), entries.end());
    return entries;
  }

  std::unique_ptr<TempDir> dir_;
};

const char* kListing =
    ".python_packages/lib/site-packages/pkg/__init__.py\n"
    ".python_packages/lib/site-packages/pkg/_speed.so\n"
    "bin/run.sh\n"
    "data/caf\xc3\xa9.txt\n"
    "empty.txt\n"
    "function_app.py\n"
    "host.json\n"
    "vendor/dep-1.0-py3-none-any.whl\n";

TEST_F(ZipWriterTest, ListingIntegrityAndPythonZipfile) {
  fs::path root = dir_->path() / "app";
  auto entries = make_tree(root, 0);
  fs::path out = dir_->path() / "out.zip";
  auto s = write_zip(entries, out);
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->entries, 8u);
  EXPECT_EQ(s->zip_bytes, fs::file_size(out));
  EXPECT_EQ(s->sha256.size(), 64u);
  int st = 0;
  EXPECT_EQ(run("unzip -Z1 " + q(out), &st), kListing);
  EXPECT_EQ(st, 0);
  std::string t = run("unzip -tq " + q(out), &st);
  EXPECT_EQ(st, 0) << t;
  EXPECT_EQ(t, "No errors detected in compressed data of " + out.string() + ".\n");
  t = run("/usr/bin/python3 -m zipfile -t " + q(out) + " 2>&1", &st);
  EXPECT_EQ(st, 0) << t;
  EXPECT_EQ(t, "Done testing\n");
  // Contents, modes, times, compression methods and extra fields as Python sees them.
  std::string py =
      "import sys, zipfile, struct\n"
      "z = zipfile.ZipFile(sys.argv[1])\n"
      "for i in z.infolist():\n"
      "    print(i.filename, oct(i.external_attr >> 16), i.date_time, i.compress_type,\n"
      "          i.create_system, i.flag_bits & 0x800, i.extra.hex())\n";
  put(dir_->path() / "show.py", py);
  std::string shown = run("/usr/bin/python3 " + q(dir_->path() / "show.py") + " " + q(out), &st);
  EXPECT_EQ(st, 0);
  // Little-endian: UT (id 0x5455, size 5): flags 1 (mtime only), mtime 315532800 =
  // 0x12cea600; ux (id 0x7875, size 11): version 1, 4-byte uid 0, 4-byte gid 0.
  const std::string extra = "5554" "0500" "01" "00a6ce12" "7578" "0b00" "01" "04" "00000000"
                            "04" "00000000";
  EXPECT_EQ(shown,
            ".python_packages/lib/site-packages/pkg/__init__.py 0o100644 (1980, 1, 1, 0, 0, 0) 8 3 "
            "0 " + extra + "\n"
            ".python_packages/lib/site-packages/pkg/_speed.so 0o100644 (1980, 1, 1, 0, 0, 0) 8 3 "
            "0 " + extra + "\n"
            "bin/run.sh 0o100755 (1980, 1, 1, 0, 0, 0) 8 3 0 " + extra + "\n"
            "data/caf\xc3\xa9.txt 0o100644 (1980, 1, 1, 0, 0, 0) 8 3 2048 " + extra + "\n"
            "empty.txt 0o100644 (1980, 1, 1, 0, 0, 0) 8 3 0 " + extra + "\n"
            "function_app.py 0o100644 (1980, 1, 1, 0, 0, 0) 8 3 0 " + extra + "\n"
            "host.json 0o100644 (1980, 1, 1, 0, 0, 0) 8 3 0 " + extra + "\n"
            "vendor/dep-1.0-py3-none-any.whl 0o100644 (1980, 1, 1, 0, 0, 0) 0 3 0 " + extra +
            "\n");
  // Round trip of the bytes.
  fs::path x = dir_->path() / "x";
  run("unzip -q " + q(out) + " -d " + q(x), &st);
  ASSERT_EQ(st, 0);
  for (const auto& e : entries) EXPECT_EQ(slurp(x / e.path), slurp(e.source)) << e.path;
  EXPECT_LT(fs::file_size(out), s->uncompressed_bytes / 4);  // the .so blob was deflated
}

TEST_F(ZipWriterTest, ByteIdenticalAcrossMtimesModesOrderAndTimeZone) {
  auto e1 = make_tree(dir_->path() / "a", 0);
  auto e2 = make_tree(dir_->path() / "b", 1);
  fs::path o1 = dir_->path() / "1.zip", o2 = dir_->path() / "2.zip";
  ::setenv("TZ", "America/New_York", 1);
  auto s1 = write_zip(e1, o1);
  ::setenv("TZ", "Asia/Kolkata", 1);
  auto s2 = write_zip(e2, o2);
  ::unsetenv("TZ");
  ASSERT_TRUE(s1 && s2);
  EXPECT_EQ(slurp(o1), slurp(o2));
  EXPECT_EQ(s1->sha256, s2->sha256);
  EXPECT_STREQ(std::getenv("TZ"), nullptr);  // restored
}

TEST_F(ZipWriterTest, SourceDateEpochHonoured) {
  auto e = make_tree(dir_->path() / "a", 0);
  ::setenv("SOURCE_DATE_EPOCH", "1700000000", 1);  // 2023-11-14 22:13:20 UTC
  auto t = zip_mtime_from_env();
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, 1700000000);
  fs::path out = dir_->path() / "e.zip";
  ASSERT_TRUE(write_zip(e, out, ZipOptions{*t}));
  int st = 0;
  std::string got = run(
      "/usr/bin/python3 -c \"import sys,zipfile; print(sorted({i.date_time for i in "
      "zipfile.ZipFile(sys.argv[1]).infolist()}))\" " + q(out), &st);
  EXPECT_EQ(got, "[(2023, 11, 14, 22, 13, 20)]\n");
  ::setenv("SOURCE_DATE_EPOCH", "100", 1);
  EXPECT_EQ(zip_mtime_from_env().value_or(-1), 315532800);  // clamped to the DOS epoch
  ::setenv("SOURCE_DATE_EPOCH", "17e8", 1);
  auto bad = zip_mtime_from_env();
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message, "SOURCE_DATE_EPOCH: not a non-negative integer: '17e8'");
  ::unsetenv("SOURCE_DATE_EPOCH");
  EXPECT_EQ(zip_mtime_from_env().value_or(-1), 315532800);
}

TEST_F(ZipWriterTest, StoredExtensions) {
  EXPECT_TRUE(zip_stores_uncompressed("a/b/x.WHL"));
  EXPECT_TRUE(zip_stores_uncompressed("img.png"));
  EXPECT_TRUE(zip_stores_uncompressed("t.tar.gz"));
  EXPECT_FALSE(zip_stores_uncompressed("lib/_x.cpython-311-x86_64-linux-gnu.so"));
  EXPECT_FALSE(zip_stores_uncompressed("a.py"));
  EXPECT_FALSE(zip_stores_uncompressed(".gz"));
  EXPECT_FALSE(zip_stores_uncompressed("gz"));
}

TEST_F(ZipWriterTest, FailuresLeaveNothing) {
  fs::path f = dir_->path() / "f.txt";
  put(f, "x");
  fs::path out = dir_->path() / "o.zip";
  auto expect_fail = [&](std::vector<ZipEntry> es, const std::string& msg) {
    auto r = write_zip(std::move(es), out);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().message, msg);
    EXPECT_FALSE(fs::exists(out));
    // No temporary left beside the output.
    for (const auto& e : fs::directory_iterator(dir_->path())) {
      EXPECT_EQ(e.path().filename().string().find("o.zip.tmp"), std::string::npos);
    }
  };
  expect_fail({{"../x", f}}, "../x: invalid archive path");
  expect_fail({{"/abs", f}}, "/abs: invalid archive path");
  expect_fail({{"a//b", f}}, "a//b: invalid archive path");
  expect_fail({{"a\\b", f}}, "a\\b: invalid archive path");
  expect_fail({{"a/./b", f}}, "a/./b: invalid archive path");
  expect_fail({{"", f}}, ": invalid archive path");
  expect_fail({{"x", f}, {"x", f}}, "x: duplicate archive path");
  fs::path missing = dir_->path() / "missing";
  expect_fail({{"a", f}, {"b", missing}},
              missing.string() + ": cannot read: No such file or directory");
  expect_fail({{"a", f}, {"b", dir_->path()}}, dir_->path().string() + ": not a regular file");
  // An existing output is untouched by a failing write.
  put(out, "previous");
  auto r = write_zip({{"z", missing}}, out);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(slurp(out), "previous");
  // Unwritable directory.
  auto w = write_zip({{"a", f}}, dir_->path() / "nodir" / "o.zip");
  ASSERT_FALSE(w.has_value());
  EXPECT_EQ(w.error().message,
            "cannot write " + (dir_->path() / "nodir" / "o.zip").string() +
                ": No such file or directory");
}

TEST_F(ZipWriterTest, EmptyArchiveIsValid) {
  fs::path out = dir_->path() / "empty.zip";
  auto s = write_zip({}, out);
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->entries, 0u);
  int st = 0;
  std::string t = run("/usr/bin/python3 -c \"import sys,zipfile; "
                      "print(zipfile.ZipFile(sys.argv[1]).namelist())\" " + q(out), &st);
  EXPECT_EQ(t, "[]\n");
}

}  // namespace
}  // namespace funcpack
