// sdist_metadata.h: the core metadata of a source distribution read out of its PKG-INFO, for
// indexes (PyPI among them) that serve no PEP 658 metadata file for sdists.
//
// Owns a minimal, read-only reader for gzip-compressed tar archives (POSIX ustar with the
// pax 'x'/'g' extended headers and the GNU 'L' long-name records; gzip through zlib, streamed,
// nothing extracted to disk) and the PEP 643 rule that decides whether an sdist's PKG-INFO can
// stand for the metadata of the wheel it would build. .zip sdists go through wheel_metadata.h's
// zip reader.
//
// Specs: the sdist format (packaging.python.org "Source distribution format": a single
// top-level directory `{name}-{version}/` holding `PKG-INFO`), PEP 643 (Metadata-Version 2.2+
// marks fields that a build may change as `Dynamic`; every other field is final), POSIX.1-2001
// pax / ustar headers.
//
// Policy: only the top-level `<dir>/PKG-INFO` counts (an `*.egg-info/PKG-INFO` deeper down is
// setuptools' copy and is ignored); a leading "./" is tolerated; the first one in archive
// order wins (an sdist has one top-level directory, so there is only one). The PKG-INFO is used only when
// its Metadata-Version is 2.2 or newer and neither Requires-Dist nor Requires-Python is
// Dynamic; otherwise the dependencies are only known after a build, and that is an error (lock
// does not build sdists to learn their dependencies).
//
// Traps and limits: a member's size field may be octal or GNU base-256; pax `size=` and
// `path=` override the next header's; the header checksum is verified; the PKG-INFO member must
// be a regular file (a symlink or hard link to it is refused, never followed) of at most 1 MiB;
// the reader stops at the PKG-INFO but refuses to inflate more than 1 GiB looking for it (a
// gzip bomb), and a pax header larger than 1 MiB is refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "spec/metadata.h"

namespace funcpack {

// Whether `filename` names an sdist this module reads (".tar.gz", ".tgz" or ".zip",
// case-insensitive).
bool is_readable_sdist(std::string_view filename);

// The bytes of the top-level `<dir>/PKG-INFO` member of the sdist `archive` named `filename`
// (its extension picks tar.gz or zip). Errors (messages without the filename; callers prefix
// it): "not a gzip-compressed tar archive (REASON)", "not a zip archive (REASON)",
// "no top-level PKG-INFO in the sdist", "PKG-INFO is not a regular file", "PKG-INFO is larger than 1 MiB",
// "the archive expands to more than N MiB before its PKG-INFO" (N: max_expanded / 1 MiB;
// tests lower it, callers keep the default 1 GiB).
Result<std::string> sdist_pkg_info(std::string_view archive, std::string_view filename,
                                   uint64_t max_expanded = uint64_t{1} << 30);

// `pkg_info` unchanged when PEP 643 makes it final for dependency resolution (Metadata-Version
// >= 2.2, Requires-Dist and Requires-Python not Dynamic). Errors:
//   "PKG-INFO: <metadata.h parse error>"
//   "PKG-INFO is Metadata-Version V (static metadata starts at 2.2, PEP 643), so its
//    dependencies are only known after a build; ADVICE"
//   "PKG-INFO declares Requires-Dist dynamic (PEP 643), so its dependencies are only known
//    after a build; ADVICE"            (or Requires-Python)
// where ADVICE is "lock it from a wheel instead (leave it out of --no-binary, or build a wheel
// and pass its directory with --find-links)".
Result<std::string> sdist_static_metadata(std::string_view pkg_info);

// Why PEP 643 does not make `pkg_info` final for dependency resolution, as the start of the
// messages above ("PKG-INFO is Metadata-Version 2.1 (static metadata starts at 2.2, PEP 643)",
// "PKG-INFO declares Requires-Dist dynamic (PEP 643)"), or nullopt when it is final.
std::optional<std::string> sdist_not_final_reason(const CoreMetadata& pkg_info);

// sdist_pkg_info() then sdist_static_metadata(): the metadata text lock may use for the sdist.
Result<std::string> sdist_metadata(std::string_view archive, std::string_view filename);

}  // namespace funcpack
