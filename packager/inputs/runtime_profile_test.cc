#include "inputs/runtime_profile.h"

#include <gtest/gtest.h>

namespace funcpack {
namespace {

TEST(RuntimeProfile, LoadsEmbeddedFacts) {
  auto p = RuntimeProfile::load();
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->default_python, "3.11");
  EXPECT_EQ(p->python_versions(), "3.10, 3.11, 3.12, 3.13, 3.14");
  const PythonRuntime* py310 = p->python("3.10");
  ASSERT_NE(py310, nullptr);
  EXPECT_EQ(py310->end_of_support, "2026-10-31");
  EXPECT_FALSE(py310->isolates_worker_dependencies);
  EXPECT_EQ(p->python("3.14")->status, "preview");
  EXPECT_TRUE(p->python("3.13")->isolates_worker_dependencies);
  const HostingPlan* consumption = p->plan("consumption");
  ASSERT_NE(consumption, nullptr);
  EXPECT_EQ(consumption->python_ga, (std::vector<std::string>{"3.10", "3.11", "3.12"}));
  EXPECT_EQ(consumption->instance_memory_mb, std::vector<int>{1536});
  EXPECT_EQ(p->plan("flex")->no_remote_build, std::vector<std::string>{"3.14"});
  EXPECT_EQ(p->plan("nope"), nullptr);
}

TEST(RuntimeProfile, MalformedDataNamesTheFile) {
  auto p = RuntimeProfile::parse("default_python = 3\n", "x.toml");
  ASSERT_FALSE(p.has_value());
  EXPECT_TRUE(p.error().message.starts_with("x.toml: ")) << p.error().message;
}

TEST(RuntimeProfile, BadGlibcIsNamed) {
  auto p = RuntimeProfile::parse(R"(default_python = "3.11"
default_plan = "flex"
[python."3.11"]
full_version = "3.11.1"
glibc = "two"
base_image = ""
status = "ga"
end_of_support = ""
isolates_worker_dependencies = false
worker_packages = []
[plan]
)", "r.toml");
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().message, "r.toml: python.3.11.glibc: invalid 'two'");
}

TEST(MakeTarget, DefaultsAndOverrides) {
  auto p = RuntimeProfile::load();
  ASSERT_TRUE(p.has_value());
  auto t = make_target(*p, "");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->python_minor, 11);
  EXPECT_EQ(t->python_full_version, "3.11.14");
  EXPECT_EQ(t->glibc_minor, 31);
  auto t2 = make_target(*p, "3.12", "2.28", "3.12.3");
  ASSERT_TRUE(t2.has_value());
  EXPECT_EQ(t2->glibc_minor, 28);
  EXPECT_EQ(t2->python_full_version, "3.12.3");
}

TEST(MakeTarget, Errors) {
  auto p = RuntimeProfile::load();
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(make_target(*p, "3.9").error().message,
            "unsupported Python version '3.9' (funcpack targets 3.10, 3.11, 3.12, 3.13, 3.14)");
  EXPECT_EQ(make_target(*p, "3.11", "2").error().message,
            "invalid glibc version '2' (expected MAJOR.MINOR, e.g. 2.28)");
  EXPECT_EQ(make_target(*p, "3.11", std::nullopt, "3.12.1").error().message,
            "invalid Python full version '3.12.1' (expected 3.11.PATCH)");
}

}  // namespace
}  // namespace funcpack
