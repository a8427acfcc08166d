#include "sandbox/build_system.h"

#include <gtest/gtest.h>

namespace funcpack {
namespace {

std::string err(std::string_view text) {
  auto r = parse_build_system(text, "pyproject.toml");
  if (r) return "(ok)";
  return r.error().location.str() + ": " + r.error().message;
}

TEST(BuildSystem, NoTableMeansPep517Defaults) {
  auto b = parse_build_system("[project]\nname = 'x'\n", "pyproject.toml");
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->defaulted);
  EXPECT_EQ(b->backend, "setuptools.build_meta:__legacy__");
  EXPECT_EQ(b->requires_text, std::vector<std::string>{"setuptools>=40.8.0"});
  ASSERT_EQ(b->requires_.size(), 1u);
  EXPECT_EQ(b->requires_[0].str(), "setuptools>=40.8.0");
}

TEST(BuildSystem, ReadsRequiresBackendAndPath) {
  auto b = parse_build_system(
      "[build-system]\nrequires = ['flit_core >=3.2,<4', \"cython; python_version >= '3.8'\"]\n"
      "build-backend = 'flit_core.buildapi'\nbackend-path = ['_build', 'a/../b']\n",
      "pyproject.toml");
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_FALSE(b->defaulted);
  EXPECT_EQ(b->backend, "flit_core.buildapi");
  EXPECT_EQ(b->requires_text,
            (std::vector<std::string>{"flit_core >=3.2,<4", "cython; python_version >= '3.8'"}));
  EXPECT_EQ(b->requires_[0].normalized_name(), "flit-core");
  EXPECT_EQ(b->backend_path, (std::vector<std::string>{"_build", "a/../b"}));
}

TEST(BuildSystem, MissingBackendIsTheLegacySetuptoolsOne) {
  auto b = parse_build_system("[build-system]\nrequires = ['setuptools', 'wheel']\n", "p");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->backend, "setuptools.build_meta:__legacy__");
  EXPECT_FALSE(b->defaulted);
}

TEST(BuildSystem, ErrorsNameTheFileLineAndColumn) {
  EXPECT_EQ(err("[build-system]\nbuild-backend = 'x'\n"),
            "pyproject.toml:1:1: 'build-system.requires' is missing (PEP 518 requires it)");
  EXPECT_EQ(err("[build-system]\nrequires = 'setuptools'\n"),
            "pyproject.toml:2:12: 'build-system.requires' must be an array of strings");
  EXPECT_EQ(err("[build-system]\nrequires = ['setuptools', 3]\n"),
            "pyproject.toml:2:27: 'build-system.requires' must be an array of strings");
  EXPECT_EQ(err("[build-system]\nrequires = ['foo >= ']\n"),
            "pyproject.toml:2:13: 'build-system.requires' entry 'foo >= ': Expected end or "
            "semicolon (after name and no valid version specifier)");
  EXPECT_EQ(err("[build-system]\nrequires = ['x @ https://e.org/x.whl']\n"),
            "pyproject.toml:2:13: 'build-system.requires' entry 'x @ https://e.org/x.whl': "
            "direct URL build requirements are not supported");
  EXPECT_EQ(err("[build-system]\nrequires = []\nbackend-path = ['../up']\n"),
            "pyproject.toml:3:17: 'build-system.backend-path' entry '../up' leaves the source "
            "tree");
  EXPECT_EQ(err("[build-system]\nrequires = []\nbackend-path = ['/abs']\n"),
            "pyproject.toml:3:17: 'build-system.backend-path' entry '/abs' leaves the source "
            "tree");
  EXPECT_EQ(err("[build-system]\nrequires = []\nbuild-backend = ''\n"),
            "pyproject.toml:3:17: 'build-system.build-backend' must be a non-empty string");
  EXPECT_EQ(err("build-system = 3\n"), "pyproject.toml:1:16: 'build-system' must be a table");
  EXPECT_TRUE(err("[build-system\n").starts_with("pyproject.toml:1:1: invalid TOML: "));
}

}  // namespace
}  // namespace funcpack
