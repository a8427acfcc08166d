#include "lint/report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace funcpack {
namespace {

const RuleRegistry& registry() {
  static const RuleRegistry r = *RuleRegistry::load();
  return r;
}

Diagnostic finding(Severity s, std::string rule, std::string msg, Location loc,
                   std::string src = {}, std::string hint = {}) {
  Diagnostic d;
  d.severity = s;
  d.rule_id = std::move(rule);
  d.message = std::move(msg);
  d.location = std::move(loc);
  d.source_line = std::move(src);
  d.hint = std::move(hint);
  return d;
}

LintReport sample() {
  LintReport r;
  r.app_root = "apps/a";
  r.python = "3.11";
  r.plan = "flex";
  r.findings = {
      finding(Severity::kError, "FP205", "Linux Consumption does not offer Python 3.13", {},
              {}, "choose"),
      finding(Severity::kError, "FP101", "'requests' has no version constraint",
              {"apps/a/requirements.txt", 2, 1, 9}, "requests", "pin it"),
      finding(Severity::kWarning, "FP114", "'x' differs, see a,b: 100%",
              {"apps/shared/common.txt", 1, 1, 0}, "x==1"),
      finding(Severity::kInfo, "FP202", "missing", {"apps/a/requirements.txt", 0, 0, 0}),
  };
  return r;
}

TEST(Report, SummaryLine) {
  EXPECT_EQ(summary_line({}), "no findings\n");
  EXPECT_EQ(summary_line(sample().findings), "2 errors, 1 warning, 1 info in 2 files\n");
  std::vector<Diagnostic> one{finding(Severity::kWarning, "FP1", "m", {})};
  EXPECT_EQ(summary_line(one), "0 errors, 1 warning, 0 info\n");
}

TEST(Report, Text) {
  EXPECT_EQ(format_text(sample(), false),
            "error[FP205]: Linux Consumption does not offer Python 3.13\n"
            "  hint: choose\n"
            "apps/a/requirements.txt:2:1: error[FP101]: 'requests' has no version constraint\n"
            "  requests\n"
            "  ^~~~~~~~\n"
            "  hint: pin it\n"
            "apps/shared/common.txt:1:1: warning[FP114]: 'x' differs, see a,b: 100%\n"
            "  x==1\n"
            "  ^\n"
            "apps/a/requirements.txt: info[FP202]: missing\n"
            "\n"
            "2 errors, 1 warning, 1 info in 2 files\n");
  EXPECT_EQ(format_text(LintReport{}, false), "no findings\n");
  const std::string colored = format_text(sample(), true);
  EXPECT_NE(colored.find("\x1b[1;31merror[FP205]\x1b[0m"), std::string::npos);
}

TEST(Report, Json) {
  LintReport r = sample();
  r.findings.resize(2);
  EXPECT_EQ(format_json(r),
            R"({
  "schema": "funcpack-lint/1",
  "app": "apps/a",
  "target": {
    "python": "3.11",
    "plan": "flex",
    "policy": "minimum"
  },
  "findings": [
    {
      "rule": "FP205",
      "severity": "error",
      "message": "Linux Consumption does not offer Python 3.13",
      "path": null,
      "line": null,
      "column": null,
      "end_column": null,
      "source_line": null,
      "hint": "choose"
    },
    {
      "rule": "FP101",
      "severity": "error",
      "message": "'requests' has no version constraint",
      "path": "requirements.txt",
      "line": 2,
      "column": 1,
      "end_column": 9,
      "source_line": "requests",
      "hint": "pin it"
    }
  ],
  "summary": {
    "errors": 2,
    "warnings": 0,
    "info": 0,
    "files": 1
  }
}
)");
}

TEST(Report, RelativeToRoot) {
  EXPECT_EQ(relative_to_root("apps/a/requirements.txt", "apps/a"), "requirements.txt");
  EXPECT_EQ(relative_to_root("apps/a/../shared/c.txt", "apps/a/"), "../shared/c.txt");
  EXPECT_EQ(relative_to_root("requirements.txt", "."), "requirements.txt");
}

TEST(Report, GithubEscaping) {
  EXPECT_EQ(github_escape_data("a%b\r\nc:d,e"), "a%25b%0D%0Ac:d,e");
  EXPECT_EQ(github_escape_property("a%b\r\nc:d,e"), "a%25b%0D%0Ac%3Ad%2Ce");
  EXPECT_EQ(format_github(sample()),
            "::error title=FP205::Linux Consumption does not offer Python 3.13%0Ahint: choose\n"
            "::error file=apps/a/requirements.txt,line=2,col=1,endColumn=9,title=FP101::"
            "'requests' has no version constraint%0Ahint: pin it\n"
            "::warning file=apps/shared/common.txt,line=1,col=1,title=FP114::'x' differs, see "
            "a,b: 100%25\n"
            "::notice file=apps/a/requirements.txt,title=FP202::missing\n");
}

TEST(Report, SarifResults) {
  const auto doc = nlohmann::ordered_json::parse(format_sarif(sample(), registry()));
  EXPECT_EQ(doc["version"], "2.1.0");
  const auto& run = doc["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["rules"].size(), registry().rules().size());
  EXPECT_EQ(run["tool"]["driver"]["rules"][1]["id"], "FP101");
  EXPECT_EQ(run["tool"]["driver"]["rules"][1]["defaultConfiguration"]["level"], "error");
  const auto& results = run["results"];
  ASSERT_EQ(results.size(), 4u);
  EXPECT_FALSE(results[0].contains("locations"));
  EXPECT_EQ(results[1]["ruleIndex"], 1);
  EXPECT_EQ(results[1]["locations"][0]["physicalLocation"].dump(),
            R"({"artifactLocation":{"uri":"requirements.txt","uriBaseId":"APPROOT"},)"
            R"("region":{"startLine":2,"startColumn":1,"endColumn":9,"snippet":{"text":"requests"}}})");
  EXPECT_EQ(results[2]["level"], "warning");
  EXPECT_EQ(results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "../shared/common.txt");
  EXPECT_EQ(results[2]["locations"][0]["physicalLocation"]["region"]["endColumn"], 2);
  EXPECT_EQ(results[3]["level"], "note");
  EXPECT_FALSE(results[3]["locations"][0]["physicalLocation"].contains("region"));
  const std::string root = run["originalUriBaseIds"]["APPROOT"]["uri"];
  EXPECT_TRUE(root.starts_with("file:///") && root.ends_with("/apps/a/")) << root;
}

}  // namespace
}  // namespace funcpack
