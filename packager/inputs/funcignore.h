// funcignore.h: `.funcignore` as git reads a `.gitignore` (through libgit2), and a model of
// Azure Functions Core Tools' own parser so lint can say where the two disagree.
//
// Owns: reading an ignore file into patterns with line numbers; the git-semantics matcher;
// the Core Tools model; the comparison of the two over a list of files.
//
// Spec: gitignore(5). The decisions are made by libgit2 (git_ignore_add_rule +
// git_ignore_path_is_ignored), not by a re-implementation, so wildmatch `**`, character
// classes, escapes (`\#`, `\!`, `\ `), trailing-space trimming, anchoring (a pattern with a
// slash at its start or middle is relative to the .funcignore's directory, one without matches
// a name at any depth) and directory-only patterns (trailing `/`) are git's.
// Why a private repository: libgit2 only evaluates ignore rules inside a repository, and the
// user's own repository would add its .gitignore files, info/exclude and core.excludesfile. So
// the matcher uses in-memory repositories (git_repository_new: no work tree, no git dir, so no
// .gitignore files and no info/exclude; a path's type is given by a trailing '/' instead of
// being looked up on disk) with a private configuration whose core.excludesfile is an empty
// file (shadowing the user's global excludes and $XDG_CONFIG_HOME/git/ignore) and
// core.ignorecase off. The patterns are loaded as rules with git_ignore_add_rule.
// Traps handled here, not by libgit2:
// - git_ignore_path_is_ignored decides on the deepest matching rule and consults a parent
//   only when nothing matches the path itself; git instead never looks inside an excluded
//   directory, so "a file inside an excluded directory cannot be re-included" (`build/` then
//   `!build/keep.txt` keeps build/keep.txt out). `check` walks the ancestors top-down first.
// - libgit2 reports only yes/no; the pattern responsible (for `-v` listings and lint) is found
//   by evaluating single patterns the same way (each in its own repository behind a catch-all
//   negation `!*`, so libgit2 cannot fall back to a parent), from the last pattern to the
//   first, as git's "last match wins". The deciding pattern's sign is the verdict.
// - libgit2 1.5 mishandles negations without wildcards: it drops ones it wrongly believes
//   negate nothing (`*/[!a]*` then `!build`: git keeps `x/build`, libgit2 ignores it) and
//   crashes on some (`*` then `!//`), and it hangs on lines holding a leading vertical tab or
//   form feed. So no such negation ever reaches libgit2: the whole-set repository holds the
//   positive patterns only (its "kept" is final: nothing matches), every other verdict comes
//   from the per-pattern walk above, and vertical tabs/form feeds are escaped (same meaning to
//   git). Found by the generated comparison with git (tests/appfiles) and funcignore_fuzz.
// - Known divergence, left as is: git's own matcher treats `**` glued to other characters
//   (`a**/x`) as `a` followed by a leading `**/` after splitting off the literal prefix, so
//   `a**/[a-z]*` matches the directory `abc`; gitignore(5) and libgit2 read such `**` as a
//   plain `*`. The comparison test does not generate such patterns.
// - A CR before LF (a .funcignore saved on Windows) is dropped, as git does; the patterns are
//   handed to libgit2 one per line, LF-terminated.
// - libgit2's built-in rule ignoring `.git` is overridden by the catch-all, so answers match
//   `git check-ignore --no-index` (app_files.h excludes .git on its own).
//
// Core Tools (azure-functions-core-tools GitIgnoreParser + GetLocalFiles; facts, not code):
// - lines split on '\n', each trimmed of surrounding whitespace (so CR, leading spaces go);
//   blank lines and lines starting with '#' skipped (after trimming: `  # x` is a comment);
//   no escapes (`\#foo` is a literal backslash pattern);
// - a leading '!' makes a negation, then one leading '/' is dropped;
// - every pattern is anchored at the app root and matches a PREFIX of the file path
//   (`foo` matches `foo`, `foo/x`, `foobar.py`); `**` = `.+`, `*` = `[^/]+`, every other
//   character literal (`?` and `[...]` included);
// - only FILE paths are tested (relative, '/'-separated); a file is excluded when some
//   positive pattern matches and no negation does (any matching negation wins, order
//   ignored);
// - always excluded, by name at any depth, case-insensitive: directories `.git`, `.vscode`;
//   files `.funcignore`, `.gitignore`, `local.settings.json`, `project.lock.json`. A virtual
//   environment (`.venv`) is NOT excluded.
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace funcpack {

// One line of an ignore file that git treats as a pattern (not blank, not a `#` comment).
struct IgnorePattern {
  std::string text;  // the line as written, without its line terminator ("\n" or "\r\n")
  int line = 0;      // 1-based
};

struct IgnoreFile {
  std::string path;  // as given by the caller; used in locations and reasons
  std::string text;  // the raw bytes
  std::vector<IgnorePattern> patterns;  // git's view, in file order
};

// Returns the parsed file, or an Error "cannot read PATH: reason".
Result<IgnoreFile> read_ignore_file(const std::filesystem::path& path);
// Parses `text` as if read from `path` (never fails).
IgnoreFile parse_ignore_text(std::string_view text, std::string path);

// The answer for one path under git's semantics.
struct IgnoreVerdict {
  bool excluded = false;
  // Index into IgnoreFile::patterns of the pattern that decided (the last one matching the
  // path, or, when `ancestor` is set, the one that excluded that ancestor); -1 if no pattern
  // matched. A negation that matched gives excluded == false with pattern >= 0.
  int pattern = -1;
  // Set when the path is excluded because this ancestor directory is (relative path ending
  // in '/'); empty otherwise.
  std::string ancestor;
};

class GitIgnoreMatcher {
 public:
  // Returns a matcher for `file`'s patterns, or an Error when libgit2 cannot create its
  // private repository ("cannot prepare the .funcignore matcher: reason").
  static Result<GitIgnoreMatcher> create(const IgnoreFile& file);
  GitIgnoreMatcher(GitIgnoreMatcher&&) noexcept;
  GitIgnoreMatcher& operator=(GitIgnoreMatcher&&) noexcept;
  ~GitIgnoreMatcher();

  // `rel_path`: relative to the directory holding the ignore file, '/'-separated, no leading
  // "./" or '/', no trailing '/' (say `is_dir` instead). Ancestors are checked first (results
  // are memoised, so walking a tree top-down costs one libgit2 query per path). Returns the
  // verdict, or an Error from libgit2.
  Result<IgnoreVerdict> check(std::string_view rel_path, bool is_dir);

  // Whether pattern `index` alone matches `rel_path` itself (not through an ancestor),
  // ignoring its '!' (a negation "matches" where its positive form would). For diagnostics.
  Result<bool> pattern_matches(size_t index, std::string_view rel_path, bool is_dir);

  const IgnoreFile& file() const;

 private:
  struct Impl;
  explicit GitIgnoreMatcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Core Tools' parser, modelled (see the header comment). Pure; cannot fail.
struct CoreToolsVerdict {
  bool excluded = false;
  bool builtin = false;  // excluded by Core Tools' fixed name list, not by a pattern
  int pattern_line = 0;  // 1-based line of the first (in file order) positive pattern that
                         // matches, 0 if none
  int negation_line = 0; // 1-based line of the first negation that matches, 0 if none
};

class CoreToolsIgnoreModel {
 public:
  explicit CoreToolsIgnoreModel(std::string_view funcignore_text);
  // `rel_file`: a FILE path relative to the app root, '/'-separated.
  CoreToolsVerdict check_file(std::string_view rel_file) const;
  // The pattern text (after Core Tools' trimming, with '!' and one leading '/' removed) of a
  // line, or "" when that line is not a pattern for Core Tools.
  std::string pattern_at_line(int line) const;

  struct Pattern {
    int line = 0;
    bool negated = false;
    std::string body;  // after trimming, '!' and one leading '/' removed
  };
  const std::vector<Pattern>& patterns() const { return patterns_; }

 private:
  std::vector<Pattern> patterns_;
};

// Core Tools' always-excluded names (compared case-insensitively, at any depth).
std::span<const std::string_view> core_tools_excluded_dirs();   // .git, .vscode
std::span<const std::string_view> core_tools_excluded_files();  // .funcignore, .gitignore,
                                                                // local.settings.json,
                                                                // project.lock.json

// A file the two parsers treat differently because of a pattern.
struct IgnoreDisagreement {
  std::string path;            // the file, relative to the app root
  bool git_excluded = false;   // git's semantics (what funcpack and functions-action do)
  bool core_tools_excluded = false;
  int line = 0;                // 1-based line of the .funcignore pattern responsible
  std::string pattern;         // that line's text (trailing CR removed for display)
  std::string reason;          // one sentence, e.g. "git matches `*.pyc` at any depth; Core
                               // Tools anchors it at the app root"
};

// For `file`'s patterns and `files` (FILE paths relative to the app root, '/'-separated, any
// order), returns every file on which git's semantics and Core Tools' parser disagree, sorted
// by path. Files that Core Tools excludes by its fixed name list are skipped (no pattern is
// responsible). The responsible line is: for a file only git excludes, a Core Tools negation
// that re-includes it if there is one, else git's deciding pattern; for a file only Core Tools
// excludes, git's deciding negation if there is one, else Core Tools' first matching positive
// pattern. Returns an Error only when the git matcher cannot be created or libgit2 fails.
Result<std::vector<IgnoreDisagreement>> compare_git_and_core_tools(
    const IgnoreFile& file, std::span<const std::string> files);

}  // namespace funcpack
