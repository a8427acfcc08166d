// lock.h: writing a Resolution as a lock file, and reading pylock.toml back.
//
// Owns three output formats, each byte-for-byte deterministic (packages sorted by name, keys in
// a fixed order, LF line ends, final newline; same Resolution, same bytes):
// - pylock.toml (PEP 751, lock-version "1.0"): top-level lock-version, environments (one marker
//   naming the target), requires-python, created-by = "funcpack", then one [[packages]] table
//   per package with name, version, index (when known) and either
//   wheels = [{name, url, size, hashes = {sha256 = ...}}] or sdist = {name, url, size, hashes}.
//   The target itself is kept in [tool.funcpack] (python, machine, glibc), which PEP 751
//   reserves for tools, so `funcpack build --lock` rebuilds for the same target.
// - a pip requirements file: "name==version \" + "    --hash=sha256:HEX" per package (pip's
//   hash-checking mode: install it with --require-hashes, --only-binary=:all: and the
//   target's --platform/--python-version), "# via a, b" comments for indirect packages.
// - JSON: {"packages":[{"name","version","filename","url","sha256"}]} (indent 2).
// Traps: size is omitted when the index did not publish one (PEP 751 makes it optional);
// hashes other than sha256 are written too (sorted by algorithm), but a file with no hash at
// all cannot be locked (write_* report it instead of writing a lock that cannot be verified).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/error.h"
#include "resolve/resolution.h"

namespace funcpack {

// Direct references (ResolvedPackage::origin) are written as PEP 751 records them:
// - pylock: `archive = {url|path, size, hashes, subdirectory}` with the version;
//   `vcs = {type = "git", url, requested-revision, commit-id, subdirectory}` and
//   `directory = {path, editable, subdirectory}` WITHOUT a version (PEP 751: a source tree's
//   code may not match a version recorded now); the version funcpack resolved is kept in
//   `[packages.tool.funcpack] version`, which read_pylock reads back.
// - requirements: `name @ URL` (or a relative `./path`, which pip reads from the directory it
//   runs in) with the archive's --hash lines; a VCS or directory package is an Error, because
//   pip's hash-checking mode refuses them.
// - json: "filename" null and "url" the PEP 610-style "git+URL@COMMIT[#subdirectory=S]" or
//   file:// URL for a source tree, "sha256" null.
// Paths are written relative to `lock_dir` (the directory the lock will be in) when it is
// given and they can be; else absolute.
// Each returns the whole file text, or an Error naming the first package without a hash.
Result<std::string> write_pylock(const Resolution& resolution,
                                 const std::filesystem::path& lock_dir = {});
Result<std::string> write_requirements_lock(const Resolution& resolution,
                                            const std::filesystem::path& lock_dir = {});
Result<std::string> write_json_lock(const Resolution& resolution);

// Reads a pylock.toml (`path` is used for messages, and relative paths in it are relative to
// its directory). Returns the Resolution it describes:
// packages sorted by name, each with its wheel (the best one for the target when several are
// listed) or sdist; the target from [tool.funcpack] when present, else the defaults of Target.
// Errors (with the file's path and, where known, line): TOML syntax errors, a lock-version
// whose major version is not 1, a package without name/version, without a wheel or sdist,
// without a url, or without hashes; a vcs other than git; a source tree with neither
// `version` nor `[packages.tool.funcpack] version`.
Result<Resolution> read_pylock(std::string_view text, const std::filesystem::path& path);

}  // namespace funcpack
