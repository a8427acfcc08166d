#include "base/strings.h"

#include <gtest/gtest.h>

namespace funcpack {
namespace {

TEST(Strings, TrimAndCase) {
  EXPECT_EQ(trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(trim_left("  x "), "x ");
  EXPECT_EQ(trim_right("  x "), "  x");
  EXPECT_EQ(to_lower("AbC-1"), "abc-1");
  EXPECT_TRUE(iequals("Requests", "rEQUESTS"));
  EXPECT_FALSE(iequals("a", "ab"));
  EXPECT_TRUE(istarts_with("--Index-URL", "--index"));
}

TEST(Strings, SplitJoinReplace) {
  auto parts = split("a,,b,", ',');
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[1], "");
  EXPECT_EQ(parts[2], "b");
  EXPECT_EQ(join({"x", "y", "z"}, ", "), "x, y, z");
  EXPECT_EQ(replace_all("a-b-c", "-", "--"), "a--b--c");
  EXPECT_EQ(replace_all("abc", "", "x"), "abc");
}

}  // namespace
}  // namespace funcpack

namespace funcpack {
namespace {

TEST(Strings, AppendUtf8EncodesEveryLength) {
  std::string out;
  for (uint32_t cp : {0x41u, 0xE9u, 0x20ACu, 0x1F600u}) append_utf8(out, cp);
  EXPECT_EQ(out, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST(Strings, EscapeControlsKeepsTextOnOneLine) {
  EXPECT_EQ(escape_controls("a\nb\tc\rd\x01\x7f\\ e"), "a\\nb\\tc\\rd\\x01\\x7f\\ e");
  EXPECT_EQ(escape_controls("a\\b\n", true), "a\\\\b\\n");
  EXPECT_EQ(escape_controls("caf\xc3\xa9"), "caf\xc3\xa9");  // UTF-8 bytes pass through
}

}  // namespace
}  // namespace funcpack
