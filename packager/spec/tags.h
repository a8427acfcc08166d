// tags.h: wheel compatibility tags (PEP 425), manylinux (PEP 600) and musllinux (PEP 656)
// platform tags, and the priority-ordered tag list of a deployment target.
//
// The target list for CPython X.Y on Linux <arch> with glibc ceiling 2.N, most preferred first
// (the order pypa/packaging's cpython_tags() + compatible_tags() produce for such a host; the
// conformance test tests/distfiles/tags_conformance.py compares it entry by entry):
//   cpXY-cpXY-<plat>..., cpXY-abi3-<plat>..., cpXY-none-<plat>...,
//   cp(X)(Y-1)-abi3-<plat>... down to cp32-abi3,
//   pyXY-none-<plat>, pyX-none-<plat>, pyX(Y-1)-none-<plat> ... py30-none-<plat>,
//   cpXY-none-any, pyXY-none-any, pyX-none-any, pyX(Y-1)-none-any ... py30-none-any
// where <plat> runs manylinux_2_N_<arch> down to the oldest glibc the architecture has
// manylinux wheels for (2_5 for x86_64/i686, 2_17 for every other arch, as packaging's
// _manylinux.platform_tags), each followed by its legacy alias where one exists:
// manylinux2014 = 2_17, manylinux2010 = 2_12, manylinux1 = 2_5; then linux_<arch> only when
// `allow_linux_tag`.
// Traps:
// - manylinux2010/manylinux1 exist only for x86_64 and i686 (parse_manylinux_tag returns
//   nullopt for "manylinux1_aarch64"); manylinux2014 exists for every arch PEP 599 lists.
// - A filename may carry compressed tag sets ("py2.py3-none-any",
//   "manylinux_2_17_x86_64.manylinux2014_x86_64"); expand them before ranking.
// - Tags compare case-sensitively here; wheel filenames in the wild are lowercase and
//   packaging lowercases when parsing (expand_tag_set does too).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace funcpack {

struct Tag {
  std::string interpreter;  // "cp311", "py3"
  std::string abi;          // "cp311", "abi3", "none"
  std::string platform;     // "manylinux_2_17_x86_64", "any"
  std::string str() const;  // "cp311-cp311-manylinux_2_17_x86_64"
  bool operator==(const Tag&) const = default;
};

// Expands "py2.py3-none-any" style compressed tag sets into every combination, in the order
// packaging's parse_tag yields them (interpreters outermost, then abis, then platforms), each
// part lowercased. An empty component (for example "py3..py2") yields a tag with an empty
// field; callers that validate reject those (WheelFilename::parse does).
std::vector<Tag> expand_tag_set(std::string_view interpreters, std::string_view abis,
                                std::string_view platforms);

// For a manylinux platform tag (PEP 600 "manylinux_X_Y_<arch>" or a legacy alias
// manylinux1/2010/2014), the glibc (major, minor) and arch it requires; nullopt for other
// tags and for aliases that do not exist for the arch.
struct ManylinuxTag {
  int glibc_major;
  int glibc_minor;
  std::string arch;
  bool operator==(const ManylinuxTag&) const = default;
};
std::optional<ManylinuxTag> parse_manylinux_tag(std::string_view platform);

// For a PEP 656 "musllinux_X_Y_<arch>" tag, the musl (major, minor) and arch; nullopt
// otherwise.
struct MusllinuxTag {
  int musl_major;
  int musl_minor;
  std::string arch;
  bool operator==(const MusllinuxTag&) const = default;
};
std::optional<MusllinuxTag> parse_musllinux_tag(std::string_view platform);

// The legacy alias of manylinux_2_<minor>_<arch> ("manylinux2014_x86_64" for 2_17), or
// nullopt when there is none.
std::optional<std::string> manylinux_legacy_alias(int glibc_minor, std::string_view arch);

// Platform tags of a glibc Linux target, most preferred first: manylinux_2_N_<arch> for N
// from `glibc_minor` down to the arch's oldest (see above), each followed by its legacy
// alias, then "linux_<arch>" when `allow_linux_tag`. Only glibc major 2 has manylinux tags;
// a ceiling below the oldest gives no manylinux tags at all.
std::vector<std::string> linux_platform_tags(std::string_view arch, int glibc_major,
                                             int glibc_minor, bool allow_linux_tag);

// Every tag CPython X.Y accepts on `platforms` (ordered most preferred first), in the order
// documented at the top of this file.
std::vector<Tag> cpython_compatible_tags(int python_major, int python_minor,
                                         const std::vector<std::string>& platforms);

// Priority lookup over a target's tag list: rank 0 is the most preferred.
class TagPriority {
 public:
  explicit TagPriority(std::vector<Tag> ordered);
  // Rank of the best of `tags`, or nullopt when none is compatible.
  std::optional<size_t> best_rank(const std::vector<Tag>& tags) const;
  // Rank of one tag, or nullopt when it is not in the list.
  std::optional<size_t> rank(const Tag& tag) const;
  const std::vector<Tag>& tags() const { return ordered_; }

 private:
  std::vector<Tag> ordered_;
  std::unordered_map<std::string, size_t> rank_;
};

}  // namespace funcpack
