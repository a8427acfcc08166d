#include "spec/package_name.h"

#include <gtest/gtest.h>

namespace funcpack {
namespace {

TEST(PackageName, NormalizeLikePep503) {
  EXPECT_EQ(normalize_name("Foo.Bar__baz"), "foo-bar-baz");
  EXPECT_EQ(normalize_name("azure-functions"), "azure-functions");
  EXPECT_EQ(normalize_name("Azure_Functions"), "azure-functions");
  EXPECT_EQ(normalize_name("zope.interface"), "zope-interface");
  EXPECT_EQ(normalize_name("a-_.-b"), "a-b");
  EXPECT_EQ(normalize_name("--x--"), "-x-");  // normalises, does not validate
  EXPECT_EQ(normalize_name(""), "");
}

TEST(PackageName, ValidityIsPep508Identifier) {
  for (const char* ok : {"a", "A", "0", "requests", "Foo.Bar_baz-9", "a.b", "x1"})
    EXPECT_TRUE(is_valid_name(ok)) << ok;
  for (const char* bad : {"", "-a", "a-", ".a", "a_", "a b", "a~b", "a/b", "caf\xc3\xa9", "a!"})
    EXPECT_FALSE(is_valid_name(bad)) << bad;
}

}  // namespace
}  // namespace funcpack
