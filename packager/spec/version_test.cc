#include "spec/version.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace funcpack {

void PrintTo(const Version& v, std::ostream* os) { *os << "Version(" << v.str() << ")"; }

namespace {

std::string norm(std::string_view text) {
  auto v = Version::parse(text);
  return v ? v->str() : "ERR: " + v.error().message;
}

Version V(std::string_view text) {
  auto v = Version::parse(text);
  EXPECT_TRUE(v.has_value()) << text;
  return v ? *v : Version();
}

TEST(Version, NormalisesSpellings) {
  EXPECT_EQ(norm("1.0"), "1.0");
  EXPECT_EQ(norm("1.0.0"), "1.0.0");  // str() keeps the release as written
  EXPECT_EQ(norm("01.02.003"), "1.2.3");
  EXPECT_EQ(norm("v1.0"), "1.0");
  EXPECT_EQ(norm("V1.0"), "1.0");
  EXPECT_EQ(norm("  1.0\t\n"), "1.0");
  EXPECT_EQ(norm("\x1c" "1.0\x1f"), "1.0");  // Python's whitespace includes \x1c-\x1f
  EXPECT_EQ(norm("1!2.0"), "1!2.0");
  EXPECT_EQ(norm("0!2.0"), "2.0");
  EXPECT_EQ(norm("1.0alpha1"), "1.0a1");
  EXPECT_EQ(norm("1.0-ALPHA-1"), "1.0a1");
  EXPECT_EQ(norm("1.0.beta_2"), "1.0b2");
  EXPECT_EQ(norm("1.0c3"), "1.0rc3");
  EXPECT_EQ(norm("1.0pre4"), "1.0rc4");
  EXPECT_EQ(norm("1.0preview5"), "1.0rc5");
  EXPECT_EQ(norm("1.0RC"), "1.0rc0");
  EXPECT_EQ(norm("1.0a."), "1.0a0");
  EXPECT_EQ(norm("1.0-1"), "1.0.post1");
  EXPECT_EQ(norm("1.0-0"), "1.0.post0");
  EXPECT_EQ(norm("1.0r"), "1.0.post0");
  EXPECT_EQ(norm("1.0.rev2"), "1.0.post2");
  EXPECT_EQ(norm("1.0-post-3"), "1.0.post3");
  EXPECT_EQ(norm("1.0a--1"), "1.0a0.post1");
  EXPECT_EQ(norm("1.0dev"), "1.0.dev0");
  EXPECT_EQ(norm("1.0_DEV_7"), "1.0.dev7");
  EXPECT_EQ(norm("1.0+AbC-01_x.7"), "1.0+abc.1.x.7");
  EXPECT_EQ(norm("1!2.0a1.post2.dev3+abc.4"), "1!2.0a1.post2.dev3+abc.4");
  EXPECT_EQ(norm("18446744073709551615"), "18446744073709551615");
}

TEST(Version, RejectsWithColumn) {
  struct Case {
    const char* text;
    int column;
  };
  for (Case c : {Case{"", 1}, Case{"x", 1}, Case{"1.0foo", 4}, Case{"1..0", 2},
                 Case{"1.0-", 4}, Case{"1.0+", 4}, Case{"1.0+abc.", 8}, Case{"1!", 3},
                 Case{"1.0 a1", 4}, Case{"1.0a1b1", 6}, Case{"1.0.*", 4},
                 Case{"1.0.dev1.post1", 9}, Case{"1.0\xc3\xa4", 4}}) {
    auto v = Version::parse(c.text);
    ASSERT_FALSE(v.has_value()) << c.text;
    EXPECT_EQ(v.error().message, "invalid version '" + std::string(c.text) + "'");
    EXPECT_EQ(v.error().location.column, c.column) << c.text;
    EXPECT_EQ(v.error().location.end_column, int(std::string_view(c.text).size()) + 1);
  }
}

TEST(Version, NumbersAboveUint64AreADeliberateError) {
  auto v = Version::parse("1.18446744073709551616");
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().message, "invalid version '1.18446744073709551616': number too large");
  EXPECT_EQ(v.error().location.column, 3);
  EXPECT_FALSE(Version::parse("1.0+99999999999999999999").has_value());
  EXPECT_EQ(norm("0000000000000000000000001.0"), "1.0");  // leading zeros never overflow
}

TEST(Version, Parts) {
  Version v = V("1!2.3.4rc5.post6.dev7+Ubuntu.8");
  EXPECT_EQ(v.epoch(), 1u);
  EXPECT_EQ(v.release(), (std::vector<uint64_t>{2, 3, 4}));
  ASSERT_TRUE(v.pre().has_value());
  EXPECT_EQ(v.pre()->kind, Version::PreKind::kRc);
  EXPECT_EQ(v.pre()->number, 5u);
  EXPECT_EQ(v.post(), 6u);
  EXPECT_EQ(v.dev(), 7u);
  ASSERT_EQ(v.local().size(), 2u);
  EXPECT_EQ(std::get<std::string>(v.local()[0]), "ubuntu");
  EXPECT_EQ(std::get<uint64_t>(v.local()[1]), 8u);
  EXPECT_TRUE(v.is_prerelease());
  EXPECT_TRUE(v.is_postrelease());
  EXPECT_TRUE(v.is_devrelease());
  EXPECT_TRUE(v.has_local());
  EXPECT_EQ(v.public_version().str(), "1!2.3.4rc5.post6.dev7");
  EXPECT_EQ(v.base_version().str(), "1!2.3.4");
  EXPECT_EQ(V("1.0.0.post1").canonical_str(), "1.post1");
  EXPECT_EQ(V("0.0").canonical_str(), "0");
  EXPECT_EQ(V("1.10.0").canonical_str(), "1.10");

  EXPECT_FALSE(V("1.0.post1").is_prerelease());
  EXPECT_TRUE(V("1.0.dev1").is_prerelease());
  EXPECT_EQ(Version::from_release({3, 11, 4}).str(), "3.11.4");
  EXPECT_EQ(Version::from_release({}).str(), "0");
}

// PEP 440's ordering, strictly increasing (each adjacent pair checked both ways).
TEST(Version, OrderingChain) {
  const char* chain[] = {
      "1.0.dev0",   "1.0.dev1",    "1.0a1.dev0", "1.0a1",          "1.0a1.post0.dev0",
      "1.0a1.post0", "1.0a2",      "1.0b1",      "1.0rc1",         "1.0",
      "1.0+abc",    "1.0+abc.a",   "1.0+abc.0",  "1.0+0",          "1.0+2",
      "1.0+10",     "1.0.post0.dev0", "1.0.post0", "1.0.post1",    "1.0.post1+x",
      "1.0.1.dev0", "1.0.1",       "1.1",        "1.10",           "2",
      "1!0.1"};
  for (size_t i = 0; i + 1 < std::size(chain); ++i) {
    EXPECT_LT(V(chain[i]), V(chain[i + 1])) << chain[i] << " < " << chain[i + 1];
    EXPECT_GT(V(chain[i + 1]), V(chain[i])) << chain[i + 1] << " > " << chain[i];
  }
  // Sorting a shuffled copy restores the chain.
  std::vector<Version> shuffled;
  for (const char* t : chain) shuffled.push_back(V(t));
  std::mt19937 rng(440);
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  std::sort(shuffled.begin(), shuffled.end());
  for (size_t i = 0; i < std::size(chain); ++i) EXPECT_EQ(shuffled[i].str(), V(chain[i]).str());
}

TEST(Version, EqualityIgnoresSpellingAndTrailingZeros) {
  EXPECT_EQ(V("1.0"), V("1.0.0"));
  EXPECT_EQ(V("1"), V("1.0.0.0"));
  EXPECT_EQ(V("1.0a1"), V("1.0.0-ALPHA.1"));
  EXPECT_EQ(V("1.0+01"), V("1.0+1"));
  EXPECT_EQ(V("1.0+ABC"), V("1.0+abc"));
  EXPECT_NE(V("1.0"), V("1.0+0"));
  EXPECT_NE(V("1.0+a"), V("1.0+a.0"));
  EXPECT_NE(V("1.0"), V("0!1.0.post0"));
  EXPECT_NE(V("1.0.dev0"), V("1.0a0"));
}

}  // namespace
}  // namespace funcpack
