#include "io/cache.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "base/fs.h"
#include "base/hash.h"

namespace funcpack {
namespace {

class CacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<TempDir> t = TempDir::create("cache-test");
    ASSERT_TRUE(t);
    tmp_.emplace(std::move(*t));
  }
  std::optional<TempDir> tmp_;
};

TEST_F(CacheTest, ResponsesRoundTripPerUrlAndVariant) {
  Cache c(tmp_->path() / "c");
  EXPECT_FALSE(c.load_response("https://h/simple/a/", "v").has_value());
  CachedResponse r;
  r.status = 200;
  r.etag = "\"abc\"";
  r.last_modified = "Tue, 24 Nov 2026 07:00:00 GMT";
  r.content_type = "application/vnd.pypi.simple.v1+json";
  r.effective_url = "https://h/simple/a/";
  r.body = std::string("line1\nline2\n\0binary", 19);
  ASSERT_TRUE(c.store_response("https://user:pw@h/simple/a/", "v", r));
  // Credentials are not part of the key, and not stored.
  std::optional<CachedResponse> back = c.load_response("https://h/simple/a/", "v");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->url, "https://h/simple/a/");
  EXPECT_EQ(back->status, 200);
  EXPECT_EQ(back->etag, r.etag);
  EXPECT_EQ(back->last_modified, r.last_modified);
  EXPECT_EQ(back->content_type, r.content_type);
  EXPECT_EQ(back->effective_url, r.effective_url);
  EXPECT_EQ(back->body, r.body);
  EXPECT_FALSE(c.load_response("https://h/simple/a/", "other").has_value());
  std::filesystem::path file =
      tmp_->path() / "c/http-v1" / sha256_hex("https://h/simple/a/\nv").substr(0, 2) /
      sha256_hex("https://h/simple/a/\nv");
  Result<std::string> raw = read_file(file);
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->find("pw"), std::string::npos);
}

TEST_F(CacheTest, CorruptEntriesAreMisses) {
  Cache c(tmp_->path());
  CachedResponse r;
  r.body = "x";
  ASSERT_TRUE(c.store_response("https://h/x", "v", r));
  std::filesystem::path file = tmp_->path() / "http-v1" / sha256_hex("https://h/x\nv").substr(0, 2) /
                               sha256_hex("https://h/x\nv");
  ASSERT_TRUE(write_file_atomic(file, "{not json\nbody"));
  EXPECT_FALSE(c.load_response("https://h/x", "v").has_value());
  ASSERT_TRUE(write_file_atomic(file, "no newline at all"));
  EXPECT_FALSE(c.load_response("https://h/x", "v").has_value());
}

TEST_F(CacheTest, ArtifactsAreContentAddressed) {
  Cache c(tmp_->path());
  std::string hex = sha256_hex("wheel bytes");
  EXPECT_FALSE(c.artifact_path(hex).has_value());
  Result<std::filesystem::path> p = c.store_artifact("wheel bytes");
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, tmp_->path() / "artifacts-v1/sha256" / hex.substr(0, 2) / hex);
  EXPECT_EQ(*read_file(*p), "wheel bytes");
  EXPECT_EQ(c.artifact_path(hex), *p);
  EXPECT_FALSE(c.artifact_path("../../etc/passwd").has_value());
  EXPECT_FALSE(c.load_metadata(hex).has_value());
  ASSERT_TRUE(c.store_metadata(hex, "Name: foo\n"));
  EXPECT_EQ(c.load_metadata(hex), "Name: foo\n");
  EXPECT_EQ(c.store_metadata("xyz", "m").error().message, "not a sha256: xyz");
}

TEST_F(CacheTest, UnwritableRootIsAnError) {
  ASSERT_TRUE(write_file_atomic(tmp_->path() / "file", "x"));
  Cache c(tmp_->path() / "file");
  Result<std::filesystem::path> p = c.store_artifact("data");
  ASSERT_FALSE(p);
  EXPECT_TRUE(p.error().message.starts_with("cannot create " + (tmp_->path() / "file").string()))
      << p.error().message;
}

TEST(CacheRoot, EnvironmentPrecedence) {
  setenv("FUNCPACK_CACHE_DIR", "/a/b", 1);
  setenv("XDG_CACHE_HOME", "/x", 1);
  setenv("HOME", "/home/u", 1);
  EXPECT_EQ(Cache::default_root(), "/a/b");
  unsetenv("FUNCPACK_CACHE_DIR");
  EXPECT_EQ(Cache::default_root(), "/x/funcpack");
  unsetenv("XDG_CACHE_HOME");
  EXPECT_EQ(Cache::default_root(), "/home/u/.cache/funcpack");
}

}  // namespace
}  // namespace funcpack
