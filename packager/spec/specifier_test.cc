#include "spec/specifier.h"

#include <gtest/gtest.h>

#include "base/strings.h"

namespace funcpack {
namespace {

Version V(std::string_view text) {
  auto v = Version::parse(text);
  EXPECT_TRUE(v.has_value()) << text;
  return v ? *v : Version();
}

SpecifierSet S(std::string_view text) {
  auto s = SpecifierSet::parse(text);
  EXPECT_TRUE(s.has_value()) << text << ": " << (s ? "" : s.error().message);
  return s ? *s : SpecifierSet();
}

// The versions of `candidates` (space-separated) that `spec` contains, space-separated.
std::string matching(std::string_view spec, std::string_view candidates,
                     std::optional<bool> prereleases = std::nullopt) {
  SpecifierSet set = S(spec);
  std::string out;
  for (std::string_view c : split(candidates, ' ')) {
    if (set.contains(V(c), prereleases)) {
      if (!out.empty()) out += ' ';
      out += c;
    }
  }
  return out;
}

std::string filtered(std::string_view spec, std::string_view candidates,
                     std::optional<bool> prereleases = std::nullopt) {
  std::vector<Version> vs;
  if (!candidates.empty())
    for (std::string_view c : split(candidates, ' ')) vs.push_back(V(c));
  std::string out;
  for (const Version& v : S(spec).filter(vs, prereleases)) {
    if (!out.empty()) out += ' ';
    out += v.str();
  }
  return out;
}

TEST(Specifier, ParsesAndKeepsTextAsWritten) {
  auto s = Specifier::parse("  >= v1.0A1  ");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->op(), Specifier::Op::kGreaterEqual);
  EXPECT_EQ(s->op_str(), ">=");
  EXPECT_EQ(s->version_text(), "v1.0A1");
  EXPECT_EQ(s->version()->str(), "1.0a1");
  EXPECT_EQ(s->str(), ">=v1.0A1");  // packaging's str() does not normalise
  EXPECT_TRUE(s->names_prerelease());

  auto w = Specifier::parse("==1.0.*");
  ASSERT_TRUE(w.has_value());
  EXPECT_TRUE(w->is_wildcard());
  EXPECT_EQ(w->version_text(), "1.0");
  EXPECT_EQ(w->str(), "==1.0.*");

  auto a = Specifier::parse("===foo-bar");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->op(), Specifier::Op::kArbitrary);
  EXPECT_FALSE(a->version().has_value());
  EXPECT_EQ(a->str(), "===foo-bar");
  EXPECT_EQ(Specifier::parse("===")->str(), "===");  // packaging accepts an empty operand
}

TEST(Specifier, RejectsWithReasonAndColumn) {
  struct Case {
    const char* text;
    const char* reason;
    int column;
  };
  for (Case c : {
           Case{"", "expected an operator (==, !=, <=, >=, <, >, ~=, ===)", 1},
           Case{"1.0", "expected an operator (==, !=, <=, >=, <, >, ~=, ===)", 1},
           Case{"=>1.0", "expected an operator (==, !=, <=, >=, <, >, ~=, ===)", 1},
           Case{" >= ", "expected a version after '>='", 4},
           Case{">=1.0.*", "'.*' is allowed only with '==' and '!='", 6},
           Case{"==1.0a1.*",
                "'.*' must follow a release segment such as '1.2' (no pre, post, dev or local "
                "part)",
                6},
           Case{">=1.0+local", "a local version label is allowed only with '==' and '!='", 6},
           Case{"~=1", "'~=' needs a version with at least two release segments (~=X.Y)", 3},
           Case{"~=1.0+x", "a local version label is allowed only with '==' and '!='", 6},
           Case{"==1.0 a1", "invalid version '1.0 a1'", 6},
           Case{"<1.0;", "invalid version '1.0;'", 5},
           Case{"===a b", "'===' takes a version without whitespace, ';' or ')'", 5},
           Case{"===1.0)", "'===' takes a version without whitespace, ';' or ')'", 7},
       }) {
    auto s = Specifier::parse(c.text);
    ASSERT_FALSE(s.has_value()) << c.text;
    EXPECT_EQ(s.error().message,
              "invalid specifier '" + std::string(c.text) + "': " + c.reason);
    EXPECT_EQ(s.error().location.column, c.column) << c.text;
  }
}

TEST(SpecifierSet, StrSortsAndDeduplicatesLikePackaging) {
  EXPECT_EQ(S("").str(), "");
  EXPECT_EQ(S(" , ").str(), "");
  EXPECT_EQ(S(">=1.0, <2.0, !=1.5").str(), "!=1.5,<2.0,>=1.0");
  EXPECT_EQ(S(">=1.0,,<2").str(), "<2,>=1.0");
  EXPECT_EQ(S("==1.0,==1.0.0").str(), "==1.0");      // equal by canonical version
  EXPECT_EQ(S("==1.0.0,==1.0").str(), "==1.0.0");    // the first spelling wins
  EXPECT_EQ(S("~=1.0,~=1.0.0").str(), "~=1.0,~=1.0.0");  // ~= keeps trailing zeros
  EXPECT_EQ(S("==1.0.*,==1.0.0.*").str(), "==1.0.*,==1.0.0.*");
  EXPECT_EQ(S("===1.0,===1.0.0").str(), "===1.0");
  EXPECT_EQ(S(">=1.0").specifiers().size(), 1u);
  EXPECT_EQ((S(">=1.0,!=1.1") & S("<=2.0,!=1.1.0")).str(), "!=1.1,<=2.0,>=1.0");

  auto bad = SpecifierSet::parse(">=1.0, junk");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message,
            "invalid specifier 'junk': expected an operator (==, !=, <=, >=, <, >, ~=, ===)");
  EXPECT_EQ(bad.error().location.column, 8);
  auto bad2 = SpecifierSet::parse(">=1.0,  ~=2");
  ASSERT_FALSE(bad2.has_value());
  EXPECT_EQ(bad2.error().message,
            "invalid specifier '~=2': '~=' needs a version with at least two release segments "
            "(~=X.Y)");
  EXPECT_EQ(bad2.error().location.column, 11);  // the '2'
  EXPECT_EQ(bad2.error().location.end_column, 12);
}

TEST(Specifier, EquivalenceIsPackagingsEquality) {
  auto eq = [](std::string_view a, std::string_view b) {
    return Specifier::parse(a)->equivalent(*Specifier::parse(b));
  };
  EXPECT_TRUE(eq("==1.0", "== 1.0.0"));
  EXPECT_TRUE(eq(">=v1.0A1", ">=1.0.0a1"));
  EXPECT_TRUE(eq("==1.0+ABC", "==1.0+abc"));
  EXPECT_TRUE(eq("===1.0", "===1.0.0"));   // === canonicalises too, when the text parses
  EXPECT_FALSE(eq("===foo", "===FOO"));    // ... and compares as written when it does not
  EXPECT_FALSE(eq("~=1.0", "~=1.0.0"));    // ~= keeps trailing zeros
  EXPECT_FALSE(eq("==1.0.*", "==1.0.0.*"));  // wildcards compare as written
  EXPECT_FALSE(eq("==1.0.*", "==1.0"));
  EXPECT_FALSE(eq("==1.0", "!=1.0"));
  EXPECT_FALSE(eq("==1.0", "==1.0+local"));

  SpecifierSet set;
  set.add(*Specifier::parse(">=1.0"));
  set.add(*Specifier::parse(">= 1.0.0"));
  set.add(*Specifier::parse("<2"));
  ASSERT_EQ(set.specifiers().size(), 2u);
  EXPECT_EQ(set.specifiers()[0].str(), ">=1.0");
  EXPECT_EQ(set.str(), "<2,>=1.0");
}

TEST(SpecifierSet, EqualIgnoresLocalUnlessGiven) {
  EXPECT_EQ(matching("==1.0", "1.0 1.0.0 1 1.0+local 1.0.post1 1.0.1"), "1.0 1.0.0 1 1.0+local");
  EXPECT_EQ(matching("==1.0+abc", "1.0 1.0+abc 1.0+ABC 1.0.0+abc 1.0+abc.0"),
            "1.0+abc 1.0+ABC 1.0.0+abc");
  EXPECT_EQ(matching("!=1.0", "1.0 1.0+x 1.0.1"), "1.0.1");
}

TEST(SpecifierSet, Wildcards) {
  EXPECT_EQ(matching("==1.0.*", "1 1.0 1.0.5 1.0.post1 1.0+x 1.1 1.01 0.9"),
            "1 1.0 1.0.5 1.0.post1 1.0+x");  // 1.01 is 1.1
  EXPECT_EQ(matching("==1.0.*", "1.0a1 1.0.dev0", true), "1.0a1 1.0.dev0");
  EXPECT_EQ(matching("!=1.0.*", "1.0 1.0.1 1.1 0.9"), "1.1 0.9");
  // packaging's quirk: with an epoch the canonical "1!1" item is not numeric, so no padding.
  EXPECT_EQ(matching("==1!1.0.*", "1!1.0 1!1.0.1 1!1 1.0"), "1!1.0.1");
  EXPECT_EQ(matching("==1!1.*", "1!1 1!1.0 1!1.5 1!2 1.0"), "1!1 1!1.0 1!1.5");
}

TEST(SpecifierSet, Compatible) {
  EXPECT_EQ(matching("~=1.4.5", "1.4.4 1.4.5 1.4.9 1.4.5.post1 1.5 2.0"),
            "1.4.5 1.4.9 1.4.5.post1");
  EXPECT_EQ(matching("~=1.4", "1.3 1.4 1.9 2.0 1!1.4"), "1.4 1.9");
  EXPECT_EQ(matching("~=1.4.5a1", "1.4.5a1 1.4.5 1.4.9 1.5", true), "1.4.5a1 1.4.5 1.4.9");
  // The prefix comes from the text as written, case-sensitively (packaging's rule).
  EXPECT_EQ(matching("~=1.4.a1", "1.4 1.9 2.0"), "1.4 1.9");
  EXPECT_EQ(matching("~=1.4.A1", "1.4 1.9 2.0"), "1.4");
}

TEST(SpecifierSet, OrderedComparisons) {
  // <V excludes pre-releases of V unless V is one.
  EXPECT_EQ(matching("<1.0", "0.9 0.9a1 1.0a1 1.0.dev0 1.0 0.9.post1 1.0+x", true),
            "0.9 0.9a1 0.9.post1");
  EXPECT_EQ(matching("<1.0a2", "1.0a1 1.0.dev0 1.0a2 0.9", true), "1.0a1 1.0.dev0 0.9");
  // "<" is exclusive, so "<1.0a2" does not name a pre-release: none is accepted by default.
  EXPECT_EQ(matching("<1.0a2", "1.0a1 1.0.dev0 1.0a2 0.9"), "0.9");
  // >V excludes post-releases of V unless V is one, and local versions of V.
  EXPECT_EQ(matching(">1.0", "1.0 1.0.post1 1.0+local 1.0.0.post1 1.0.1 1.1a1", true),
            "1.0.1 1.1a1");
  EXPECT_EQ(matching(">1.0.post1", "1.0.post1 1.0.post2 1.0.post1+x 1.0.1"),
            "1.0.post2 1.0.1");
  // <= and >= compare public versions.
  EXPECT_EQ(matching("<=1.0", "1.0+local 1.0 1.0.post1 0.9"), "1.0+local 1.0 0.9");
  EXPECT_EQ(matching(">=1.0", "1.0+local 0.9+x 1.0"), "1.0+local 1.0");
}

TEST(SpecifierSet, Arbitrary) {
  EXPECT_EQ(matching("===1.0", "1.0 v1.0 1.0.0 1.0+x"), "1.0 v1.0");
  EXPECT_EQ(matching("===1.0+ABC", "1.0+abc 1.0"), "1.0+abc");
  EXPECT_EQ(matching("===foo", "1.0"), "");
}

TEST(SpecifierSet, PrereleasesInContains) {
  EXPECT_FALSE(S(">=1.0").names_prerelease());
  EXPECT_TRUE(S(">=1.0a1").names_prerelease());
  EXPECT_TRUE(S("<2,~=1.0rc1").names_prerelease());
  EXPECT_FALSE(S("!=1.0a1").names_prerelease());  // exclusive operators never name one
  EXPECT_FALSE(S("<1.0a1").names_prerelease());
  EXPECT_FALSE(S("==1.*").names_prerelease());
  EXPECT_FALSE(S("===foo").names_prerelease());  // deliberate: packaging raises here

  EXPECT_EQ(matching(">=1.0", "1.0 2.0a1 2.0.dev1"), "1.0");
  EXPECT_EQ(matching(">=1.0", "1.0 2.0a1 2.0.dev1", true), "1.0 2.0a1 2.0.dev1");
  EXPECT_EQ(matching(">=1.0a1", "1.0 2.0a1 2.0.dev1"), "1.0 2.0a1 2.0.dev1");
  EXPECT_EQ(matching(">=1.0a1", "1.0 2.0a1", false), "1.0");
  EXPECT_EQ(matching("", "1.0 1.0a1"), "1.0");  // the empty set still rejects pre-releases
  EXPECT_EQ(matching("", "1.0 1.0a1", true), "1.0 1.0a1");
  EXPECT_EQ(matching("!=1.0a1", "1.0a2 1.0"), "1.0");
}

TEST(SpecifierSet, PrereleasesInFilter) {
  // A non-empty set never falls back to pre-releases (packaging 23.0).
  EXPECT_EQ(filtered(">=1.2.3", "1.2 1.3 1.5a1"), "1.3");
  EXPECT_EQ(filtered(">=1.2.3", "1.2 1.5a1"), "");
  EXPECT_EQ(filtered(">=1.2.3", "1.3 1.5a1", true), "1.3 1.5a1");
  EXPECT_EQ(filtered(">=1.2.3a1", "1.3 1.5a1"), "1.3 1.5a1");
  EXPECT_EQ(filtered(">=1.2.3a1", "1.3 1.5a1", false), "1.3");
  // The empty set falls back when nothing final is offered and prereleases is unset.
  EXPECT_EQ(filtered("", "1.3 1.5a1"), "1.3");
  EXPECT_EQ(filtered("", "1.5a1 1.6.dev0"), "1.5a1 1.6.dev0");
  EXPECT_EQ(filtered("", "1.5a1", false), "");
  EXPECT_EQ(filtered("", "1.3 1.5a1", true), "1.3 1.5a1");
  EXPECT_EQ(filtered("", ""), "");
  // Input order is kept.
  EXPECT_EQ(filtered("!=2", "3 1 2 0.5"), "3 1 0.5");
}

}  // namespace
}  // namespace funcpack
