#include "spec/requirement.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace funcpack {
namespace {

std::string str_of(std::string_view text) {
  auto r = Requirement::parse(text);
  if (!r) return "ERROR: " + r.error().message;
  return r->str();
}

void expect_error(std::string_view text, const std::string& message, int column,
                  int end_column) {
  auto r = Requirement::parse(text);
  ASSERT_FALSE(r.has_value()) << text << " parsed as " << r->str();
  EXPECT_EQ(r.error().message, message) << text;
  EXPECT_EQ(r.error().location.column, column) << text;
  EXPECT_EQ(r.error().location.end_column, end_column) << text;
  EXPECT_EQ(r.error().location.line, 0) << text;
}

TEST(RequirementParse, Fields) {
  auto r = Requirement::parse(
      "Foo.Bar [Security , socks] (>= 1.0 , < 2) ; python_version >= \"3.8\"");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->name, "Foo.Bar");
  EXPECT_EQ(r->normalized_name(), "foo-bar");
  EXPECT_EQ(r->extras, (std::vector<std::string>{"Security", "socks"}));
  EXPECT_EQ(r->specifier.str(), "<2,>=1.0");
  EXPECT_EQ(r->url, "");
  ASSERT_TRUE(r->marker.has_value());
  EXPECT_EQ(r->marker->str(), "python_version >= \"3.8\"");
  EXPECT_EQ(r->str(), "Foo.Bar[Security,socks]<2,>=1.0; python_version >= \"3.8\"");
}

TEST(RequirementParse, Extras) {
  auto r = Requirement::parse("foo[b,a,b]");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->extras, (std::vector<std::string>{"b", "a"}));  // order kept, duplicate gone
  EXPECT_EQ(r->str(), "foo[a,b]");
  EXPECT_EQ(str_of("foo[ ]"), "foo");
  EXPECT_EQ(str_of("foo[\tx_ ,y.z]>=1"), "foo[x_,y.z]>=1");
}

TEST(RequirementParse, SpecifierForms) {
  EXPECT_EQ(str_of("foo>=1.0,<2"), "foo<2,>=1.0");
  EXPECT_EQ(str_of("foo (>=1.0)"), "foo>=1.0");
  EXPECT_EQ(str_of("foo>= V1.0RC1,==2.*"), "foo==2.*,>=V1.0RC1");  // packaging keeps spelling
  EXPECT_EQ(str_of("foo>=\n1.0"), "foo>=1.0");  // Python's \s inside the specifier token
  EXPECT_EQ(str_of("foo==1.0.*"), "foo==1.0.*");
  EXPECT_EQ(str_of("foo~=1.4.5"), "foo~=1.4.5");
  EXPECT_EQ(str_of("foo===x"), "foo===x");
  EXPECT_EQ(str_of("foo==="), "foo===");
  EXPECT_EQ(str_of("foo>=1.0,>=1.0.0"), "foo>=1.0");  // equal specifiers collapse
}

TEST(RequirementParse, NamesAsPackagingTokenisesThem) {
  EXPECT_EQ(str_of("foo_"), "foo_");
  EXPECT_EQ(str_of(" foo \n"), "foo");
  auto r = Requirement::parse("Zope.Interface__x");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->normalized_name(), "zope-interface-x");
}

TEST(RequirementParse, Urls) {
  auto r = Requirement::parse("foo @ https://example.com/foo-1.0.whl ; os_name == \"posix\"");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->url, "https://example.com/foo-1.0.whl");
  ASSERT_TRUE(r->marker.has_value());
  EXPECT_EQ(r->str(), "foo@ https://example.com/foo-1.0.whl ; os_name == \"posix\"");
  EXPECT_TRUE(r->specifier.empty());

  // Without whitespace before ';' the marker is part of the URL.
  r = Requirement::parse("foo @ https://x/y;os_name==\"posix\"");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->url, "https://x/y;os_name==\"posix\"");
  EXPECT_FALSE(r->marker.has_value());

  EXPECT_EQ(str_of("foo[bar]@git+https://github.com/a/b.git@v1"),
            "foo[bar]@ git+https://github.com/a/b.git@v1");
  EXPECT_EQ(str_of("foo @ file:///tmp/foo.whl "), "foo@ file:///tmp/foo.whl");
  EXPECT_EQ(str_of("foo @ file://localhost/x"), "foo@ file://localhost/x");
}

TEST(RequirementParse, SyntaxErrors) {
  expect_error("", "Expected package name at the start of dependency specifier", 1, 0);
  expect_error("-foo", "Expected package name at the start of dependency specifier", 1, 0);
  expect_error("foo>=1.0 bar", "Expected end or semicolon (after version specifier)", 4, 11);
  expect_error("foo bar", "Expected end or semicolon (after name and no valid version specifier)",
               5, 0);
  expect_error("foo-", "Expected end or semicolon (after name and no valid version specifier)", 4,
               0);
  expect_error("foo[bar", "Expected closing RIGHT_BRACKET", 4, 9);
  expect_error("foo[bar baz]", "Expected comma between extra names", 9, 0);
  expect_error("foo[bar,]", "Expected extra name after comma", 9, 0);
  expect_error("foo (>=1.0", "Expected closing RIGHT_PARENTHESIS", 5, 12);
  expect_error("foo @ ", "Expected URL after @", 7, 0);
  expect_error("foo @ http://x/y ;", "Expected a marker variable or quoted string", 19, 0);
  expect_error("foo @ http://x/y os_name==\"a\"",
               "Expected end or semicolon (after URL and whitespace)", 7, 19);
  expect_error("foo>=1.0; os_name",
               "Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in", 18,
               0);
  expect_error("foo;os_name==\"a\" junk", "Expected end of dependency specifier", 18, 0);
}

TEST(RequirementParse, UrlErrorsSpanTheUrl) {
  expect_error("foo @ file:/x", "Invalid URL given", 7, 14);
  expect_error("foo @ FILE:///x", "Invalid URL given", 7, 16);
  expect_error("foo @ file:///x?", "Invalid URL given", 7, 17);
  expect_error("foo @ /local/x", "Invalid URL: /local/x", 7, 15);
  expect_error("foo @ http:x", "Invalid URL: http:x", 7, 13);
  expect_error("foo @ http://[::1/x", "Invalid IPv6 URL", 7, 20);
}

TEST(RequirementParse, ArbitraryOperandWithACommaIsSplitLikePackaging) {
  // The `===` token takes "a,b"; SpecifierSet then splits on ',' and "b" is no specifier.
  expect_error("foo ===a,b", "invalid specifier 'b': expected an operator (==, !=, <=, >=, <, "
               ">, ~=, ===)", 5, 11);
  EXPECT_EQ(str_of("foo===a,>=1"), "foo===a,>=1");
}

TEST(RequirementParse, NumbersBeyond64BitsPointAtTheirClause) {
  // packaging accepts these (unbounded ints); funcpack's versions stop at 64 bits (version.h).
  expect_error("foo>=1, <99999999999999999999999 ; os_name == 'a'",
               "invalid specifier '<99999999999999999999999': invalid version "
               "'99999999999999999999999': number too large",
               9, 33);
}

}  // namespace
}  // namespace funcpack
