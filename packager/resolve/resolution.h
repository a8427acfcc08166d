// resolution.h: the result of resolving: one pinned distribution per project, for one Target.
//
// Owns: the Resolution value, the hinge between resolving and installing
// (../shared/DESIGN.md): the lock writers (lock.h) serialise it, the materialise band fetches
// and installs from it, `funcpack build --lock` reads it back from pylock.toml.
//
// Invariants the resolver guarantees and the lock reader checks:
// - `packages` is sorted by normalised name, one entry per project (extras are folded into the
//   project's entry, never a separate entry);
// - every package has exactly one chosen file (the best wheel for the target by tag priority,
//   or the sdist when the binary policy allows and no wheel fits); its `hashes` are those the
//   index published (sha256 when the index gave one);
// - a package from a direct reference carries its `origin`; archives have a sha256 (computed
//   from the bytes when the requirement gave none), source trees (VCS, directory) have none.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/package_source.h"
#include "spec/target.h"
#include "spec/version.h"

namespace funcpack {

struct ResolvedPackage {
  std::string name;               // PEP 503 normalised
  Version version;
  DistributionFile file;          // the chosen wheel or sdist
  bool is_wheel = true;
  std::vector<std::string> extras;       // extras that were activated, normalised, sorted
  bool direct = false;                   // named by a root requirement
  std::vector<std::string> required_by;  // normalised names of the resolved packages that
                                         // depend on it, sorted (root not included: `direct`)
  // Set when a direct reference (URL, VCS or path requirement) supplies the package. For
  // kArchive, `file` is the archive (hashes known); for kVcs and kDirectory, `file` has only
  // `url` (the PEP 610 form, "git+URL@COMMIT" or a file:// URL) and is_wheel is false.
  std::optional<DirectOrigin> origin;
};

struct Resolution {
  Target target;
  std::string requires_python;           // the target's Python as a specifier ("==3.11.*")
  std::vector<ResolvedPackage> packages; // sorted by name

  // The package named `normalized_name`, or nullptr.
  const ResolvedPackage* find(std::string_view normalized_name) const {
    for (const auto& p : packages)
      if (p.name == normalized_name) return &p;
    return nullptr;
  }
};

}  // namespace funcpack
