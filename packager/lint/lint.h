// lint.h: one lint run from disk to findings: builds the LintInput for an app (checks.h) from
// its files, configuration (inputs/config.h), app settings and the command line, runs the
// checks, then applies configuration (disabled rules, severity overrides) and inline
// suppressions.
//
// Precedence of target settings: command line > configuration file > runtime defaults
// (rules/runtime.toml). App settings: local.settings.json `Values`, then every `--setting
// KEY=VALUE` (a later one wins).
//
// Inline suppression: a requirement line whose comment contains `funcpack: ignore[ID]` (or
// `ignore[ID1, ID2]`) drops findings of those rules on that line; `funcpack: ignore` alone drops
// every finding on it. The requirements parser strips comments, so the raw physical line
// (Diagnostic::source_line) is what is searched. Suppressions naming unknown rules are errors.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/diagnostic.h"
#include "base/error.h"
#include "inputs/config.h"
#include "inputs/git_diff.h"
#include "inputs/runtime_profile.h"
#include "lint/checks.h"
#include "lint/rules.h"

namespace funcpack {

struct LintOptions {
  std::filesystem::path target;  // APP_DIR or REQUIREMENTS_FILE ("." when not given)
  std::optional<std::string> python;
  std::optional<std::string> plan;
  std::optional<std::string> policy;
  std::optional<std::filesystem::path> config_file;
  std::vector<std::string> settings;  // "KEY=VALUE" as given
  std::optional<std::string> today;   // "YYYY-MM-DD"; default: the current UTC date
};

struct LintReport {
  std::filesystem::path app_root;  // as given (relative paths stay relative)
  std::string python;
  std::string plan;
  Policy policy = Policy::kMinimum;
  std::vector<std::filesystem::path> files;  // requirements files read, the root first
  std::vector<Diagnostic> findings;          // after configuration and suppression, sorted
};

// Builds the input for `options` (reading the app's files, configuration and settings).
// Errors (exit 2): unreadable target, config errors (file:line:col), unknown Python version or
// plan (with the config value's location when it came from there), a malformed --setting or
// --today, invalid local.settings.json (file:line:col), unknown rule ids in the configuration.
// Also returns the configuration, for apply_configuration.
Result<std::pair<LintInput, FuncpackConfig>> build_lint_input(const LintOptions& options,
                                                              const RuleRegistry& rules,
                                                              const RuntimeProfile& profile);

// Drops disabled rules and suppressed findings, applies severity overrides. Errors: a rule id
// in the configuration or in an inline suppression that is not a rule (with its location).
Result<std::vector<Diagnostic>> apply_configuration(std::vector<Diagnostic> findings,
                                                    const FuncpackConfig& config,
                                                    const RuleRegistry& rules);

// Returns the rule ids named by an inline suppression in `source_line` (the part of the line
// after a '#'), {"*"} for a bare `funcpack: ignore`, or nullopt when there is none. Errors:
// malformed brackets ("expected ']'"), with the column in the line.
Result<std::optional<std::vector<std::string>>> parse_suppression(std::string_view source_line);

// The whole run. Errors as build_lint_input and apply_configuration.
Result<LintReport> lint(const LintOptions& options, const RuleRegistry& rules,
                        const RuntimeProfile& profile);

// `--diff-base`: keeps the findings on lines added or changed since the base revision (a
// finding with a file but no line is kept when its file changed at all; a finding with no file,
// such as the target's Python version, is dropped: a pull request is judged on what it
// changes). Includes are covered because their findings name the included file.
std::vector<Diagnostic> keep_changed(std::vector<Diagnostic> findings, const LineChanges& changes);

// Reads local.settings.json's `Values` into settings, each with the location of its key.
// Errors: unreadable file, invalid JSON (file:line:col), `Values` not an object.
Result<std::map<std::string, Sourced>> read_local_settings(const std::filesystem::path& path);

// Today's date in UTC as YYYY-MM-DD.
std::string today_utc();
// Whether `s` is a valid calendar date written YYYY-MM-DD.
bool is_iso_date(std::string_view s);

}  // namespace funcpack
