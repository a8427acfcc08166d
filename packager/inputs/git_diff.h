// git_diff.h: which lines of which files changed since a revision (`funcpack lint --diff-base`).
//
// Owns: opening the git repository that contains a path (libgit2), resolving REV, and the
// (file, line) set of lines added or changed in the WORKING TREE relative to REV's tree.
//
// Semantics (what a pull request is judged on):
// - the comparison is REV's tree against the files as they are on disk now, so committed,
//   staged and unstaged changes all count (git_diff_tree_to_workdir_with_index);
// - untracked files (not ignored) and files added since REV count as all-new: every line;
// - a modified line counts as changed (a diff shows it as removed then added); a deleted line
//   leaves nothing to report; line numbers are those of the working-tree file, 1-based;
// - byte-exact: no whitespace or line-ending normalisation beyond the repository's own
//   filters (core.autocrlf, .gitattributes), which libgit2 applies as git does;
// - files outside the repository's work tree are never "changed" (lint cannot judge them).
// REV is anything `git rev-parse` accepts that names a commit (branch, tag, sha, HEAD~1,
// origin/main); it is peeled to its tree.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"

namespace funcpack {

struct LineChanges {
  std::filesystem::path workdir;  // the repository's work tree (canonical, absolute)
  std::string base_commit;        // REV's commit id, 40 hex digits
  // Canonical absolute path -> 1-based working-tree line numbers added or changed since REV.
  std::map<std::filesystem::path, std::set<int>> changed_lines;
  // Canonical absolute paths of files that are new since REV (untracked or added): every line.
  std::set<std::filesystem::path> new_files;

  // Whether line `line` (1-based) of `file` (any spelling: relative to the current directory,
  // absolute, through symlinks) was added or changed. False for files outside the work tree.
  bool line_changed(const std::filesystem::path& file, int line) const;
  // Whether `file` has any added or changed line (or is new).
  bool file_changed(const std::filesystem::path& file) const;
};

// Opens the repository containing `start` (a file or directory; parents are searched as git
// does), resolves `rev`, and diffs. With `only` non-empty, only those files are diffed (faster
// in big repositories); otherwise the whole work tree is.
// Errors (exit 2 material):
//   "--diff-base: PATH is not inside a git repository"
//   "--diff-base: unknown revision 'REV' in REPO"   (also for a REV that is not a commit)
//   "--diff-base: REPO is a bare repository (no working tree)"
//   "--diff-base: git: <libgit2 message>"           (anything else)
Result<LineChanges> lines_changed_since(const std::filesystem::path& start, std::string_view rev,
                                        std::span<const std::filesystem::path> only = {});

}  // namespace funcpack
