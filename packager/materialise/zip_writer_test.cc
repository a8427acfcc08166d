#include "materialise/zip_writer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

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

// A tree big enough for many segments: a few multi-MiB files (own segments, spilled to disk),
// hundreds of small ones, stored and deflated entries, an executable.
std::vector<ZipEntry> make_big_tree(const fs::path& root) {
  std::vector<ZipEntry> entries;
  std::string line;
  uint32_t x = 12345;
  auto noise = [&](size_t n) {  // incompressible-ish bytes, deterministic
    std::string s(n, '\0');
    for (auto& c : s) {
      x = x * 1103515245u + 12345u;
      c = static_cast<char>(x >> 24);
    }
    return s;
  };
  for (int i = 0; i < 700; ++i) {
    std::string body;
    for (int j = 0; j < i % 50; ++j) body += "def f" + std::to_string(j) + "(): return " + std::to_string(i * j) + "\n";
    std::string rel = "pkg" + std::to_string(i % 7) + "/mod" + std::to_string(i) + (i % 13 == 0 ? ".png" : ".py");
    put(root / rel, body + noise(i % 3 == 0 ? 300 : 0), i % 11 == 0 ? 0755 : 0644);
    entries.push_back({rel, root / rel});
  }
  for (int i = 0; i < 3; ++i) {
    std::string big;
    for (int j = 0; j < 40000; ++j) big += "symbol_" + std::to_string(j * (i + 1)) + "\n";
    big += noise(3 << 19);
    std::string rel = "libs/lib" + std::to_string(i) + ".so";
    put(root / rel, big);
    entries.push_back({rel, root / rel});
  }
  return entries;
}

TEST_F(ZipWriterTest, AnyThreadCountGivesTheSameBytesAsOneLibarchiveStream) {
  auto entries = make_big_tree(dir_->path() / "t");
  fs::path one = dir_->path() / "one.zip";
  ZipOptions o;
  o.threads = 1;  // the direct path: one libarchive writer for the whole zip
  auto s1 = write_zip(entries, one, o);
  ASSERT_TRUE(s1.has_value()) << s1.error().message;
  const std::string want = slurp(one);
  for (unsigned t : {2u, 3u, 8u}) {
    fs::path out = dir_->path() / ("t" + std::to_string(t) + ".zip");
    o.threads = t;
    auto s = write_zip(entries, out, o);
    ASSERT_TRUE(s.has_value()) << s.error().message;
    EXPECT_TRUE(slurp(out) == want) << t << " threads";
    EXPECT_EQ(s->sha256, s1->sha256);
    EXPECT_EQ(s->entries, 703u);
    EXPECT_EQ(s->uncompressed_bytes, s1->uncompressed_bytes);
  }
  int st = 0;
  fs::path par = dir_->path() / "t8.zip";
  std::string t = run("unzip -tq " + q(par), &st);
  EXPECT_EQ(st, 0) << t;
  t = run("/usr/bin/python3 -m zipfile -t " + q(par) + " 2>&1", &st);
  EXPECT_EQ(t, "Done testing\n");
  t = run("/usr/bin/python3 -c \"import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); "
          "print(len(z.namelist()), sum(i.compress_type == 0 for i in z.infolist()))\" " + q(par),
          &st);
  EXPECT_EQ(t, "703 54\n");  // the 54 .png entries are stored
}

TEST_F(ZipWriterTest, MoreThan65535EntriesGetLibarchivesZip64EndRecord) {
  // One small source file under 66,000 names (creating 66,000 files would only slow this).
  fs::path src = dir_->path() / "x";
  put(src, "x");
  std::vector<ZipEntry> entries;
  for (int d = 0; d < 66; ++d) {
    for (int i = 0; i < 1000; ++i) entries.push_back({std::to_string(d) + "/" + std::to_string(i), src});
  }
  ZipOptions o;
  o.threads = 1;
  ASSERT_TRUE(write_zip(entries, dir_->path() / "a.zip", o));
  o.threads = 2;
  auto s = write_zip(entries, dir_->path() / "b.zip", o);
  ASSERT_TRUE(s.has_value()) << s.error().message;
  const std::string b = slurp(dir_->path() / "b.zip");
  EXPECT_TRUE(slurp(dir_->path() / "a.zip") == b);
  // The zip64 end record ("PK\6\6") and locator ("PK\6\7") precede the classic end record.
  ASSERT_GT(b.size(), 98u);
  EXPECT_EQ(b.substr(b.size() - 98, 4), std::string("PK\x06\x06", 4));
  EXPECT_EQ(b.substr(b.size() - 42, 4), std::string("PK\x06\x07", 4));
  int st = 0;
  std::string t = run("/usr/bin/python3 -c \"import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); "
                      "print(len(z.namelist()), z.testzip())\" " + q(dir_->path() / "b.zip"), &st);
  EXPECT_EQ(t, "66000 None\n");
}

TEST_F(ZipWriterTest, ProgressIsMonotonicOnTheCallingThreadAndEndsAtTotal) {
  auto entries = make_big_tree(dir_->path() / "t");
  for (unsigned threads : {1u, 2u}) {
    std::vector<std::pair<uint64_t, uint64_t>> calls;
    bool other_thread = false;
    const auto me = std::this_thread::get_id();
    ZipOptions o;
    o.threads = threads;
    o.progress = [&](uint64_t done, uint64_t total) {
      if (std::this_thread::get_id() != me) other_thread = true;
      calls.emplace_back(done, total);
    };
    auto s = write_zip(entries, dir_->path() / "p.zip", o);
    ASSERT_TRUE(s.has_value()) << s.error().message;
    EXPECT_FALSE(other_thread);
    ASSERT_GE(calls.size(), 2u) << threads;
    for (size_t i = 0; i < calls.size(); ++i) {
      EXPECT_EQ(calls[i].second, s->uncompressed_bytes);
      if (i > 0) {
        EXPECT_GT(calls[i].first, calls[i - 1].first);
      }
    }
    EXPECT_EQ(calls.back().first, s->uncompressed_bytes);
  }
  std::vector<std::pair<uint64_t, uint64_t>> calls;
  ZipOptions o;
  o.progress = [&](uint64_t done, uint64_t total) { calls.emplace_back(done, total); };
  ASSERT_TRUE(write_zip({}, dir_->path() / "e.zip", o));
  EXPECT_EQ(calls, (std::vector<std::pair<uint64_t, uint64_t>>{{0, 0}}));
}

TEST_F(ZipWriterTest, PrebuiltEntriesAreSplicedByteForByte) {
  auto entries = make_big_tree(dir_->path() / "t");
  fs::path first = dir_->path() / "first.zip";
  ZipOptions o;
  o.record_layout = true;
  auto s1 = write_zip(entries, first, o);
  ASSERT_TRUE(s1.has_value()) << s1.error().message;
  ASSERT_EQ(s1->layout.size(), 703u);
  EXPECT_EQ(s1->reused, 0u);
  // The layout tiles the local sections: each entry starts where the previous one ended.
  for (size_t i = 1; i < s1->layout.size(); ++i) {
    EXPECT_EQ(s1->layout[i].offset, s1->layout[i - 1].offset + s1->layout[i - 1].length);
  }
  EXPECT_EQ(s1->layout[0].offset, 0u);
  // Keep the first zip's bytes elsewhere (the next write replaces nothing of it, but a cache
  // would hold a copy).
  fs::path kept = dir_->path() / "kept.zip";
  fs::copy_file(first, kept);
  auto file = ZipSourceFile::open(kept);
  ASSERT_TRUE(file.has_value());
  std::map<std::string, ZipEntryLayout> by_path;
  for (const auto& l : s1->layout) by_path[l.path] = l;
  // Every other entry prebuilt (runs of spliced and compressed segments interleave).
  std::vector<ZipEntry> again = entries;
  size_t offered = 0;
  for (size_t i = 0; i < again.size(); i += 2) {
    const auto& l = by_path.at(again[i].path);
    again[i].prebuilt = std::make_shared<ZipPrebuilt>(ZipPrebuilt{*file, l.offset, l.length, l.central});
    ++offered;
  }
  for (unsigned threads : {1u, 2u}) {
    fs::path out = dir_->path() / ("again" + std::to_string(threads) + ".zip");
    ZipOptions r;
    r.threads = threads;
    auto s2 = write_zip(again, out, r);
    ASSERT_TRUE(s2.has_value()) << s2.error().message;
    EXPECT_EQ(s2->reused, offered);
    EXPECT_TRUE(slurp(out) == slurp(first)) << threads << " threads";
  }
  // A prebuilt made for another mtime, mode or name is not used: the entry is compressed.
  ZipOptions later;
  later.mtime = 1700000000;
  auto s3 = write_zip(again, dir_->path() / "later.zip", later);
  ASSERT_TRUE(s3.has_value());
  EXPECT_EQ(s3->reused, 0u);
  auto s4 = write_zip(entries, dir_->path() / "later-fresh.zip", later);
  ASSERT_TRUE(s4.has_value());
  EXPECT_EQ(s3->sha256, s4->sha256);
  std::vector<ZipEntry> renamed = {again[0]};
  renamed[0].path = "other/name.py";
  auto s5 = write_zip(renamed, dir_->path() / "renamed.zip");
  ASSERT_TRUE(s5.has_value());
  EXPECT_EQ(s5->reused, 0u);
  ::chmod(again[2].source.c_str(), 0755);
  auto s6 = write_zip({again[2]}, dir_->path() / "mode.zip");
  ASSERT_TRUE(s6.has_value());
  EXPECT_EQ(s6->reused, 0u);
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
