// resolver.h: dependency resolution for one Target, PubGrub-style (conflict-driven clause
// learning over version sets, after Natalie Weizenbaum's "PubGrub: Next-Generation Version
// Solving" and pub's solver.md).
//
// Owns: choosing one version of every project the root requirements need, such that every
// dependency (Requires-Dist, markers evaluated for the Target, extras as requested) and every
// constraint holds, each chosen version has a usable file (candidates.h), and Requires-Python
// of its metadata admits the target's Python; or, when no such choice exists, an explanation
// in plain words (pub's derivation report), for example:
//   Because a==1.0.0 depends on b>=2 and no versions of b match >=2, a==1.0.0 is forbidden.
//   And because you require a==1.0.0, no solution exists.
//
// Algorithm: unit propagation over incompatibilities, decisions choosing the highest allowed
// usable version of the next package (packages that the solver had to reject five times because
// of an earlier decision are moved ahead of it, as uv does, so a long tail of old versions is
// not tried one by one), conflict resolution with backjumping and learned incompatibilities.
// Version sets are subsets of the versions the index lists (plus one "any other version"
// element, so a specifier that matches nothing listed still reads as that specifier).
//
// Python packaging rules, as pip (resolvelib + packaging) applies them:
// - Extras: "a[x]" is a virtual package pinned to the same version as "a" and adds the
//   Requires-Dist entries whose marker is true only with extra == "x". An extra the
//   distribution does not provide adds nothing (pip warns and goes on).
// - Markers of root requirements, constraints and dependencies are evaluated for the Target.
// - Constraints (-c) restrict the versions of a project when something requires it; they never
//   add a project.
// - Pre-releases (pip's rule, which uv's packse scenarios do not all follow): allowed for every
//   project with --pre; otherwise allowed for a project when any requirement or constraint on it
//   names a pre-release with an inclusive operator (==, >=, <=, ~=, ===, e.g. ">=1.0b1"), since
//   pip filters candidates through the combined specifier of every requirement on the project;
//   otherwise, for a requirement with no specifier at all, only when the project has no usable
//   final release. A requirement with a specifier that names no pre-release never matches one
//   (pip/packaging do not fall back to pre-releases for a non-empty specifier set).
// - Yanked files (PEP 592): used only when the project is pinned exactly (== without a
//   wildcard, or ===) by some requirement or constraint on it.
//   Deliberate approximation of pip for both rules: pip looks only at the requirements active
//   in its current state; this resolver counts every requirement on the project from the root,
//   the constraints, and the dependencies of every version it selected at some point (when one
//   appears, it restarts with the widened rule, keeping fetched pages).
// - Requires-Python: a file whose index entry excludes the target Python is not usable; the
//   Requires-Python of the chosen file's metadata is checked too.
// - Direct references (URL, VCS and path requirements): the caller fetches each and reads its
//   metadata (app/lock_job.h), then passes it as a DirectDistribution: the project then has
//   exactly that one version, whatever the index lists (pip's rule: an explicit URL replaces
//   the index for that project), and the root requirement on it is a plain named one. Other
//   requirements and constraints on the project still apply to that version (a conflict is
//   explained like any other); its pre-release status never excludes it. A dependency written
//   `name @ URL` in some package's metadata is followed only when the root names the same
//   project by a direct reference (the root's reference is used; uv's rule); otherwise the
//   resolution fails with kInput naming both, since funcpack never fetches a URL that the
//   app's own requirements do not name.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "io/package_source.h"
#include "resolve/candidates.h"
#include "resolve/resolution.h"
#include "spec/requirement.h"
#include "spec/target.h"

namespace funcpack {

// A project supplied by a direct reference, with its one version's file and metadata.
struct DirectDistribution {
  std::string name;      // normalised; must equal the metadata's Name (normalised)
  DistributionFile file;  // archives: the archive (hashes known); trees: url only
  bool is_wheel = false;
  DirectOrigin origin;
  std::string metadata;   // core metadata text (METADATA / PKG-INFO), parsed by the resolver
};

struct ResolveRequest {
  std::vector<Requirement> requirements;  // root requirements
  std::vector<Requirement> constraints;   // -c: restrict, never add
  Target target;
  bool pre = false;                       // --pre: pre-releases allowed everywhere
  BinaryPolicy binary = BinaryPolicy::only_wheels();
  std::vector<DirectDistribution> direct;  // root direct references, one per project
};

struct ResolveFailure {
  enum class Kind {
    kNoSolution,  // `message` is the derivation report (lines joined with '\n', no final '\n')
    kSource,      // the PackageSource failed (network, parse); `message` names the URL
    kInput,       // a requirement the resolver cannot handle: a root requirement with a URL,
                  // invalid metadata of a direct distribution, or a dependency's URL that the
                  // root does not name
  };
  Kind kind = Kind::kNoSolution;
  std::string message;
};

// Resolves `request` against `source`. On success the Resolution lists every selected project
// (sorted by name) with its chosen file; on failure the reason as above. Deterministic: same
// source contents and request, same result (and same explanation text).
std::expected<Resolution, ResolveFailure> resolve(PackageSource& source,
                                                  const ResolveRequest& request);

}  // namespace funcpack
