// Installer tests on real zips written by tests/support/make_wheel.py (including broken
// ones a well-behaved generator never makes), read back from disk.
#include "materialise/wheel_install.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zlib.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/fs.h"
#include "base/hash.h"

namespace funcpack {
namespace {

class WheelInstall : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = TempDir::create("wheel_install_test");
    ASSERT_TRUE(d.has_value());
    dir_ = std::make_unique<TempDir>(std::move(*d));
  }
  std::filesystem::path root() { return dir_->path(); }
  std::filesystem::path site() { return root() / "sp"; }
  // Writes a wheel described by `spec` (see make_wheel.py) and returns its path.
  std::filesystem::path wheel(const std::string& filename, nlohmann::json spec) {
    if (!spec.contains("name")) spec["name"] = "demo";
    if (!spec.contains("version")) spec["version"] = "1.0";
    auto spec_path = root() / "spec.json";
    std::ofstream(spec_path) << spec.dump();
    auto out = root() / filename;
    std::string cmd = "/usr/bin/python3 '" FUNCPACK_SOURCE_DIR "/tests/support/make_wheel.py' '" +
                      spec_path.string() + "' '" + out.string() + "'";
    EXPECT_EQ(std::system(cmd.c_str()), 0);
    return out;
  }
  std::string error_of(const std::filesystem::path& whl) {
    auto r = install_wheel(whl, site());
    EXPECT_FALSE(r.has_value());
    return r ? "" : r.error().message;
  }
  bool site_is_empty() {
    std::error_code ec;
    return !std::filesystem::exists(site()) || std::filesystem::is_empty(site(), ec);
  }
  std::unique_ptr<TempDir> dir_;
};

TEST_F(WheelInstall, InstallsFilesDataAndWritesInstallerAndRecord) {
  auto w = wheel("demo-1.0-py3-none-any.whl",
                 {{"files",
                   {{"demo/__init__.py", "VALUE = 42\n"},
                    {"demo-1.0.data/scripts/demo-run", "#!python\nimport demo\n"},
                    {"demo-1.0.data/headers/demo.h", "int x;\n"},
                    {"demo-1.0.data/data/share/demo.txt", "d\n"},
                    {"demo-1.0.data/platlib/demo_native.py", "N = 1\n"}}}});
  auto r = install_wheel(w, site());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->name, "demo");
  EXPECT_EQ(r->version, "1.0");
  EXPECT_EQ(r->files, (std::vector<std::string>{
                          "bin/demo-run", "demo-1.0.dist-info/INSTALLER",
                          "demo-1.0.dist-info/METADATA", "demo-1.0.dist-info/RECORD",
                          "demo-1.0.dist-info/WHEEL", "demo/__init__.py", "demo_native.py",
                          "include/python/demo/demo.h", "share/demo.txt"}));
  EXPECT_EQ(read_file(site() / "bin/demo-run").value(), "#!/usr/bin/env python3\nimport demo\n");
  struct stat st {};
  ASSERT_EQ(::stat((site() / "bin/demo-run").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  ASSERT_EQ(::stat((site() / "demo/__init__.py").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_EQ(read_file(site() / "demo-1.0.dist-info/INSTALLER").value(), "funcpack\n");
  EXPECT_EQ(read_file(site() / "demo-1.0.dist-info/RECORD").value(),
            "bin/demo-run,sha256=rmS0ZfbMydYOcqnorvoIhdwZopZnaolYhk3f8WTvy14,35\n"
            "demo-1.0.dist-info/INSTALLER,sha256=zboVQ8wQRGHbQbFQ464tAyq953UIetFb4mNMEoUmOm8,9\n"
            "demo-1.0.dist-info/METADATA,sha256=-_vhkFfN_X4W3gzhfbWYqEThE0CsYTHCSkVnARsqsdk,47\n"
            "demo-1.0.dist-info/RECORD,,\n"
            "demo-1.0.dist-info/WHEEL,sha256=VYXbSzZqLFhqsQEDfR7CbzMi6WUPfdF3HdOde8jsSKQ,81\n"
            "demo/__init__.py,sha256=Ccv1rhOmQ6mwI9oQNcYMUBhzHV2WM6htYbGbTj86p-s,11\n"
            "demo_native.py,sha256=QpfgoSL3NnlCUcmDEsMM6Ozmw97gSKG9uOBeMN_ks-I,6\n"
            "include/python/demo/demo.h,sha256=fHJfMIVKRgM92U9yisawjK8QhFmTzT7UjkAHnNsKdqY,7\n"
            "share/demo.txt,sha256=jXS-7BvpljIq12gTuvuS1Ag5iV1t1-6AixfKIB6smL4,2\n");
  // Nothing left behind by the staging step.
  int n = 0;
  for (auto& e : std::filesystem::directory_iterator(root()))
    if (e.path().filename().string().starts_with(".funcpack-install")) ++n;
  EXPECT_EQ(n, 0);
}

// Inflates (method 8) or copies (method 0) `length` bytes at `offset` of `file`.
std::string member_bytes(const std::string& file, const VerbatimFile& v, uint64_t size) {
  std::string raw = file.substr(v.offset, v.length);
  if (v.method == 0) return raw;
  std::string out(size, '\0');
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, -MAX_WBITS), Z_OK);
  zs.next_in = reinterpret_cast<Bytef*>(raw.data());
  zs.avail_in = static_cast<uInt>(raw.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END) << v.path;
  EXPECT_EQ(zs.avail_in, 0u) << v.path;
  inflateEnd(&zs);
  return out;
}

TEST_F(WheelInstall, VerbatimFilesAreTheMembersCompressedBytes) {
  auto w = wheel("demo-1.0-py3-none-any.whl",
                 {{"files",
                   {{"demo/__init__.py", "VALUE = 42\n"},
                    {"demo-1.0.data/scripts/demo-run", "#!python\nimport demo\n"},
                    {"demo-1.0.data/scripts/plain.sh", "#!/bin/sh\necho plain\n"},
                    {"demo-1.0.data/data/share/demo.txt", "d\n"}}},
                  {"executable", {"demo-1.0.data/scripts/plain.sh"}}});
  auto r = install_wheel(w, site());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  // Everything but what the installer wrote: RECORD, INSTALLER and the script whose shebang
  // it rewrote.
  std::vector<std::string> paths;
  for (const auto& v : r->verbatim) paths.push_back(v.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"bin/plain.sh", "demo-1.0.dist-info/METADATA",
                                             "demo-1.0.dist-info/WHEEL", "demo/__init__.py",
                                             "share/demo.txt"}));
  ASSERT_TRUE(r->wheel != nullptr);
  EXPECT_EQ(r->wheel->size(), std::filesystem::file_size(w));
  const std::string whl = read_file(w).value();
  for (const auto& v : r->verbatim) {
    const std::string installed = read_file(site() / v.path).value();
    EXPECT_EQ(v.method, 8) << v.path;  // make_wheel deflates
    EXPECT_EQ(member_bytes(whl, v, installed.size()), installed) << v.path;
    EXPECT_EQ(v.crc32, crc32(0, reinterpret_cast<const Bytef*>(installed.data()),
                             static_cast<uInt>(installed.size())))
        << v.path;
  }
  // Each file's sha256, in `files` order.
  ASSERT_EQ(r->sha256.size(), r->files.size());
  for (size_t i = 0; i < r->files.size(); ++i) {
    EXPECT_EQ(r->sha256[i], sha256_hex(read_file(site() / r->files[i]).value())) << r->files[i];
  }
}

// Every file under `root`: "MODE PATH CONTENT" lines, sorted; directories as "dir PATH".
std::string tree(const std::filesystem::path& root) {
  std::vector<std::string> lines;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    const std::string rel = e.path().lexically_relative(root).generic_string();
    struct stat st {};
    ::lstat(e.path().c_str(), &st);
    if (e.is_directory()) {
      lines.push_back("dir " + rel);
    } else {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
      lines.push_back(std::string(mode) + " " + rel + " " + read_file(e.path()).value_or("?"));
    }
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

TEST_F(WheelInstall, ANewTargetIsExtractedInPlaceWithTheSameResult) {
  // Into a directory that does not exist yet members are extracted in place (no staging
  // directory, no rename per file); into an existing one through a staging directory. Both
  // give the same tree, modes (whatever the umask) and result; the .data directories and
  // RECORD's signature do not survive in place.
  auto w = wheel("demo-1.0-py3-none-any.whl",
                 {{"files",
                   {{"demo/__init__.py", "VALUE = 42\n"},
                    {"demo/tool", "#!/bin/sh\n"},
                    {"demo-1.0.data/scripts/demo-run", "#!python\nimport demo\n"},
                    {"demo-1.0.data/headers/demo.h", "int x;\n"},
                    {"demo-1.0.data/data/share/doc/demo.txt", "d\n"},
                    {"demo-1.0.data/purelib/demo_pure.py", "P = 1\n"},
                    {"demo-1.0.dist-info/RECORD.jws", "signature\n"}}},
                  {"executable", {"demo/tool"}}});
  const mode_t old_umask = ::umask(077);
  auto fresh = install_wheel(w, root() / "fresh" / "sp");
  std::filesystem::create_directories(root() / "existing" / "sp");
  auto staged = install_wheel(w, root() / "existing" / "sp");
  ::umask(old_umask);
  ASSERT_TRUE(fresh.has_value()) << fresh.error().message;
  ASSERT_TRUE(staged.has_value()) << staged.error().message;
  EXPECT_EQ(fresh->files, staged->files);
  EXPECT_EQ(fresh->sha256, staged->sha256);
  EXPECT_EQ(fresh->verbatim, staged->verbatim);
  EXPECT_EQ(fresh->bytes, staged->bytes);
  const std::string want = tree(root() / "existing" / "sp");
  EXPECT_EQ(tree(root() / "fresh" / "sp"), want);
  const std::string record = read_file(root() / "existing/sp/demo-1.0.dist-info/RECORD").value();
  EXPECT_EQ(want,
            "0644 demo-1.0.dist-info/INSTALLER funcpack\n\n"
            "0644 demo-1.0.dist-info/METADATA Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n\n\n"
            "0644 demo-1.0.dist-info/RECORD " + record + "\n"
            "0644 demo-1.0.dist-info/WHEEL Wheel-Version: 1.0\nGenerator: make_wheel\n"
            "Root-Is-Purelib: true\nTag: py3-none-any\n\n"
            "0644 demo/__init__.py VALUE = 42\n\n"
            "0644 demo_pure.py P = 1\n\n"
            "0644 include/python/demo/demo.h int x;\n\n"
            "0644 share/doc/demo.txt d\n\n"
            "0755 bin/demo-run #!/usr/bin/env python3\nimport demo\n\n"
            "0755 demo/tool #!/bin/sh\n\n"
            "dir bin\n"
            "dir demo\n"
            "dir demo-1.0.dist-info\n"
            "dir include\n"
            "dir include/python\n"
            "dir include/python/demo\n"
            "dir share\n"
            "dir share/doc\n");
  EXPECT_EQ(record.find("RECORD.jws"), std::string::npos);
  // Nothing but site-packages in either parent.
  for (const char* parent : {"fresh", "existing"}) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(root() / parent)) {
      names.push_back(e.path().filename().string());
    }
    EXPECT_EQ(names, std::vector<std::string>{"sp"}) << parent;
  }
  // A failing wheel into a new target leaves no target behind.
  auto bad = wheel("bad-1.0-py3-none-any.whl",
                   {{"name", "bad"}, {"files", {{"bad/__init__.py", "x\n"}}},
                    {"record", "tamper:bad/__init__.py"}});
  ASSERT_FALSE(install_wheel(bad, root() / "failed" / "sp").has_value());
  EXPECT_FALSE(std::filesystem::exists(root() / "failed" / "sp"));
}

TEST_F(WheelInstall, CorruptMembersFailBeforeAnythingIsInstalled) {
  // A member whose deflate data is damaged fails the install with the reader's reason, and
  // nothing reaches site-packages.
  auto w = wheel("demo-1.0-py3-none-any.whl", {{"files", {{"demo/__init__.py", "VALUE = 42\n"}}}});
  std::string script =
      "import sys, zipfile, struct\n"
      "p = sys.argv[1]\n"
      "z = zipfile.ZipFile(p)\n"
      "i = z.getinfo('demo/__init__.py')\n"
      "raw = bytearray(open(p, 'rb').read())\n"
      "n, m = struct.unpack('<HH', raw[i.header_offset + 26:i.header_offset + 30])\n"
      "raw[i.header_offset + 30 + n + m + 1] ^= 0x20\n"
      "open(p, 'wb').write(raw)\n";
  std::ofstream(root() / "spoil.py") << script;
  ASSERT_EQ(std::system(("/usr/bin/python3 '" + (root() / "spoil.py").string() + "' '" +
                         w.string() + "'").c_str()),
            0);
  std::string e = error_of(w);
  // (The flipped bit still inflates, to other bytes of the same length.)
  EXPECT_EQ(e, "demo-1.0-py3-none-any.whl: entry 'demo/__init__.py': CRC-32 mismatch");
  EXPECT_TRUE(site_is_empty());
}

TEST_F(WheelInstall, RealPythonImportsWhatWasInstalled) {
  auto w = wheel("demo-1.0-py3-none-any.whl", {{"files", {{"demo/__init__.py", "VALUE = 42\n"}}}});
  ASSERT_TRUE(install_wheel(w, site()).has_value());
  std::string cmd = "PYTHONPATH='" + site().string() +
                    "' /usr/bin/python3 -c 'import demo, importlib.metadata as m; "
                    "assert demo.VALUE == 42; assert m.version(\"demo\") == \"1.0\"'";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
}

TEST_F(WheelInstall, RejectsPathTraversal) {
  auto w = wheel("demo-1.0-py3-none-any.whl", {{"files", {{"demo/../../evil.py", "x\n"}}}});
  EXPECT_EQ(error_of(w), "demo-1.0-py3-none-any.whl: entry 'demo/../../evil.py': '..' in path");
  EXPECT_FALSE(std::filesystem::exists(root().parent_path() / "evil.py"));
  EXPECT_TRUE(site_is_empty());
}

TEST_F(WheelInstall, RejectsAbsolutePaths) {
  auto w = wheel("demo-1.0-py3-none-any.whl", {{"files", {{"/tmp/evil.py", "x\n"}}}});
  EXPECT_EQ(error_of(w), "demo-1.0-py3-none-any.whl: entry '/tmp/evil.py': absolute path");
}

TEST_F(WheelInstall, RejectsSymlinks) {
  auto w = wheel("demo-1.0-py3-none-any.whl", {{"symlinks", {{"demo/link", "/etc/passwd"}}}});
  EXPECT_EQ(error_of(w),
            "demo-1.0-py3-none-any.whl: entry 'demo/link': symbolic links are not allowed in wheels");
  EXPECT_TRUE(site_is_empty());
}

TEST_F(WheelInstall, RejectsDuplicateEntries) {
  auto w = wheel("demo-1.0-py3-none-any.whl",
                 {{"files", {{"demo/__init__.py", "x\n"}}}, {"duplicate", {"demo/__init__.py"}}});
  EXPECT_EQ(error_of(w), "demo-1.0-py3-none-any.whl: entry 'demo/__init__.py' appears twice");
}

TEST_F(WheelInstall, RejectsRecordMismatches) {
  auto tampered = wheel("demo-1.0-py3-none-any.whl",
                        {{"files", {{"demo/__init__.py", "x\n"}}}, {"record", "tamper:demo/__init__.py"}});
  EXPECT_EQ(error_of(tampered),
            "demo-1.0-py3-none-any.whl: 'demo/__init__.py' does not match its RECORD hash (RECORD "
            "sha256=YNjEjBtEP2CqJ5H_562yFj7KOhpfSAtMJ6SR1NdV79E, file "
            "sha256=c8s4WKaHqElMozIwUwFigvPa051Cz2LKTnndoqrH2aw)");
  auto omitted = wheel("demo-1.0-py3-none-any.whl",
                       {{"files", {{"demo/__init__.py", "x\n"}}}, {"record", "omit:demo/__init__.py"}});
  EXPECT_EQ(error_of(omitted), "demo-1.0-py3-none-any.whl: 'demo/__init__.py' is not listed in RECORD");
  auto extra = wheel("demo-1.0-py3-none-any.whl",
                     {{"files", {{"demo/__init__.py", "x\n"}}}, {"record", "extra:demo/gone.py"}});
  EXPECT_EQ(error_of(extra),
            "demo-1.0-py3-none-any.whl: RECORD lists 'demo/gone.py', which the wheel does not contain");
  EXPECT_TRUE(site_is_empty());
}

TEST_F(WheelInstall, RejectsMetadataThatDisagreesWithTheFileName) {
  auto w = wheel("demo-1.0-py3-none-any.whl", {{"metadata_version", "2.0"}});
  EXPECT_EQ(error_of(w),
            "demo-1.0-py3-none-any.whl: METADATA says demo 2.0, the file name says demo 1.0");
  auto other = wheel("other-1.0-py3-none-any.whl", nlohmann::json::object());
  EXPECT_EQ(error_of(other),
            "other-1.0-py3-none-any.whl: demo-1.0.dist-info does not match the file name (other 1.0)");
}

TEST_F(WheelInstall, RefusesToOverwriteAnotherDistributionsFile) {
  auto a = wheel("demo-1.0-py3-none-any.whl", {{"files", {{"shared/x.py", "a\n"}}}});
  ASSERT_TRUE(install_wheel(a, site()).has_value());
  auto b = wheel("other-1.0-py3-none-any.whl",
                 {{"name", "other"}, {"files", {{"shared/x.py", "b\n"}}}});
  EXPECT_EQ(error_of(b), "other-1.0-py3-none-any.whl: 'shared/x.py' is already installed in " +
                             site().string() + " (two distributions ship the same file)");
  EXPECT_EQ(read_file(site() / "shared/x.py").value(), "a\n");
}

TEST_F(WheelInstall, RejectsNonZipAndBadFileNames) {
  std::ofstream(root() / "demo-1.0-py3-none-any.whl") << "not a zip";
  EXPECT_TRUE(error_of(root() / "demo-1.0-py3-none-any.whl")
                  .starts_with("demo-1.0-py3-none-any.whl: not a readable zip archive: "));
  std::ofstream(root() / "demo.whl") << "x";
  EXPECT_TRUE(error_of(root() / "demo.whl").starts_with("demo.whl: "));
}

}  // namespace
}  // namespace funcpack
