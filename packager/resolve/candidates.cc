#include "resolve/candidates.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_set>

#include "base/strings.h"
#include "spec/package_name.h"
#include "spec/specifier.h"
#include "spec/wheel_filename.h"

namespace funcpack {

bool BinaryPolicy::allows_wheels(std::string_view name) const {
  std::string n(name);
  // pip's FormatControl.get_allowed_formats: a name beats ":all:", only_binary beats no_binary.
  if (only_binary.count(n)) return true;
  if (no_binary.count(n)) return false;
  if (only_binary.count(":all:")) return true;
  if (no_binary.count(":all:")) return false;
  return true;
}

bool BinaryPolicy::allows_sdists(std::string_view name) const {
  std::string n(name);
  if (only_binary.count(n)) return false;
  if (no_binary.count(n)) return true;
  if (only_binary.count(":all:")) return false;
  return true;
}

bool ProjectCandidates::has_usable_final() const {
  return std::any_of(versions.begin(), versions.end(), [](const VersionCandidate& v) {
    return v.usable() && !v.version.is_prerelease();
  });
}

CandidateSelector::CandidateSelector(const Target& target, BinaryPolicy policy)
    : target_(target),
      policy_(std::move(policy)),
      priority_(target.compatible_tags()),
      python_full_(target.python_full()) {
  for (const auto& t : priority_.tags()) {
    interpreters_.insert(t.interpreter);
    platforms_.insert(t.platform);
  }
}

std::string CandidateSelector::target_description() const {
  return "cp" + std::to_string(target_.python_major) + std::to_string(target_.python_minor) +
         " manylinux_" + std::to_string(target_.glibc_major) + "_" +
         std::to_string(target_.glibc_minor) + " " + target_.machine;
}

namespace {

// The distinct values of one tag component, in first-seen order, joined with '.' as a
// compressed tag set is written.
std::string component_set(const std::vector<Tag>& tags, std::string Tag::*field) {
  std::vector<std::string> seen;
  for (const auto& t : tags)
    if (std::find(seen.begin(), seen.end(), t.*field) == seen.end()) seen.push_back(t.*field);
  return join(seen, ".");
}

bool is_sdist_name(std::string_view filename) {
  return filename.ends_with(".tar.gz") || filename.ends_with(".zip");
}

}  // namespace

std::string CandidateSelector::wheel_rejection(const std::vector<Tag>& tags) const {
  bool platform_ok = false, interpreter_ok = false;
  for (const auto& t : tags) {
    platform_ok = platform_ok || platforms_.count(t.platform) > 0;
    interpreter_ok = interpreter_ok || interpreters_.count(t.interpreter) > 0;
  }
  if (!platform_ok) {
    std::string reason = "platform " + component_set(tags, &Tag::platform);
    // The most common surprise on Functions: a manylinux wheel newer than the runtime's glibc.
    for (const auto& t : tags) {
      auto ml = parse_manylinux_tag(t.platform);
      if (ml && ml->arch == target_.machine &&
          std::tie(ml->glibc_major, ml->glibc_minor) >
              std::tie(target_.glibc_major, target_.glibc_minor)) {
        reason += " needs glibc " + std::to_string(ml->glibc_major) + "." +
                  std::to_string(ml->glibc_minor) + ", the target has " +
                  std::to_string(target_.glibc_major) + "." + std::to_string(target_.glibc_minor);
        break;
      }
    }
    return reason;
  }
  if (!interpreter_ok) return "python " + component_set(tags, &Tag::interpreter);
  return "abi " + component_set(tags, &Tag::abi);
}

ProjectCandidates CandidateSelector::select(const ProjectPage& page) const {
  ProjectCandidates out;
  out.name = normalize_name(page.name);

  // Parse each file's version first; files of other projects or of unknown kinds are recorded.
  struct Parsed {
    const DistributionFile* file;
    bool wheel;
    std::optional<WheelFilename> wheel_name;
  };
  std::map<Version, std::vector<Parsed>> files_of;
  for (const auto& f : page.files) {
    if (f.filename.ends_with(".whl")) {
      auto w = WheelFilename::parse(f.filename);
      if (!w) {
        out.unparsed.push_back({f.filename, w.error().message});
        continue;
      }
      if (normalize_name(w->name) != out.name) {
        out.unparsed.push_back({f.filename, "not a wheel of " + out.name});
        continue;
      }
      Version v = w->version;
      files_of[v].push_back({&f, true, std::move(*w)});
    } else if (is_sdist_name(f.filename)) {
      auto s = SdistFilename::parse(f.filename, out.name);
      if (!s) {
        out.unparsed.push_back({f.filename, s.error().message});
        continue;
      }
      files_of[s->version].push_back({&f, false, std::nullopt});
    } else {
      out.unparsed.push_back({f.filename, "not a wheel or an sdist"});
    }
  }

  const bool wheels_ok = policy_.allows_wheels(out.name);
  const bool sdists_ok = policy_.allows_sdists(out.name);

  for (auto& [version, files] : files_of) {
    VersionCandidate vc;
    vc.version = version;
    // (yanked, rank, -build number, build text, filename): lower is better.
    using Key = std::tuple<bool, size_t, int64_t, std::string, std::string>;
    std::optional<std::pair<Key, const DistributionFile*>> best_wheel, best_sdist;
    for (const auto& p : files) {
      const DistributionFile& f = *p.file;
      if (f.requires_python && !f.requires_python->empty()) {
        auto spec = SpecifierSet::parse(*f.requires_python);
        // An unparsable data-requires-python is ignored, as pip does (it logs and goes on).
        if (spec && !spec->contains(python_full_, true)) {
          vc.rejected.push_back({f.filename, "requires Python " + *f.requires_python});
          continue;
        }
      }
      if (p.wheel) {
        if (!wheels_ok) {
          vc.rejected.push_back({f.filename, "binaries disabled by --no-binary"});
          continue;
        }
        auto rank = priority_.best_rank(p.wheel_name->tags);
        if (!rank) {
          vc.rejected.push_back({f.filename, wheel_rejection(p.wheel_name->tags)});
          continue;
        }
        int64_t build = 0;
        std::string build_text;
        if (p.wheel_name->build) {
          build = int64_t(p.wheel_name->build->first);
          build_text = p.wheel_name->build->second;
        }
        Key key{f.yanked, *rank, -build, build_text, f.filename};
        if (!best_wheel || key < best_wheel->first) best_wheel = {key, &f};
      } else {
        if (!sdists_ok) {
          vc.rejected.push_back({f.filename, "sdist, only wheels are allowed"});
          continue;
        }
        Key key{f.yanked, 0, 0, "", f.filename};
        if (!best_sdist || key < best_sdist->first) best_sdist = {key, &f};
      }
    }
    const DistributionFile* chosen = nullptr;
    // A non-yanked sdist beats a yanked wheel: PEP 592 says yanked files are a last resort.
    if (best_wheel && !(std::get<0>(best_wheel->first) && best_sdist &&
                        !std::get<0>(best_sdist->first))) {
      chosen = best_wheel->second;
      vc.is_wheel = true;
    } else if (best_sdist) {
      chosen = best_sdist->second;
      vc.is_wheel = false;
    }
    if (chosen) {
      vc.file = *chosen;
      vc.yanked = chosen->yanked;
      vc.yanked_reason = chosen->yanked_reason;
    }
    out.versions.push_back(std::move(vc));
  }
  return out;
}

std::string CandidateSelector::unusable_reason(std::string_view project,
                                               const VersionCandidate& v) const {
  std::string out = policy_.allows_sdists(project) && policy_.allows_wheels(project)
                        ? "no wheel or sdist for "
                    : policy_.allows_wheels(project) ? "no wheel for "
                                                     : "no sdist for ";
  out += target_description();
  if (v.rejected.empty()) return out;
  out += "; found: ";
  for (size_t i = 0; i < v.rejected.size(); ++i) {
    if (i) out += ", ";
    out += v.rejected[i].filename + " (" + v.rejected[i].reason + ")";
  }
  return out;
}

}  // namespace funcpack
