#include "spec/metadata.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace funcpack {
namespace {

std::vector<std::string> req_strs(const CoreMetadata& m) {
  std::vector<std::string> out;
  for (const Requirement& r : m.requires_dist) out.push_back(r.str());
  return out;
}

TEST(Metadata, FullDocument) {
  const std::string text =
      "Metadata-Version: 2.1\r\n"
      "Name: azure-functions\r\n"
      "Version: 1.21.3\r\n"
      "Summary: Python library for Azure Functions.\r\n"
      "Requires-Python: >=3.8\r\n"
      "Requires-Dist: werkzeug\r\n"
      "Requires-Dist: pytest ; extra == 'dev'\r\n"
      "Requires-Dist: requests (>=2.0,<3);\r\n"
      "  python_version < \"3.12\"\r\n"
      "Provides-Extra: dev\r\n"
      "Classifier: License :: OSI Approved :: MIT License\r\n"
      "Classifier: Operating System :: POSIX :: Linux\r\n"
      "Description-Content-Type: text/markdown\r\n"
      "\r\n"
      "# Azure Functions\r\n\r\nBody: not: a header\r\n";
  auto m = CoreMetadata::parse(text, "METADATA");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->metadata_version, "2.1");
  EXPECT_EQ(m->name, "azure-functions");
  EXPECT_EQ(m->version.str(), "1.21.3");
  EXPECT_EQ(m->summary, "Python library for Azure Functions.");
  ASSERT_TRUE(m->requires_python);
  EXPECT_EQ(m->requires_python->str(), ">=3.8");
  EXPECT_EQ(m->requires_python_text, ">=3.8");
  EXPECT_EQ(req_strs(*m), (std::vector<std::string>{
                              "werkzeug", "pytest; extra == \"dev\"",
                              "requests<3,>=2.0; python_version < \"3.12\""}));
  EXPECT_EQ(m->provides_extra, std::vector<std::string>{"dev"});
  EXPECT_EQ(m->get_all("classifier"),
            (std::vector<std::string>{"License :: OSI Approved :: MIT License",
                                      "Operating System :: POSIX :: Linux"}));
  EXPECT_EQ(m->fields.size(), 12u);
  EXPECT_EQ(m->fields[7].name, "Requires-Dist");
  EXPECT_EQ(m->fields[7].value, "requests (>=2.0,<3);  python_version < \"3.12\"");
  EXPECT_EQ(m->fields[7].line, 8);
  EXPECT_EQ(m->body, "# Azure Functions\r\n\r\nBody: not: a header\r\n");
  EXPECT_EQ(m->description(), m->body);
  EXPECT_TRUE(m->dynamic.empty());
}

TEST(Metadata, OldVersionsFoldedDescriptionAndDynamic) {
  auto old = CoreMetadata::parse(
      "Metadata-Version: 1.0\nName: six\nVersion: 1.16.0\nDescription: first line\n"
      "        |second line\nLicense: MIT\n");
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_EQ(old->metadata_version, "1.0");
  EXPECT_FALSE(old->requires_python);
  EXPECT_EQ(old->requires_python_text, "");
  EXPECT_EQ(old->description(), "first line\n        |second line");
  EXPECT_EQ(old->body, "");

  auto v24 = CoreMetadata::parse(
      "metadata-version: 2.4\nname: Foo.Bar\nversion: 2.0rc1\nDynamic: Requires-Dist\n"
      "Dynamic: license-expression\n");
  ASSERT_TRUE(v24) << v24.error().message;
  EXPECT_EQ(v24->name, "Foo.Bar");
  EXPECT_EQ(v24->version.str(), "2.0rc1");
  EXPECT_EQ(v24->dynamic, (std::vector<std::string>{"Requires-Dist", "license-expression"}));

  for (const char* mv : {"1.1", "1.2", "2.0", "2.2", "2.3", "2.5"}) {
    auto m = CoreMetadata::parse(std::string("Metadata-Version: ") + mv +
                                 "\nName: x\nVersion: 1\n");
    EXPECT_TRUE(m) << mv;
  }
}

void expect_error(const std::string& text, const std::string& message, int line, int column,
                  int end_column) {
  auto m = CoreMetadata::parse(text, "pkg/METADATA");
  ASSERT_FALSE(m) << text;
  EXPECT_EQ(m.error().message, message) << text;
  EXPECT_EQ(m.error().location.path, "pkg/METADATA");
  EXPECT_EQ(m.error().location.line, line) << text;
  EXPECT_EQ(m.error().location.column, column) << text;
  EXPECT_EQ(m.error().location.end_column, end_column) << text;
}

const std::string kHead = "Metadata-Version: 2.1\nName: foo\nVersion: 1.0\n";

TEST(Metadata, StructureErrors) {
  expect_error(kHead + "this line has no colon\n",
               "malformed header line (expected 'Field: value')", 4, 1, 23);
  expect_error("  folded first\n", "continuation line before any field", 1, 1, 0);
  expect_error(kHead + "Bad Name: x\n", "invalid field name 'Bad Name'", 4, 1, 9);
  expect_error(kHead + ": empty name\n", "invalid field name ''", 4, 1, 1);
  expect_error("Metadata-Version: 2.1\nName: foo\n", "missing required field 'Version'", 0,
               0, 0);
  expect_error("Name: foo\nVersion: 1\n", "missing required field 'Metadata-Version'", 0, 0, 0);
  expect_error(kHead + "name: bar\n", "duplicate field 'Name' (first at line 2)", 4, 1, 5);
  expect_error(kHead + "Summary: a\nSummary: b\n", "duplicate field 'Summary' (first at line 4)",
               5, 1, 8);
}

TEST(Metadata, FieldErrors) {
  expect_error("Metadata-Version: 3.0\nName: foo\nVersion: 1.0\n",
               "field 'Metadata-Version': unsupported version '3.0' (expected 1.0, 1.1, 1.2 or "
               "2.x)",
               1, 19, 22);
  expect_error("Metadata-Version: 2.1\nName: foo bar\nVersion: 1.0\n",
               "field 'Name': invalid project name 'foo bar'", 2, 7, 14);
  expect_error("Metadata-Version: 2.1\nName: foo\nVersion:  1.0-beta.x\n",
               "field 'Version': invalid version '1.0-beta.x'", 3, 20, 21);  // at the 'x'
  expect_error(kHead + "Provides-Extra: a b\n", "field 'Provides-Extra': invalid extra name 'a b'",
               4, 17, 20);
  expect_error(kHead + "Dynamic: Version\n", "field 'Dynamic': 'Version' cannot be dynamic", 4,
               10, 17);
  expect_error(kHead + "Dynamic: Requires Dist\n",
               "field 'Dynamic': invalid field name 'Requires Dist'", 4, 10, 23);
}

TEST(Metadata, SubParserErrorsMapToFileColumns) {
  auto bad_req = CoreMetadata::parse(kHead + "Requires-Dist: requests (>=2.0\n", "M");
  ASSERT_FALSE(bad_req);
  EXPECT_EQ(bad_req.error().location.line, 4);
  EXPECT_TRUE(bad_req.error().message.starts_with("field 'Requires-Dist': "))
      << bad_req.error().message;
  // The PEP 508 parser points past "(>=2.0" where ')' is expected; the column is in file
  // coordinates: value starts at column 16.
  auto direct = Requirement::parse("requests (>=2.0");
  ASSERT_FALSE(direct);
  EXPECT_EQ(bad_req.error().message, "field 'Requires-Dist': " + direct.error().message);
  EXPECT_EQ(bad_req.error().location.column, direct.error().location.column + 15);

  // Folded value: an error after the fold lands on the continuation line.
  auto folded = CoreMetadata::parse(kHead + "Requires-Dist: requests;\n python_version <<< '3'\n");
  ASSERT_FALSE(folded);
  auto direct2 = Requirement::parse("requests; python_version <<< '3'");
  ASSERT_FALSE(direct2);
  EXPECT_EQ(folded.error().message, "field 'Requires-Dist': " + direct2.error().message);
  EXPECT_EQ(folded.error().location.line, 5);
  // "requests;" is 9 chars; the continuation " python_version ..." starts at value offset 9
  // and at column 1 of line 5.
  EXPECT_EQ(folded.error().location.column, direct2.error().location.column - 9);

  auto bad_rp = CoreMetadata::parse(kHead + "Requires-Python: >=3.8,<<4\n");
  ASSERT_FALSE(bad_rp);
  auto direct3 = SpecifierSet::parse(">=3.8,<<4");
  ASSERT_FALSE(direct3);
  EXPECT_EQ(bad_rp.error().message, "field 'Requires-Python': " + direct3.error().message);
  EXPECT_EQ(bad_rp.error().location.line, 4);
  EXPECT_EQ(bad_rp.error().location.column, direct3.error().location.column + 17);
}

}  // namespace
}  // namespace funcpack
