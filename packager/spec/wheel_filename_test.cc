#include "spec/wheel_filename.h"

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

TEST(WheelFilename, Simple) {
  auto w = WheelFilename::parse("requests-2.31.0-py3-none-any.whl");
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->name, "requests");
  EXPECT_EQ(w->version.str(), "2.31.0");
  EXPECT_FALSE(w->build);
  EXPECT_EQ(strs(w->tags), std::vector<std::string>{"py3-none-any"});
}

TEST(WheelFilename, CompressedTagsUnderscoreNameAndBuildTag) {
  auto w = WheelFilename::parse(
      "azure_functions-1.21.3-12abc-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl");
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->name, "azure_functions");
  EXPECT_EQ(w->version.str(), "1.21.3");
  ASSERT_TRUE(w->build);
  EXPECT_EQ(w->build->first, 12u);
  EXPECT_EQ(w->build->second, "abc");
  EXPECT_EQ(strs(w->tags), (std::vector<std::string>{"cp311-cp311-manylinux_2_17_x86_64",
                                                     "cp311-cp311-manylinux2014_x86_64"}));

  auto six = WheelFilename::parse("six-1.16.0-py2.py3-none-any.whl");
  ASSERT_TRUE(six);
  EXPECT_EQ(strs(six->tags), (std::vector<std::string>{"py2-none-any", "py3-none-any"}));

  auto dotted = WheelFilename::parse("zope.interface-6.0-0-cp311-cp311-linux_x86_64.whl");
  ASSERT_TRUE(dotted) << dotted.error().message;
  EXPECT_EQ(dotted->name, "zope.interface");
  EXPECT_EQ(dotted->build->first, 0u);
  EXPECT_EQ(dotted->build->second, "");

  auto nonnormal = WheelFilename::parse("Foo-1.0A1-PY3-NONE-ANY.whl");
  ASSERT_TRUE(nonnormal);
  EXPECT_EQ(nonnormal->version.str(), "1.0a1");
  EXPECT_EQ(strs(nonnormal->tags), std::vector<std::string>{"py3-none-any"});
}

void expect_error(std::string_view filename, const std::string& message, int column,
                  int end_column) {
  auto w = WheelFilename::parse(filename);
  ASSERT_FALSE(w) << filename;
  EXPECT_EQ(w.error().message, message);
  EXPECT_EQ(w.error().location.column, column) << filename;
  EXPECT_EQ(w.error().location.end_column, end_column) << filename;
}

TEST(WheelFilename, Errors) {
  expect_error("requests-2.31.0-py3-none-any.zip",
               "invalid wheel filename 'requests-2.31.0-py3-none-any.zip': extension must be "
               "'.whl'",
               1, 33);
  expect_error("requests-2.31.0-py3-any.whl",
               "invalid wheel filename 'requests-2.31.0-py3-any.whl': expected "
               "{name}-{version}[-{build tag}]-{python tag}-{abi tag}-{platform tag}.whl",
               1, 28);
  expect_error("a-b-c-1.0-1-py3-none-any.whl",
               "invalid wheel filename 'a-b-c-1.0-1-py3-none-any.whl': expected "
               "{name}-{version}[-{build tag}]-{python tag}-{abi tag}-{platform tag}.whl",
               1, 29);
  expect_error("foo__bar-1.0-py3-none-any.whl",
               "invalid wheel filename 'foo__bar-1.0-py3-none-any.whl': invalid project name "
               "'foo__bar'",
               1, 9);
  expect_error("-1.0-py3-none-any.whl",
               "invalid wheel filename '-1.0-py3-none-any.whl': invalid project name ''", 1, 1);
  expect_error("foo-1.0x-py3-none-any.whl",
               "invalid wheel filename 'foo-1.0x-py3-none-any.whl': invalid version '1.0x'", 5,
               9);
  expect_error("foo-1.0-x1-py3-none-any.whl",
               "invalid wheel filename 'foo-1.0-x1-py3-none-any.whl': build tag 'x1' must start "
               "with a digit",
               9, 11);
  expect_error("foo-1.0-99999999999999999999-py3-none-any.whl",
               "invalid wheel filename 'foo-1.0-99999999999999999999-py3-none-any.whl': build "
               "number in '99999999999999999999' is too large",
               9, 29);
  expect_error("foo-1.0-py3..py2-none-any.whl",
               "invalid wheel filename 'foo-1.0-py3..py2-none-any.whl': empty tag in "
               "'py3..py2'",
               9, 17);
  expect_error("foo-1.0-py3-none-.whl",
               "invalid wheel filename 'foo-1.0-py3-none-.whl': empty tag in ''", 18, 18);
}

TEST(SdistFilename, ModernAndLegacy) {
  auto s = SdistFilename::parse("azure_functions-1.21.3.tar.gz", "azure-functions");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->name, "azure_functions");
  EXPECT_EQ(s->version.str(), "1.21.3");
  EXPECT_EQ(s->extension, ".tar.gz");

  auto legacy = SdistFilename::parse("foo-bar-1.0.zip", "Foo.Bar");
  ASSERT_TRUE(legacy) << legacy.error().message;
  EXPECT_EQ(legacy->name, "foo-bar");
  EXPECT_EQ(legacy->version.str(), "1.0");
  EXPECT_EQ(legacy->extension, ".zip");

  // The project name decides the split: "foo" and "foo-bar" both have sdists here.
  auto foo = SdistFilename::parse("foo-2.0.tar.gz", "foo");
  ASSERT_TRUE(foo);
  EXPECT_EQ(foo->version.str(), "2.0");
  auto wrong = SdistFilename::parse("foo-bar-1.0.tar.gz", "foo");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().message,
            "invalid sdist filename 'foo-bar-1.0.tar.gz': invalid version 'bar-1.0'");
  EXPECT_EQ(wrong.error().location.column, 5);
  EXPECT_EQ(wrong.error().location.end_column, 12);
}

TEST(SdistFilename, Errors) {
  auto ext = SdistFilename::parse("foo-1.0.tar.bz2", "foo");
  ASSERT_FALSE(ext);
  EXPECT_EQ(ext.error().message,
            "invalid sdist filename 'foo-1.0.tar.bz2': extension must be '.tar.gz' or '.zip'");
  auto other = SdistFilename::parse("bar-1.0.tar.gz", "foo");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().message,
            "invalid sdist filename 'bar-1.0.tar.gz': name does not match project 'foo'");
  EXPECT_EQ(other.error().location.column, 1);
  EXPECT_EQ(other.error().location.end_column, 8);
  auto noversion = SdistFilename::parse("foo.tar.gz", "foo");
  ASSERT_FALSE(noversion);
  EXPECT_EQ(noversion.error().message,
            "invalid sdist filename 'foo.tar.gz': name does not match project 'foo'");
}

}  // namespace
}  // namespace funcpack
