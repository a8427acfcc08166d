#include "spec/target.h"

#include <gtest/gtest.h>

namespace funcpack {
namespace {

TEST(Target, Defaults) {
  Target t;
  EXPECT_EQ(t.python_version(), "3.11");
  EXPECT_EQ(t.python_full().str(), "3.11.0");
  auto tags = t.compatible_tags();
  ASSERT_FALSE(tags.empty());
  EXPECT_EQ(tags.front().str(), "cp311-cp311-manylinux_2_31_x86_64");
  EXPECT_EQ(tags.back().str(), "py30-none-any");
  // 2_31..2_5 plus three aliases = 30 platforms; (12 + 13) rows of them, then 14 "any".
  EXPECT_EQ(tags.size(), 25u * 30u + 14u);
}

TEST(Target, LinuxTagAndAarch64) {
  Target t;
  t.python_minor = 13;
  t.python_full_version = "3.13.2";
  t.machine = "aarch64";
  t.glibc_minor = 36;
  t.allow_linux_tag = true;
  EXPECT_EQ(t.python_version(), "3.13");
  EXPECT_EQ(t.python_full().str(), "3.13.2");
  TagPriority prio(t.compatible_tags());
  EXPECT_EQ(prio.rank(Tag{"cp313", "cp313", "manylinux_2_36_aarch64"}), 0u);
  EXPECT_TRUE(prio.rank(Tag{"cp313", "cp313", "linux_aarch64"}));
  EXPECT_FALSE(prio.rank(Tag{"cp313", "cp313", "manylinux_2_16_aarch64"}));
  EXPECT_FALSE(prio.rank(Tag{"cp313", "cp313", "manylinux_2_36_x86_64"}));
  EXPECT_LT(*prio.rank(Tag{"cp313", "cp313", "manylinux2014_aarch64"}),
            *prio.rank(Tag{"cp313", "cp313", "linux_aarch64"}));
}

TEST(Target, MarkerEnvironment) {
  Target t;
  t.python_full_version = "3.11.9";
  auto env = t.marker_environment();
  EXPECT_EQ(env.at("python_version"), "3.11");
  EXPECT_EQ(env.at("python_full_version"), "3.11.9");
  EXPECT_EQ(env.at("sys_platform"), "linux");
  EXPECT_EQ(env.at("platform_system"), "Linux");
  EXPECT_EQ(env.at("platform_machine"), "x86_64");
  EXPECT_EQ(env.at("implementation_name"), "cpython");
  EXPECT_EQ(env.at("platform_python_implementation"), "CPython");
  EXPECT_EQ(env.at("os_name"), "posix");
}

TEST(Target, BadFullVersionFallsBackToMajorMinor) {
  Target t;
  t.python_full_version = "not a version";
  EXPECT_EQ(t.python_full().str(), "3.11");
}

}  // namespace
}  // namespace funcpack
