// lock_job.h: the lock pipeline shared by the commands that resolve an app (`funcpack lock`,
// `funcpack lint --fix --pin`, and any later caller such as build): the resolve options as
// command-line flags, the runtime target, the index source built from flags + requirements
// file + environment, and the resolution itself. One copy, so every command reads indexes,
// credentials, timeouts and binary policy the same way.
//
// Owns:
// - the flags (add_resolve_options): --glibc, --index-url/-i, --extra-index-url,
//   --find-links/-f, --no-index, --offline, --pre, --index-strategy-merge, --only-binary,
//   --no-binary, --cache-dir, --no-cache, --cert, --timeout, the sandbox that builds sources
//   (--sandbox, --sandbox-root, --sandbox-image, --sandbox-python; sandbox/builder.h), and
//   --python unless the command has its own;
// - direct references (URL, VCS and path requirements; io/direct_reference.h): each is fetched
//   (archives hash-checked, git revisions resolved to a commit) and its metadata read without
//   a build when possible, else asked of the build backend in the sandbox; the same sandbox
//   answers for index sdists whose PKG-INFO is not final (PEP 643). A requirement whose marker
//   is false for the target is not fetched;
// - precedence of index options: command line, then the requirements file's, then
//   PIP_INDEX_URL / PIP_EXTRA_INDEX_URL / PIP_FIND_LINKS / PIP_NO_INDEX, then PyPI;
// - the HTTP timeout per attempt: --timeout SECONDS, else $FUNCPACK_HTTP_TIMEOUT, else 120 s
//   (the connect timeout is 10 s, or the transfer timeout when that is shorter); 4 attempts
//   with backoff, as io/http.h does;
// - binary policy: wheels only unless --no-binary (or the file's --no-binary) allows sdists.
// Not owned: writing anything. The caller decides what to do with the resolution, so a failed
// resolution can never leave a half-written file behind.
#pragma once

#include <CLI/CLI.hpp>

#include <expected>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "inputs/requirements_txt.h"
#include "io/git_checkout.h"
#include "io/index_source.h"
#include "resolve/resolution.h"
#include "sandbox/runner.h"
#include "spec/target.h"

namespace funcpack {

struct ResolveOptions {
  std::string python;  // X.Y; empty: the runtime profile's default
  std::string glibc;   // X.Y; empty: the runtime image's
  std::optional<std::string> index_url;
  std::vector<std::string> extra_index_urls, find_links, only_binary, no_binary;
  bool no_index = false, offline = false, pre = false, merge_indexes = false, no_cache = false;
  std::optional<std::string> cache_dir, cert;
  std::optional<double> timeout_seconds;  // --timeout
  std::string sandbox = "auto";            // --sandbox auto|bwrap|docker|podman|none
  std::string sandbox_root, sandbox_image, sandbox_python;
};

// Adds the flags listed above to `app`, bound to `options`. `with_python` adds --python too
// (false for a command that already has its own --python and copies it into options.python).
void add_resolve_options(CLI::App& app, ResolveOptions& options, bool with_python);

// The index source `options` describe, with `file_options` (a requirements file's) after the
// command line and the environment after both, and the HTTP timeout as above: what
// run_lock_job resolves against, and what a command that downloads a given lock uses. Returns
// an Error "FUNCPACK_HTTP_TIMEOUT: expected a positive number of seconds, got 'V'" when that
// variable is malformed (and no --timeout overrides it).
Result<IndexSourceOptions> index_source_options(const ResolveOptions& options,
                                                const IndexOptions& file_options);

struct LockJobFailure {
  int exit_code = 2;    // 1: no resolution exists; 2: input, configuration or network error
  std::string message;  // the whole text for stderr, every line prefixed as the command's
                        // first line ("funcpack lock: ...") and ending in '\n'
};

struct LockJob {
  Target target;
  Resolution resolution;
};

// Resolves `entries` (requirements, named or direct, and -c constraints of `file`, which
// supplies the index options and --pre/--only-binary/--no-binary lines) for the target
// `options` describe. `command` ("funcpack lock") prefixes messages; `log` receives what a
// user should see while it runs ("COMMAND: building the metadata of REF in the bwrap
// sandbox", the none-sandbox warning). Returns the target and resolution, or a
// LockJobFailure: exit 1 with the derivation report ("COMMAND: no resolution for CPython
// X.Y.Z on Linux MACHINE:\n" then the explanation) or when a metadata build fails (its log
// tail); exit 2 for a bad --python/--glibc/--timeout/$FUNCPACK_HTTP_TIMEOUT, a source error
// (the redacted URL and the reason, from io/http.h), or a direct reference that cannot be
// fetched or read ("FILE:LINE:COL: error: MESSAGE" with the source line and a caret).
std::expected<LockJob, LockJobFailure> run_lock_job(const ResolveOptions& options,
                                                    const RequirementsFile& file,
                                                    const std::vector<RequirementEntry>& entries,
                                                    std::string_view command, std::ostream& log);

// The git mirrors a run with `options` uses: the cache's (--cache-dir or the default root),
// or, with --no-cache, a private directory under `scratch`; --offline and --cert apply.
GitCheckouts git_checkouts(const IndexSourceOptions& options, const std::filesystem::path& scratch);

// The sandbox `options` ask for, for `machine`; nullopt when --sandbox names no backend (CLI11
// already rejects that).
std::optional<SandboxRequest> sandbox_request(const ResolveOptions& options,
                                              const std::string& machine);

}  // namespace funcpack
