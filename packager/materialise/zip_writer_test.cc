#include "materialise/zip_writer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
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

// Where each member's compressed data is in the zip `z` (no zip64): name -> prebuilt data.
std::map<std::string, ZipPrebuilt> member_data(const std::string& z,
                                               std::shared_ptr<const ZipSourceFile> file) {
  auto u16 = [&](size_t at) {
    return static_cast<uint32_t>(static_cast<uint8_t>(z[at]) | static_cast<uint8_t>(z[at + 1]) << 8);
  };
  auto u32 = [&](size_t at) { return u16(at) | u16(at + 2) << 16; };
  std::map<std::string, ZipPrebuilt> out;
  const size_t end = z.size() - 22;
  EXPECT_EQ(u32(end), 0x06054b50u);
  for (size_t p = u32(end + 16); p < end && u32(p) == 0x02014b50;) {
    const size_t n = u16(p + 28), m = u16(p + 30), k = u16(p + 32);
    const size_t local = u32(p + 42);
    ZipPrebuilt d;
    d.kind = ZipPrebuilt::Kind::kData;
    d.file = file;
    d.method = static_cast<uint16_t>(u16(p + 10));
    d.crc32 = u32(p + 16);
    d.length = u32(p + 20);
    d.offset = local + 30 + u16(local + 26) + u16(local + 28);
    out[z.substr(p + 46, n)] = d;
    p += 46 + n + m + k;
  }
  return out;
}

// Every entry of `entries` gets the data of its namesake in the zip at `from` as a verbatim
// member. Returns how many were given one.
size_t attach_data(std::vector<ZipEntry>& entries, const fs::path& from) {
  auto file = ZipSourceFile::open(from);
  EXPECT_TRUE(file.has_value());
  auto data = member_data(slurp(from), *file);
  size_t n = 0;
  for (auto& e : entries) {
    auto it = data.find(e.path);
    if (it == data.end()) continue;
    e.prebuilt = std::make_shared<ZipPrebuilt>(it->second);
    ++n;
  }
  return n;
}

TEST_F(ZipWriterTest, VerbatimMembersOfLibarchivesOwnOutputGiveItsBytesBack) {
  // libarchive writes the zip; its members' compressed bytes, copied as verbatim members with
  // headers made by the writer, must give the same zip byte for byte: the headers are
  // libarchive's, field for field (stored and deflated entries, a non-ASCII name, an empty
  // file, an executable, odd-second and far-future mtimes).
  auto small = make_tree(dir_->path() / "s", 0);
  auto big = make_big_tree(dir_->path() / "b");
  std::vector<ZipEntry> all = small;
  all.insert(all.end(), big.begin(), big.end());
  for (int64_t mtime : {int64_t{315532800}, int64_t{1700000001}, int64_t{4354819201}}) {
    ZipOptions o;
    o.threads = 1;  // one libarchive stream
    o.mtime = mtime;
    fs::path ref = dir_->path() / ("ref-" + std::to_string(mtime) + ".zip");
    auto s1 = write_zip(all, ref, o);
    ASSERT_TRUE(s1.has_value()) << s1.error().message;
    fs::path kept = dir_->path() / ("kept-" + std::to_string(mtime) + ".zip");
    fs::copy_file(ref, kept);
    std::vector<ZipEntry> again = all;
    // Every other entry verbatim, so spliced and compressed segments interleave.
    std::vector<ZipEntry> half = all;
    ASSERT_EQ(attach_data(again, kept), all.size());
    for (size_t i = 1; i < half.size(); i += 2) half[i].prebuilt = again[i].prebuilt;
    for (unsigned threads : {1u, 2u}) {
      for (auto* es : {&again, &half}) {
        fs::path out = dir_->path() / "again.zip";
        o.threads = threads;
        auto s2 = write_zip(*es, out, o);
        ASSERT_TRUE(s2.has_value()) << s2.error().message;
        EXPECT_EQ(s2->verbatim, es == &again ? all.size() : all.size() / 2) << mtime;
        EXPECT_EQ(s2->reused, 0u);
        EXPECT_TRUE(slurp(out) == slurp(ref)) << mtime << " " << threads << " threads";
        EXPECT_EQ(s2->sha256, s1->sha256);
      }
    }
  }
  // Data written under one mtime serves another: only the headers carry the time.
  ZipOptions later;
  later.mtime = 1700000001;
  std::vector<ZipEntry> from_old = all;
  attach_data(from_old, dir_->path() / "kept-315532800.zip");
  auto s3 = write_zip(from_old, dir_->path() / "later.zip", later);
  ASSERT_TRUE(s3.has_value()) << s3.error().message;
  EXPECT_EQ(s3->verbatim, all.size());
  EXPECT_TRUE(slurp(dir_->path() / "later.zip") == slurp(dir_->path() / "ref-1700000001.zip"));
}

TEST_F(ZipWriterTest, WheelMembersKeepTheirExactCompressedBytesAndMethod) {
  // A "wheel" written by Python's zipfile: a module deflated at level 9, a module stored, a
  // .png deflated (the writer would store it) and an empty member.
  fs::path root = dir_->path() / "src";
  std::string text;
  for (int i = 0; i < 4000; ++i) {
    text += "value_" + std::to_string(i * 7919 % 1000) + " = " + std::to_string(i % 13) + "\n";
  }
  put(root / "pkg/level9.py", text);
  put(root / "pkg/stored.py", "X = 1\n");
  put(root / "pkg/logo.png", text.substr(0, 3000), 0755);
  put(root / "pkg/empty.py", "");
  put(dir_->path() / "mkwheel.py",
      "import sys, zipfile, zlib\n"
      "src, out = sys.argv[1], sys.argv[2]\n"
      "with zipfile.ZipFile(out, 'w') as z:\n"
      "    for name, method, level in [('pkg/level9.py', zipfile.ZIP_DEFLATED, 9),\n"
      "                                ('pkg/stored.py', zipfile.ZIP_STORED, None),\n"
      "                                ('pkg/logo.png', zipfile.ZIP_DEFLATED, 1),\n"
      "                                ('pkg/empty.py', zipfile.ZIP_DEFLATED, 9)]:\n"
      "        z.write(src + '/' + name, name, compress_type=method, compresslevel=level)\n"
      "data = open(src + '/pkg/level9.py', 'rb').read()\n"
      "c6 = zlib.compressobj(6, zlib.DEFLATED, -15)\n"
      "c9 = zlib.compressobj(9, zlib.DEFLATED, -15)\n"
      "print((c6.compress(data) + c6.flush()) != (c9.compress(data) + c9.flush()))\n");
  fs::path wheel = dir_->path() / "demo-1.0-py3-none-any.whl";
  int st = 0;
  EXPECT_EQ(run("/usr/bin/python3 " + q(dir_->path() / "mkwheel.py") + " " + q(root) + " " +
                    q(wheel), &st),
            "True\n");  // level 9's bytes are not what the writer's level 6 would make
  ASSERT_EQ(st, 0);
  std::vector<ZipEntry> entries;
  for (const char* name : {"pkg/level9.py", "pkg/stored.py", "pkg/logo.png", "pkg/empty.py"}) {
    entries.push_back({std::string(".python_packages/lib/site-packages/") + name, root / name});
  }
  put(dir_->path() / "host.json", "{}\n");
  entries.push_back({"host.json", dir_->path() / "host.json"});
  {
    auto file = ZipSourceFile::open(wheel);
    ASSERT_TRUE(file.has_value());
    auto data = member_data(slurp(wheel), *file);
    ASSERT_EQ(data.size(), 4u);
    for (auto& e : entries) {
      const size_t at = e.path.find("pkg/");
      if (at != std::string::npos) {
        e.prebuilt = std::make_shared<ZipPrebuilt>(data.at(e.path.substr(at)));
      }
    }
  }
  fs::path out = dir_->path() / "app.zip";
  auto s = write_zip(entries, out);
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->verbatim, 4u);
  EXPECT_EQ(s->entries, 5u);
  // Python reads both zips' raw member bytes: each package member's compressed bytes,
  // method and CRC-32 are the wheel's; every member inflates to its file and checks out.
  put(dir_->path() / "cmp.py",
      "import sys, zipfile, struct\n"
      "def raw(path):\n"
      "    out = {}\n"
      "    with open(path, 'rb') as f, zipfile.ZipFile(path) as z:\n"
      "        for i in z.infolist():\n"
      "            f.seek(i.header_offset)\n"
      "            h = f.read(30)\n"
      "            n, m = struct.unpack('<HH', h[26:30])\n"
      "            f.seek(i.header_offset + 30 + n + m)\n"
      "            out[i.filename.split('site-packages/')[-1]] = (f.read(i.compress_size), i.compress_type, i.CRC)\n"
      "    return out\n"
      "w, a = raw(sys.argv[1]), raw(sys.argv[2])\n"
      "for name in sorted(w):\n"
      "    print(name, w[name][1], a[name][1], w[name] == a[name], len(a[name][0]))\n"
      "z = zipfile.ZipFile(sys.argv[2])\n"
      "print(z.testzip())\n"
      "for i in z.infolist():\n"
      "    print(i.filename, oct(i.external_attr >> 16), i.date_time, i.flag_bits, i.extra.hex())\n");
  std::string got = run("/usr/bin/python3 " + q(dir_->path() / "cmp.py") + " " + q(wheel) + " " +
                            q(out),
                        &st);
  EXPECT_EQ(st, 0);
  const std::string extra = "5554" "0500" "01" "00a6ce12" "7578" "0b00" "01" "04" "00000000"
                            "04" "00000000";
  EXPECT_EQ(got,
            "pkg/empty.py 8 8 True 2\n"
            "pkg/level9.py 8 8 True " +
                std::to_string(std::stoul(run("/usr/bin/python3 -c \"import sys,zipfile; "
                                              "print(zipfile.ZipFile(sys.argv[1]).getinfo("
                                              "'pkg/level9.py').compress_size)\" " + q(wheel),
                                              &st))) +
                "\n"
                "pkg/logo.png 8 8 True " +
                std::to_string(std::stoul(run("/usr/bin/python3 -c \"import sys,zipfile; "
                                              "print(zipfile.ZipFile(sys.argv[1]).getinfo("
                                              "'pkg/logo.png').compress_size)\" " + q(wheel),
                                              &st))) +
                "\n"
                "pkg/stored.py 0 0 True 6\n"
                "None\n"
                ".python_packages/lib/site-packages/pkg/empty.py 0o100644 (1980, 1, 1, 0, 0, 0) 8 " + extra + "\n"
                ".python_packages/lib/site-packages/pkg/level9.py 0o100644 (1980, 1, 1, 0, 0, 0) 8 " + extra + "\n"
                ".python_packages/lib/site-packages/pkg/logo.png 0o100755 (1980, 1, 1, 0, 0, 0) 8 " + extra + "\n"
                ".python_packages/lib/site-packages/pkg/stored.py 0o100644 (1980, 1, 1, 0, 0, 0) 8 " + extra + "\n"
                "host.json 0o100644 (1980, 1, 1, 0, 0, 0) 8 " + extra + "\n");
  std::string t = run("unzip -tq " + q(out), &st);
  EXPECT_EQ(st, 0) << t;
  EXPECT_EQ(t, "No errors detected in compressed data of " + out.string() + ".\n");
  fs::path x = dir_->path() / "x";
  run("unzip -q " + q(out) + " -d " + q(x), &st);
  ASSERT_EQ(st, 0);
  for (const auto& e : entries) EXPECT_EQ(slurp(x / e.path), slurp(e.source)) << e.path;
  // The layout of the verbatim entries, spliced back as kEntry prebuilts (what the install
  // cache stores), gives the same zip again.
  ZipOptions o;
  o.record_layout = true;
  auto s2 = write_zip(entries, dir_->path() / "layout.zip", o);
  ASSERT_TRUE(s2.has_value());
  EXPECT_TRUE(slurp(dir_->path() / "layout.zip") == slurp(out));
  auto kept = ZipSourceFile::open(dir_->path() / "layout.zip");
  ASSERT_TRUE(kept.has_value());
  std::map<std::string, ZipEntryLayout> by_path;
  for (const auto& l : s2->layout) by_path[l.path] = l;
  ASSERT_EQ(by_path.size(), entries.size());
  std::vector<ZipEntry> warm = entries;
  for (auto& e : warm) {
    const auto& l = by_path.at(e.path);
    e.prebuilt = std::make_shared<ZipPrebuilt>(ZipPrebuilt{*kept, l.offset, l.length, l.central});
  }
  auto s3 = write_zip(warm, dir_->path() / "warm.zip");
  ASSERT_TRUE(s3.has_value());
  EXPECT_EQ(s3->reused, 5u);
  EXPECT_EQ(s3->verbatim, 0u);
  EXPECT_TRUE(slurp(dir_->path() / "warm.zip") == slurp(out));
}

TEST_F(ZipWriterTest, VerbatimDataThatDoesNotFitIsCompressedInstead) {
  auto entries = make_tree(dir_->path() / "t", 0);
  fs::path ref = dir_->path() / "ref.zip";
  ZipOptions o;
  o.threads = 1;
  ASSERT_TRUE(write_zip(entries, ref, o));
  fs::path kept = dir_->path() / "kept.zip";
  fs::copy_file(ref, kept);
  std::vector<ZipEntry> again = entries;
  ASSERT_EQ(attach_data(again, kept), entries.size());
  const uint64_t kept_size = fs::file_size(kept);
  // Spoil each one differently: an unknown method, stored data shorter than the source,
  // ranges past the end of the file.
  std::map<std::string, std::function<void(ZipPrebuilt&)>> spoil = {
      {"function_app.py", [](ZipPrebuilt& p) { p.method = 12; }},
      {"vendor/dep-1.0-py3-none-any.whl", [](ZipPrebuilt& p) { p.length -= 1; }},
      {"host.json", [&](ZipPrebuilt& p) { p.offset = kept_size - 2; }},
      {"bin/run.sh", [&](ZipPrebuilt& p) { p.offset = kept_size + 10; }},
  };
  for (auto& e : again) {
    auto it = spoil.find(e.path);
    if (it == spoil.end()) continue;
    auto copy = std::make_shared<ZipPrebuilt>(*e.prebuilt);
    it->second(*copy);
    e.prebuilt = copy;
  }
  ASSERT_EQ(again[0].prebuilt->kind, ZipPrebuilt::Kind::kData);
  o.threads = 2;
  auto s = write_zip(again, dir_->path() / "out.zip", o);
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->verbatim, entries.size() - 4);
  EXPECT_TRUE(slurp(dir_->path() / "out.zip") == slurp(ref));
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
