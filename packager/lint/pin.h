// pin.h: `funcpack lint --fix --pin`: rewrites the loose top-level requirement lines of the
// requirements files (the root file and its -r includes) to the versions a resolution chose,
// through the byte-preserving editor (inputs/requirements_edit.h).
//
// Owns which lines are pinned and the exact edit:
// - Pinned: each named requirement (not a -c constraint) with no specifier, a range, an
//   exclusion or a wildcard (anything but `==V` without `.*` or `===V`) whose marker is true
//   on the target. Only the specifier bytes change: "Requests [socks] >=2.0, <3 ; marker  #
//   comment" becomes "Requests [socks]==2.31.0 ; marker  # comment" (the name and extras as
//   written, the marker, options, comments, trailing whitespace and the line ending kept).
//   A parenthesised specifier "name (>=1)" becomes "name==V".
// - --hash options are kept when they include the sha256 of the file the resolution chose
//   (pip's hash-checking mode then still installs it); otherwise the line is left as written
//   with a note (new hashes are the job of `funcpack lock --format requirements`).
// - Left as written, each with a note: URL, VCS, local path and editable requirements (not
//   resolved from an index, so their own dependencies are not part of the resolution either);
//   loose lines of -c constraints files (constraints restrict, pinning them would make them
//   requirements' business); lines whose marker is false on the target; lines whose pinning
//   findings are suppressed (`# funcpack: ignore` or `ignore[...]` naming FP101, FP102,
//   FP103 or FP105): the user chose that range; requirements written over several physical
//   lines or with ${VAR} references in the name/specifier (the written bytes are not the
//   parsed text, so no exact edit exists).
// Interaction with the pinning rules (decision): pinning is a request for exact pins, so it
// pins under either --policy, and a pinned line has `==`: the re-lint after --fix reports no
// FP101/FP102/FP103/FP105 finding on it. Lines left as written keep their findings.
// Traps: entries deleted by --fix (FP203) are neither resolved nor pinned; two entries for one
// project are both pinned to the one resolved version.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/diagnostic.h"
#include "base/error.h"
#include "inputs/requirements_edit.h"
#include "inputs/requirements_txt.h"
#include "resolve/resolution.h"

namespace funcpack {

// (path as in Location::path, physical line) of entries another fix deletes.
using EntryLines = std::set<std::pair<std::string, int>>;

// The entries a pin run resolves: the named requirements and constraints of `file` without a
// URL, except those at `deleted`. The others (URL, VCS, path, editable) are skipped with a
// note appended to `notes` (severity info, at the entry).
std::vector<RequirementEntry> entries_to_resolve(const RequirementsFile& file,
                                                 const EntryLines& deleted,
                                                 std::vector<Diagnostic>& notes);

struct PinJob {
  std::vector<RequirementEntry> entries;  // every entry of the requirements file (parse order)
  Resolution resolution;
  EntryLines deleted;  // entries other fixes delete: left alone
};

// Queues in `editor` the pins for the entries of `job` that are in editor.path() (compared as
// Location::path strings). Returns how many lines got a pin, or the editor's Error (a caller
// bug). Lines left as written (see above) add a note to `notes`.
Result<int> queue_pins(RequirementsEditor& editor, const PinJob& job,
                       std::vector<Diagnostic>& notes);

}  // namespace funcpack
