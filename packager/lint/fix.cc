#include "lint/fix.h"

#include <map>
#include <set>
#include <string>

namespace funcpack {

namespace {

// One edit per fixable rule. `deleted` holds the entry lines already deleted in this file.
Result<bool> fix_one(RequirementsEditor& editor, const Diagnostic& d, std::set<int>& deleted) {
  if (d.rule_id == "FP203") {
    if (deleted.contains(d.location.line)) return true;
    auto n = editor.delete_entry(d.location.line);
    if (!n) return std::unexpected(n.error());
    deleted.insert(d.location.line);
    return true;
  }
  return false;
}

}  // namespace

bool has_fix(std::string_view rule_id) { return rule_id == "FP203"; }

Result<void> fixable_rules_have_fixes(const RuleRegistry& rules) {
  for (const auto& r : rules.rules())
    if (r.fixable && !has_fix(r.id))
      return fail("rule " + r.id + " is marked fixable but funcpack has no fix for it");
  return {};
}

Result<int> queue_fixes(RequirementsEditor& editor, const std::vector<Diagnostic>& findings) {
  std::set<int> deleted;
  int fixed = 0;
  for (const auto& d : findings) {
    auto done = fix_one(editor, d, deleted);
    if (!done) return std::unexpected(done.error());
    if (*done) ++fixed;
  }
  return fixed;
}

EntryLines lines_deleted_by_fixes(const std::vector<Diagnostic>& findings,
                                  const RuleRegistry& rules) {
  EntryLines out;
  for (const auto& d : findings) {
    const Rule* r = rules.find(d.rule_id);
    if (r && r->fixable && d.rule_id == "FP203" && !d.location.path.empty() && d.location.line > 0)
      out.insert({d.location.path, d.location.line});
  }
  return out;
}

Result<FixSummary> apply_fixes(const std::vector<Diagnostic>& findings, const RuleRegistry& rules,
                               const PinJob* pin) {
  if (auto ok = fixable_rules_have_fixes(rules); !ok) return std::unexpected(ok.error());
  std::map<std::filesystem::path, std::vector<Diagnostic>> by_file;  // sorted: stable order
  for (const auto& d : findings) {
    const Rule* r = rules.find(d.rule_id);
    if (!r || !r->fixable || d.location.path.empty() || d.location.line <= 0) continue;
    by_file[d.location.path].push_back(d);
  }
  if (pin)
    for (const auto& e : pin->entries)
      if (!e.location.path.empty()) by_file[e.location.path];
  FixSummary summary;
  std::vector<RequirementsEditor> edited;
  std::vector<int> fixed_counts;
  for (const auto& [path, list] : by_file) {
    auto editor = RequirementsEditor::load(path);
    if (!editor) return std::unexpected(editor.error());
    auto fixed = queue_fixes(*editor, list);
    if (!fixed) return std::unexpected(fixed.error());
    int pinned = 0;
    if (pin) {
      auto n = queue_pins(*editor, *pin, summary.notes);
      if (!n) return std::unexpected(n.error());
      pinned = *n;
    }
    if (!editor->has_edits()) continue;
    summary.findings += *fixed;
    summary.pinned += pinned;
    edited.push_back(std::move(*editor));
  }
  for (const auto& editor : edited) {
    if (auto w = editor.write(); !w) return std::unexpected(w.error());
    ++summary.files;
  }
  return summary;
}

}  // namespace funcpack
