#include "inputs/pyproject_metadata.h"

#include <gtest/gtest.h>

#include "base/fs.h"
#include "spec/metadata.h"

namespace funcpack {
namespace {

// "LOCATION[-END]: message" for an error, "not static (ID) LOCATION: message" for NotStatic,
// the core metadata text for StaticMetadata.
std::string outcome(std::string_view text) {
  auto r = parse_pyproject_metadata(text, "proj/pyproject.toml");
  if (!r) {
    const Location& l = r.error().location;
    return l.str() + (l.end_column ? "-" + std::to_string(l.end_column) : "") + ": " +
           r.error().message;
  }
  if (const auto* n = std::get_if<NotStatic>(&*r))
    return "not static (" + std::string(reason_id(n->reason)) + ") " + n->location.str() + ": " +
           n->message;
  return std::get<StaticMetadata>(*r).core_metadata;
}

StaticMetadata static_of(std::string_view text) {
  auto r = parse_pyproject_metadata(text, "proj/pyproject.toml");
  EXPECT_TRUE(r) << r.error().location.str() << ": " << r.error().message;
  if (!r) return {};
  const auto* m = std::get_if<StaticMetadata>(&*r);
  EXPECT_TRUE(m) << "not static: " << std::get<NotStatic>(*r).message;
  return m ? *m : StaticMetadata{};
}

// The Requires-Dist values CoreMetadata::parse reads back from the generated text.
std::vector<std::string> reparsed_requires_dist(const StaticMetadata& m) {
  auto core = CoreMetadata::parse(m.core_metadata, "core");
  EXPECT_TRUE(core) << core.error().location.str() << ": " << core.error().message;
  std::vector<std::string> out;
  if (core)
    for (const Requirement& r : core->requires_dist) out.push_back(r.str());
  return out;
}

constexpr std::string_view kFull = R"([build-system]
requires = ["hatchling"]

[project]
name = "Foo.Bar_baz"
version = "v1.0-RC1"
requires-python = ">= 3.9, <4"
description = "not read"
readme = "README.md"
dependencies = [
  "requests >=2.0",
  "tomli; python_version < '3.11'",
]

[project.optional-dependencies]
Test_Extra = ["pytest>=7", "pytest-xdist; os_name == 'posix' or os_name == 'nt'"]
socks = []

[tool.black]
line-length = 99
)";

TEST(PyprojectMetadata, StaticProjectGivesEveryFieldAndCoreMetadata) {
  EXPECT_EQ(outcome(kFull),
            "Metadata-Version: 2.3\n"
            "Name: Foo.Bar_baz\n"
            "Version: 1.0rc1\n"
            "Requires-Python: <4,>=3.9\n"
            "Requires-Dist: requests>=2.0\n"
            "Requires-Dist: tomli; python_version < \"3.11\"\n"
            "Provides-Extra: test-extra\n"
            "Requires-Dist: pytest>=7; extra == \"test-extra\"\n"
            "Requires-Dist: pytest-xdist; (os_name == \"posix\" or os_name == \"nt\") and "
            "extra == \"test-extra\"\n"
            "Provides-Extra: socks\n");
  StaticMetadata m = static_of(kFull);
  EXPECT_EQ(m.name, "Foo.Bar_baz");
  EXPECT_EQ(m.normalized_name, "foo-bar-baz");
  EXPECT_EQ(m.version.str(), "1.0rc1");
  ASSERT_TRUE(m.requires_python);
  EXPECT_EQ(m.requires_python->str(), "<4,>=3.9");
  EXPECT_EQ(m.requires_python_text, ">= 3.9, <4");
  ASSERT_EQ(m.dependencies.size(), 2u);
  EXPECT_EQ(m.dependencies[1].str(), "tomli; python_version < \"3.11\"");
  ASSERT_EQ(m.extras.size(), 2u);
  EXPECT_EQ(m.extras[0].name, "test-extra");
  EXPECT_EQ(m.extras[0].key, "Test_Extra");
  ASSERT_EQ(m.extras[0].requirements.size(), 2u);
  // The extras keep their own markers; only the core metadata carries `extra == ...`.
  EXPECT_EQ(m.extras[0].requirements[1].str(),
            "pytest-xdist; os_name == \"posix\" or os_name == \"nt\"");
  EXPECT_EQ(m.extras[1].name, "socks");
  EXPECT_TRUE(m.extras[1].requirements.empty());
}

TEST(PyprojectMetadata, CoreMetadataParsesBackToTheSameRequirements) {
  StaticMetadata m = static_of(kFull);
  auto core = CoreMetadata::parse(m.core_metadata, "core");
  ASSERT_TRUE(core) << core.error().message;
  EXPECT_EQ(core->metadata_version, "2.3");
  EXPECT_EQ(core->name, "Foo.Bar_baz");
  EXPECT_EQ(core->version, m.version);
  EXPECT_EQ(core->requires_python_text, "<4,>=3.9");
  EXPECT_EQ(core->provides_extra, (std::vector<std::string>{"test-extra", "socks"}));
  EXPECT_EQ(reparsed_requires_dist(m),
            (std::vector<std::string>{
                "requests>=2.0", "tomli; python_version < \"3.11\"",
                "pytest>=7; extra == \"test-extra\"",
                "pytest-xdist; (os_name == \"posix\" or os_name == \"nt\") and extra == "
                "\"test-extra\""}));
  // And the extra markers select exactly the extra's requirements.
  const MarkerEnvironment env = linux_target_environment("3.12.8");
  ASSERT_EQ(core->requires_dist.size(), 4u);
  EXPECT_FALSE(core->requires_dist[3].marker->evaluate(env, ""));
  EXPECT_TRUE(core->requires_dist[3].marker->evaluate(env, "Test_Extra"));
  EXPECT_FALSE(core->requires_dist[3].marker->evaluate(env, "socks"));
}

TEST(PyprojectMetadata, MissingDependenciesThatAreNotDynamicMeanNone) {
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = '1'\n"),
            "Metadata-Version: 2.3\nName: x\nVersion: 1\n");
  StaticMetadata m = static_of("[project]\nname = 'x'\nversion = '1'\n");
  EXPECT_TRUE(m.dependencies.empty());
  EXPECT_TRUE(m.extras.empty());
  EXPECT_FALSE(m.requires_python);
  EXPECT_EQ(m.requires_python_text, "");
}

TEST(PyprojectMetadata, EmptyRequiresPythonIsKeptButNotWritten) {
  StaticMetadata m = static_of("[project]\nname = 'x'\nversion = '1'\nrequires-python = ''\n");
  ASSERT_TRUE(m.requires_python);
  EXPECT_TRUE(m.requires_python->empty());
  EXPECT_EQ(m.core_metadata, "Metadata-Version: 2.3\nName: x\nVersion: 1\n");
}

TEST(PyprojectMetadata, ExtraMarkersAreAndedWithParenthesesWhereNeeded) {
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = '1'\n"
                    "optional-dependencies.e = [\n"
                    "  \"a; python_version < '3.11'\",\n"
                    "  \"b; os_name == 'posix' and python_version >= '3.10'\",\n"
                    "  \"c; (os_name == 'nt')\",\n"
                    "  \"d; extra == 'Other_One'\",\n"
                    "  \"E[Sub_X] (>=1, <2)\",\n"
                    "  \"f @ https://e.org/f-1.0-py3-none-any.whl ; os_name == 'nt'\",\n"
                    "  'g @ https://e.org/g.tar.gz',\n"
                    "  \"x[other]\",\n"
                    "]\n"),
            "Metadata-Version: 2.3\nName: x\nVersion: 1\n"
            "Provides-Extra: e\n"
            "Requires-Dist: a; python_version < \"3.11\" and extra == \"e\"\n"
            "Requires-Dist: b; (os_name == \"posix\" and python_version >= \"3.10\") and "
            "extra == \"e\"\n"
            "Requires-Dist: c; os_name == \"nt\" and extra == \"e\"\n"
            "Requires-Dist: d; extra == \"other-one\" and extra == \"e\"\n"
            "Requires-Dist: E[Sub_X]<2,>=1; extra == \"e\"\n"
            "Requires-Dist: f@ https://e.org/f-1.0-py3-none-any.whl ; os_name == \"nt\" and "
            "extra == \"e\"\n"
            "Requires-Dist: g@ https://e.org/g.tar.gz ; extra == \"e\"\n"
            "Requires-Dist: x[other]; extra == \"e\"\n");
}

TEST(PyprojectMetadata, CoreMetadataRoundTripsEveryRequirementShape) {
  StaticMetadata m = static_of(
      "[project]\nname = 'x'\nversion = '1'\n"
      "dependencies = [\"u @ file:///tmp/u.whl ; os_name == 'a\\\"b'\", \"v===odd; "
      "os_name=='\\t'\"]\n"
      "optional-dependencies.e = [\"w; os_name == 'a' or os_name == 'b' and os_name == 'c'\"]\n");
  EXPECT_EQ(reparsed_requires_dist(m),
            (std::vector<std::string>{
                "u@ file:///tmp/u.whl ; os_name == 'a\"b'", "v===odd; os_name == \"\t\"",
                "w; (os_name == \"a\" or os_name == \"b\" and os_name == \"c\") and extra == "
                "\"e\""}));
}

TEST(PyprojectMetadata, ExtrasKeepFileOrder) {
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = '1'\n"
                    "optional-dependencies = { zeta = [], Alpha = ['a'], mid = [] }\n"),
            "Metadata-Version: 2.3\nName: x\nVersion: 1\n"
            "Provides-Extra: zeta\nProvides-Extra: alpha\n"
            "Requires-Dist: a; extra == \"alpha\"\nProvides-Extra: mid\n");
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = '1'\n[project.optional-dependencies]\n"
                    "b = []\n\"a.B\" = []\n"),
            "Metadata-Version: 2.3\nName: x\nVersion: 1\nProvides-Extra: b\nProvides-Extra: a-b\n");
}

TEST(PyprojectMetadata, ProjectTableMayBeInlineOrDotted) {
  EXPECT_EQ(outcome("project = { name = 'x', version = '2.0', dependencies = ['y'] }\n"),
            "Metadata-Version: 2.3\nName: x\nVersion: 2.0\nRequires-Dist: y\n");
  EXPECT_EQ(outcome("project.name = 'x'\nproject.version = '2.0'\n"),
            "Metadata-Version: 2.3\nName: x\nVersion: 2.0\n");
}

TEST(PyprojectMetadata, NotStaticReasons) {
  EXPECT_EQ(outcome(""), "not static (no-project-table) proj/pyproject.toml: no [project] table");
  EXPECT_EQ(outcome("[build-system]\nrequires = []\n[tool.x]\ny = 1\n"),
            "not static (no-project-table) proj/pyproject.toml: no [project] table");
  EXPECT_EQ(outcome("[project]\nname = 'x'\ndynamic = ['version']\n"),
            "not static (version-dynamic) proj/pyproject.toml:3:13: version is dynamic");
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = '1'\ndynamic = [\"dependencies\"]\n"),
            "not static (dependencies-dynamic) proj/pyproject.toml:4:13: dependencies are "
            "dynamic");
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = '1'\ndynamic = ['optional-dependencies']\n"),
            "not static (optional-dependencies-dynamic) proj/pyproject.toml:4:13: "
            "optional-dependencies are dynamic");
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = '1'\ndynamic = ['requires-python']\n"),
            "not static (requires-python-dynamic) proj/pyproject.toml:4:13: requires-python is "
            "dynamic");
  // The first relevant entry in array order; irrelevant ones are skipped.
  EXPECT_EQ(outcome("[project]\nname = 'x'\n"
                    "dynamic = ['readme', 'dependencies', 'version']\n"),
            "not static (dependencies-dynamic) proj/pyproject.toml:3:23: dependencies are "
            "dynamic");
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = '1'\ndynamic = ['Dependencies']\n"),
            "not static (unknown-dynamic-entry) proj/pyproject.toml:4:13: 'project.dynamic' "
            "lists 'Dependencies', which is not a [project] key");
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = '1'\ndependency = ['y']\nzzz = 1\n"),
            "not static (unknown-project-key) proj/pyproject.toml:4:1: unknown key "
            "'project.dependency'");
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = '1'\n[project.extra-stuff]\na = 1\n"),
            "not static (unknown-project-key) proj/pyproject.toml:4:1: unknown key "
            "'project.extra-stuff'");
}

TEST(PyprojectMetadata, IrrelevantDynamicEntriesAndFieldsDoNotMatter) {
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = '1'\n"
                    "dynamic = ['readme', 'scripts', 'entry-points', 'license', 'classifiers',\n"
                    "  'import-names', 'description', 'urls', 'authors']\n"
                    "keywords = 3\nlicense-files = {a = 1}\nmaintainers = 'nobody'\n"),
            "Metadata-Version: 2.3\nName: x\nVersion: 1\n");
}

TEST(PyprojectMetadata, ErrorsComeBeforeNotStatic) {
  // A backend must reject this file too, so it is an error rather than "ask the backend".
  EXPECT_EQ(outcome("[project]\nname = 'x'\ndynamic = ['version']\ndependencies = ['y >=']\n"),
            "proj/pyproject.toml:4:20: 'project.dependencies' entry 'y >=': Expected end or "
            "semicolon (after name and no valid version specifier)");
}

TEST(PyprojectMetadata, TomlAndShapeErrors) {
  EXPECT_EQ(outcome("[project\n"),
            "proj/pyproject.toml:1:1: invalid TOML: an invalid key appeared.");
  EXPECT_EQ(outcome("project = 3\n"), "proj/pyproject.toml:1:11: 'project' must be a table");
}

TEST(PyprojectMetadata, InvalidUtf8IsRejectedBeforeToml11SeesIt) {
  // toml11 3.7.1 reads out of bounds on invalid UTF-8 in a literal string (toml11#199): under
  // ASan the first case crashes without the check.
  EXPECT_EQ(outcome("[project]\nname = 'x\xe9\xe9x'\n"),
            "proj/pyproject.toml:2:10: invalid TOML: invalid UTF-8");
  EXPECT_EQ(outcome("[project]\nname = '''\xc3\xa9\xed\xa0\x80'''\n"),  // a surrogate
            "proj/pyproject.toml:2:13: invalid TOML: invalid UTF-8");
  EXPECT_EQ(outcome("# \xf4\x8f\xbf\xbf \xe2\x82\n[project]\n"),  // U+10FFFF, then a cut one
            "proj/pyproject.toml:1:8: invalid TOML: invalid UTF-8");
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = '1'\n"
                    "description = '\xc3\xa9 \xf0\x9f\x90\x8d \xe0\xa0\x80'\n"),
            "Metadata-Version: 2.3\nName: x\nVersion: 1\n");
  EXPECT_EQ(outcome("[project]\nname = 'x'\ndynamic = 'version'\n"),
            "proj/pyproject.toml:3:11: 'project.dynamic' must be an array of strings");
  EXPECT_EQ(outcome("[project]\nname = 'x'\ndynamic = ['version', 3]\n"),
            "proj/pyproject.toml:3:23: 'project.dynamic' must be an array of strings");
}

TEST(PyprojectMetadata, DynamicErrors) {
  EXPECT_EQ(outcome("[project]\nname = 'x'\ndynamic = ['readme', 'name']\n"),
            "proj/pyproject.toml:3:23-27: 'project.name' cannot be dynamic");
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = '1'\ndynamic = ['version']\n"),
            "proj/pyproject.toml:4:13-20: 'project.version' is both set and listed in "
            "'project.dynamic'");
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = '1'\nreadme = 'R.md'\n"
                    "dynamic = [\"readme\"]\n"),
            "proj/pyproject.toml:5:13-19: 'project.readme' is both set and listed in "
            "'project.dynamic'");
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = '1'\ndynamic = ['dynamic']\n"),
            "proj/pyproject.toml:4:13-20: 'project.dynamic' is both set and listed in "
            "'project.dynamic'");
}

TEST(PyprojectMetadata, NameErrors) {
  EXPECT_EQ(outcome("[project]\nversion = '1'\n"),
            "proj/pyproject.toml:1:1: 'project.name' is missing (the pyproject.toml "
            "specification requires it)");
  EXPECT_EQ(outcome("[project]\nname = 3\n"),
            "proj/pyproject.toml:2:8: 'project.name' must be a string");
  EXPECT_EQ(outcome("[project]\nname = \"foo-\"\nversion = '1'\n"),
            "proj/pyproject.toml:2:9-13: 'project.name': invalid project name 'foo-'");
  EXPECT_EQ(outcome("[project]\nname = ''\nversion = '1'\n"),
            "proj/pyproject.toml:2:9: 'project.name': invalid project name ''");
  // An escape in the string: the column is the opening quote's.
  EXPECT_EQ(outcome("[project]\nname = \"a\\tb\"\nversion = '1'\n"),
            "proj/pyproject.toml:2:8: 'project.name': invalid project name 'a\\tb'");
}

TEST(PyprojectMetadata, VersionErrors) {
  EXPECT_EQ(outcome("[project]\nname = 'x'\n"),
            "proj/pyproject.toml:1:1: 'project.version' is missing and not listed in "
            "'project.dynamic'");
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = 1.0\n"),
            "proj/pyproject.toml:3:11: 'project.version' must be a string");
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = '1.0x'\n"),
            "proj/pyproject.toml:3:15-16: 'project.version': invalid version '1.0x'");
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = \"\"\"1.0x\"\"\"\n"),
            "proj/pyproject.toml:3:17-18: 'project.version': invalid version '1.0x'");
}

TEST(PyprojectMetadata, RequiresPythonErrors) {
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = '1'\nrequires-python = 3.8\n"),
            "proj/pyproject.toml:4:19: 'project.requires-python' must be a string");
  // The column is SpecifierSet::parse's (the 'x'), moved into the file.
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = '1'\nrequires-python = '>=3.8, <4x'\n"),
            "proj/pyproject.toml:4:29-30: 'project.requires-python': invalid specifier '<4x': "
            "invalid version '4x'");
}

TEST(PyprojectMetadata, DependencyErrorsPointIntoTheString) {
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = '1'\ndependencies = 'requests'\n"),
            "proj/pyproject.toml:4:16: 'project.dependencies' must be an array of strings");
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = '1'\ndependencies = ['a', 3]\n"),
            "proj/pyproject.toml:4:22: 'project.dependencies' must be an array of strings");
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = '1'\ndependencies = [\n"
                    "    \"ok\",\n    \"bad; os_name = 'a'\",\n]\n"),
            "proj/pyproject.toml:6:19: 'project.dependencies' entry 'bad; os_name = 'a'': "
            "Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in");
  // A multi-line string or one with escapes: the string's own column.
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = '1'\ndependencies = ['''\nfoo >=''']\n"),
            "proj/pyproject.toml:4:17: 'project.dependencies' entry 'foo >=': Expected end or "
            "semicolon (after name and no valid version specifier)");
  EXPECT_EQ(outcome("[project]\nname = 'x'\nversion = '1'\ndependencies = [\"\\u0066oo >=\"]\n"),
            "proj/pyproject.toml:4:17: 'project.dependencies' entry 'foo >=': Expected end or "
            "semicolon (after name and no valid version specifier)");
}

TEST(PyprojectMetadata, OptionalDependencyErrors) {
  const std::string head = "[project]\nname = 'x'\nversion = '1'\n";
  EXPECT_EQ(outcome(head + "optional-dependencies = ['a']\n"),
            "proj/pyproject.toml:4:25: 'project.optional-dependencies' must be a table of arrays "
            "of strings");
  EXPECT_EQ(outcome(head + "[project.optional-dependencies]\n\"a b\" = []\n"),
            "proj/pyproject.toml:5:1-6: 'project.optional-dependencies' key 'a b': invalid extra "
            "name");
  EXPECT_EQ(outcome(head + "[project.optional-dependencies]\n\"a\\nb\" = []\n"),
            "proj/pyproject.toml:5:10: 'project.optional-dependencies' key 'a\\nb': invalid extra "
            "name");
  EXPECT_EQ(outcome(head + "[project.optional-dependencies]\nTest_X = []\ntest-x = []\n"),
            "proj/pyproject.toml:6:1-7: 'project.optional-dependencies' keys 'Test_X' and "
            "'test-x' both normalise to 'test-x'");
  EXPECT_EQ(outcome(head + "[project.optional-dependencies]\ntest = 'pytest'\n"),
            "proj/pyproject.toml:5:8: 'project.optional-dependencies.test' must be an array of "
            "strings");
  EXPECT_EQ(outcome(head + "[project.optional-dependencies]\ntest = [\"pytest >= 7 ;\"]\n"),
            "proj/pyproject.toml:5:23: 'project.optional-dependencies.test' entry 'pytest >= 7 "
            ";': Expected a marker variable or quoted string");
}

TEST(PyprojectMetadata, MarkerTooDeepForTheExtraClauseIsAnError) {
  // 200 nested groups is Marker's limit; the extra clause would need one more.
  std::string marker = "os_name == 'a' or os_name == 'b'";
  for (int i = 0; i < 200; ++i) marker = "os_name == 'a' or (" + marker + ")";
  auto plain = static_of("[project]\nname = 'x'\nversion = '1'\ndependencies = [\"y; " + marker +
                         "\"]\n");
  EXPECT_EQ(plain.dependencies.size(), 1u);
  const std::string got = outcome("[project]\nname = 'x'\nversion = '1'\n"
                                  "optional-dependencies.e = [\"y; " + marker + "\"]\n");
  // The whole string: from just after the quote (column 29) to its end.
  const std::string span = "4:29-" + std::to_string(29 + 3 + marker.size());
  EXPECT_TRUE(got.starts_with("proj/pyproject.toml:" + span +
                              ": 'project.optional-dependencies.e' entry 'y; os_name == 'a' or ("))
      << got;
  EXPECT_TRUE(got.ends_with("': cannot add the extra marker: Too deeply nested parentheses "
                            "(more than 200)"))
      << got;
}

TEST(PyprojectMetadata, ReadsAFile) {
  auto tmp = TempDir::create("pyproject-metadata-test");
  ASSERT_TRUE(tmp);
  const TempDir& dir = *tmp;
  const auto path = dir.path() / "pyproject.toml";
  ASSERT_TRUE(write_file_atomic(path, "[project]\nname = 'x'\nversion = '1'\n"));
  auto r = read_pyproject_metadata(path);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(std::get<StaticMetadata>(*r).core_metadata,
            "Metadata-Version: 2.3\nName: x\nVersion: 1\n");
  ASSERT_TRUE(write_file_atomic(path, "[project]\nname = 'x'\nversion = 'x'\n"));
  r = read_pyproject_metadata(path);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().location.str(), path.string() + ":3:12");
  auto missing = read_pyproject_metadata(dir.path() / "nope" / "pyproject.toml");
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().message.starts_with(
      "cannot read " + (dir.path() / "nope" / "pyproject.toml").string()))
      << missing.error().message;
}

TEST(PyprojectMetadata, ReasonIdsAreStable) {
  EXPECT_EQ(reason_id(NotStatic::Reason::kNoProjectTable), "no-project-table");
  EXPECT_EQ(reason_id(NotStatic::Reason::kVersionDynamic), "version-dynamic");
  EXPECT_EQ(reason_id(NotStatic::Reason::kRequiresPythonDynamic), "requires-python-dynamic");
  EXPECT_EQ(reason_id(NotStatic::Reason::kDependenciesDynamic), "dependencies-dynamic");
  EXPECT_EQ(reason_id(NotStatic::Reason::kOptionalDependenciesDynamic),
            "optional-dependencies-dynamic");
  EXPECT_EQ(reason_id(NotStatic::Reason::kUnknownDynamicEntry), "unknown-dynamic-entry");
  EXPECT_EQ(reason_id(NotStatic::Reason::kUnknownProjectKey), "unknown-project-key");
}

}  // namespace
}  // namespace funcpack
