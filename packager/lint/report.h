// report.h: the lint output formats. All four are renderings of one LintReport, byte-stable
// (same report, same bytes) so they can be compared with golden files.
//
// text    each finding as base/diagnostic.h's format_diagnostic (`path:line:col:
//         severity[RULE-ID]: message`, source line, caret, `hint:`), colour only when asked
//         (the command asks on a TTY without NO_COLOR), then a summary line:
//         "3 errors, 2 warnings, 1 info in 2 files" or "no findings".
// json    schema "funcpack-lint/1" (documented in README, section lint):
//         { "schema": "funcpack-lint/1",
//           "app": APP ROOT as given,
//           "target": {"python": "3.11", "plan": "flex", "policy": "minimum"},
//           "findings": [ {"rule", "severity", "message", "path", "line", "column",
//                          "end_column", "source_line", "hint"} ],
//           "summary": {"errors", "warnings", "info", "files"} }
//         `path` is relative to the app root ('/'-separated, may start with "../" for an
//         include outside it), null when the finding has no file; line/column/end_column are
//         1-based, null when unknown; keys in that order; findings sorted as the checks sort.
// sarif   SARIF 2.1.0: one run, tool.driver.rules = every rule of the registry (id, name,
//         short/full description, help text, defaultConfiguration.level, properties), each
//         result with ruleId, ruleIndex, level (error|warning|note), message, and a physical
//         location whose artifactLocation.uri is relative to the app root with uriBaseId
//         "APPROOT" (run.originalUriBaseIds.APPROOT is the absolute file:// URI of the app
//         root) and a 1-based region when the line is known.
// github  GitHub Actions workflow commands, one per finding:
//         `::error file=PATH,line=L,col=C,endColumn=E,title=RULE-ID::MESSAGE` (warning for
//         warnings, notice for info), PATH as in the finding (relative to the working
//         directory). Escaping per GitHub's runner: in the message % CR LF become %25 %0D %0A;
//         in property values additionally ':' and ',' become %3A and %2C.
#pragma once

#include <string>
#include <string_view>

#include "lint/lint.h"
#include "lint/rules.h"

namespace funcpack {

enum class OutputFormat { kText, kJson, kSarif, kGithub };

// Parses "text" | "json" | "sarif" | "github"; nullopt otherwise.
std::optional<OutputFormat> parse_output_format(std::string_view s);

std::string summary_line(const std::vector<Diagnostic>& findings);
std::string format_text(const LintReport& report, bool color);
std::string format_json(const LintReport& report);
std::string format_sarif(const LintReport& report, const RuleRegistry& rules);
std::string format_github(const LintReport& report);

// `path` relative to `root` (both as given, normalised lexically), '/'-separated.
std::string relative_to_root(const std::filesystem::path& path, const std::filesystem::path& root);

// GitHub workflow-command escaping (see above).
std::string github_escape_data(std::string_view s);
std::string github_escape_property(std::string_view s);

}  // namespace funcpack
