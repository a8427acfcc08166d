// fix.h: `funcpack lint --fix`: rewrites requirements files in place for the findings of
// fixable rules (Rule::fixable in rules/lint/<ID>.toml), through the byte-preserving editor
// (inputs/requirements_edit.h): comments, order, blank lines and line endings (CRLF, a missing
// final newline) are kept; each file is written once, atomically.
//
// Owns: which edit each fixable rule wants. Today:
//   FP203 (worker-package-listed): delete the entry (its physical line and any continuation
//         lines joined to it).
// A rule marked fixable in its data but without an edit here is an internal error, so the data
// cannot promise a fix the code does not make (checked by fixable_rules_have_fixes()).
//
// Only the findings given are fixed: the caller passes what it reports (after configuration,
// inline suppression and `--diff-base` filtering), so a suppressed finding or one on an
// unchanged line is left alone. The caller re-lints afterwards to report what remains.
// With a PinJob (`--fix --pin`, lint/pin.h), the pins are queued in the same editors after the
// fixes, so each file is still written once; every edit of every file is queued (and checked)
// before the first file is written.
// Traps:
// - Two findings can point at one entry; the entry is edited once.
// - Finding paths are as the linter printed them (relative to the working directory when the
//   target was); they are opened as given.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "base/error.h"
#include "inputs/requirements_edit.h"
#include "lint/pin.h"
#include "lint/rules.h"

namespace funcpack {

struct FixSummary {
  int findings = 0;  // findings whose fix was applied
  int pinned = 0;    // requirement lines pinned (with a PinJob)
  int files = 0;     // files rewritten
  std::vector<Diagnostic> notes;  // lines --pin left as written, and why (severity info)
};

// The (path, line) of the entries apply_fixes would delete for `findings` (FP203), so a pin
// run neither resolves nor pins them.
EntryLines lines_deleted_by_fixes(const std::vector<Diagnostic>& findings,
                                  const RuleRegistry& rules);

// Whether `rule_id` has an edit in this module.
bool has_fix(std::string_view rule_id);

// Returns nothing when every rule marked fixable in `rules` has an edit here; otherwise an
// Error "rule ID is marked fixable but funcpack has no fix for it".
Result<void> fixable_rules_have_fixes(const RuleRegistry& rules);

// Queues in `editor` the edits for `findings` (all of which must point into editor.path() and
// be of fixable rules with a fix). Returns how many findings got an edit (a second finding on
// an entry already deleted counts as fixed too), or the editor's Error (a caller bug).
Result<int> queue_fixes(RequirementsEditor& editor, const std::vector<Diagnostic>& findings);

// Applies the fixes for every finding in `findings` whose rule is fixable in `rules` and has
// a line in a file, and with `pin` the pins of its entries, grouping them by file and writing
// each changed file atomically. Returns the counts, or the first Error ("cannot read PATH:
// ...", "cannot write PATH: ...", or an editor error). Read and editor errors come before any
// write; on a write error, files written before it stay written (each one is whole).
Result<FixSummary> apply_fixes(const std::vector<Diagnostic>& findings, const RuleRegistry& rules,
                               const PinJob* pin = nullptr);

}  // namespace funcpack
