// The sdist PKG-INFO reader and the PEP 643 rule: real .tar.gz and .zip sdists written by
// Python's tarfile/zipfile (/usr/bin/python3, present on every CI machine) in the three tar
// dialects (pax, GNU, ustar), plus corrupt, truncated, oversized and hostile ones.
#include "io/sdist_metadata.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace funcpack {
namespace {

namespace fs = std::filesystem;

const char* kPrelude = R"PY(
import gzip, io, sys, tarfile, zipfile
out = sys.argv[1]
def info(name, data, **kw):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    ti.mtime = 0
    for k, v in kw.items():
        setattr(ti, k, v)
    return ti
def tgz(members, fmt=tarfile.PAX_FORMAT):
    with tarfile.open(out, "w:gz", format=fmt) as tf:
        for m in members:
            if isinstance(m, tarfile.TarInfo):
                tf.addfile(m)
            else:
                tf.addfile(info(m[0], m[1]), io.BytesIO(m[1]))
)PY";

// Runs `body` (after kPrelude) with /usr/bin/python3 and returns the bytes it wrote to `out`.
std::string make_archive(const std::string& body) {
  static int counter = 0;
  fs::path dir = fs::temp_directory_path() /
                 ("sdist_metadata_test." + std::to_string(getpid()) + "." + std::to_string(counter++));
  fs::create_directories(dir);
  std::ofstream(dir / "make.py") << kPrelude << body << "\n";
  std::string cmd = "/usr/bin/python3 " + (dir / "make.py").string() + " " + (dir / "out").string();
  EXPECT_EQ(std::system(cmd.c_str()), 0) << body;
  std::ifstream in(dir / "out", std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  fs::remove_all(dir);
  return ss.str();
}

const std::string kPkgInfo =
    "Metadata-Version: 2.2\nName: fastmath\nVersion: 1.0\nRequires-Python: >=3.9\n"
    "Requires-Dist: numpy>=1.24\nDynamic: Summary\n\nA description.\n";

std::string py_bytes(const std::string& s) {
  std::string out = "b'";
  for (char c : s) {
    if (c == '\n') out += "\\n";
    else if (c == '\'') out += "\\'";
    else out += c;
  }
  return out + "'";
}

TEST(SdistPkgInfo, PaxTarGzTakesTheTopLevelOneNotTheEggInfoCopy) {
  std::string gz = make_archive(
      "tgz([('fastmath-1.0/fastmath.egg-info/PKG-INFO', b'Metadata-Version: 1.0\\n'),"
      " ('fastmath-1.0/setup.py', b'x' * 5000),"
      " info('fastmath-1.0/src', b'', type=tarfile.DIRTYPE),"
      " ('fastmath-1.0/PKG-INFO', " + py_bytes(kPkgInfo) + "),"
      " ('fastmath-1.0/zzz.py', b'after')])");
  Result<std::string> text = sdist_pkg_info(gz, "fastmath-1.0.tar.gz");
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, kPkgInfo);
  Result<std::string> md = sdist_metadata(gz, "fastmath-1.0.tar.gz");
  ASSERT_TRUE(md) << md.error().message;
  EXPECT_EQ(*md, kPkgInfo);
}

TEST(SdistPkgInfo, LongDirectoryNamesInEveryTarDialect) {
  // A 120-character directory: pax 'x' path record, GNU 'L' long name, ustar prefix field.
  std::string dir(110, 'a');
  dir += "-1.0";
  for (const char* fmt : {"tarfile.PAX_FORMAT", "tarfile.GNU_FORMAT", "tarfile.USTAR_FORMAT"}) {
    std::string gz = make_archive("tgz([('" + dir + "/setup.py', b'y' * 700), ('" + dir +
                                  "/PKG-INFO', " + py_bytes(kPkgInfo) + ")], fmt=" + fmt + ")");
    Result<std::string> text = sdist_pkg_info(gz, "x.tgz");
    ASSERT_TRUE(text) << fmt << ": " << text.error().message;
    EXPECT_EQ(*text, kPkgInfo) << fmt;
  }
}

TEST(SdistPkgInfo, PaxSizeOverrideAndDotSlashPrefix) {
  // tarfile writes a pax 'size' record for members of 8 GiB and up only, so the record is
  // forced here through pax_headers; "./" prefixes come from `tar -C dir -czf out .`.
  std::string gz = make_archive(
      "with tarfile.open(out, 'w:gz', format=tarfile.PAX_FORMAT) as tf:\n"
      "    tf.addfile(info('./pkg-2.0/', b'', type=tarfile.DIRTYPE))\n"
      "    data = " + py_bytes(kPkgInfo) + "\n"
      "    ti = info('./pkg-2.0/PKG-INFO', data)\n"
      "    ti.pax_headers = {'size': str(len(data))}\n"
      "    tf.addfile(ti, io.BytesIO(data))");
  Result<std::string> text = sdist_pkg_info(gz, "pkg-2.0.tar.gz");
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, kPkgInfo);
}

TEST(SdistPkgInfo, ZipSdist) {
  std::string zip = make_archive(
      "with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:\n"
      "    z.writestr('fastmath-1.0/fastmath.egg-info/PKG-INFO', 'Metadata-Version: 1.0\\n')\n"
      "    z.writestr('fastmath-1.0/PKG-INFO', " + py_bytes(kPkgInfo) + ")\n");
  Result<std::string> text = sdist_pkg_info(zip, "fastmath-1.0.ZIP");
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, kPkgInfo);
}

TEST(SdistPkgInfo, RefusesSymlinkHardlinkAndOversizedPkgInfo) {
  std::string sym = make_archive(
      "tgz([info('p-1/PKG-INFO', b'', type=tarfile.SYMTYPE, linkname='/etc/passwd')])");
  EXPECT_EQ(sdist_pkg_info(sym, "p-1.tar.gz").error().message, "PKG-INFO is not a regular file");
  std::string hard = make_archive(
      "tgz([('p-1/x', b'Metadata-Version: 2.2\\n'),"
      " info('p-1/PKG-INFO', b'', type=tarfile.LNKTYPE, linkname='p-1/x')])");
  EXPECT_EQ(sdist_pkg_info(hard, "p-1.tar.gz").error().message, "PKG-INFO is not a regular file");
  std::string big = make_archive("tgz([('p-1/PKG-INFO', b'a' * (1024 * 1024 + 1))])");
  EXPECT_EQ(sdist_pkg_info(big, "p-1.tar.gz").error().message, "PKG-INFO is larger than 1 MiB");
  std::string big_zip = make_archive(
      "with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:\n"
      "    z.writestr('p-1/PKG-INFO', 'a' * (1024 * 1024 + 1))\n");
  EXPECT_EQ(sdist_pkg_info(big_zip, "p-1.zip").error().message, "PKG-INFO is larger than 1 MiB");
}

TEST(SdistPkgInfo, StopsInflatingAtTheLimit) {
  // 3 MiB of zeros before the PKG-INFO (a few KiB compressed); the limit is lowered to 2 MiB.
  std::string gz = make_archive(
      "tgz([('p-1/zeros', bytes(3 * 1024 * 1024)), ('p-1/PKG-INFO', " + py_bytes(kPkgInfo) + ")])");
  EXPECT_LT(gz.size(), 64u * 1024);
  EXPECT_EQ(sdist_pkg_info(gz, "p-1.tar.gz", 2u << 20).error().message,
            "the archive expands to more than 2 MiB before its PKG-INFO");
  Result<std::string> ok = sdist_pkg_info(gz, "p-1.tar.gz", 4u << 20);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(*ok, kPkgInfo);
}

TEST(SdistPkgInfo, MissingCorruptAndTruncated) {
  std::string none = make_archive("tgz([('p-1/setup.py', b'pass'), ('p-1/p.egg-info/PKG-INFO', b'x')])");
  EXPECT_EQ(sdist_pkg_info(none, "p-1.tar.gz").error().message, "no top-level PKG-INFO in the sdist");
  EXPECT_EQ(sdist_pkg_info("PK\x03\x04 not really", "p-1.tar.gz").error().message,
            "not a gzip-compressed tar archive (no gzip header)");
  EXPECT_EQ(sdist_pkg_info("", "p-1.tar.gz").error().message,
            "not a gzip-compressed tar archive (no gzip header)");
  EXPECT_EQ(sdist_pkg_info("x", "p-1.tar.bz2").error().message,
            "unsupported sdist format (expected .tar.gz or .zip)");
  std::string whole = make_archive(
      "tgz([('p-1/setup.py', bytes(range(256)) * 64), ('p-1/PKG-INFO', " + py_bytes(kPkgInfo) + ")])");
  EXPECT_EQ(sdist_pkg_info(whole.substr(0, whole.size() / 2), "p-1.tar.gz").error().message,
            "not a gzip-compressed tar archive (truncated)");
  // A tar header with a bad checksum (one name byte changed after tarfile wrote it).
  std::string bad_sum = make_archive(
      "buf = io.BytesIO()\n"
      "with tarfile.open(fileobj=buf, mode='w', format=tarfile.USTAR_FORMAT) as tf:\n"
      "    tf.addfile(info('p-1/PKG-INFO', b'x'), io.BytesIO(b'x'))\n"
      "raw = bytearray(buf.getvalue()); raw[0] = ord('q')\n"
      "open(out, 'wb').write(gzip.compress(bytes(raw)))");
  EXPECT_EQ(sdist_pkg_info(bad_sum, "p-1.tar.gz").error().message,
            "not a gzip-compressed tar archive (header checksum mismatch)");
  std::string garbage = make_archive("open(out, 'wb').write(gzip.compress(b'\\xff' * 2048))");
  EXPECT_EQ(sdist_pkg_info(garbage, "p-1.tar.gz").error().message,
            "not a gzip-compressed tar archive (header checksum mismatch)");
  EXPECT_EQ(sdist_pkg_info("not a zip at all, long enough for the end record", "p-1.zip")
                .error()
                .message,
            "not a zip archive (no end of central directory record)");
}

std::string gzip_bytes(const std::string& in) {
  z_stream z{};
  deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

TEST(SdistPkgInfo, EveryHeaderByteCorruptedGivesTheTextOrAnError) {
  // A pax archive (pax header, its records, the member header) with every byte of its first
  // three blocks set to 0xff and to '7' in turn: the reader returns the PKG-INFO or one of its
  // documented errors, never crashes, never returns other text.
  std::string tar = make_archive(
      "with tarfile.open(out, 'w', format=tarfile.PAX_FORMAT) as tf:\n"
      "    data = " + py_bytes(kPkgInfo) + "\n"
      "    tf.addfile(info('p-1/PKG-INFO', data, pax_headers={'comment': 'x'}), io.BytesIO(data))");
  // pax header, pax records, member header, data, two zero blocks (tarfile pads to 10 KiB).
  ASSERT_GE(tar.size(), 3072u);
  ASSERT_EQ(tar.find_first_not_of('\0', 2048), std::string::npos);
  tar.resize(3072);
  size_t ok = 0, errors = 0;
  for (size_t i = 0; i < 1536; ++i) {
    for (char c : {'\xff', '7'}) {
      std::string mutated = tar;
      if (mutated[i] == c) continue;
      mutated[i] = c;
      Result<std::string> r = sdist_pkg_info(gzip_bytes(mutated), "p-1.tar.gz");
      if (r) {
        EXPECT_EQ(*r, kPkgInfo.substr(0, r->size())) << "byte " << i;
        ++ok;
      } else {
        const std::string& m = r.error().message;
        EXPECT_TRUE(m.starts_with("not a gzip-compressed tar archive (") ||
                    m == "no top-level PKG-INFO in the sdist" ||
                    m == "PKG-INFO is not a regular file" || m == "PKG-INFO is larger than 1 MiB")
            << "byte " << i << ": " << m;
        ++errors;
      }
    }
  }
  EXPECT_GT(ok, 0u);
  EXPECT_GT(errors, 0u);
}

TEST(SdistStaticMetadata, Pep643) {
  EXPECT_EQ(*sdist_static_metadata(kPkgInfo), kPkgInfo);
  std::string v24 = "Metadata-Version: 2.4\nName: a\nVersion: 1\nDynamic: License\n";
  EXPECT_EQ(*sdist_static_metadata(v24), v24);
  std::string v210 = "Metadata-Version: 2.10\nName: a\nVersion: 1\n";
  EXPECT_EQ(*sdist_static_metadata(v210), v210);

  const std::string advice =
      "lock it from a wheel instead (leave it out of --no-binary, or build a wheel and pass its "
      "directory with --find-links)";
  EXPECT_EQ(sdist_static_metadata("Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Dist: b\n")
                .error()
                .message,
            "PKG-INFO is Metadata-Version 2.1 (static metadata starts at 2.2, PEP 643), so its "
            "dependencies are only known after a build; " + advice);
  EXPECT_EQ(sdist_static_metadata("Metadata-Version: 1.2\nName: a\nVersion: 1\n").error().message,
            "PKG-INFO is Metadata-Version 1.2 (static metadata starts at 2.2, PEP 643), so its "
            "dependencies are only known after a build; " + advice);
  EXPECT_EQ(sdist_static_metadata("Metadata-Version: 2.3\nName: a\nVersion: 1\n"
                                  "Dynamic: Summary\nDynamic: requires-dist\n")
                .error()
                .message,
            "PKG-INFO declares Requires-Dist dynamic (PEP 643), so its dependencies are only "
            "known after a build; " + advice);
  EXPECT_EQ(sdist_static_metadata("Metadata-Version: 2.2\nName: a\nVersion: 1\n"
                                  "Dynamic: Requires-Python\n")
                .error()
                .message,
            "PKG-INFO declares Requires-Python dynamic (PEP 643), so its dependencies are only "
            "known after a build; " + advice);
  EXPECT_EQ(sdist_static_metadata("Metadata-Version: 2.2\nVersion: 1\n").error().message,
            "PKG-INFO: missing required field 'Name'");
}

}  // namespace
}  // namespace funcpack
