// Candidate selection: which file of each version the target can install, and why not.
#include "resolve/candidates.h"

#include <gtest/gtest.h>

namespace funcpack {
namespace {

DistributionFile file(std::string name, std::optional<std::string> requires_python = std::nullopt,
                      bool yanked = false) {
  DistributionFile f;
  f.filename = std::move(name);
  f.url = "https://x/" + f.filename;
  f.requires_python = std::move(requires_python);
  f.yanked = yanked;
  return f;
}

ProjectPage page(std::vector<DistributionFile> files) { return ProjectPage{"foo", std::move(files)}; }

TEST(BinaryPolicy, FollowsPipsFormatControl) {
  BinaryPolicy p = BinaryPolicy::only_wheels();
  EXPECT_TRUE(p.allows_wheels("a"));
  EXPECT_FALSE(p.allows_sdists("a"));
  p.no_binary.insert("a");  // a name beats :all:
  EXPECT_FALSE(p.allows_wheels("a"));
  EXPECT_TRUE(p.allows_sdists("a"));
  p.only_binary.insert("a");  // only_binary beats no_binary for the same name
  EXPECT_TRUE(p.allows_wheels("a"));
  EXPECT_FALSE(p.allows_sdists("a"));
  BinaryPolicy q{{}, {":all:"}};
  EXPECT_FALSE(q.allows_wheels("b"));
  EXPECT_TRUE(q.allows_sdists("b"));
  EXPECT_TRUE(BinaryPolicy::pip_default().allows_wheels("b"));
  EXPECT_TRUE(BinaryPolicy::pip_default().allows_sdists("b"));
}

TEST(Candidates, GroupsByVersionAndChoosesTheBestWheel) {
  CandidateSelector sel(Target{}, BinaryPolicy::only_wheels());
  auto c = sel.select(page({file("foo-1.0.0-py3-none-any.whl"), file("foo-1.0-cp311-cp311-manylinux2014_x86_64.whl"),
                            file("foo-1.0-1-cp311-cp311-manylinux2014_x86_64.whl"),
                            file("foo-0.9-cp311-cp311-win_amd64.whl"), file("Foo-2.0.tar.gz"),
                            file("bar-1.0-py3-none-any.whl"), file("foo-1.0.exe")}));
  ASSERT_EQ(c.versions.size(), 3u);
  EXPECT_EQ(c.versions[0].version.str(), "0.9");
  EXPECT_FALSE(c.versions[0].usable());
  EXPECT_EQ(sel.unusable_reason("foo", c.versions[0]),
            "no wheel for cp311 manylinux_2_31 x86_64; found: foo-0.9-cp311-cp311-win_amd64.whl "
            "(platform win_amd64)");
  // 1.0.0 and 1.0 are one version; the build-tagged wheel wins the tie on tag rank.
  ASSERT_TRUE(c.versions[1].usable());
  EXPECT_EQ(c.versions[1].file->filename, "foo-1.0-1-cp311-cp311-manylinux2014_x86_64.whl");
  EXPECT_TRUE(c.versions[1].is_wheel);
  EXPECT_FALSE(c.versions[2].usable());
  EXPECT_EQ(sel.unusable_reason("foo", c.versions[2]),
            "no wheel for cp311 manylinux_2_31 x86_64; found: Foo-2.0.tar.gz (sdist, only wheels are "
            "allowed)");
  ASSERT_EQ(c.unparsed.size(), 2u);
  EXPECT_EQ(c.unparsed[0].reason, "not a wheel of foo");
  EXPECT_EQ(c.unparsed[1].reason, "not a wheel or an sdist");
  EXPECT_TRUE(c.has_usable_final());
}

TEST(Candidates, RejectsByRequiresPythonAgainstTheFullVersion) {
  Target t;
  t.python_full_version = "3.11.4";
  CandidateSelector sel(t, BinaryPolicy::only_wheels());
  auto c = sel.select(page({file("foo-1.0-py3-none-any.whl", ">=3.11.5"), file("foo-0.9-py3-none-any.whl", ">=3.11.4")}));
  ASSERT_EQ(c.versions.size(), 2u);
  EXPECT_TRUE(c.versions[0].usable());
  EXPECT_FALSE(c.versions[1].usable());
  EXPECT_EQ(c.versions[1].rejected[0].reason, "requires Python >=3.11.5");
}

TEST(Candidates, YankedFilesAreALastResort) {
  CandidateSelector sel(Target{}, BinaryPolicy::pip_default());
  auto c = sel.select(page({file("foo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl", std::nullopt, true),
                            file("foo-1.0.tar.gz"), file("foo-2.0-py3-none-any.whl", std::nullopt, true)}));
  ASSERT_EQ(c.versions.size(), 2u);
  EXPECT_EQ(c.versions[0].file->filename, "foo-1.0.tar.gz");
  EXPECT_FALSE(c.versions[0].yanked);
  EXPECT_TRUE(c.versions[1].usable());
  EXPECT_TRUE(c.versions[1].yanked);
}

TEST(Candidates, ExplainsManylinuxNewerThanTheRuntime) {
  CandidateSelector sel(Target{}, BinaryPolicy::only_wheels());
  auto c = sel.select(page({file("foo-44.0-cp39-abi3-manylinux_2_34_x86_64.whl"), file("foo-44.0-cp312-cp312-manylinux_2_17_x86_64.whl"),
                            file("foo-44.0-cp311-cp311-manylinux_2_17_aarch64.whl")}));
  ASSERT_EQ(c.versions.size(), 1u);
  EXPECT_EQ(sel.unusable_reason("foo", c.versions[0]),
            "no wheel for cp311 manylinux_2_31 x86_64; found: foo-44.0-cp39-abi3-manylinux_2_34_x86_64.whl "
            "(platform manylinux_2_34_x86_64 needs glibc 2.34, the target has 2.31), "
            "foo-44.0-cp312-cp312-manylinux_2_17_x86_64.whl (python cp312), "
            "foo-44.0-cp311-cp311-manylinux_2_17_aarch64.whl (platform manylinux_2_17_aarch64)");
}

TEST(Candidates, OnlyPreReleasesMeansNoUsableFinal) {
  CandidateSelector sel(Target{}, BinaryPolicy::only_wheels());
  auto c = sel.select(page({file("foo-1.0a1-py3-none-any.whl"), file("foo-0.9-cp311-cp311-win_amd64.whl")}));
  EXPECT_FALSE(c.has_usable_final());
}

}  // namespace
}  // namespace funcpack
