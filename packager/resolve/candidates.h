// candidates.h: which file of each version of a project the target can install.
//
// Owns: turning a project page (PackageSource) into per-version candidates for one Target:
// - wheels: the filename must parse and name the project; the best wheel is the one whose
//   best tag ranks highest in the target's TagPriority (spec/tags.h); ties go to the higher
//   build tag, then the filename (deterministic);
// - sdists: used only when the binary policy allows source for the project and the version has
//   no usable wheel (pip prefers a wheel of the same version too);
// - Requires-Python of the file (data-requires-python) is checked against the target's full
//   Python version (X.Y.Z); a file that does not match is rejected, as pip's link evaluator
//   does;
// - yanked files (PEP 592) are chosen only when the version has no usable non-yanked file; the
//   candidate is then marked yanked and the resolver uses it only when the project is pinned
//   exactly (== without wildcard, or ===), as pip does.
// The binary policy is pip's FormatControl: a name in only_binary forbids source, else a name
// in no_binary forbids wheels, else ":all:" in only_binary forbids source, else ":all:" in
// no_binary forbids wheels. funcpack's default is only wheels (only_binary = {":all:"}).
//
// Every file that is not used gets a reason, so "nothing fits" errors can say what was found:
//   no wheel for cp311 manylinux_2_31 x86_64; found: foo-1.0-cp312-cp312-win_amd64.whl
//   (platform win_amd64)
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "io/package_source.h"
#include "spec/tags.h"
#include "spec/target.h"
#include "spec/version.h"

namespace funcpack {

struct BinaryPolicy {
  std::set<std::string> only_binary;  // normalised names, or ":all:"
  std::set<std::string> no_binary;    // normalised names, or ":all:"

  static BinaryPolicy only_wheels() { return BinaryPolicy{{":all:"}, {}}; }  // funcpack default
  static BinaryPolicy pip_default() { return BinaryPolicy{}; }              // wheels and sdists

  bool allows_wheels(std::string_view normalized_name) const;
  bool allows_sdists(std::string_view normalized_name) const;
};

struct RejectedFile {
  std::string filename;
  std::string reason;  // "platform win_amd64", "requires Python >=3.12", "yanked", ...
};

struct VersionCandidate {
  Version version;
  std::optional<DistributionFile> file;  // the file to install; absent: nothing usable
  bool is_wheel = false;
  bool yanked = false;          // the chosen file is yanked (no usable non-yanked file)
  std::string yanked_reason;
  std::vector<RejectedFile> rejected;  // every file of this version that is not chosen and
                                       // could not be (in page order)
  bool usable() const { return file.has_value(); }
};

struct ProjectCandidates {
  std::string name;                        // normalised
  std::vector<VersionCandidate> versions;  // ascending by version
  std::vector<RejectedFile> unparsed;      // files whose version could not be determined

  // True when some version with a usable file (yanked or not) is a final release: pip allows
  // pre-releases of a project named without a specifier only when none is.
  bool has_usable_final() const;
};

class CandidateSelector {
 public:
  CandidateSelector(const Target& target, BinaryPolicy policy);

  // Groups the page's files by version (versions that compare equal, such as 1.0 and 1.0.0,
  // are one version) and chooses the file of each. Never fails: unusable files are recorded.
  ProjectCandidates select(const ProjectPage& page) const;

  // Why a version has no usable file, for messages:
  //   "no wheel for cp311 manylinux_2_31 x86_64; found: NAME (REASON), NAME (REASON)"
  // (or "no wheel or sdist for ..." when the policy allows sdists for the project).
  std::string unusable_reason(std::string_view project, const VersionCandidate& v) const;

  // "cp311 manylinux_2_31 x86_64"
  std::string target_description() const;

  const Target& target() const { return target_; }
  const BinaryPolicy& policy() const { return policy_; }

 private:
  std::string wheel_rejection(const std::vector<Tag>& tags) const;

  Target target_;
  BinaryPolicy policy_;
  TagPriority priority_;
  // The platforms and interpreters of priority_'s tags, built once: wheel_rejection runs for
  // every rejected wheel of every page (rebuilding them there was 40% of a warm lock's CPU).
  std::set<std::string> platforms_, interpreters_;
  Version python_full_;
};

}  // namespace funcpack
