#include "lint/pin.h"

#include <algorithm>
#include <string_view>

#include "base/strings.h"
#include "lint/lint.h"
#include "spec/marker.h"
#include "spec/requirement.h"

namespace funcpack {

namespace {

Diagnostic note(const RequirementEntry& e, std::string message) {
  Diagnostic d;
  d.severity = Severity::kInfo;
  d.message = "not pinned: " + std::move(message);
  d.location = e.location;
  d.source_line = e.source_line;
  return d;
}

// `==V` (no wildcard) or `===V` anywhere in the set pins the project.
bool is_exact(const SpecifierSet& set) {
  return std::any_of(set.specifiers().begin(), set.specifiers().end(), [](const Specifier& s) {
    return (s.op() == Specifier::Op::kEqual && !s.is_wildcard()) ||
           s.op() == Specifier::Op::kArbitrary;
  });
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}
bool is_blank(char c) { return c == ' ' || c == '\t'; }

// The byte range [begin, end) of the specifier in `text` (a named PEP 508 requirement as
// written): after the name and extras, before the marker's ';' and the blanks before it.
// Empty (begin == end) when there is no specifier.
std::pair<size_t, size_t> specifier_span(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && is_blank(text[i])) ++i;
  while (i < text.size() && is_name_char(text[i])) ++i;
  size_t begin = i;
  size_t k = i;
  while (k < text.size() && is_blank(text[k])) ++k;
  if (k < text.size() && text[k] == '[') {
    size_t close = text.find(']', k);
    if (close != std::string_view::npos) begin = close + 1;
  }
  size_t end = std::min(text.find(';', begin), text.size());
  while (end > begin && is_blank(text[end - 1])) --end;
  return {begin, end};
}

bool pinning_suppressed(std::string_view source_line) {
  auto ids = parse_suppression(source_line);
  if (!ids || !*ids) return false;
  for (const std::string& id : **ids)
    if (id == "*" || id == "FP101" || id == "FP102" || id == "FP103" || id == "FP105") return true;
  return false;
}

}  // namespace

std::vector<RequirementEntry> entries_to_resolve(const RequirementsFile& file,
                                                 const EntryLines& deleted,
                                                 std::vector<Diagnostic>& notes) {
  std::vector<RequirementEntry> out;
  for (const auto& e : file.entries) {
    if (deleted.contains({e.location.path, e.location.line})) continue;
    if (e.form != RequirementEntry::Form::kNamed || !e.req.url.empty() || e.editable) {
      notes.push_back(note(e, "a URL, VCS, path or editable requirement is not resolved from an "
                              "index (nor are its dependencies)"));
      continue;
    }
    out.push_back(e);
  }
  return out;
}

Result<int> queue_pins(RequirementsEditor& editor, const PinJob& job,
                       std::vector<Diagnostic>& notes) {
  const std::string path = editor.path().string();
  const MarkerEnvironment env = job.resolution.target.marker_environment();
  int pinned = 0;
  for (const auto& e : job.entries) {
    if (e.location.path != path) continue;
    if (job.deleted.contains({e.location.path, e.location.line})) continue;
    if (e.form != RequirementEntry::Form::kNamed || !e.req.url.empty() || e.editable) continue;
    if (is_exact(e.req.specifier)) continue;
    if (e.kind == RequirementEntry::Kind::kConstraint) {
      notes.push_back(note(e, "a -c constraint restricts versions and is left to the "
                              "requirement it constrains"));
      continue;
    }
    if (e.req.marker && !e.req.marker->evaluate(env)) {
      notes.push_back(note(e, "its marker is false on the target (CPython " +
                                  job.resolution.target.python_full_version + " on Linux " +
                                  job.resolution.target.machine + ")"));
      continue;
    }
    if (pinning_suppressed(e.source_line)) {
      notes.push_back(note(e, "its pinning findings are suppressed on this line"));
      continue;
    }
    const ResolvedPackage* p = job.resolution.find(e.req.normalized_name());
    if (!p) {
      notes.push_back(note(e, "the resolution has no " + e.req.normalized_name()));
      continue;
    }
    const std::string version = p->version.str();
    if (!e.hashes.empty()) {
      auto sha = p->file.hashes.find("sha256");
      bool covered = sha != p->file.hashes.end() &&
                     std::find(e.hashes.begin(), e.hashes.end(), "sha256:" + to_lower(sha->second)) !=
                         e.hashes.end();
      if (!covered) {
        notes.push_back(note(e, "its --hash values do not include " + p->file.filename +
                                    ", the file resolved for " + p->name + "==" + version));
        continue;
      }
    }
    // The bytes as written must be the requirement as parsed: not so when the text continues
    // over several physical lines or expands ${VAR}.
    std::string_view line = editor.line(e.location.line);
    bool exact_bytes = false;
    std::string_view written;
    if (e.location.column >= 1 && e.location.end_column > e.location.column &&
        static_cast<size_t>(e.location.end_column - 1) <= line.size()) {
      written = line.substr(static_cast<size_t>(e.location.column - 1),
                            static_cast<size_t>(e.location.end_column - e.location.column));
      auto reparsed = Requirement::parse(written);
      exact_bytes = reparsed && reparsed->str() == e.req.str();
    }
    if (!exact_bytes) {
      notes.push_back(note(e, "the requirement is written over several lines or with ${VAR}; "
                              "pin it by hand to ==" + version));
      continue;
    }
    auto [begin, end] = specifier_span(written);
    int column = e.location.column + static_cast<int>(begin);
    int end_column = e.location.column + static_cast<int>(end);
    if (auto ok = editor.replace(e.location.line, column, end_column, "==" + version); !ok)
      return std::unexpected(ok.error());
    ++pinned;
  }
  return pinned;
}

}  // namespace funcpack
