#include "sandbox/retag.h"

#include <gtest/gtest.h>

#include "base/fs.h"
#include "base/hash.h"
#include "materialise/wheel_install.h"
#include "materialise/zip_writer.h"

namespace funcpack {
namespace {

namespace fs = std::filesystem;

// A valid wheel (RECORD included) with the given WHEEL text, written with zip_writer.
fs::path make_wheel(const fs::path& dir, const std::string& filename, const std::string& wheel) {
  std::vector<std::pair<std::string, std::string>> files = {
      {"demo/__init__.py", "X = 1\n"},
      {"demo-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"},
      {"demo-1.0.dist-info/WHEEL", wheel}};
  std::string record;
  for (const auto& [p, d] : files)
    record += p + "," + sha256_record_digest(d) + "," + std::to_string(d.size()) + "\n";
  record += "demo-1.0.dist-info/RECORD,,\n";
  files.emplace_back("demo-1.0.dist-info/RECORD", record);
  std::vector<ZipEntry> entries;
  for (const auto& [p, d] : files) {
    fs::path f = dir / "src" / p;
    fs::create_directories(f.parent_path());
    EXPECT_TRUE(write_file_atomic(f, d));
    entries.push_back({p, f});
  }
  fs::path out = dir / filename;
  EXPECT_TRUE(write_zip(entries, out));
  return out;
}

class Retag : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = TempDir::create("funcpack-retag-test");
    ASSERT_TRUE(t);
    dir_ = std::make_unique<TempDir>(std::move(*t));
    fs::create_directories(dir_->path() / "out");
  }
  std::unique_ptr<TempDir> dir_;
};

TEST_F(Retag, RewritesTagsFilenameAndRecord) {
  fs::path w = make_wheel(dir_->path(), "demo-1.0-cp311-cp311-linux_x86_64.whl",
                          "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: false\n"
                          "Tag: cp311-cp311-linux_x86_64\nBuild: 1\n");
  auto out = retag_wheel(w, {"manylinux_2_17_x86_64", "manylinux2014_x86_64"},
                         dir_->path() / "out");
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->filename().string(),
            "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl");
  // install_wheel checks every RECORD hash and size: the rewritten WHEEL must match.
  auto installed = install_wheel(*out, dir_->path() / "site");
  ASSERT_TRUE(installed) << installed.error().message;
  EXPECT_EQ(*read_file(dir_->path() / "site/demo-1.0.dist-info/WHEEL"),
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: false\n"
            "Tag: cp311-cp311-manylinux_2_17_x86_64\nTag: cp311-cp311-manylinux2014_x86_64\n"
            "Build: 1\n");
  EXPECT_EQ(*read_file(dir_->path() / "site/demo/__init__.py"), "X = 1\n");
}

TEST_F(Retag, ErrorsNameTheWheel) {
  fs::path w = make_wheel(dir_->path(), "demo-1.0-cp311-cp311-linux_x86_64.whl",
                          "Wheel-Version: 1.0\nRoot-Is-Purelib: false\n");
  auto out = retag_wheel(w, {"manylinux_2_17_x86_64"}, dir_->path() / "out");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().message,
            "demo-1.0-cp311-cp311-linux_x86_64.whl: demo-1.0.dist-info/WHEEL has no Tag line");
}

TEST_F(Retag, PureWheelIsLeftAlone) {
  fs::path w = make_wheel(dir_->path(), "demo-1.0-py3-none-any.whl",
                          "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
  auto policies = PolicySet::load("manylinux");
  ASSERT_TRUE(policies) << policies.error().message;
  auto r = audit_and_retag(w, *policies, *policies->find("manylinux_2_31"), "x86_64",
                           dir_->path() / "out");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->wheel, w);
  EXPECT_EQ(r->best, "");
  EXPECT_TRUE(r->platforms.empty());
}

TEST(PolicyPlatformTags, NameThenAliases) {
  auto policies = PolicySet::load("manylinux");
  ASSERT_TRUE(policies);
  EXPECT_EQ(policy_platform_tags(*policies->find("manylinux_2_17"), "x86_64"),
            (std::vector<std::string>{"manylinux_2_17_x86_64", "manylinux2014_x86_64"}));
  EXPECT_EQ(policy_platform_tags(*policies->find("manylinux_2_31"), "aarch64"),
            (std::vector<std::string>{"manylinux_2_31_aarch64"}));
}

}  // namespace
}  // namespace funcpack
