// checks.h: what the lint checks look at (LintInput) and the checks themselves, one per rule
// in rules/lint/ (rules.h). Checks are pure functions of LintInput + rule data: no file
// system or clock access happens in here, so every rule is unit-testable with in-memory
// inputs (the command builds LintInput from disk, see app_input.h).
//
// Locations: findings about a requirement point at its entry (file, physical line, the
// requirement's column span) and carry that line as `source_line`; findings about a setting
// point at its key in local.settings.json (or have no location for `--setting`); findings
// about the target (Python version, plan) point at the configuration value that chose it, or
// have no location when it came from the command line or the defaults.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "inputs/funcignore.h"
#include "inputs/requirements_txt.h"
#include "inputs/runtime_profile.h"
#include "lint/rules.h"

namespace funcpack {

enum class Policy { kMinimum, kExact };

// A value with where it came from (a config file, local.settings.json, or nowhere for
// command-line values and defaults).
struct Sourced {
  std::string value;
  Location location;
  std::string source_line;
};

struct LintInput {
  // The app directory, and whether the input is an app (a directory, or a file named
  // requirements.txt) rather than some other requirements file; app-level rules (FP201,
  // FP202, FP4xx) run only for apps.
  std::filesystem::path app_root;
  bool is_app = true;
  // The requirements file (empty when the app has none) and its parse.
  std::filesystem::path requirements_path;
  RequirementsFile requirements;
  // Diagnostics from parsing the requirements (become FP001 findings).
  std::vector<Diagnostic> parse_errors;
  // Files present at the app root that mark a Functions app (function_app.py, host.json…).
  std::vector<std::string> root_markers;
  // requirements.txt files found below the app root (relative), for FP201's message.
  std::vector<std::string> nested_requirements;

  Sourced python;  // "3.11"
  Sourced plan;    // "flex"
  Policy policy = Policy::kMinimum;
  std::map<std::string, Sourced> settings;  // app settings by name
  std::string today;                        // "YYYY-MM-DD"

  // .funcignore: absent when the app has none (or the input is not an app).
  std::optional<IgnoreFile> funcignore;
  // Per path that FP402 probes (as in its facts, plus root virtualenvs found on disk): the
  // path and whether git's semantics exclude it. Filled by the builder (needs libgit2).
  std::vector<std::pair<std::string, bool>> funcignore_probes;
  // Where git's and Core Tools' readings disagree on the app's files.
  std::vector<IgnoreDisagreement> funcignore_disagreements;
};

// The rule ids and facts the checks use (validated against rules/lint/*.toml at load).
std::span<const CheckSpec> check_specs();

// Runs every rule of `rules` (all of them, suppression and configuration are applied by the
// caller, see lint.h) and returns the findings in a stable order: by file, line, column, rule.
// Each finding carries the rule's default severity and hint.
std::vector<Diagnostic> run_checks(const RuleRegistry& rules, const RuntimeProfile& profile,
                                   const LintInput& in);

// True when `rev` is a full commit id (hex digits, one of the lengths in FP111's facts).
bool is_full_commit_id(std::string_view rev, std::span<const int64_t> lengths);

}  // namespace funcpack
