// tags.h: wheel compatibility tags (PEP 425), manylinux (PEP 600) and musllinux (PEP 656)
// platform tags, and the priority-ordered tag list of a deployment target.
//
// The target list for CPython X.Y on Linux <arch> with glibc ceiling 2.N, most preferred first
// (the order pip/packaging's sys_tags() produce on such a host):
//   cpXY-cpXY-<plat>..., cpXY-abi3-<plat>..., cpXY-none-<plat>...,
//   cp(X)(Y-1)-abi3-<plat>... down to cp32-abi3,
//   pyXY-none-<plat>, pyX-none-<plat>, pyX(Y-1)-none-<plat> ... py30-none-<plat>,
//   cpXY-none-any, pyXY-none-any, pyX-none-any, pyX(Y-1)-none-any ... py30-none-any
// where <plat> runs manylinux_2_N_<arch> down to manylinux_2_5_<arch> (each followed by its
// legacy alias where one exists: manylinux2014 = 2_17, manylinux2010 = 2_12,
// manylinux1 = 2_5), then linux_<arch> only when `allow_linux_tag`.
// Traps: manylinux2010/manylinux1 exist only for x86_64 and i686; a filename may carry
// compressed tag sets ("py2.py3-none-any", "manylinux_2_17_x86_64.manylinux2014_x86_64").
#pragma once

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

// Expands "py2.py3-none-any" style compressed tag sets into every combination.
std::vector<Tag> expand_tag_set(std::string_view interpreters, std::string_view abis,
                                std::string_view platforms);

// For a manylinux platform tag (PEP 600 or legacy alias), the glibc (major, minor) and arch it
// requires; nullopt for other tags.
struct ManylinuxTag {
  int glibc_major;
  int glibc_minor;
  std::string arch;
};
std::optional<ManylinuxTag> parse_manylinux_tag(std::string_view platform);

// Priority lookup over a target's tag list: rank 0 is the most preferred.
class TagPriority {
 public:
  explicit TagPriority(std::vector<Tag> ordered);
  // Rank of the best of `tags`, or nullopt when none is compatible.
  std::optional<size_t> best_rank(const std::vector<Tag>& tags) const;
  const std::vector<Tag>& tags() const { return ordered_; }

 private:
  std::vector<Tag> ordered_;
  std::unordered_map<std::string, size_t> rank_;
};

}  // namespace funcpack
