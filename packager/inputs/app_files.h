// app_files.h: where an Azure Functions Python app's files are, and which of them deploy.
//
// Owns: app directory discovery (function_app.py, host.json, requirements.txt, .funcignore,
// local.settings.json, pyproject.toml, funcpack.toml), and the deployment file list with the
// reason for every exclusion (`funcpack build --list-files [-v]`).
//
// Deployment list rules, applied top-down while walking the tree (a directory that is left out
// is not entered, and is listed once, with a trailing '/'):
// 1. Always excluded, by name at any depth: `.git` (directory or gitlink file), `.vscode`,
//    `__pycache__`, `local.settings.json` (secrets), `.funcignore`; any virtual environment
//    (a directory containing `pyvenv.cfg`, whatever its name); at the app root only:
//    `.python_packages` (a host install; the build makes its own); the caller's output paths.
// 2. `.funcignore` at the app root, with git's gitignore semantics (see funcignore.h): an
//    excluded directory's files cannot be re-included by a later negation.
// 3. Symlinks are never followed into directories: a symlink to a directory (inside or outside
//    the app) is left out and reported, so nothing outside the tree is packaged and nothing
//    inside is packaged twice. A symlink to a regular file is included (its target's bytes,
//    as `zip -r` does) and reported in `symlinks`; a dangling symlink, a FIFO, socket or
//    device is left out with a reason.
// Paths are relative to the app root, '/'-separated, sorted by bytes (same order every run).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"

namespace funcpack {

struct AppLayout {
  std::filesystem::path root;  // the app directory, as given (made absolute, lexically normal)
  // Each is set when the file exists at the app root (regular file or symlink to one).
  std::optional<std::filesystem::path> function_app_py;
  std::optional<std::filesystem::path> host_json;
  std::optional<std::filesystem::path> requirements_txt;
  std::optional<std::filesystem::path> funcignore;
  std::optional<std::filesystem::path> local_settings_json;
  std::optional<std::filesystem::path> pyproject_toml;
  std::optional<std::filesystem::path> funcpack_toml;
  // True when function_app.py or host.json is at the root (an app root, as Core Tools sees it).
  bool is_app_root() const { return function_app_py.has_value() || host_json.has_value(); }
};

// Returns the layout of directory `dir` (only files directly in it are looked at), or an Error
// "PATH: no such directory" / "PATH: not a directory".
Result<AppLayout> discover_app(const std::filesystem::path& dir);

// The nearest directory at or above `start` (a directory, or a file whose directory is used)
// that holds function_app.py or host.json, stopping after the first directory that holds
// `.git` (a repository root) or at the filesystem root. Returns nullopt when there is none.
// Used for `funcpack lint REQUIREMENTS_FILE` to find the app a requirements file belongs to.
std::optional<std::filesystem::path> find_app_root(const std::filesystem::path& start);

enum class ExclusionKind {
  kAlwaysExcluded,  // .git, .vscode, __pycache__, local.settings.json, .funcignore
  kVirtualEnv,      // a directory with pyvenv.cfg
  kPythonPackages,  // <root>/.python_packages
  kOutput,          // one of the caller's output paths
  kFuncignore,      // a .funcignore pattern
  kSymlinkDir,      // a symlink to a directory (never followed)
  kDanglingSymlink,
  kSpecialFile,     // FIFO, socket, device
};

struct ExcludedPath {
  std::string path;  // relative; a directory ends with '/'
  ExclusionKind kind = ExclusionKind::kAlwaysExcluded;
  // Human-readable, one line, e.g.
  //   "always excluded (.git)"
  //   "virtual environment (contains pyvenv.cfg)"
  //   "host .python_packages (the build installs its own)"
  //   "build output"
  //   ".funcignore:3: .venv/"   (file:line: pattern as written; a file inside an excluded
  //                              directory is never listed: the directory is)
  //   "symlink to a directory (not followed): -> ../shared"
  //   "dangling symlink: -> missing.txt"
  //   "not a regular file (fifo)"
  std::string reason;
  Location pattern;  // for kFuncignore: the .funcignore path (as found by discover_app) and
                     // 1-based line; empty otherwise
};

struct IncludedFile {
  std::string path;             // relative, '/'-separated
  std::filesystem::path source; // absolute path to read the bytes from
  std::uint64_t size = 0;
  bool executable = false;      // any x bit set on the (target) file
  bool via_symlink = false;     // `source` is a symlink to a regular file
};

struct SymlinkNote {
  std::string path;    // relative
  std::string target;  // as read by readlink
  bool outside_app = false;  // the resolved target is outside the app root
  bool included = false;     // a file symlink that was included (also when its target is
                             // outside the app: the bytes are copied, as `zip -r` does)
};

struct FileListing {
  std::vector<IncludedFile> included;  // sorted by path
  std::vector<ExcludedPath> excluded;  // sorted by path
  std::vector<SymlinkNote> symlinks;   // every symlink met, sorted by path
};

struct FileListOptions {
  // Paths to leave out because the caller writes there (absolute, or relative to the current
  // directory). Ones outside the app are ignored.
  std::vector<std::filesystem::path> outputs;
  // When false, .funcignore is not applied (only the always-excluded set).
  bool use_funcignore = true;
};

// Walks `app.root` and returns the deployment list. Returns an Error for an unreadable
// directory or .funcignore ("cannot read PATH: reason") or a libgit2 failure.
Result<FileListing> list_deployment_files(const AppLayout& app, const FileListOptions& options = {});

// Every regular file under `root` (relative, '/'-separated, sorted), not following symlinked
// directories and not entering `.git`. For comparisons over the whole tree (lint's
// git-vs-Core-Tools check). Returns an Error for an unreadable directory.
Result<std::vector<std::string>> list_tree_files(const std::filesystem::path& root);

}  // namespace funcpack
