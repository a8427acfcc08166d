#include "inputs/git_diff.h"

#include <git2.h>

#include <memory>
#include <mutex>
#include <vector>

namespace funcpack {

namespace fs = std::filesystem;

namespace {

void ensure_libgit2() {
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });
}

std::string last_git_error() {
  const git_error* e = git_error_last();
  return e != nullptr && e->message != nullptr ? e->message : "unknown error";
}

template <class T, void (*Free)(T*)>
struct GitPtr {
  T* p = nullptr;
  GitPtr() = default;
  GitPtr(const GitPtr&) = delete;
  GitPtr& operator=(const GitPtr&) = delete;
  ~GitPtr() {
    if (p != nullptr) Free(p);
  }
};

fs::path canonical_spelling(const fs::path& p) {
  std::error_code ec;
  fs::path a = fs::absolute(p, ec);
  if (ec) a = p;
  fs::path c = fs::weakly_canonical(a, ec);
  return ec ? a.lexically_normal() : c;
}

struct Collector {
  fs::path workdir;
  LineChanges* out;
};

int on_file(const git_diff_delta* delta, float, void* payload) {
  auto* c = static_cast<Collector*>(payload);
  if (delta->status == GIT_DELTA_ADDED || delta->status == GIT_DELTA_UNTRACKED)
    c->out->new_files.insert(c->workdir / delta->new_file.path);
  return 0;
}

int on_line(const git_diff_delta* delta, const git_diff_hunk*, const git_diff_line* line,
            void* payload) {
  auto* c = static_cast<Collector*>(payload);
  if (line->origin == GIT_DIFF_LINE_ADDITION && line->new_lineno > 0)
    c->out->changed_lines[c->workdir / delta->new_file.path].insert(line->new_lineno);
  return 0;
}

}  // namespace

bool LineChanges::line_changed(const fs::path& file, int line) const {
  if (line < 1) return false;
  fs::path key = canonical_spelling(file);
  if (new_files.count(key) != 0) return true;
  auto it = changed_lines.find(key);
  return it != changed_lines.end() && it->second.count(line) != 0;
}

bool LineChanges::file_changed(const fs::path& file) const {
  fs::path key = canonical_spelling(file);
  return new_files.count(key) != 0 || changed_lines.count(key) != 0;
}

Result<LineChanges> lines_changed_since(const fs::path& start, std::string_view rev,
                                        std::span<const fs::path> only) {
  ensure_libgit2();
  std::error_code ec;
  fs::path from = canonical_spelling(start);
  if (!fs::is_directory(from, ec)) from = from.parent_path();

  GitPtr<git_repository, git_repository_free> repo;
  int rc = git_repository_open_ext(&repo.p, from.c_str(), 0, nullptr);
  if (rc == GIT_ENOTFOUND)
    return fail("--diff-base: " + start.string() + " is not inside a git repository");
  if (rc != 0) return fail("--diff-base: git: " + last_git_error());
  if (git_repository_is_bare(repo.p))
    return fail("--diff-base: " + std::string(git_repository_path(repo.p)) +
                " is a bare repository (no working tree)");

  LineChanges out;
  out.workdir = canonical_spelling(git_repository_workdir(repo.p));
  std::string repo_name = out.workdir.string();

  std::string rev_s(rev);
  GitPtr<git_object, git_object_free> obj;
  if (rev_s.empty() || git_revparse_single(&obj.p, repo.p, rev_s.c_str()) != 0)
    return fail("--diff-base: unknown revision '" + rev_s + "' in " + repo_name);
  GitPtr<git_object, git_object_free> commit;
  if (git_object_peel(&commit.p, obj.p, GIT_OBJECT_COMMIT) != 0)
    return fail("--diff-base: unknown revision '" + rev_s + "' in " + repo_name +
                " (it does not name a commit)");
  char hex[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(hex, sizeof hex, git_object_id(commit.p));
  out.base_commit = hex;
  GitPtr<git_tree, git_tree_free> tree;
  if (git_commit_tree(&tree.p, reinterpret_cast<git_commit*>(commit.p)) != 0)
    return fail("--diff-base: git: " + last_git_error());

  // git_diff_options_init rather than GIT_DIFF_OPTIONS_INIT: the macro leaves fields to
  // implicit zero-initialisation, which clang's -Wmissing-field-initializers rejects.
  git_diff_options opts;
  git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
  opts.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS |
               GIT_DIFF_SHOW_UNTRACKED_CONTENT;
  opts.context_lines = 0;
  std::vector<std::string> specs;
  std::vector<char*> spec_ptrs;
  if (!only.empty()) {
    for (const auto& f : only) {
      fs::path c = canonical_spelling(f);
      fs::path rel = c.lexically_relative(out.workdir);
      if (rel.empty() || *rel.begin() == "..") continue;  // outside the work tree
      specs.push_back(rel.generic_string());
    }
    if (specs.empty()) return out;
    for (auto& s : specs) spec_ptrs.push_back(s.data());
    opts.pathspec.strings = spec_ptrs.data();
    opts.pathspec.count = spec_ptrs.size();
    opts.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;  // exact paths, no globbing
  }
  GitPtr<git_diff, git_diff_free> diff;
  if (git_diff_tree_to_workdir_with_index(&diff.p, repo.p, tree.p, &opts) != 0)
    return fail("--diff-base: git: " + last_git_error());
  Collector c{out.workdir, &out};
  if (git_diff_foreach(diff.p, on_file, nullptr, nullptr, on_line, &c) != 0)
    return fail("--diff-base: git: " + last_git_error());
  return out;
}

}  // namespace funcpack
