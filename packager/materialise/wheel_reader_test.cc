// Wheel reader tests on zips written by Python's zipfile (the tool wheels are built with),
// some patched byte by byte into what a broken or hostile writer would make.
#include "materialise/wheel_reader.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/fs.h"

namespace funcpack {
namespace {

namespace fs = std::filesystem;

class WheelReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = TempDir::create("wheel_reader_test");
    ASSERT_TRUE(d.has_value());
    dir_ = std::make_unique<TempDir>(std::move(*d));
  }
  // Runs the Python `body` with `out` (a path in the test directory) as sys.argv[1]; the
  // body sees zipfile, struct and zlib imported and `patch(path, offset, bytes)`.
  fs::path python_zip(const std::string& name, const std::string& body) {
    fs::path script = dir_->path() / "make.py", out = dir_->path() / name;
    std::ofstream(script) << "import sys, zipfile, struct, zlib\n"
                             "out = sys.argv[1]\n"
                             "def patch(path, offset, data):\n"
                             "    with open(path, 'r+b') as f:\n"
                             "        f.seek(offset)\n"
                             "        f.write(data)\n"
                          << body;
    std::string cmd = "/usr/bin/python3 '" + script.string() + "' '" + out.string() + "'";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << body;
    return out;
  }
  // Reads every member of `zip`: "name: bytes" or "name: error", plus "[verbatim]" when the
  // compressed bytes are exact.
  std::string read_all(const fs::path& zip) {
    auto r = WheelReader::open(zip);
    if (!r) return "open: " + r.error().message + "\n";
    std::string out;
    for (const auto& m : r->members()) {
      if (m.type != WheelMember::Type::kFile) continue;
      std::string body;
      auto d = r->read(m, [&](std::string_view chunk) -> Result<void> {
        body.append(chunk);
        return {};
      });
      out += m.name + ": " + (d ? body + (d->exact ? " [verbatim]" : "") : d.error().message) +
             "\n";
    }
    return out;
  }
  std::unique_ptr<TempDir> dir_;
};

std::string type_name(WheelMember::Type t) {
  switch (t) {
    case WheelMember::Type::kFile: return "file";
    case WheelMember::Type::kDirectory: return "dir";
    case WheelMember::Type::kSymlink: return "symlink";
    case WheelMember::Type::kOther: return "other";
  }
  return "?";
}

TEST_F(WheelReaderTest, MembersTypesModesAndBytes) {
  auto zip = python_zip("a.whl",
                        "z = zipfile.ZipFile(out, 'w')\n"
                        "def add(name, data, mode=None, system=3, attr=None, method=zipfile.ZIP_DEFLATED):\n"
                        "    i = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))\n"
                        "    i.create_system = system\n"
                        "    i.compress_type = method\n"
                        "    if mode is not None: i.external_attr = mode << 16\n"
                        "    if attr is not None: i.external_attr = attr\n"
                        "    z.writestr(i, data)\n"
                        "add('pkg/', b'', 0o40755)\n"
                        "add('pkg/mod.py', b'x = 1\\n' * 1000, 0o100644)\n"
                        "add('pkg/stored.txt', b'plain', 0o100644, method=zipfile.ZIP_STORED)\n"
                        "add('pkg/run', b'#!/bin/sh\\n', 0o100755)\n"
                        "add('pkg/link', b'../etc/passwd', 0o120777)\n"
                        "add('pkg/fifo', b'', 0o10644)\n"
                        "add('pkg/nomode', b'n', 0)\n"
                        "add('dosdir', b'', system=0, attr=0x10)\n"
                        "add('dosfile.py', b'd', system=0, attr=0x20)\n"
                        "add('slash/', b'', 0o100644)\n"
                        "add('ntfs-exec', b'e', 0o100755, system=11)\n"
                        "add('empty.py', b'', 0o100644)\n"
                        "z.close()\n");
  auto r = WheelReader::open(zip);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  std::string listing;
  for (const auto& m : r->members()) {
    listing += m.name + " " + type_name(m.type) + (m.executable ? " x " : " - ") +
               std::to_string(m.method) + " " + std::to_string(m.size) + "\n";
  }
  EXPECT_EQ(listing,
            "pkg/ dir x 8 0\n"
            "pkg/mod.py file - 8 6000\n"
            "pkg/stored.txt file - 0 5\n"
            "pkg/run file x 8 10\n"
            "pkg/link symlink x 8 13\n"
            "pkg/fifo other - 8 0\n"
            "pkg/nomode file - 8 1\n"
            "dosdir dir - 8 0\n"
            "dosfile.py file - 8 1\n"
            "slash/ dir - 8 0\n"
            "ntfs-exec file - 8 1\n"
            "empty.py file - 8 0\n");
  std::string mod;
  for (int i = 0; i < 1000; ++i) mod += "x = 1\n";
  EXPECT_EQ(read_all(zip), "pkg/mod.py: " + mod + " [verbatim]\n"
                           "pkg/stored.txt: plain [verbatim]\n"
                           "pkg/run: #!/bin/sh\n [verbatim]\n"
                           "pkg/nomode: n [verbatim]\n"
                           "dosfile.py: d [verbatim]\n"
                           "ntfs-exec: e [verbatim]\n"
                           "empty.py:  [verbatim]\n");
  // The offset read() reports is where the member's compressed bytes are: they inflate to
  // the member.
  const WheelMember& m = r->members()[1];
  auto d = r->read(m, [](std::string_view) -> Result<void> { return {}; });
  ASSERT_TRUE(d.has_value());
  std::string whole = read_file(zip).value();
  std::string raw = whole.substr(d->offset, m.compressed_size);
  std::string inflated(m.size, '\0');
  z_stream zs{};
  ASSERT_EQ(inflateInit2(&zs, -MAX_WBITS), Z_OK);
  zs.next_in = reinterpret_cast<Bytef*>(raw.data());
  zs.avail_in = static_cast<uInt>(raw.size());
  zs.next_out = reinterpret_cast<Bytef*>(inflated.data());
  zs.avail_out = static_cast<uInt>(inflated.size());
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  inflateEnd(&zs);
  EXPECT_EQ(inflated, mod);
  EXPECT_EQ(crc32(0, reinterpret_cast<const Bytef*>(mod.data()), static_cast<uInt>(mod.size())),
            m.crc32);
}

TEST_F(WheelReaderTest, BrokenMembersAreErrorsNamingTheProblem) {
  // Each member is damaged differently after zipfile wrote it (offsets found by zipfile).
  auto zip = python_zip(
      "b.whl",
      "z = zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED)\n"
      "body = bytes(range(256)) * 64\n"
      "for n in ['ok', 'crc', 'data', 'bzip', 'enc', 'name', 'range', 'size', 'short']:\n"
      "    z.writestr(n, body)\n"
      "z.close()\n"
      "z = zipfile.ZipFile(out)\n"
      "info = {i.filename: i for i in z.infolist()}\n"
      "cd = z.start_dir\n"
      "z.close()\n"
      "raw = open(out, 'rb').read()\n"
      "def cd_of(name):\n"
      "    p = cd\n"
      "    while True:\n"
      "        n, m, k = struct.unpack('<HHH', raw[p+28:p+34])\n"
      "        if raw[p+46:p+46+n] == name.encode(): return p\n"
      "        p += 46 + n + m + k\n"
      "def data_of(name):\n"
      "    h = info[name].header_offset\n"
      "    n, m = struct.unpack('<HH', raw[h+26:h+30])\n"
      "    return h + 30 + n + m\n"
      "patch(out, cd_of('crc') + 16, struct.pack('<I', info['crc'].CRC ^ 1))\n"
      "patch(out, data_of('data'), b'\\xff\\xff\\xff')\n"
      "patch(out, cd_of('bzip') + 10, struct.pack('<H', 12))\n"
      "patch(out, cd_of('enc') + 8, struct.pack('<H', 1))\n"
      "patch(out, info['name'].header_offset + 30, b'N')\n"
      "patch(out, cd_of('range') + 20, struct.pack('<I', 0x7fffffff))\n"
      "patch(out, cd_of('size') + 24, struct.pack('<I', info['size'].file_size + 1))\n"
      "patch(out, cd_of('short') + 24, struct.pack('<I', info['short'].file_size - 1))\n");
  std::string body;
  for (int i = 0; i < 64; ++i) {
    for (int c = 0; c < 256; ++c) body.push_back(static_cast<char>(c));
  }
  EXPECT_EQ(read_all(zip), "ok: " + body + " [verbatim]\n"
                           "crc: CRC-32 mismatch\n"
                           "data: corrupt deflate data\n"
                           "bzip: unsupported compression method 12\n"
                           "enc: encrypted\n"
                           "name: name in the local header differs\n"
                           "range: data out of range\n"
                           "size: size mismatch\n"
                           "short: size mismatch\n");
}

TEST_F(WheelReaderTest, BytesAfterTheDeflateStreamInstallButAreNotVerbatim) {
  // The member's compressed size is grown by 4 bytes that follow its deflate stream (taken
  // from the next local header): its bytes read fine, but copying the range would carry them.
  auto zip = python_zip("c.whl",
                        "z = zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED)\n"
                        "z.writestr('a.py', 'A = 1\\n')\n"
                        "z.writestr('b.py', 'B = 2\\n')\n"
                        "z.close()\n"
                        "z = zipfile.ZipFile(out)\n"
                        "a, cd = z.getinfo('a.py'), z.start_dir\n"
                        "z.close()\n"
                        "patch(out, cd + 20, struct.pack('<I', a.compress_size + 4))\n");
  EXPECT_EQ(read_all(zip), "a.py: A = 1\n\n"
                           "b.py: B = 2\n [verbatim]\n");
}

TEST_F(WheelReaderTest, Zip64RecordsAndExtraFields) {
  // A zip whose end record defers to a Zip64 end record, and whose central record keeps its
  // sizes and offset in a Zip64 extra field (written by hand: zipfile only does this above
  // 4 GiB).
  auto zip = python_zip(
      "d.whl",
      "data = b'zip64 member\\n' * 50\n"
      "c = zlib.compressobj(6, zlib.DEFLATED, -15)\n"
      "comp = c.compress(data) + c.flush()\n"
      "crc = zlib.crc32(data)\n"
      "name = b'pkg/big.py'\n"
      "local = struct.pack('<IHHHHHIIIHH', 0x04034b50, 45, 0, 8, 0, 0x21, crc, 0xffffffff,\n"
      "                    0xffffffff, len(name), 20) + name + struct.pack('<HHQQ', 1, 16,\n"
      "                    len(data), len(comp))\n"
      "body = local + comp\n"
      "extra = struct.pack('<HHQQQ', 1, 24, len(data), len(comp), 0)\n"
      "central = struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 0x033f, 45, 0, 8, 0, 0x21, crc,\n"
      "                      0xffffffff, 0xffffffff, len(name), len(extra), 0, 0, 0,\n"
      "                      0o100644 << 16, 0xffffffff) + name + extra\n"
      "cd_at = len(body)\n"
      "z64_at = cd_at + len(central)\n"
      "z64 = struct.pack('<IQHHIIQQQQ', 0x06064b50, 44, 45, 45, 0, 0, 1, 1, len(central), cd_at)\n"
      "loc = struct.pack('<IIQI', 0x07064b50, 0, z64_at, 1)\n"
      "end = struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, 0xffff, 0xffff, 0xffffffff, 0xffffffff, 0)\n"
      "open(out, 'wb').write(body + central + z64 + loc + end)\n"
      "assert zipfile.ZipFile(out).read('pkg/big.py') == data\n");
  auto r = WheelReader::open(zip);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->members().size(), 1u);
  EXPECT_EQ(r->members()[0].size, 650u);
  EXPECT_EQ(r->members()[0].local_header_offset, 0u);
  std::string want;
  for (int i = 0; i < 50; ++i) want += "zip64 member\n";
  EXPECT_EQ(read_all(zip), "pkg/big.py: " + want + " [verbatim]\n");
}

TEST_F(WheelReaderTest, ExactlyFFFFEntriesWithoutZip64) {
  // libarchive (so our own zip writer) adds the Zip64 end record only above 65,535 entries:
  // at exactly 65,535 the classic count is saturated, with no Zip64 record to defer to.
  fs::path src = dir_->path() / "x";
  std::ofstream(src) << "x";
  std::vector<ZipEntry> entries;
  for (int i = 0; i < 65535; ++i) entries.push_back({"m/" + std::to_string(i), src});
  fs::path zip = dir_->path() / "many.whl";
  ZipOptions o;
  o.threads = 1;
  ASSERT_TRUE(write_zip(entries, zip, o).has_value());
  const std::string bytes = read_file(zip).value();
  ASSERT_EQ(bytes.substr(bytes.size() - 22, 4), std::string("PK\x05\x06", 4));
  ASSERT_NE(bytes.substr(bytes.size() - 42, 4), std::string("PK\x06\x07", 4));
  auto r = WheelReader::open(zip);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->members().size(), 65535u);
  EXPECT_EQ(r->members().back().name, "m/9999");  // sorted as strings
}

TEST_F(WheelReaderTest, EveryByteCorruptedInTurnReadsOrFailsWithADocumentedError) {
  // A small wheel with a stored and a deflated member; each byte in turn is inverted. Opening
  // and reading every member must succeed or fail with one of the header's errors (and, under
  // the sanitizers, touch nothing out of bounds).
  auto zip = python_zip("e.whl",
                        "z = zipfile.ZipFile(out, 'w')\n"
                        "z.writestr('pkg/a.py', 'A = 1\\n' * 20, zipfile.ZIP_DEFLATED)\n"
                        "z.writestr('pkg/b.txt', 'stored', zipfile.ZIP_STORED)\n"
                        "z.close()\n");
  const std::string good = read_file(zip).value();
  const std::set<std::string> open_errors = {
      "too short", "no end of central directory record", "bad Zip64 end record",
      "central directory out of range", "corrupt central directory"};
  const std::set<std::string> read_errors = {
      "encrypted", "bad local header", "name in the local header differs", "data out of range",
      "corrupt deflate data", "size mismatch", "CRC-32 mismatch"};
  fs::path bad = dir_->path() / "bad.whl";
  size_t opened = 0, failed_reads = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bytes = good;
    bytes[i] = static_cast<char>(~bytes[i]);
    ASSERT_TRUE(write_file_atomic(bad, bytes).has_value());
    auto r = WheelReader::open(bad);
    if (!r) {
      EXPECT_TRUE(open_errors.count(r.error().message)) << i << ": " << r.error().message;
      continue;
    }
    ++opened;
    for (const auto& m : r->members()) {
      uint64_t got = 0;
      auto d = r->read(m, [&](std::string_view chunk) -> Result<void> {
        got += chunk.size();
        return {};
      });
      if (d) {
        EXPECT_EQ(got, m.size) << i;
        continue;
      }
      ++failed_reads;
      const std::string& e = d.error().message;
      EXPECT_TRUE(read_errors.count(e) || e.starts_with("unsupported compression method ") ||
                  e.starts_with("cannot read: "))
          << i << ": " << e;
    }
  }
  // Most corruptions are caught one way or the other (names and unused fields are not).
  EXPECT_GT(opened, 0u);
  EXPECT_GT(failed_reads, 0u);
}

TEST_F(WheelReaderTest, NotZipsAreErrors) {
  auto open_error = [&](const std::string& name, const std::string& bytes) {
    fs::path p = dir_->path() / name;
    std::ofstream(p, std::ios::binary) << bytes;
    auto r = WheelReader::open(p);
    return r ? std::string("opened") : r.error().message;
  };
  EXPECT_EQ(open_error("short", "PK"), "too short");
  EXPECT_EQ(open_error("text", std::string(100, 'x')), "no end of central directory record");
  // An end record pointing past the file.
  std::string end = "PK\x05\x06" + std::string(6, '\0') + std::string("\x01\x00", 2) +
                    std::string("\x2e\x00\x00\x00", 4) + std::string("\x00\x01\x00\x00", 4) +
                    std::string(2, '\0');
  EXPECT_EQ(open_error("range", end), "central directory out of range");
  // A central directory that is not one.
  std::string junk(46, 'j');
  std::string end2 = "PK\x05\x06" + std::string(6, '\0') + std::string("\x01\x00", 2) +
                     std::string("\x2e\x00\x00\x00", 4) + std::string(4, '\0') +
                     std::string(2, '\0');
  EXPECT_EQ(open_error("junk", junk + end2), "corrupt central directory");
  auto missing = WheelReader::open(dir_->path() / "missing.whl");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message, "cannot open: cannot read " +
                                         (dir_->path() / "missing.whl").string() +
                                         ": No such file or directory");
}

}  // namespace
}  // namespace funcpack
