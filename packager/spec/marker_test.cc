#include "spec/marker.h"

#include <gtest/gtest.h>

#include <string>

namespace funcpack {
namespace {

std::string str_of(std::string_view text) {
  auto m = Marker::parse(text);
  if (!m) return "ERROR: " + m.error().message;
  return m->str();
}

struct ParseError {
  std::string message;
  int column;
  int end_column;
};

ParseError error_of(std::string_view text) {
  auto m = Marker::parse(text);
  if (m) return {"parsed as " + m->str(), 0, 0};
  return {m.error().message, m.error().location.column, m.error().location.end_column};
}

void expect_error(std::string_view text, const std::string& message, int column, int end_column) {
  ParseError e = error_of(text);
  EXPECT_EQ(e.message, message) << text;
  EXPECT_EQ(e.column, column) << text;
  EXPECT_EQ(e.end_column, end_column) << text;
}

constexpr const char* kExpectedOperator =
    "Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in";

// Expected messages and spans are packaging 23.0's (span (s, e) -> column s+1, end e+2).
TEST(MarkerParse, ErrorsCarryPackagingMessageAndColumn) {
  expect_error("", "Expected a marker variable or quoted string", 1, 0);
  expect_error("os_name", kExpectedOperator, 8, 0);
  expect_error("os_name == ", "Expected a marker variable or quoted string", 12, 0);
  expect_error("os_name not \"a\"", "Expected 'in' after 'not'", 13, 0);
  expect_error("os_name notin \"a\"", kExpectedOperator, 9, 0);
  expect_error("os_name = \"a\"", kExpectedOperator, 9, 0);
  expect_error("os_name == \"a", "Expected a marker variable or quoted string", 12, 0);
  expect_error("Os_name == \"a\"", "Expected a marker variable or quoted string", 1, 0);
  expect_error("os_name == \"a\" and", "Expected a marker variable or quoted string", 19, 0);
  expect_error("(os_name == \"a\"", "Expected closing RIGHT_PARENTHESIS", 1, 17);
  expect_error("((os_name == \"a\") or os_name == \"b\"", "Expected closing RIGHT_PARENTHESIS",
               1, 37);
}

TEST(MarkerParse, DeliberateDifferences) {
  // packaging 23.0 ignores the rest; we do not.
  expect_error("os_name == \"a\" junk", "Expected end of marker expression", 16, 0);
  expect_error("os_name == \"a\")", "Expected end of marker expression", 15, 0);
  // No escapes in PEP 508 strings; the column points at the backslash.
  expect_error("os_name == \"a\\x41\"", "Backslash escapes are not supported in quoted strings",
               14, 0);
  expect_error("os_name == 'a\nb'", "Expected closing quote before the line break", 14, 0);
  expect_error(std::string_view("os_name == 'a\0'", 15), "NUL character in quoted string", 14, 0);
}

TEST(MarkerParse, NestingIsBounded) {
  auto nested = [](int depth) {
    return std::string(depth, '(') + "os_name == 'a'" + std::string(depth, ')');
  };
  EXPECT_EQ(str_of(nested(200)), "os_name == \"a\"");
  expect_error(nested(201), "Too deeply nested parentheses (more than 200)", 201, 0);
  expect_error(std::string(100000, '('), "Too deeply nested parentheses (more than 200)", 201,
               0);
}

TEST(MarkerParse, StrNormalises) {
  EXPECT_EQ(str_of("os.name=='posix'"), "os_name == \"posix\"");
  EXPECT_EQ(str_of("sys.platform=='linux'"), "sys_platform == \"linux\"");
  EXPECT_EQ(str_of("platform.machine=='x86_64'"), "platform_machine == \"x86_64\"");
  EXPECT_EQ(str_of("platform.version=='1'"), "platform_version == \"1\"");
  EXPECT_EQ(str_of("python_implementation=='CPython'"),
            "platform_python_implementation == \"CPython\"");
  EXPECT_EQ(str_of("platform.python_implementation=='CPython'"),
            "platform_python_implementation == \"CPython\"");
  EXPECT_EQ(str_of(" \tpython_version\t>=  '3.8' "), "python_version >= \"3.8\"");
  EXPECT_EQ(str_of("python_version not \t in '3.10'"), "python_version not in \"3.10\"");
  EXPECT_EQ(str_of("(python_version >= \"3.8\")"), "python_version >= \"3.8\"");
  EXPECT_EQ(str_of("((python_version >= \"3.8\"))"), "python_version >= \"3.8\"");
  EXPECT_EQ(str_of("os_name=='a'or(os_name=='b'and os_name=='c')"),
            "os_name == \"a\" or (os_name == \"b\" and os_name == \"c\")");
  EXPECT_EQ(str_of("(os_name == 'a' and os_name == 'b')"),
            "os_name == \"a\" and os_name == \"b\"");
  // Deliberate difference 4: packaging prints `... and os_name == "b" or os_name == "c"`.
  EXPECT_EQ(str_of("os_name == 'a' and ((os_name == 'b' or os_name == 'c'))"),
            "os_name == \"a\" and (os_name == \"b\" or os_name == \"c\")");
  // Deliberate difference 3: a value with '"' keeps single quotes.
  EXPECT_EQ(str_of("os_name == 'a\"b'"), "os_name == 'a\"b'");
  EXPECT_EQ(str_of("'x86' in platform_machine"), "\"x86\" in platform_machine");
  // Newline at the very end is Python's `$`.
  EXPECT_EQ(str_of("os_name == 'a'\n"), "os_name == \"a\"");
}

TEST(MarkerParse, ExtraIsNormalisedOnlyInTheFirstComparison) {
  EXPECT_EQ(str_of("extra == 'Foo_Bar'"), "extra == \"foo-bar\"");
  EXPECT_EQ(str_of("'Foo..Bar' == extra"), "\"foo-bar\" == extra");
  EXPECT_EQ(str_of("os_name == 'a' and extra == 'Foo_Bar'"),
            "os_name == \"a\" and extra == \"Foo_Bar\"");
  EXPECT_EQ(str_of("python_version == extra"), "\"python-version\" == extra");
  // Deliberate difference 7: normalised where str() prints it first, so str() is a fixed
  // point (packaging 23.0 keeps "Foo_Bar" in these two).
  EXPECT_EQ(str_of("(extra == 'Foo_Bar')"), "extra == \"foo-bar\"");
  EXPECT_EQ(str_of("((extra == 'Foo_Bar')) or os_name == 'a'"),
            "extra == \"foo-bar\" or os_name == \"a\"");
  EXPECT_EQ(str_of("(extra == 'Foo_Bar' or os_name == 'a') and os_name == 'b'"),
            "(extra == \"Foo_Bar\" or os_name == \"a\") and os_name == \"b\"");
}

class MarkerEval : public ::testing::Test {
 protected:
  MarkerEnvironment env = linux_target_environment("3.11.9");

  Result<bool> eval(std::string_view text, std::string_view extra = "") {
    auto m = Marker::parse(text);
    EXPECT_TRUE(m.has_value()) << text << ": " << (m ? "" : m.error().message);
    if (!m) return fail("unparsed");
    auto checked = m->evaluate_checked(env, extra);
    EXPECT_EQ(m->evaluate(env, extra), checked.value_or(false)) << text;
    return checked;
  }
  bool is_true(std::string_view text, std::string_view extra = "") {
    auto r = eval(text, extra);
    EXPECT_TRUE(r.has_value()) << text << ": " << (r ? "" : r.error().message);
    return r.value_or(false);
  }
  std::string error(std::string_view text, std::string_view extra = "") {
    auto r = eval(text, extra);
    return r ? "no error" : r.error().message;
  }
};

TEST_F(MarkerEval, VersionComparisonWhenTheRightSideIsASpecifier) {
  // "3.11" > "3.9" is false as strings, true as versions.
  EXPECT_TRUE(is_true("python_version > '3.9'"));
  EXPECT_FALSE(is_true("python_version < '3.10'"));
  EXPECT_TRUE(is_true("python_version >= '3.8'"));
  EXPECT_TRUE(is_true("python_full_version == '3.11.*'"));
  EXPECT_TRUE(is_true("python_version ~= '3.1'"));
  EXPECT_TRUE(is_true("python_version == '3.11.0'"));  // 3.11 == 3.11.0 as versions
  EXPECT_TRUE(is_true("python_version === '3.11'"));
  EXPECT_FALSE(is_true("python_version === '3.11.0'"));  // === is textual
  EXPECT_TRUE(is_true("'3.8' <= python_version"));       // literal on the left: same order
}

TEST_F(MarkerEval, PreReleasesAreAllowed) {
  env["python_full_version"] = "3.13.0rc1";
  EXPECT_TRUE(is_true("python_full_version >= '3.12'"));
  EXPECT_FALSE(is_true("python_full_version >= '3.13'"));
  // `<V` excludes pre-releases of V itself.
  EXPECT_FALSE(is_true("python_full_version < '3.13'"));
  EXPECT_TRUE(is_true("python_full_version < '3.13.0rc2'"));
}

TEST_F(MarkerEval, StringComparisonOtherwise) {
  EXPECT_TRUE(is_true("sys_platform < 'm'"));
  EXPECT_TRUE(is_true("platform_machine >= 'x'"));
  EXPECT_TRUE(is_true("os_name != 'nt'"));
  EXPECT_TRUE(is_true("python_version in '3.10 3.11'"));
  EXPECT_FALSE(is_true("python_version not in '3.10 3.11'"));
  EXPECT_TRUE(is_true("'lin' in sys_platform"));
  EXPECT_FALSE(is_true("sys_platform not in 'linux2'"));
  EXPECT_TRUE(is_true("'' in os_name"));
  EXPECT_FALSE(is_true("platform_system == 'linux'"));  // case-sensitive
}

TEST_F(MarkerEval, ExtraIsNormalisedOnBothSides) {
  EXPECT_TRUE(is_true("extra == 'Foo_Bar'", "foo-bar"));
  EXPECT_TRUE(is_true("extra == 'foo.bar'", "FOO__BAR"));
  EXPECT_TRUE(is_true("os_name == 'posix' and extra == 'Foo_Bar'", "foo.bar"));
  EXPECT_FALSE(is_true("extra == 'foo'", ""));
  EXPECT_TRUE(is_true("'Test' == extra", "test"));
  // "1.0" normalises to "1-0", still a version (1.post0): a version comparison, and "" is no
  // version.
  EXPECT_EQ(error("extra == '1.0'", ""), "Invalid version: '' (compared with ==1-0)");
}

TEST_F(MarkerEval, AndBindsTighterThanOr) {
  EXPECT_TRUE(is_true("os_name == 'nt' and sys_platform == 'win32' or os_name == 'posix'"));
  EXPECT_TRUE(is_true("os_name == 'posix' or os_name == 'nt' and sys_platform == 'win32'"));
  EXPECT_FALSE(is_true("(os_name == 'posix' or os_name == 'nt') and sys_platform == 'win32'"));
  EXPECT_FALSE(is_true("os_name == 'posix' and (sys_platform == 'win32' or os_name == 'nt')"));
}

TEST_F(MarkerEval, DeprecatedDottedNames) {
  EXPECT_TRUE(is_true(
      "os.name == 'posix' and sys.platform == 'linux' and platform.machine == 'x86_64' and "
      "platform.python_implementation == 'CPython' and python_implementation == 'CPython' and "
      "platform.version == '#82-Ubuntu SMP Mon Aug 26 2024'"));
}

TEST_F(MarkerEval, UndefinedComparisonsAreErrors) {
  EXPECT_EQ(error("os_name ~= 'posix'"), "Undefined comparison: 'posix' ~= 'posix'");
  EXPECT_EQ(error("os_name === 'posix'"), "Invalid version: 'posix' (compared with ===posix)");
  EXPECT_EQ(error("platform_release >= '5'"),
            "Invalid version: '5.15.0-1073-azure' (compared with >=5)");
  // Evaluated without short-circuit, so the error wins over the `or`.
  EXPECT_EQ(error("os_name == 'posix' or os_name ~= 'b'"),
            "Undefined comparison: 'posix' ~= 'b'");
  EXPECT_EQ(error("os_name == sys_platform"),
            "Cannot compare two variables: os_name == sys_platform");
  EXPECT_EQ(error("'a' == 'a'"), "Cannot compare two literals: \"a\" == \"a\"");
  env.erase("os_name");
  EXPECT_EQ(error("os_name == 'posix'"), "Undefined environment variable 'os_name'");
}

TEST(MarkerTarget, LinuxTargetEnvironment) {
  const MarkerEnvironment expected = {
      {"implementation_name", "cpython"},
      {"implementation_version", "3.12.4"},
      {"os_name", "posix"},
      {"platform_machine", "aarch64"},
      {"platform_python_implementation", "CPython"},
      {"platform_release", "5.15.0-1073-azure"},
      {"platform_system", "Linux"},
      {"platform_version", "#82-Ubuntu SMP Mon Aug 26 2024"},
      {"python_full_version", "3.12.4"},
      {"python_version", "3.12"},
      {"sys_platform", "linux"},
  };
  EXPECT_EQ(linux_target_environment("3.12.4", "aarch64"), expected);
  EXPECT_EQ(linux_target_environment("3.10.16").at("platform_machine"), "x86_64");
  EXPECT_EQ(linux_target_environment("3.10.16").at("python_version"), "3.10");
}

TEST(MarkerValue, CopiesAreIndependentAndEqual) {
  auto m = Marker::parse("python_version >= '3.8' and (os_name == 'posix' or extra == 'x')");
  ASSERT_TRUE(m.has_value());
  Marker copy = *m;
  Marker assigned = *Marker::parse("os_name == 'nt'");
  assigned = copy;
  Marker moved = std::move(copy);
  EXPECT_EQ(moved.str(), m->str());
  EXPECT_EQ(assigned.str(), m->str());
  EXPECT_EQ(m->str(), "python_version >= \"3.8\" and (os_name == \"posix\" or extra == \"x\")");
}

}  // namespace
}  // namespace funcpack
