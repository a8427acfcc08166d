#include "inputs/app_files.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <set>

#include "inputs/funcignore.h"

namespace funcpack {

namespace fs = std::filesystem;

namespace {

std::optional<fs::path> file_at(const fs::path& dir, const char* name) {
  std::error_code ec;
  fs::path p = dir / name;
  if (fs::is_regular_file(p, ec)) return p;  // follows a symlink to a regular file
  return std::nullopt;
}

fs::path normal_absolute(const fs::path& p) {
  std::error_code ec;
  fs::path a = fs::absolute(p, ec);
  if (ec) a = p;
  a = a.lexically_normal();
  // "dir/" normalises to "dir/" with an empty filename; drop it so parent_path() works.
  if (!a.has_filename() && a.has_parent_path() && a != a.root_path()) a = a.parent_path();
  return a;
}

bool is_within(const fs::path& inner, const fs::path& outer) {
  auto rel = inner.lexically_relative(outer);
  return !rel.empty() && *rel.begin() != "..";
}

// Names excluded wherever they appear (see the header).
constexpr std::array<std::string_view, 5> kAlwaysExcluded = {
    ".git", ".vscode", "__pycache__", "local.settings.json", ".funcignore"};

struct Walker {
  const AppLayout& app;
  fs::path canonical_root;
  std::vector<fs::path> outputs;  // canonical
  std::optional<GitIgnoreMatcher> matcher;
  std::string funcignore_display = ".funcignore";
  FileListing out;

  void exclude(std::string rel, bool dir, ExclusionKind kind, std::string reason,
               Location loc = {}) {
    if (dir) rel += '/';
    out.excluded.push_back({std::move(rel), kind, std::move(reason), std::move(loc)});
  }

  Result<void> walk(const fs::path& dir, const std::string& prefix) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) return fail("cannot read " + dir.string() + ": " + ec.message());
    std::vector<fs::directory_entry> entries;
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) return fail("cannot read " + dir.string() + ": " + ec.message());
      entries.push_back(*it);
    }
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
    for (const auto& e : entries) {
      if (auto r = visit(e, prefix); !r) return r;
    }
    return {};
  }

  Result<void> visit(const fs::directory_entry& e, const std::string& prefix) {
    std::error_code ec;
    const std::string name = e.path().filename().string();
    const std::string rel = prefix.empty() ? name : prefix + "/" + name;
    fs::file_status lst = e.symlink_status(ec);
    if (ec) return fail("cannot read " + e.path().string() + ": " + ec.message());
    bool is_link = fs::is_symlink(lst);
    fs::file_status st = is_link ? fs::status(e.path(), ec) : lst;
    bool dangling = is_link && (ec || !fs::exists(st));
    bool is_dir = !dangling && fs::is_directory(st);

    for (auto n : kAlwaysExcluded) {
      if (name == n) {
        exclude(rel, is_dir && !is_link, ExclusionKind::kAlwaysExcluded,
                "always excluded (" + std::string(n) + ")");
        return {};
      }
    }
    if (prefix.empty() && name == ".python_packages") {
      exclude(rel, is_dir && !is_link, ExclusionKind::kPythonPackages,
              "host .python_packages (the build installs its own)");
      return {};
    }
    fs::path abs = canonical_root / fs::path(rel);
    for (const auto& o : outputs) {
      if (abs == o) {
        exclude(rel, is_dir && !is_link, ExclusionKind::kOutput, "build output");
        return {};
      }
    }
    if (is_link) {
      std::string target = fs::read_symlink(e.path(), ec).string();
      fs::path resolved = fs::weakly_canonical(e.path(), ec);
      SymlinkNote note{rel, target, ec || !is_within(resolved, canonical_root), false};
      if (dangling) {
        out.symlinks.push_back(note);
        exclude(rel, false, ExclusionKind::kDanglingSymlink, "dangling symlink: -> " + target);
        return {};
      }
      if (is_dir) {
        out.symlinks.push_back(note);
        exclude(rel, false, ExclusionKind::kSymlinkDir,
                std::string("symlink to a directory") +
                    (note.outside_app ? " outside the app" : "") + " (not followed): -> " +
                    target);
        return {};
      }
      if (fs::is_regular_file(st)) {
        // Decided below like any file; recorded once we know whether it is included.
        auto r = visit_file(e, rel, st, true);
        note.included = r.has_value() && *r;
        out.symlinks.push_back(note);
        if (!r) return std::unexpected(r.error());
        return {};
      }
      out.symlinks.push_back(note);
    }
    if (is_dir) {
      if (fs::is_regular_file(e.path() / "pyvenv.cfg", ec)) {
        exclude(rel, true, ExclusionKind::kVirtualEnv, "virtual environment (contains pyvenv.cfg)");
        return {};
      }
      if (auto f = funcignore(rel, true); !f) {
        return std::unexpected(f.error());
      } else if (*f) {
        return {};
      }
      return walk(e.path(), rel);
    }
    if (!fs::is_regular_file(st)) {
      const char* what = fs::is_fifo(st)              ? "fifo"
                         : fs::is_socket(st)          ? "socket"
                         : fs::is_block_file(st)      ? "block device"
                         : fs::is_character_file(st)  ? "character device"
                                                      : "unknown type";
      exclude(rel, false, ExclusionKind::kSpecialFile,
              std::string("not a regular file (") + what + ")");
      return {};
    }
    auto r = visit_file(e, rel, st, false);
    if (!r) return std::unexpected(r.error());
    return {};
  }

  // Returns whether the file was included.
  Result<bool> visit_file(const fs::directory_entry& e, const std::string& rel,
                          const fs::file_status& st, bool via_symlink) {
    auto f = funcignore(rel, false);
    if (!f) return std::unexpected(f.error());
    if (*f) return false;
    std::error_code ec;
    IncludedFile inc;
    inc.path = rel;
    inc.source = e.path();
    inc.size = fs::file_size(e.path(), ec);
    if (ec) return fail("cannot read " + e.path().string() + ": " + ec.message());
    inc.executable = (st.permissions() & (fs::perms::owner_exec | fs::perms::group_exec |
                                          fs::perms::others_exec)) != fs::perms::none;
    inc.via_symlink = via_symlink;
    out.included.push_back(std::move(inc));
    return true;
  }

  // Returns whether .funcignore excluded `rel` (and records it).
  Result<bool> funcignore(const std::string& rel, bool is_dir) {
    if (!matcher) return false;
    auto v = matcher->check(rel, is_dir);
    if (!v) return std::unexpected(v.error());
    if (!v->excluded) return false;
    const IgnorePattern& p = matcher->file().patterns[static_cast<size_t>(v->pattern)];
    Location loc;
    loc.path = matcher->file().path;
    loc.line = p.line;
    exclude(rel, is_dir, ExclusionKind::kFuncignore,
            funcignore_display + ":" + std::to_string(p.line) + ": " + p.text, loc);
    return true;
  }
};

}  // namespace

Result<AppLayout> discover_app(const fs::path& dir) {
  std::error_code ec;
  fs::file_status st = fs::status(dir, ec);
  if (ec || !fs::exists(st)) return fail(dir.string() + ": no such directory");
  if (!fs::is_directory(st)) return fail(dir.string() + ": not a directory");
  AppLayout app;
  app.root = normal_absolute(dir);
  app.function_app_py = file_at(app.root, "function_app.py");
  app.host_json = file_at(app.root, "host.json");
  app.requirements_txt = file_at(app.root, "requirements.txt");
  app.funcignore = file_at(app.root, ".funcignore");
  app.local_settings_json = file_at(app.root, "local.settings.json");
  app.pyproject_toml = file_at(app.root, "pyproject.toml");
  app.funcpack_toml = file_at(app.root, "funcpack.toml");
  return app;
}

std::optional<fs::path> find_app_root(const fs::path& start) {
  std::error_code ec;
  fs::path dir = normal_absolute(start);
  if (!fs::is_directory(dir, ec)) dir = dir.parent_path();
  for (;;) {
    if (file_at(dir, "function_app.py") || file_at(dir, "host.json")) return dir;
    if (fs::exists(dir / ".git", ec)) return std::nullopt;
    if (dir == dir.root_path() || !dir.has_parent_path() || dir.parent_path() == dir)
      return std::nullopt;
    dir = dir.parent_path();
  }
}

Result<FileListing> list_deployment_files(const AppLayout& app, const FileListOptions& options) {
  std::error_code ec;
  Walker w{app, fs::canonical(app.root, ec), {}, std::nullopt, ".funcignore", {}};
  if (ec) return fail("cannot read " + app.root.string() + ": " + ec.message());
  for (const auto& o : options.outputs) {
    fs::path c = fs::weakly_canonical(fs::absolute(o, ec), ec);
    if (!ec && is_within(c, w.canonical_root)) w.outputs.push_back(c);
  }
  if (options.use_funcignore && app.funcignore) {
    auto file = read_ignore_file(*app.funcignore);
    if (!file) return std::unexpected(file.error());
    auto m = GitIgnoreMatcher::create(*file);
    if (!m) return std::unexpected(m.error());
    w.matcher.emplace(std::move(*m));
  }
  if (auto r = w.walk(app.root, ""); !r) return std::unexpected(r.error());
  auto by_path = [](const auto& a, const auto& b) { return a.path < b.path; };
  std::sort(w.out.included.begin(), w.out.included.end(), by_path);
  std::sort(w.out.excluded.begin(), w.out.excluded.end(), by_path);
  std::sort(w.out.symlinks.begin(), w.out.symlinks.end(), by_path);
  return std::move(w.out);
}

namespace {

Result<void> tree_files(const fs::path& dir, const std::string& prefix,
                        std::vector<std::string>& out) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return fail("cannot read " + dir.string() + ": " + ec.message());
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) return fail("cannot read " + dir.string() + ": " + ec.message());
    std::string name = it->path().filename().string();
    std::string rel = prefix.empty() ? name : prefix + "/" + name;
    fs::file_status lst = it->symlink_status(ec);
    if (ec) continue;
    if (fs::is_directory(lst)) {
      if (name == ".git") continue;
      if (auto r = tree_files(it->path(), rel, out); !r) return r;
    } else if (fs::is_regular_file(lst) ||
               (fs::is_symlink(lst) && fs::is_regular_file(it->path(), ec))) {
      out.push_back(rel);
    }
  }
  return {};
}

}  // namespace

Result<std::vector<std::string>> list_tree_files(const fs::path& root) {
  std::vector<std::string> out;
  if (auto r = tree_files(root, "", out); !r) return std::unexpected(r.error());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace funcpack
