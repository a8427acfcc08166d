// retag.h: gives a freshly built wheel the platform tags it really satisfies, as auditwheel's
// `repair` does for the tags (without bundling libraries).
//
// Owns: judging a built wheel against the target's manylinux policy (materialise/audit.h) and
// rewriting it: WHEEL's `Tag:` lines (one per interpreter-abi-platform combination, in the
// place of the old ones), the filename's compressed tag set, and RECORD (WHEEL's new hash and
// size). Everything else is copied byte for byte; the zip is written by zip_writer.h
// (sorted, fixed times), so the same build gives the same wheel.
//
// Which tags: a wheel without ELF files (pure, or a `none-any` wheel) is left alone. A wheel
// whose ELF files satisfy the target's policy gets the highest-priority policy they satisfy
// (the most compatible; manylinux_2_5 for a small extension) and that policy's aliases, for
// the target's architecture: "manylinux_2_17_x86_64.manylinux2014_x86_64". A wheel that
// breaks the target's policy is rejected with the audit's reasons, one per line (it would load
// on the build host only).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/error.h"
#include "materialise/audit.h"

namespace funcpack {

struct RetagOutcome {
  std::filesystem::path wheel;  // the wheel to install (the input when nothing changed)
  std::string best;             // best policy satisfied ("" pure; "linux" none)
  std::vector<std::string> platforms;  // the platform tags now on the wheel (empty: unchanged)
};

// The platform tags for `policy` on `arch`: "<name>_<arch>" then each alias's "<alias>_<arch>".
std::vector<std::string> policy_platform_tags(const PlatformPolicy& policy, std::string_view arch);

// Rewrites `wheel` to carry `platforms` instead of its platform tags, writing the new wheel
// into `out_dir`. Returns its path, or an Error "<wheel>: <problem>" (unreadable zip, no
// single dist-info WHEEL/RECORD, no Tag line).
Result<std::filesystem::path> retag_wheel(const std::filesystem::path& wheel,
                                          const std::vector<std::string>& platforms,
                                          const std::filesystem::path& out_dir);

// Audits `wheel` against `target_policy` (from `policies`) for `arch` and retags it into
// `out_dir` as the file comment says. Errors: the audit's violations, each on its own line
// after "<wheel file name> only fits the build host, not <policy>:", or retag_wheel's.
Result<RetagOutcome> audit_and_retag(const std::filesystem::path& wheel,
                                     const PolicySet& policies,
                                     const PlatformPolicy& target_policy, std::string_view arch,
                                     const std::filesystem::path& out_dir);

}  // namespace funcpack
