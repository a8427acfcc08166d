// lock_job.h: the lock pipeline shared by the commands that resolve an app (`funcpack lock`,
// `funcpack lint --fix --pin`, and any later caller such as build): the resolve options as
// command-line flags, the runtime target, the index source built from flags + requirements
// file + environment, and the resolution itself. One copy, so every command reads indexes,
// credentials, timeouts and binary policy the same way.
//
// Owns:
// - the flags (add_resolve_options): --glibc, --index-url/-i, --extra-index-url,
//   --find-links/-f, --no-index, --offline, --pre, --index-strategy-merge, --only-binary,
//   --no-binary, --cache-dir, --no-cache, --cert, --timeout, and --python unless the command
//   has its own;
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
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "inputs/requirements_txt.h"
#include "io/index_source.h"
#include "resolve/resolution.h"
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

// Resolves `entries` (named requirements and -c constraints of `file`, which supplies the
// index options and --pre/--only-binary/--no-binary lines) for the target `options` describe.
// `command` ("funcpack lock") prefixes messages. Entries must be kNamed without a URL (the
// caller reports or skips the others). Returns the target and resolution, or a LockJobFailure:
// exit 1 with the derivation report ("COMMAND: no resolution for CPython X.Y.Z on Linux
// MACHINE:\n" then the explanation), exit 2 for a bad --python/--glibc/--timeout/
// $FUNCPACK_HTTP_TIMEOUT or a source error (the redacted URL and the reason, from io/http.h).
std::expected<LockJob, LockJobFailure> run_lock_job(const ResolveOptions& options,
                                                    const RequirementsFile& file,
                                                    const std::vector<RequirementEntry>& entries,
                                                    std::string_view command);

}  // namespace funcpack
