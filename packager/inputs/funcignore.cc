#include "inputs/funcignore.h"

#include <git2.h>
#include <git2/sys/repository.h>

#include <algorithm>
#include <array>
#include <map>
#include <mutex>
#include <optional>

#include "base/fs.h"
#include "base/strings.h"

namespace funcpack {

namespace {

void ensure_libgit2() {
  // libgit2 counts init calls; one for the whole process is enough and is never undone (its
  // global state is tiny and shutting down while another module uses it would be a bug).
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });
}

std::string git_message(std::string_view what) {
  const git_error* e = git_error_last();
  std::string out(what);
  if (e != nullptr && e->message != nullptr) out += std::string(": ") + e->message;
  return out;
}

struct RepoDeleter {
  void operator()(git_repository* r) const { git_repository_free(r); }
};
using RepoPtr = std::unique_ptr<git_repository, RepoDeleter>;

// The configuration every private repository uses: core.excludesfile names an empty file
// (shadowing the user's global excludes, which libgit2 would otherwise read from
// core.excludesfile or $XDG_CONFIG_HOME/git/ignore) and core.ignorecase is off (git's default on
// Linux). Written once per process into a temporary directory removed at exit.
Result<std::filesystem::path> private_config_file() {
  static std::mutex mu;
  static std::optional<TempDir> dir;
  static std::optional<Result<std::filesystem::path>> made;
  std::lock_guard lock(mu);
  if (made) return *made;
  auto tmp = TempDir::create("funcpack-ignore");
  if (!tmp) {
    made = fail("cannot prepare the .funcignore matcher: " + tmp.error().message);
    return *made;
  }
  dir.emplace(std::move(*tmp));
  auto empty = dir->path() / "empty-excludes";
  auto config = dir->path() / "config";
  std::string text = "[core]\n\texcludesfile = " + empty.string() + "\n\tignorecase = false\n";
  if (auto w = write_file_atomic(empty, ""); !w) {
    made = std::unexpected(w.error());
  } else if (auto w2 = write_file_atomic(config, text); !w2) {
    made = std::unexpected(w2.error());
  } else {
    made = config;
  }
  return *made;
}

// A repository that exists only in memory: no work tree (a path's type is given by a trailing
// '/' instead of being looked up on disk), no .gitignore files, no info/exclude, and the private
// configuration above. Creating one touches no disk, so a matcher per pattern is cheap.
Result<RepoPtr> make_private_repo() {
  ensure_libgit2();
  auto config_path = private_config_file();
  if (!config_path) return std::unexpected(config_path.error());
  git_repository* raw = nullptr;
  if (git_repository_new(&raw) != 0)
    return fail(git_message("cannot prepare the .funcignore matcher"));
  RepoPtr repo(raw);
  git_config* cfg = nullptr;
  if (git_config_new(&cfg) != 0)
    return fail(git_message("cannot prepare the .funcignore matcher"));
  int rc = git_config_add_file_ondisk(cfg, config_path->c_str(), GIT_CONFIG_LEVEL_LOCAL,
                                      repo.get(), 0);
  if (rc == 0) rc = git_repository_set_config(repo.get(), cfg);
  git_config_free(cfg);  // the repository holds its own reference
  if (rc != 0) return fail(git_message("cannot prepare the .funcignore matcher"));
  return repo;
}

// Only wildcard negations ever reach libgit2: its handling of a negation without wildcards
// (does_negate_rule) prunes rules wrongly and crashes on some (`*` then `!//` dereferences NULL
// inside git_ignore_add_rule; found by funcignore_fuzz). So the whole-set repository holds the
// positive patterns only, and each single-pattern repository holds `!*` and one positive form.
// libgit2's built-in rule for ".git" needs no neutralising: in a single-pattern repository `!*`
// overrides it, and a whole-set "ignored" is always re-derived from the single patterns.

// The positive form of a git pattern line: a leading '!' removed. What remains is re-escaped
// when it would read as a comment or another negation on a line of its own ("!#x" -> "\#x").
std::string positive_form(std::string_view text) {
  if (text.empty() || text[0] != '!') return std::string(text);
  std::string_view body = text.substr(1);
  if (!body.empty() && (body[0] == '#' || body[0] == '!')) return "\\" + std::string(body);
  return std::string(body);
}

bool is_negation(std::string_view text) { return !text.empty() && text[0] == '!'; }

// A pattern as handed to libgit2:
// - libgit2 takes rules as C strings; git reads each pattern as one too, so a NUL byte ends the
//   pattern (and must not end every rule after it in the joined text);
// - libgit2 1.5 loops forever in git_ignore_add_rule on some lines holding a vertical tab or
//   form feed ("\va", " \fa", "/\v"; found by funcignore_fuzz). git reads those characters
//   literally, and an escaped character means the same to git (also inside `[...]`), so every
//   unescaped one is escaped, which libgit2 parses correctly.
std::string c_pattern(std::string_view text) {
  std::string_view t = text.substr(0, text.find('\0'));
  std::string out;
  out.reserve(t.size());
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '\\' && i + 1 < t.size()) {
      out += t[i];
      out += t[++i];
      continue;
    }
    if (t[i] == '\v' || t[i] == '\f') out += '\\';
    out += t[i];
  }
  return out;
}

}  // namespace

IgnoreFile parse_ignore_text(std::string_view text, std::string path) {
  IgnoreFile out;
  out.path = std::move(path);
  out.text = std::string(text);
  int line = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view l = text.substr(pos, end - pos);
    ++line;
    // git drops one CR before the LF (dir.c add_patterns_from_buffer); so do we.
    if (nl != std::string_view::npos && !l.empty() && l.back() == '\r') l.remove_suffix(1);
    // Blank, all-space (git trims unescaped trailing spaces to nothing) and comment lines are
    // not patterns.
    bool all_space = std::all_of(l.begin(), l.end(), [](char c) { return c == ' '; });
    if (!l.empty() && !all_space && l[0] != '#') out.patterns.push_back({std::string(l), line});
    pos = end + 1;
  }
  return out;
}

Result<IgnoreFile> read_ignore_file(const std::filesystem::path& path) {
  auto text = read_file(path);
  if (!text) return std::unexpected(text.error());
  return parse_ignore_text(*text, path.string());
}

struct GitIgnoreMatcher::Impl {
  IgnoreFile file;
  RepoPtr full;                 // every pattern
  std::vector<RepoPtr> single_repos;  // pattern i alone behind a catch-all negation (lazy)
  std::map<std::string, IgnoreVerdict, std::less<>> memo;  // key: path + ('/' if dir)
  bool has_negation = false;

  Result<bool> libgit2_ignored(git_repository* repo, const std::string& key) {
    int ignored = 0;
    if (git_ignore_path_is_ignored(&ignored, repo, key.c_str()) != 0)
      return fail(git_message("libgit2 cannot evaluate .funcignore for '" + key + "'"));
    return ignored != 0;
  }

  // Whether pattern `i` (positive form) matches `key` itself. The catch-all "!*" makes every
  // path match *something* at its own level, so libgit2 never falls back to a parent directory.
  Result<bool> single(size_t i, const std::string& key) {
    if (single_repos.size() != file.patterns.size()) single_repos.resize(file.patterns.size());
    if (!single_repos[i]) {
      auto repo = make_private_repo();
      if (!repo) return std::unexpected(repo.error());
      std::string rules = "!*\n" +
                          positive_form(c_pattern(file.patterns[i].text)) + "\n";
      if (git_ignore_add_rule(repo->get(), rules.c_str()) != 0)
        return fail(git_message("libgit2 rejects pattern " + file.path + ":" +
                                std::to_string(file.patterns[i].line)));
      single_repos[i] = std::move(*repo);
    }
    return libgit2_ignored(single_repos[i].get(), key);
  }

  // The last pattern matching `key` itself, or -1.
  Result<int> deciding(const std::string& key) {
    for (size_t i = file.patterns.size(); i-- > 0;) {
      auto m = single(i, key);
      if (!m) return std::unexpected(m.error());
      if (*m) return static_cast<int>(i);
    }
    return -1;
  }

  // The verdict for `key` when no ancestor is excluded.
  Result<IgnoreVerdict> here(const std::string& key) {
    IgnoreVerdict v;
    auto ig = libgit2_ignored(full.get(), key);
    if (!ig) return std::unexpected(ig.error());
    // The whole set holds the positive patterns only: "kept" means none matches the path (nor
    // an ancestor), so git keeps it too; only a deciding negation may remain to be named.
    // "ignored" is re-derived from the deciding pattern, whose sign is git's verdict.
    if (!*ig && !has_negation) return v;
    auto d = deciding(key);
    if (!d) return std::unexpected(d.error());
    v.pattern = *d;
    v.excluded = *d >= 0 && !is_negation(file.patterns[static_cast<size_t>(*d)].text);
    return v;
  }
};

GitIgnoreMatcher::GitIgnoreMatcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GitIgnoreMatcher::GitIgnoreMatcher(GitIgnoreMatcher&&) noexcept = default;
GitIgnoreMatcher& GitIgnoreMatcher::operator=(GitIgnoreMatcher&&) noexcept = default;
GitIgnoreMatcher::~GitIgnoreMatcher() = default;

const IgnoreFile& GitIgnoreMatcher::file() const { return impl_->file; }

Result<GitIgnoreMatcher> GitIgnoreMatcher::create(const IgnoreFile& file) {
  auto impl = std::make_unique<Impl>();
  impl->file = file;
  auto full = make_private_repo();
  if (!full) return std::unexpected(full.error());
  impl->full = std::move(*full);
  std::string rules;
  for (const auto& p : file.patterns) {
    if (is_negation(p.text)) {
      impl->has_negation = true;
      continue;
    }
    rules += c_pattern(p.text);
    rules += '\n';
  }
  if (git_ignore_add_rule(impl->full.get(), rules.c_str()) != 0)
    return fail(git_message("libgit2 rejects " + file.path));
  return GitIgnoreMatcher(std::move(impl));
}

Result<IgnoreVerdict> GitIgnoreMatcher::check(std::string_view rel_path, bool is_dir) {
  Impl& s = *impl_;
  // Ancestors first, top-down: git never looks inside an excluded directory.
  size_t slash = 0;
  while ((slash = rel_path.find('/', slash)) != std::string_view::npos) {
    std::string key(rel_path.substr(0, slash + 1));
    ++slash;
    auto it = s.memo.find(key);
    if (it == s.memo.end()) {
      auto v = check(std::string_view(key).substr(0, key.size() - 1), true);
      if (!v) return v;
      it = s.memo.find(key);
    }
    if (it->second.excluded) {
      IgnoreVerdict out = it->second;
      if (out.ancestor.empty()) out.ancestor = key;
      return out;
    }
  }
  std::string key(rel_path);
  if (is_dir) key += '/';
  if (auto it = s.memo.find(key); it != s.memo.end()) return it->second;
  auto v = s.here(key);
  if (!v) return v;
  s.memo.emplace(key, *v);
  return v;
}

Result<bool> GitIgnoreMatcher::pattern_matches(size_t index, std::string_view rel_path,
                                               bool is_dir) {
  if (index >= impl_->file.patterns.size()) return false;
  std::string key(rel_path);
  if (is_dir) key += '/';
  return impl_->single(index, key);
}

// ---------------------------------------------------------------------------------------------
// Core Tools model.

namespace {

constexpr std::array<std::string_view, 2> kCoreToolsDirs = {".git", ".vscode"};
constexpr std::array<std::string_view, 4> kCoreToolsFiles = {
    ".funcignore", ".gitignore", "local.settings.json", "project.lock.json"};

// Core Tools' regex translation, as tokens: literal bytes, `*` -> one or more non-'/' bytes,
// `**` -> one or more bytes (ECMAScript '.' stops at line terminators, irrelevant for paths
// but kept).
struct CtToken {
  enum class Kind { kLiteral, kStar, kDoubleStar } kind;
  char c = 0;
};

std::vector<CtToken> ct_tokens(std::string_view body) {
  std::vector<CtToken> out;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '*') {
      if (i + 1 < body.size() && body[i + 1] == '*') {
        out.push_back({CtToken::Kind::kDoubleStar});
        ++i;
      } else {
        out.push_back({CtToken::Kind::kStar});
      }
    } else {
      out.push_back({CtToken::Kind::kLiteral, body[i]});
    }
  }
  return out;
}

bool ct_dot(char c) { return c != '\n' && c != '\r'; }

// The set of end positions in `s` reachable after matching every token from position 0 (the
// regex is `^(...)` with no `$`, so any reachable end is a match of a prefix). A forward pass
// over position sets instead of backtracking: patterns like `*a*a*a*a*b` cannot blow up (linear
// per token), which matters because a .funcignore is user input and lint must not hang on it.
std::vector<bool> ct_ends(const std::vector<CtToken>& t, std::string_view s) {
  std::vector<bool> cur(s.size() + 1, false), next(s.size() + 1);
  cur[0] = true;
  for (const CtToken& k : t) {
    std::fill(next.begin(), next.end(), false);
    bool any = false;
    for (size_t p = 0; p <= s.size(); ++p) {
      if (!cur[p]) continue;
      if (k.kind == CtToken::Kind::kLiteral) {
        if (p < s.size() && s[p] == k.c) next[p + 1] = any = true;
        continue;
      }
      // One or more characters: `[^/]+` or `.+`.
      for (size_t q = p; q < s.size(); ++q) {
        if (k.kind == CtToken::Kind::kStar ? s[q] == '/' : !ct_dot(s[q])) break;
        // Reached already: by an earlier start in the same run, which marked the rest of the
        // run too, so stop (keeps the pass linear).
        if (next[q + 1]) break;
        next[q + 1] = any = true;
      }
    }
    if (!any) return std::vector<bool>(s.size() + 1, false);
    cur.swap(next);
  }
  return cur;
}

bool ct_pattern_matches(std::string_view body, std::string_view path) {
  auto ends = ct_ends(ct_tokens(body), path);
  return std::find(ends.begin(), ends.end(), true) != ends.end();
}

// Whether the pattern matches the whole path, not just a prefix of it (to explain prefix
// matches in the disagreement report).
bool ct_full_match(std::string_view body, std::string_view path) {
  return ct_ends(ct_tokens(body), path).back();
}

}  // namespace

std::span<const std::string_view> core_tools_excluded_dirs() { return kCoreToolsDirs; }
std::span<const std::string_view> core_tools_excluded_files() { return kCoreToolsFiles; }

CoreToolsIgnoreModel::CoreToolsIgnoreModel(std::string_view text) {
  int line = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    ++line;
    std::string_view l = trim(text.substr(pos, end - pos));
    if (!l.empty() && l[0] != '#') {
      Pattern p;
      p.line = line;
      if (l[0] == '!') {
        p.negated = true;
        l.remove_prefix(1);
      }
      if (!l.empty() && l[0] == '/') l.remove_prefix(1);
      p.body = std::string(l);
      patterns_.push_back(std::move(p));
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
}

std::string CoreToolsIgnoreModel::pattern_at_line(int line) const {
  for (const auto& p : patterns_)
    if (p.line == line) return p.body;
  return {};
}

CoreToolsVerdict CoreToolsIgnoreModel::check_file(std::string_view rel_file) const {
  CoreToolsVerdict v;
  auto parts = split(rel_file, '/');
  for (size_t i = 0; i + 1 < parts.size(); ++i)
    for (auto d : kCoreToolsDirs)
      if (iequals(parts[i], d)) v.builtin = true;
  for (auto f : kCoreToolsFiles)
    if (!parts.empty() && iequals(parts.back(), f)) v.builtin = true;
  for (const auto& p : patterns_) {
    if (!ct_pattern_matches(p.body, rel_file)) continue;
    int& slot = p.negated ? v.negation_line : v.pattern_line;
    if (slot == 0) slot = p.line;
  }
  v.excluded = v.builtin || (v.pattern_line != 0 && v.negation_line == 0);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Comparison.

namespace {

std::string display(std::string_view pattern) {
  std::string s(pattern);
  while (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

// Why git matches a pattern that Core Tools does not.
std::string why_git_only(std::string_view pattern, const IgnoreVerdict& v) {
  std::string p = positive_form(pattern);
  std::string name = "`" + display(pattern) + "`";
  if (p.find_first_of("?[") != std::string::npos)
    return "git reads `?` and `[...]` in " + name +
           " as wildcards; Core Tools reads them as literal characters";
  if (p.find('\\') != std::string::npos)
    return "git reads backslash escapes in " + name + "; Core Tools takes the backslash literally";
  std::string_view core = p;
  while (!core.empty() && core.back() == '/') core.remove_suffix(1);
  if (core.find('/') == std::string_view::npos)
    return "git matches " + name + " at any depth" +
           (v.ancestor.empty() ? std::string() : " (here the directory " + v.ancestor + ")") +
           "; Core Tools anchors every pattern at the app root";
  if (p.find("**") != std::string::npos)
    return "git's `**` in " + name +
           " also matches zero directories; Core Tools' `**` needs at least one character";
  return "git's pattern " + name + " matches this file; Core Tools' translation of it does not";
}

}  // namespace

Result<std::vector<IgnoreDisagreement>> compare_git_and_core_tools(
    const IgnoreFile& file, std::span<const std::string> files) {
  auto matcher = GitIgnoreMatcher::create(file);
  if (!matcher) return std::unexpected(matcher.error());
  CoreToolsIgnoreModel ct(file.text);
  auto git_line_text = [&](int line) -> std::optional<std::string> {
    for (const auto& p : file.patterns)
      if (p.line == line) return p.text;
    return std::nullopt;
  };
  auto raw_line = [&](int line) {
    auto parts = split(file.text, '\n');
    return line >= 1 && static_cast<size_t>(line) <= parts.size()
               ? display(parts[static_cast<size_t>(line) - 1])
               : std::string();
  };

  std::vector<IgnoreDisagreement> out;
  for (const auto& f : files) {
    CoreToolsVerdict c = ct.check_file(f);
    if (c.builtin) continue;
    auto g = matcher->check(f, false);
    if (!g) return std::unexpected(g.error());
    if (g->excluded == c.excluded) continue;
    IgnoreDisagreement d;
    d.path = f;
    d.git_excluded = g->excluded;
    d.core_tools_excluded = c.excluded;
    if (g->excluded) {
      if (c.negation_line != 0) {
        d.line = c.negation_line;
        if (!g->ancestor.empty()) {
          d.reason = "git cannot re-include a file inside an excluded directory (" +
                     g->ancestor + "); Core Tools lets any matching negation win";
        } else {
          // Does git's reading of the same line match the file at all?
          bool git_matches = false;
          for (size_t i = 0; i < file.patterns.size(); ++i) {
            if (file.patterns[i].line != c.negation_line) continue;
            auto m = matcher->pattern_matches(i, f, false);
            if (!m) return std::unexpected(m.error());
            git_matches = *m && is_negation(file.patterns[i].text);
          }
          d.reason = git_matches
                         ? "git applies the last matching pattern (line " +
                               std::to_string(file.patterns[static_cast<size_t>(g->pattern)].line) +
                               " excludes it); Core Tools lets any matching negation win "
                               "regardless of order"
                         : "Core Tools re-includes it with this negation; git's reading of the "
                           "line does not match it";
        }
      } else {
        const auto& p = file.patterns[static_cast<size_t>(g->pattern)];
        d.line = p.line;
        d.reason = why_git_only(p.text, *g);
      }
    } else {
      if (g->pattern >= 0) {
        const auto& p = file.patterns[static_cast<size_t>(g->pattern)];
        d.line = p.line;
        d.reason = "git re-includes it with this negation (the last matching pattern wins); "
                   "Core Tools' reading of the line does not match it";
      } else {
        d.line = c.pattern_line;
        std::string body = ct.pattern_at_line(c.pattern_line);
        auto gl = git_line_text(c.pattern_line);
        if (!ct_full_match(body, f)) {
          d.reason = "Core Tools matches `" + body + "` against the start of the path (`" + f +
                     "` begins with it); git matches whole names";
        } else if (!gl || display(*gl) != body) {
          d.reason = "Core Tools trims the line and drops a leading `/` or `!` differently; git "
                     "reads it as `" + (gl ? display(*gl) : std::string("(not a pattern)")) + "`";
        } else {
          d.reason = "Core Tools' translation of `" + body +
                     "` matches this file; git's pattern does not";
        }
      }
    }
    d.pattern = raw_line(d.line);
    out.push_back(std::move(d));
  }
  std::sort(out.begin(), out.end(),
            [](const IgnoreDisagreement& a, const IgnoreDisagreement& b) { return a.path < b.path; });
  return out;
}

}  // namespace funcpack
