// Install cache tests on real wheels written by tests/support/make_wheel.py: cold and warm
// installs give the same tree as install_wheel, warm zips splice cached entries byte for byte,
// corrupt entries are caught and rebuilt, clashes and bad wheels fail as install_wheel does,
// and concurrent processes sharing one cache all succeed.
#include "materialise/install_cache.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/fs.h"
#include "base/hash.h"
#include "base/strings.h"

namespace funcpack {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPrefix = ".python_packages/lib/site-packages";

std::string sha256_hex_of(const fs::path& p) {
  Sha256 h;
  auto data = read_file(p);
  EXPECT_TRUE(data.has_value());
  h.update(data->data(), data->size());
  return h.finish_hex();
}

// Every regular file under `root` (relative path -> contents and executable bit).
std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    struct stat st {};
    ::stat(e.path().c_str(), &st);
    out[e.path().lexically_relative(root).generic_string()] =
        read_file(e.path()).value_or("?") + ((st.st_mode & 0111) ? "[x]" : "");
  }
  return out;
}

std::vector<ZipEntry> zip_entries(const fs::path& site) {
  std::vector<ZipEntry> entries;
  for (const auto& e : fs::recursive_directory_iterator(site)) {
    if (!e.is_regular_file()) continue;
    entries.push_back({std::string(kPrefix) + "/" + e.path().lexically_relative(site).generic_string(),
                       e.path()});
  }
  return entries;
}

class InstallCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = TempDir::create("install_cache_test");
    ASSERT_TRUE(d.has_value());
    dir_ = std::make_unique<TempDir>(std::move(*d));
    std::string big;
    for (int i = 0; i < 3000; ++i) big += "def f" + std::to_string(i) + "(): return " + std::to_string(i) + "\n";
    whl_ = wheel("demo-1.0-py3-none-any.whl",
                 {{"files",
                   {{"demo/__init__.py", "VALUE = 42\n"},
                    {"demo/big.py", big},
                    {"demo/logo.png", "PNG not really"},
                    {"demo-1.0.data/scripts/demo-run", "#!python\nimport demo\n"}}}});
    sha_ = sha256_hex_of(whl_);
  }
  fs::path root() { return dir_->path(); }
  fs::path cache() { return root() / "cache"; }
  fs::path entry() { return cache() / "installed-v1" / sha_; }
  fs::path wheel(const std::string& filename, nlohmann::json spec) {
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
  // One build's worth: install into a fresh site, write the zip with the cache's entries,
  // remember them. Returns the zip's bytes; `stats` gets the cache's counters, `reused` what
  // attach() counted as coming from cache hits (what -v reports).
  std::string build(const std::string& name, InstallCacheStats* stats, size_t* reused = nullptr,
                    int64_t mtime = 315532800) {
    InstallCache c(cache(), std::string(kPrefix), mtime);
    fs::path site = root() / name / "sp";
    auto r = c.install(whl_, sha_, site);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    auto entries = zip_entries(site);
    const size_t from_cache = c.attach(entries);
    ZipOptions o;
    o.mtime = mtime;
    o.record_layout = true;
    fs::path out = root() / name / "out.zip";
    auto s = write_zip(entries, out, o);
    EXPECT_TRUE(s.has_value()) << s.error().message;
    if (reused) *reused = from_cache;
    if (s) {
      EXPECT_TRUE(c.remember(out, *s).has_value());
    }
    *stats = c.stats();
    return read_file(out).value_or("");
  }
  // A build through `c`: install (install_uncached when `uncached`) into a fresh site, write
  // the zip with what `c` attaches, remember it. Returns the zip's bytes; `summary` gets
  // write_zip's summary.
  std::string build_with(InstallCache& c, const std::string& name, bool uncached,
                         ZipSummary* summary) {
    fs::path site = root() / name / "sp";
    auto r = uncached ? c.install_uncached(whl_, site) : c.install(whl_, sha_, site);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    auto entries = zip_entries(site);
    c.attach(entries);
    ZipOptions o;
    o.record_layout = true;
    fs::path out = root() / name / "out.zip";
    auto s = write_zip(entries, out, o);
    EXPECT_TRUE(s.has_value()) << s.error().message;
    if (s) {
      EXPECT_TRUE(c.remember(out, *s).has_value());
      *summary = *s;
    }
    return read_file(out).value_or("");
  }
  std::unique_ptr<TempDir> dir_;
  fs::path whl_;
  std::string sha_;
};

TEST_F(InstallCacheTest, ColdAndWarmInstallsGiveInstallWheelsTree) {
  auto ref = install_wheel(whl_, root() / "ref");
  ASSERT_TRUE(ref.has_value());
  InstallCache cold(cache(), std::string(kPrefix), 315532800);
  auto a = cold.install(whl_, sha_, root() / "a");
  ASSERT_TRUE(a.has_value()) << a.error().message;
  EXPECT_EQ(cold.stats().unpacked, 1u);
  EXPECT_EQ(cold.stats().reused, 0u);
  InstallCache warm(cache(), std::string(kPrefix), 315532800);
  auto b = warm.install(whl_, sha_, root() / "b");
  ASSERT_TRUE(b.has_value()) << b.error().message;
  EXPECT_EQ(warm.stats().unpacked, 0u);
  EXPECT_EQ(warm.stats().reused, 1u);
  for (const auto* got : {&*a, &*b}) {
    EXPECT_EQ(got->name, ref->name);
    EXPECT_EQ(got->version, ref->version);
    EXPECT_EQ(got->dist_info, ref->dist_info);
    EXPECT_EQ(got->files, ref->files);
    EXPECT_EQ(got->bytes, ref->bytes);
  }
  EXPECT_EQ(snapshot(root() / "a"), snapshot(root() / "ref"));
  EXPECT_EQ(snapshot(root() / "b"), snapshot(root() / "ref"));
  // Linked, not copied: the warm file is the cache's inode.
  struct stat in_cache {}, in_site {};
  ASSERT_EQ(::stat((entry() / "tree/demo/big.py").c_str(), &in_cache), 0);
  ASSERT_EQ(::stat((root() / "b/demo/big.py").c_str(), &in_site), 0);
  EXPECT_EQ(in_cache.st_ino, in_site.st_ino);
  // No temporary directory left in the cache.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(cache() / "installed-v1")) names.push_back(e.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{sha_});
}

TEST_F(InstallCacheTest, WarmZipSplicesEveryEntryAndIsByteIdentical) {
  InstallCacheStats s1, s2;
  size_t r1 = 9, r2 = 0;
  std::string cold = build("cold", &s1, &r1);
  EXPECT_EQ(r1, 0u);
  EXPECT_EQ(s1.zip_reused, 0u);
  EXPECT_EQ(s1.zip_stored, 1u);
  std::string warm = build("warm", &s2, &r2);
  EXPECT_EQ(s2.reused, 1u);
  EXPECT_EQ(s2.unpacked, 0u);
  EXPECT_EQ(s2.zip_reused, 1u);
  EXPECT_EQ(s2.zip_stored, 0u);
  EXPECT_EQ(r2, 8u);  // all 8 installed files
  EXPECT_FALSE(cold.empty());
  EXPECT_TRUE(cold == warm);
  // Another SOURCE_DATE_EPOCH: the set is not used, a new one replaces it; the five verbatim
  // files still come from the cached entry (the manifest says where they are in the wheel).
  InstallCacheStats s3;
  size_t r3 = 9;
  build("later", &s3, &r3, 1700000000);
  EXPECT_EQ(s3.reused, 1u);
  EXPECT_EQ(s3.zip_reused, 0u);
  EXPECT_EQ(s3.zip_stored, 1u);
  EXPECT_EQ(r3, 5u);
  EXPECT_FALSE(fs::exists(entry() / "zip-315532800"));
  EXPECT_TRUE(fs::exists(entry() / "zip-1700000000"));
}

TEST_F(InstallCacheTest, ColdWarmUncachedAndZipSetlessBuildsWriteTheSameZip) {
  // Cold: the five files that are members unchanged are copied from the wheel; RECORD,
  // INSTALLER and the script whose shebang was rewritten are compressed.
  ZipSummary cold_sum;
  InstallCache cold_cache(cache(), std::string(kPrefix), 315532800);
  const std::string cold = build_with(cold_cache, "cold", false, &cold_sum);
  EXPECT_EQ(cold_sum.verbatim, 5u);
  EXPECT_EQ(cold_sum.reused, 0u);
  EXPECT_EQ(cold_sum.entries, 8u);
  EXPECT_EQ(cold_cache.stats().zip_stored, 1u);
  EXPECT_EQ(cold_cache.stats().verbatim, 1u);
  // The zip set keeps only those three entries: the wheel holds the other five's bytes.
  const std::string set = read_file(entry() / "zip-315532800").value();
  EXPECT_TRUE(set.starts_with("funcpack-zip-entries v2 "));
  std::vector<std::string> set_paths;
  const std::string index = set.substr(0, set.find("\ndata "));
  for (auto line : split(index, '\n')) {
    if (line.starts_with("entry ")) set_paths.emplace_back(line.substr(line.rfind(' ') + 1));
  }
  EXPECT_EQ(set_paths, (std::vector<std::string>{"bin/demo-run", "demo-1.0.dist-info/INSTALLER",
                                                 "demo-1.0.dist-info/RECORD"}));
  // Warm: those three spliced from the zip set, the five copied from the wheel again.
  ZipSummary warm_sum;
  InstallCache warm_cache(cache(), std::string(kPrefix), 315532800);
  EXPECT_TRUE(build_with(warm_cache, "warm", false, &warm_sum) == cold);
  EXPECT_EQ(warm_sum.reused, 3u);
  EXPECT_EQ(warm_sum.verbatim, 5u);
  EXPECT_EQ(warm_cache.stats().zip_reused, 1u);
  EXPECT_EQ(warm_cache.stats().verbatim, 1u);
  // No cache (--no-cache): nothing stored anywhere, the same zip.
  ZipSummary none_sum;
  InstallCache none(fs::path(), std::string(kPrefix), 315532800);
  EXPECT_FALSE(none.enabled());
  EXPECT_TRUE(build_with(none, "none", false, &none_sum) == cold);
  EXPECT_EQ(none_sum.verbatim, 5u);
  EXPECT_EQ(none.stats().unpacked, 1u);
  EXPECT_EQ(none.stats().zip_stored, 0u);
  EXPECT_EQ(none.stats().verbatim, 1u);
  // A wheel the cache does not keep (install_uncached, as for a built sdist): the same zip.
  ZipSummary unc_sum;
  InstallCache unc(cache(), std::string(kPrefix), 315532800);
  EXPECT_TRUE(build_with(unc, "uncached", true, &unc_sum) == cold);
  EXPECT_EQ(unc_sum.verbatim, 5u);
  EXPECT_EQ(unc.stats().reused, 0u);
  // A cached tree without a zip set for this mtime: the members come from the wheel again
  // (checked by sha256 first), the zip is the same, and the set is stored again.
  ASSERT_TRUE(fs::remove(entry() / "zip-315532800"));
  ZipSummary setless_sum;
  InstallCache setless(cache(), std::string(kPrefix), 315532800);
  EXPECT_TRUE(build_with(setless, "setless", false, &setless_sum) == cold);
  EXPECT_EQ(setless.stats().reused, 1u);
  EXPECT_EQ(setless.stats().unpacked, 0u);
  EXPECT_EQ(setless.stats().verbatim, 1u);
  EXPECT_EQ(setless.stats().zip_stored, 1u);
  EXPECT_EQ(setless_sum.verbatim, 5u);
  EXPECT_EQ(setless_sum.reused, 0u);
  // The manifest says where each verbatim file's bytes are.
  std::string manifest = read_file(entry() / "manifest").value();
  size_t verbatim_lines = 0;
  for (auto at = manifest.find("\nverbatim 8 "); at != std::string::npos;
       at = manifest.find("\nverbatim 8 ", at + 1)) {
    ++verbatim_lines;
  }
  EXPECT_EQ(verbatim_lines, 5u);
  EXPECT_TRUE(manifest.starts_with("funcpack-installed 3\n"));
  EXPECT_TRUE(manifest.ends_with("\nend 8 5\n"));
}

TEST_F(InstallCacheTest, AWheelChangedUnderACachedTreeIsRefused) {
  InstallCacheStats s;
  build("first", &s);
  ASSERT_TRUE(fs::remove(entry() / "zip-315532800"));
  // Same path, other bytes: the manifest's offsets would point into the wrong wheel.
  const fs::path good = root() / "good.whl";
  fs::copy_file(whl_, good);
  auto other = wheel("demo-1.0-py3-none-any.whl", {{"files", {{"demo/__init__.py", "OTHER = 1\n"}}}});
  ASSERT_EQ(other, whl_);
  InstallCache c(cache(), std::string(kPrefix), 315532800);
  fs::path site = root() / "changed" / "sp";
  auto r = c.install(whl_, sha_, site);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "demo-1.0-py3-none-any.whl: changed since its sha256 was "
                               "checked (it is no longer " + sha_ + ")");
  std::error_code ec;
  EXPECT_TRUE(!fs::exists(site) || fs::is_empty(site, ec));
  EXPECT_EQ(c.stats().verbatim, 0u);
  // With the right wheel back, the build goes on.
  fs::rename(good, whl_);
  InstallCache again(cache(), std::string(kPrefix), 315532800);
  EXPECT_TRUE(again.install(whl_, sha_, root() / "again" / "sp").has_value());
}

TEST_F(InstallCacheTest, AnEntryOfAnOlderFormatIsRebuilt) {
  InstallCacheStats s;
  const std::string want = build("first", &s);
  // A version-2 manifest (before verbatim members): the entry is rebuilt, not read.
  std::string manifest = read_file(entry() / "manifest").value();
  ASSERT_TRUE(manifest.starts_with("funcpack-installed 3\n"));
  manifest.replace(0, 20, "funcpack-installed 2");
  ASSERT_TRUE(write_file_atomic(entry() / "manifest", manifest).has_value());
  InstallCacheStats st;
  size_t reused = 9;
  EXPECT_TRUE(build("old", &st, &reused) == want);
  EXPECT_EQ(st.rebuilt, 1u);
  EXPECT_EQ(st.unpacked, 1u);
  EXPECT_EQ(st.reused, 0u);
  EXPECT_EQ(reused, 0u);
  EXPECT_TRUE(read_file(entry() / "manifest").value().starts_with("funcpack-installed 3\n"));
}

TEST_F(InstallCacheTest, CorruptEntriesAreDetectedAndRebuilt) {
  InstallCacheStats s;
  const std::string want = build("first", &s);
  // (Not "first"'s tree: its files are links to the cache's, which this test damages.)
  ASSERT_TRUE(install_wheel(whl_, root() / "ref").has_value());
  const auto want_tree = snapshot(root() / "ref");
  auto expect_rebuilt = [&](const std::string& name) {
    InstallCacheStats st;
    std::string got = build(name, &st);
    EXPECT_EQ(st.rebuilt, 1u) << name;
    EXPECT_EQ(st.unpacked, 1u) << name;
    EXPECT_EQ(st.reused, 0u) << name;
    EXPECT_TRUE(got == want) << name;
    EXPECT_TRUE(snapshot(root() / name / "sp") == want_tree) << name;
  };
  // A file edited in place (same size), a truncated file, a removed file, a broken manifest.
  {
    std::string body = read_file(entry() / "tree/demo/__init__.py").value();
    body[0] = 'W';
    std::ofstream(entry() / "tree/demo/__init__.py", std::ios::binary) << body;
  }
  expect_rebuilt("edited");
  fs::resize_file(entry() / "tree/demo/big.py", 10);
  expect_rebuilt("truncated");
  fs::remove(entry() / "tree/demo-1.0.dist-info/RECORD");
  expect_rebuilt("removed");
  fs::resize_file(entry() / "manifest", 40);
  expect_rebuilt("manifest");
  {
    // Replaced by another file of the same size with the old mtime put back: the inode tells.
    fs::path victim = entry() / "tree/demo/__init__.py";
    struct stat before {};
    ASSERT_EQ(::stat(victim.c_str(), &before), 0);
    std::string body = read_file(victim).value();
    body[0] = 'W';
    ASSERT_TRUE(write_file_atomic(victim, body).has_value());
    struct timespec times[2] = {before.st_atim, before.st_mtim};
    ASSERT_EQ(::utimensat(AT_FDCWD, victim.c_str(), times, 0), 0);
  }
  expect_rebuilt("replaced");
  // After a rebuild the entry is sound again.
  InstallCacheStats ok;
  build("again", &ok);
  EXPECT_EQ(ok.reused, 1u);
  EXPECT_EQ(ok.rebuilt, 0u);
  // A corrupt zip set is ignored (entries compressed afresh) and rewritten.
  fs::path set = entry() / "zip-315532800";
  ASSERT_TRUE(fs::exists(set));
  std::string bytes = read_file(set).value();
  bytes[bytes.size() - 5] ^= 0x55;
  std::ofstream(set, std::ios::binary) << bytes;
  InstallCacheStats z;
  size_t reused = 9;
  EXPECT_TRUE(build("zipset", &z, &reused) == want);
  EXPECT_EQ(reused, 5u);  // only the verbatim files, located by the (sound) manifest
  EXPECT_EQ(z.zip_reused, 0u);
  EXPECT_EQ(z.zip_stored, 1u);
  InstallCacheStats z2;
  EXPECT_TRUE(build("zipset2", &z2, &reused) == want);
  EXPECT_EQ(z2.zip_reused, 1u);
  EXPECT_EQ(reused, 8u);
}

TEST_F(InstallCacheTest, ClashesAndBadWheelsFailLikeInstallWheel) {
  auto other = wheel("other-2.0-py3-none-any.whl",
                     {{"name", "other"}, {"version", "2.0"}, {"files", {{"demo/__init__.py", "X = 1\n"}}}});
  InstallCache c(cache(), std::string(kPrefix), 315532800);
  fs::path site = root() / "sp";
  ASSERT_TRUE(c.install(whl_, sha_, site).has_value());
  const auto before = snapshot(site);
  auto clash = c.install(other, sha256_hex_of(other), site);
  ASSERT_FALSE(clash.has_value());
  EXPECT_EQ(clash.error().message, "other-2.0-py3-none-any.whl: 'demo/__init__.py' is already installed in " +
                                       site.string() + " (two distributions ship the same file)");
  EXPECT_EQ(snapshot(site), before);
  // The same wheel again from the cache clashes the same way.
  auto again = c.install(other, sha256_hex_of(other), site);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().message, clash.error().message);

  auto bad = wheel("bad-1.0-py3-none-any.whl",
                   {{"name", "bad"}, {"files", {{"bad/__init__.py", "x = 1\n"}}}, {"record", "tamper:bad/__init__.py"}});
  auto plain = install_wheel(bad, root() / "plain");
  ASSERT_FALSE(plain.has_value());
  auto cached = c.install(bad, sha256_hex_of(bad), root() / "sp2");
  ASSERT_FALSE(cached.has_value());
  EXPECT_EQ(cached.error().message, plain.error().message);
  EXPECT_FALSE(fs::exists(cache() / "installed-v1" / sha256_hex_of(bad)));
  size_t entries = 0;
  for (const auto& e : fs::directory_iterator(cache() / "installed-v1")) {
    EXPECT_FALSE(e.path().filename().string().starts_with(".tmp")) << e.path();
    ++entries;
  }
  EXPECT_EQ(entries, 2u);  // demo and other
}

TEST_F(InstallCacheTest, UnusableCacheDirectoryFallsBackToInstallWheel) {
  std::ofstream(root() / "file") << "not a directory";
  InstallCache c(root() / "file", std::string(kPrefix), 315532800);
  auto r = c.install(whl_, sha_, root() / "sp");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(c.stats().unpacked, 1u);
  auto ref = install_wheel(whl_, root() / "ref");
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(snapshot(root() / "sp"), snapshot(root() / "ref"));
}

TEST_F(InstallCacheTest, ConcurrentProcessesShareOneCache) {
  auto ref = install_wheel(whl_, root() / "ref");
  ASSERT_TRUE(ref.has_value());
  const auto want = snapshot(root() / "ref");
  std::vector<pid_t> kids;
  for (int k = 0; k < 4; ++k) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int rc = 0;
      for (int round = 0; round < 3; ++round) {
        fs::path site = root() / ("p" + std::to_string(k) + "-" + std::to_string(round));
        InstallCache c(cache(), std::string(kPrefix), 315532800);
        auto r = c.install(whl_, sha_, site);
        if (!r || snapshot(site) != want) rc = 1;
      }
      ::_exit(rc);
    }
    kids.push_back(pid);
  }
  for (pid_t pid : kids) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  InstallCache after(cache(), std::string(kPrefix), 315532800);
  ASSERT_TRUE(after.install(whl_, sha_, root() / "after").has_value());
  EXPECT_EQ(after.stats().reused, 1u);
}

}  // namespace
}  // namespace funcpack
