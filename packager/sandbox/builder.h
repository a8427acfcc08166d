// builder.h: builds a source (an sdist, or a source tree: a git checkout or a local project
// directory) into a wheel for the deployment target, per PEP 517/518, inside the sandbox
// (runner.h), then audits and retags it (retag.h); or asks the backend for the source's core
// metadata only (what `funcpack lock` needs when a source's metadata is not static).
//
// Steps, each failure an Error naming the distribution:
//  1. unpack the sdist (.tar.gz or .zip, libarchive) into a private work directory (entries
//     that are absolute, contain `..`, are devices, or links that leave the tree are refused);
//     the source tree is the single top-level directory (or the archive root). A source tree
//     is copied there instead (copy_source_tree), so the build never writes into the user's
//     directory;
//  2. find the sandbox's interpreter for the target's Python X.Y (interpreter.h);
//  3. read [build-system] (build_system.h);
//  4. resolve `requires` with funcpack's resolver for that interpreter (same index source as
//     the app's lock, wheels only, Python X.Y.Z of the interpreter, the build host's glibc)
//     and install the wheels offline into the build environment (materialise/wheel_install.h);
//  5. run get_requires_for_build_wheel in the sandbox; resolve and install what it adds;
//  6. run build_wheel in the sandbox; the wheel must name the locked project and version;
//  7. audit it against the target's manylinux policy and retag it to the best policy it
//     really satisfies, or reject it with the audit's reasons (retag.h).
// For metadata, step 6 is prepare_metadata_for_build_wheel instead (or, when the backend
// lacks that optional hook, build_wheel and the wheel's METADATA, as PEP 517 prescribes), and
// there is no step 7; the metadata must name the project (and the version, when given).
// Inside the sandbox the build sees: the source tree (writable) at /tmp/funcpack/src, the
// output directory (writable) at /tmp/funcpack/out, an empty writable $HOME at
// /tmp/funcpack/home, the build environment (read-only) at /tmp/funcpack/env (also
// PYTHONPATH), the frontend script (frontend.h) at /tmp/funcpack/frontend.py; environment:
// PATH, HOME, TMPDIR=/tmp, LANG/LC_ALL=C.UTF-8, PYTHONPATH, PYTHONNOUSERSITE=1,
// PYTHONDONTWRITEBYTECODE=1, PIP_NO_INDEX=1, SOURCE_DATE_EPOCH (the caller's, else 315532800)
// and nothing else. With the none backend the same directories are used at their host paths.
//
// The log: everything the hooks print, plus funcpack's own "funcpack: ..." lines, goes to one
// file. When a hook fails, the Error's message ends with the log's last lines (at most
// `kLogTailLines`) and "full log: PATH"; that log is kept (in a directory of its own under
// $TMPDIR) while the work directory is removed.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "io/index_source.h"
#include "materialise/audit.h"
#include "sandbox/runner.h"
#include "spec/target.h"

namespace funcpack {

inline constexpr size_t kLogTailLines = 20;

struct SdistBuildOptions {
  SandboxConfig sandbox;        // from choose_sandbox()
  std::string python;           // --sandbox-python (as the sandbox sees it); "" = search
};

struct SourceToBuild {
  std::filesystem::path sdist;  // the verified sdist file; or empty, and then:
  std::filesystem::path tree;   // a source tree (read, never written)
  std::string name;             // the project (normalised); "" = not known yet (a metadata
                                // build of a reference that does not name it)
  std::string version;          // the locked version; "" = whatever the source declares
  std::string display;          // how the log names the source ("" = the sdist's file name,
                                // else the tree's path; a cached download is named by its
                                // hash, so callers pass the sdist's name in the lock)
};

struct BuiltWheel {
  std::filesystem::path wheel;  // in `out_dir`
  std::string interpreter;      // the interpreter used ("/usr/bin/python3.11 (3.11.2)")
  std::string best;             // best policy satisfied ("" pure)
  std::vector<std::string> build_requirements;  // "name version" installed, sorted
};

// Builds `dist` for `target` into `out_dir` (must exist). Returns the wheel, or an Error whose
// message says what failed (multi-line when it carries a log tail or audit reasons).
Result<BuiltWheel> build_source(const SourceToBuild& dist, const Target& target,
                                const SdistBuildOptions& options, IndexSource& source,
                                const PolicySet& policies, const std::filesystem::path& out_dir);

// The core metadata text (METADATA) the backend reports for `dist`, or an Error as above.
Result<std::string> build_metadata(const SourceToBuild& dist, const Target& target,
                                   const SdistBuildOptions& options, IndexSource& source);

// Copies the source tree `from` to `to` (created) for a build: every regular file, and every
// symlink to a file as that file's bytes; version-control directories (.git, .hg, .svn),
// __pycache__ and virtual environments (directories holding pyvenv.cfg) are left out; a
// symlink to a directory is an Error naming it (not followed).
Result<void> copy_source_tree(const std::filesystem::path& from, const std::filesystem::path& to);

// The last `n` lines of `text` (without a final empty line).
std::vector<std::string> last_lines(std::string_view text, size_t n);

// Unpacks the sdist `archive` into `dest` (created). Returns the source tree (the single
// top-level directory, or `dest`), or an Error "<file>: <problem>".
Result<std::filesystem::path> unpack_sdist(const std::filesystem::path& archive,
                                           const std::filesystem::path& dest);

// The source builds of one command (`funcpack build`, or `funcpack lock` asking for
// metadata): the sandbox is chosen (and probed) and the policies loaded once, on the first
// source; commands with wheels only never touch it.
class SourceBuilds {
 public:
  SourceBuilds(SandboxRequest request, std::string python, const Target& target,
               IndexSource& source, std::filesystem::path out_dir);
  // Builds `dist` (see build_source). Prints kNoneWarning to `warnings` once when the none
  // backend is used. Errors: choose_sandbox's or build_source's.
  Result<BuiltWheel> build(const SourceToBuild& dist, std::ostream& warnings);
  // build_metadata for `dist`, with the same sandbox (and warning).
  Result<std::string> metadata(const SourceToBuild& dist, std::ostream& warnings);
  // The backend in use ("" before the first build).
  std::string backend() const {
    return options_ ? std::string(sandbox_kind_name(options_->sandbox.kind)) : "";
  }

 private:
  Result<void> start(const SourceToBuild& dist, std::ostream& warnings);
  SandboxRequest request_;
  std::string python_;
  Target target_;
  IndexSource& source_;
  std::filesystem::path out_dir_;
  std::optional<SdistBuildOptions> options_;
  std::optional<PolicySet> policies_;
};

}  // namespace funcpack
