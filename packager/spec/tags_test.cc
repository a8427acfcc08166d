#include "spec/tags.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace funcpack {
namespace {

std::vector<std::string> strs(const std::vector<Tag>& tags) {
  std::vector<std::string> out;
  for (const Tag& t : tags) out.push_back(t.str());
  return out;
}

TEST(Tags, ExpandCompressedSets) {
  EXPECT_EQ(strs(expand_tag_set("py2.py3", "none", "any")),
            (std::vector<std::string>{"py2-none-any", "py3-none-any"}));
  EXPECT_EQ(strs(expand_tag_set("cp311", "cp311",
                                "manylinux_2_17_x86_64.manylinux2014_x86_64")),
            (std::vector<std::string>{"cp311-cp311-manylinux_2_17_x86_64",
                                      "cp311-cp311-manylinux2014_x86_64"}));
  EXPECT_EQ(strs(expand_tag_set("CP39.cp310", "abi3.none", "Any")),
            (std::vector<std::string>{"cp39-abi3-any", "cp39-none-any", "cp310-abi3-any",
                                      "cp310-none-any"}));
  EXPECT_EQ(strs(expand_tag_set("py3..py2", "none", "any")),
            (std::vector<std::string>{"py3-none-any", "-none-any", "py2-none-any"}));
}

TEST(Tags, ParseManylinux) {
  EXPECT_EQ(parse_manylinux_tag("manylinux_2_17_x86_64"), (ManylinuxTag{2, 17, "x86_64"}));
  EXPECT_EQ(parse_manylinux_tag("manylinux_2_28_aarch64"), (ManylinuxTag{2, 28, "aarch64"}));
  EXPECT_EQ(parse_manylinux_tag("manylinux_3_0_ppc64le"), (ManylinuxTag{3, 0, "ppc64le"}));
  EXPECT_EQ(parse_manylinux_tag("manylinux2014_x86_64"), (ManylinuxTag{2, 17, "x86_64"}));
  EXPECT_EQ(parse_manylinux_tag("manylinux2014_aarch64"), (ManylinuxTag{2, 17, "aarch64"}));
  EXPECT_EQ(parse_manylinux_tag("manylinux2010_i686"), (ManylinuxTag{2, 12, "i686"}));
  EXPECT_EQ(parse_manylinux_tag("manylinux1_x86_64"), (ManylinuxTag{2, 5, "x86_64"}));
  EXPECT_EQ(parse_manylinux_tag("manylinux1_aarch64"), std::nullopt);
  EXPECT_EQ(parse_manylinux_tag("manylinux2010_aarch64"), std::nullopt);
  EXPECT_EQ(parse_manylinux_tag("manylinux_2_x86_64"), std::nullopt);
  EXPECT_EQ(parse_manylinux_tag("manylinux_2_17_"), std::nullopt);
  EXPECT_EQ(parse_manylinux_tag("manylinux_2_17_X86"), std::nullopt);
  EXPECT_EQ(parse_manylinux_tag("manylinux_99999999999_1_x86_64"), std::nullopt);
  EXPECT_EQ(parse_manylinux_tag("linux_x86_64"), std::nullopt);
  EXPECT_EQ(parse_manylinux_tag("musllinux_1_2_x86_64"), std::nullopt);
  EXPECT_EQ(parse_manylinux_tag("any"), std::nullopt);
}

TEST(Tags, ParseMusllinux) {
  EXPECT_EQ(parse_musllinux_tag("musllinux_1_2_x86_64"), (MusllinuxTag{1, 2, "x86_64"}));
  EXPECT_EQ(parse_musllinux_tag("musllinux_1_1_aarch64"), (MusllinuxTag{1, 1, "aarch64"}));
  EXPECT_EQ(parse_musllinux_tag("musllinux_1_x86_64"), std::nullopt);
  EXPECT_EQ(parse_musllinux_tag("manylinux_2_17_x86_64"), std::nullopt);
}

TEST(Tags, LegacyAliases) {
  EXPECT_EQ(manylinux_legacy_alias(17, "x86_64"), "manylinux2014_x86_64");
  EXPECT_EQ(manylinux_legacy_alias(17, "aarch64"), "manylinux2014_aarch64");
  EXPECT_EQ(manylinux_legacy_alias(12, "x86_64"), "manylinux2010_x86_64");
  EXPECT_EQ(manylinux_legacy_alias(12, "aarch64"), std::nullopt);
  EXPECT_EQ(manylinux_legacy_alias(5, "i686"), "manylinux1_i686");
  EXPECT_EQ(manylinux_legacy_alias(28, "x86_64"), std::nullopt);
}

TEST(Tags, LinuxPlatformsX86) {
  EXPECT_EQ(linux_platform_tags("x86_64", 2, 17, false),
            (std::vector<std::string>{
                "manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux_2_16_x86_64",
                "manylinux_2_15_x86_64", "manylinux_2_14_x86_64", "manylinux_2_13_x86_64",
                "manylinux_2_12_x86_64", "manylinux2010_x86_64", "manylinux_2_11_x86_64",
                "manylinux_2_10_x86_64", "manylinux_2_9_x86_64", "manylinux_2_8_x86_64",
                "manylinux_2_7_x86_64", "manylinux_2_6_x86_64", "manylinux_2_5_x86_64",
                "manylinux1_x86_64"}));
  auto with_linux = linux_platform_tags("x86_64", 2, 31, true);
  ASSERT_EQ(with_linux.size(), 31u);  // 2_31..2_5 (27) + 3 aliases + linux
  EXPECT_EQ(with_linux.front(), "manylinux_2_31_x86_64");
  EXPECT_EQ(with_linux.back(), "linux_x86_64");
}

TEST(Tags, LinuxPlatformsAarch64StopAt217) {
  EXPECT_EQ(linux_platform_tags("aarch64", 2, 19, false),
            (std::vector<std::string>{"manylinux_2_19_aarch64", "manylinux_2_18_aarch64",
                                      "manylinux_2_17_aarch64", "manylinux2014_aarch64"}));
  EXPECT_EQ(linux_platform_tags("aarch64", 2, 12, true),
            (std::vector<std::string>{"linux_aarch64"}));
  EXPECT_TRUE(linux_platform_tags("x86_64", 3, 1, false).empty());
}

TEST(Tags, CPythonOrderSmallPlatformList) {
  auto tags = strs(cpython_compatible_tags(3, 4, {"manylinux1_x86_64"}));
  EXPECT_EQ(tags, (std::vector<std::string>{
                      "cp34-cp34-manylinux1_x86_64", "cp34-abi3-manylinux1_x86_64",
                      "cp34-none-manylinux1_x86_64", "cp33-abi3-manylinux1_x86_64",
                      "cp32-abi3-manylinux1_x86_64", "py34-none-manylinux1_x86_64",
                      "py3-none-manylinux1_x86_64", "py33-none-manylinux1_x86_64",
                      "py32-none-manylinux1_x86_64", "py31-none-manylinux1_x86_64",
                      "py30-none-manylinux1_x86_64", "cp34-none-any", "py34-none-any",
                      "py3-none-any", "py33-none-any", "py32-none-any", "py31-none-any",
                      "py30-none-any"}));
}

TEST(Tags, CPython311Counts) {
  auto plats = linux_platform_tags("x86_64", 2, 17, false);  // 16 platforms
  auto tags = cpython_compatible_tags(3, 11, plats);
  // cp311 x3 abis + cp310..cp32 abi3 (9) = 12 interpreter rows; py311, py3, py310..py30 (13)
  // generic rows; then 1 + 13 "any" tags.
  EXPECT_EQ(tags.size(), (12u + 13u) * 16u + 14u);
  EXPECT_EQ(tags[0].str(), "cp311-cp311-manylinux_2_17_x86_64");
  EXPECT_EQ(tags[16].str(), "cp311-abi3-manylinux_2_17_x86_64");
  EXPECT_EQ(tags[48].str(), "cp310-abi3-manylinux_2_17_x86_64");
  EXPECT_EQ(tags[tags.size() - 14].str(), "cp311-none-any");
  EXPECT_EQ(tags.back().str(), "py30-none-any");
}

TEST(Tags, PriorityRanks) {
  TagPriority prio(cpython_compatible_tags(3, 11, linux_platform_tags("x86_64", 2, 28, false)));
  auto any = prio.rank(Tag{"py3", "none", "any"});
  auto abi3 = prio.best_rank(expand_tag_set("cp38", "abi3", "manylinux_2_17_x86_64"));
  auto own = prio.best_rank(
      expand_tag_set("cp311", "cp311", "manylinux_2_17_x86_64.manylinux2014_x86_64"));
  ASSERT_TRUE(any && abi3 && own);
  EXPECT_LT(*own, *abi3);
  EXPECT_LT(*abi3, *any);
  // manylinux_2_17 comes before its alias, so the compressed set ranks as 2_17.
  EXPECT_EQ(own, prio.rank(Tag{"cp311", "cp311", "manylinux_2_17_x86_64"}));
  EXPECT_EQ(*prio.rank(Tag{"cp311", "cp311", "manylinux2014_x86_64"}), *own + 1);
  // Above the glibc ceiling, the wrong interpreter, a host platform: not compatible.
  EXPECT_EQ(prio.best_rank(expand_tag_set("cp311", "cp311", "manylinux_2_34_x86_64")),
            std::nullopt);
  EXPECT_EQ(prio.best_rank(expand_tag_set("cp312", "cp312", "manylinux_2_17_x86_64")),
            std::nullopt);
  EXPECT_EQ(prio.best_rank(expand_tag_set("cp311", "cp311", "macosx_11_0_arm64")),
            std::nullopt);
  EXPECT_EQ(prio.best_rank(expand_tag_set("cp311", "cp311", "linux_x86_64")), std::nullopt);
  EXPECT_EQ(prio.best_rank({}), std::nullopt);
  EXPECT_EQ(*prio.rank(Tag{"cp311", "cp311", "manylinux_2_28_x86_64"}), 0u);
}

}  // namespace
}  // namespace funcpack
