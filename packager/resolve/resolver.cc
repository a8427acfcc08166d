#include "resolve/resolver.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>

#include "base/strings.h"
#include "spec/metadata.h"
#include "spec/package_name.h"

namespace funcpack {

namespace {

// ---------------------------------------------------------------------------------------------
// Version sets: a subset of the versions the index lists for a project (indices into its
// ascending version list), plus `other`: every version the index does not list. `other` lets
// "b>=2" stay a non-empty set when no listed version matches it, so "no versions of b match >=2"
// is derived like any other conflict.

class VersionSet {
 public:
  VersionSet() = default;
  static VersionSet none(size_t n) { return VersionSet(std::vector<bool>(n, false), false); }
  static VersionSet all(size_t n) { return VersionSet(std::vector<bool>(n, true), true); }
  static VersionSet single(size_t n, size_t i) {
    VersionSet s = none(n);
    s.bits_[i] = true;
    return s;
  }

  size_t size() const { return bits_.size(); }
  bool has(size_t i) const { return bits_[i]; }
  void set(size_t i, bool v) { bits_[i] = v; }
  bool other() const { return other_; }
  void set_other(bool v) { other_ = v; }

  bool empty() const {
    return !other_ && std::none_of(bits_.begin(), bits_.end(), [](bool b) { return b; });
  }
  bool any_listed() const { return std::any_of(bits_.begin(), bits_.end(), [](bool b) { return b; }); }
  bool all_listed() const { return std::all_of(bits_.begin(), bits_.end(), [](bool b) { return b; }); }

  VersionSet operator&(const VersionSet& o) const {
    VersionSet r = *this;
    for (size_t i = 0; i < bits_.size(); ++i) r.bits_[i] = bits_[i] && o.bits_[i];
    r.other_ = other_ && o.other_;
    return r;
  }
  VersionSet operator|(const VersionSet& o) const {
    VersionSet r = *this;
    for (size_t i = 0; i < bits_.size(); ++i) r.bits_[i] = bits_[i] || o.bits_[i];
    r.other_ = other_ || o.other_;
    return r;
  }
  VersionSet operator~() const {
    VersionSet r = *this;
    for (size_t i = 0; i < bits_.size(); ++i) r.bits_[i] = !bits_[i];
    r.other_ = !other_;
    return r;
  }
  VersionSet minus(const VersionSet& o) const { return *this & ~o; }
  bool subset_of(const VersionSet& o) const { return minus(o).empty(); }
  bool disjoint(const VersionSet& o) const { return (*this & o).empty(); }
  bool operator==(const VersionSet& o) const { return bits_ == o.bits_ && other_ == o.other_; }

 private:
  VersionSet(std::vector<bool> b, bool other) : bits_(std::move(b)), other_(other) {}
  std::vector<bool> bits_;
  bool other_ = false;
};

// A term: "package is selected at a version in `set`" (positive) or its negation ("package is
// not selected, or at a version outside `set`"). `label` is the specifier text the set came
// from, kept for messages while the set is unchanged.
struct Term {
  int pkg = 0;
  bool positive = true;
  VersionSet set;
  std::string label;

  Term inverse() const { return Term{pkg, !positive, set, label}; }
};

Term label_if_same(Term t, const Term& a, const Term& b) {
  if (t.positive == a.positive && t.set == a.set) t.label = a.label;
  else if (t.positive == b.positive && t.set == b.set) t.label = b.label;
  else t.label.clear();
  return t;
}

// Intersection of two terms on the same package.
Term intersect(const Term& a, const Term& b) {
  Term r{a.pkg, true, {}, {}};
  if (a.positive && b.positive) r.set = a.set & b.set;
  else if (a.positive) r.set = a.set.minus(b.set);
  else if (b.positive) r.set = b.set.minus(a.set);
  else {
    r.positive = false;
    r.set = a.set | b.set;
  }
  return label_if_same(std::move(r), a, b);
}

// Whether `acc` (the partial solution's knowledge of a package) implies `t`.
bool satisfies(const Term& acc, const Term& t) {
  if (t.positive) return acc.positive && acc.set.subset_of(t.set);
  if (acc.positive) return acc.set.disjoint(t.set);
  return t.set.subset_of(acc.set);
}

// Whether `acc` and `t` cannot both hold.
bool contradicts(const Term& acc, const Term& t) {
  if (t.positive) {
    if (acc.positive) return acc.set.disjoint(t.set);
    return t.set.subset_of(acc.set);
  }
  if (acc.positive) return acc.set.subset_of(t.set);
  return false;
}

enum class Cause { kRoot, kDependency, kNoVersions, kUnusable, kConstraint, kDerived };

struct Incompat {
  std::vector<Term> terms;  // at most one per package
  Cause cause = Cause::kDerived;
  int cause1 = -1, cause2 = -1;  // kDerived: the two incompatibilities it was derived from
  std::string text;              // external causes: the message fragment
};

struct Assignment {
  Term term;
  int level = 0;
  int cause = -1;  // incompatibility index; -1 for a decision
};

struct Package {
  std::string key;    // "a" or "a[x]" (normalised)
  std::string base;   // normalised project name ("" for the root)
  std::string extra;  // normalised extra, or ""
  int base_id = 0;
};

// What the resolver learns about a project from the source, shared across restarts.
struct ProjectInfo {
  ProjectCandidates cands;
  std::map<size_t, std::shared_ptr<const CoreMetadata>> metadata;  // by version index
  std::map<size_t, std::string> metadata_error;                    // invalid metadata
  const DirectDistribution* direct = nullptr;  // the project's one version comes from it
};

struct RestartNeeded {};

// The project's candidates, from `projects` or else from the source (then kept there).
Result<ProjectInfo*> load_project(PackageSource& source, const CandidateSelector& selector,
                                  std::map<std::string, ProjectInfo>& projects,
                                  const std::string& base) {
  auto it = projects.find(base);
  if (it != projects.end()) return &it->second;
  auto page = source.project(base);
  if (!page) return std::unexpected(page.error());
  if (page->name.empty()) page->name = base;
  ProjectInfo info;
  info.cands = selector.select(*page);
  info.cands.name = base;
  return &projects.emplace(base, std::move(info)).first->second;
}

// The project of a direct reference: one version, with the given file and metadata.
Result<ProjectInfo> direct_project(const DirectDistribution& d) {
  std::string where = d.file.filename.empty() ? d.file.url : d.file.filename;
  auto md = CoreMetadata::parse(d.metadata, where + " metadata");
  if (!md) return fail(md.error().message);
  if (normalize_name(md->name) != d.name)
    return fail(where + " is " + md->name + " " + md->version.str() + ", not " + d.name);
  ProjectInfo info;
  info.cands.name = d.name;
  VersionCandidate vc;
  vc.version = md->version;
  vc.file = d.file;
  vc.is_wheel = d.is_wheel;
  info.cands.versions.push_back(std::move(vc));
  info.metadata[0] = std::make_shared<const CoreMetadata>(std::move(*md));
  info.direct = &d;
  return info;
}

// The prefetch walk. The solver asks its source for one page or one metadata file at a time,
// so against a real index its run time is the sum of hundreds of round trips. Before it
// starts, this walk follows the dependency graph breadth-first as if the newest allowed
// version of everything were chosen (which is what the solver tries first), one level at a
// time: the level's project pages in one parallel batch, then the chosen versions' metadata
// in another. The solver then finds nearly everything already fetched.
// The walk only warms the source and `projects` (candidates and parsed metadata, which are
// what the solver would compute from the same data): it decides nothing, so the resolution
// is the same with or without it. It never fails: an error stays in the source for the solver
// to meet, if the solver needs that page or file at all.
void prefetch_walk(PackageSource& source, const CandidateSelector& selector,
                   const ResolveRequest& req, std::map<std::string, ProjectInfo>& projects) {
  const MarkerEnvironment env = req.target.marker_environment();
  const Version python = req.target.python_full();
  struct Want {
    std::string name;
    std::string extra;
    const SpecifierSet* spec;  // the first requirement seen on it (the root's, or a parent's)
    bool pinned;
  };
  std::set<std::string> seen;  // "name" or "name[extra]"
  std::vector<Want> frontier;
  auto want = [&](std::vector<Want>& into, const Requirement& r) {
    if (!r.url.empty()) return;
    std::string n = r.normalized_name();
    bool pinned = false;
    for (const auto& sp : r.specifier.specifiers())
      if ((sp.op() == Specifier::Op::kEqual && !sp.is_wildcard()) ||
          sp.op() == Specifier::Op::kArbitrary)
        pinned = true;
    std::vector<std::string> extras{""};
    for (const auto& e : r.extras) extras.push_back(normalize_name(e));
    for (const auto& e : extras)
      if (seen.insert(e.empty() ? n : n + "[" + e + "]").second)
        into.push_back(Want{n, e, &r.specifier, pinned});
  };
  for (const auto& r : req.requirements)
    if (!r.marker || r.marker->evaluate(env, "")) want(frontier, r);

  while (!frontier.empty()) {
    std::vector<std::string> names;
    for (const Want& w : frontier)
      if (!projects.count(w.name) &&
          std::find(names.begin(), names.end(), w.name) == names.end())
        names.push_back(w.name);
    source.prefetch(names);

    std::vector<std::pair<size_t, ProjectInfo*>> chosen;  // per frontier entry
    std::vector<DistributionFile> files;
    for (const Want& w : frontier) {
      auto info = load_project(source, selector, projects, w.name);
      if (!info) {
        chosen.emplace_back(0, nullptr);
        continue;
      }
      const ProjectCandidates& c = (*info)->cands;
      bool pre = req.pre || w.spec->names_prerelease() || (w.spec->empty() && !c.has_usable_final());
      std::optional<size_t> best;
      for (size_t i = c.versions.size(); i-- > 0;) {
        const VersionCandidate& v = c.versions[i];
        if (!v.usable() || (v.yanked && !w.pinned) || !w.spec->contains(v.version, pre)) continue;
        best = i;
        break;
      }
      chosen.emplace_back(best.value_or(0), best ? *info : nullptr);
      if (best && !(*info)->metadata.count(*best)) files.push_back(*c.versions[*best].file);
    }
    source.prefetch_metadata(files);

    std::vector<Want> next;
    for (size_t k = 0; k < frontier.size(); ++k) {
      auto [i, info] = chosen[k];
      if (!info) continue;
      std::shared_ptr<const CoreMetadata> md;
      if (auto found = info->metadata.find(i); found != info->metadata.end()) {
        md = found->second;
      } else {
        const DistributionFile& file = *info->cands.versions[i].file;
        std::optional<std::string> text = source.cached_metadata(file);
        if (!text) continue;
        auto parsed = CoreMetadata::parse(*text, file.filename + ".metadata");
        if (!parsed) continue;  // the solver reparses it and reports the error if it matters
        md = std::make_shared<const CoreMetadata>(std::move(*parsed));
        info->metadata[i] = md;
      }
      if (md->requires_python && !md->requires_python->contains(python, true)) continue;
      const std::string& extra = frontier[k].extra;
      for (const auto& r : md->requires_dist) {
        bool base_on = !r.marker || r.marker->evaluate(env, "");
        bool on = extra.empty() ? base_on : !base_on && r.marker && r.marker->evaluate(env, extra);
        if (on) want(next, r);
      }
    }
    frontier = std::move(next);
  }
}

class Solver {
 public:
  Solver(PackageSource& source, const ResolveRequest& req, const CandidateSelector& selector,
         std::map<std::string, ProjectInfo>& projects, std::set<std::string>& pre_ok,
         std::set<std::string>& yank_ok)
      : source_(source),
        req_(req),
        selector_(selector),
        env_(req.target.marker_environment()),
        python_(req.target.python_full()),
        projects_(projects),
        pre_ok_(pre_ok),
        yank_ok_(yank_ok) {}

  // nullopt: restart needed (the pre-release or yanked rule widened).
  std::optional<std::expected<Resolution, ResolveFailure>> run();

 private:
  // --- packages and sets
  Result<int> package_id(const std::string& base, const std::string& extra);
  Result<ProjectInfo*> project(const std::string& base);
  size_t universe(int pkg) const {
    return pkg == 0 ? 1 : projects_.at(packages_[pkg].base).cands.versions.size();
  }
  const ProjectCandidates& cands(int pkg) const { return projects_.at(packages_[pkg].base).cands; }
  VersionSet requirement_set(int pkg, const SpecifierSet& spec) const;
  bool usable(int pkg, size_t i) const;

  // --- incompatibilities
  int add_incompat(Incompat inc);
  Incompat make_incompat(std::vector<Term> terms, Cause cause) const;

  // --- partial solution
  void assign(Term t, int cause);
  void decide(int pkg, size_t version);
  void backtrack(int level);
  void recompute(int pkg);
  int satisfier(const Term& t) const;

  // --- the algorithm
  std::optional<ResolveFailure> propagate(int pkg);
  std::expected<int, int> resolve_conflict(int inc);  // learned inc, or the final inc (error)
  std::expected<std::optional<int>, ResolveFailure> choose();
  Result<std::vector<Incompat>> dependencies(int pkg, size_t version);

  // --- reporting
  std::string term_text(const Term& t) const;
  std::string set_text(int pkg, const VersionSet& s, const std::string& label) const;
  std::string inc_text(int inc) const;
  std::string report(int final_inc) const;
  Resolution build_resolution() const;

  PackageSource& source_;
  const ResolveRequest& req_;
  const CandidateSelector& selector_;
  MarkerEnvironment env_;
  Version python_;
  std::map<std::string, ProjectInfo>& projects_;
  std::set<std::string>& pre_ok_;
  std::set<std::string>& yank_ok_;
  std::map<std::string, std::vector<const Requirement*>> constraints_;

  std::vector<Package> packages_;
  std::unordered_map<std::string, int> package_index_;
  std::vector<Incompat> incompats_;
  std::vector<std::vector<int>> incompats_of_;  // per package
  std::vector<Assignment> assignments_;
  std::vector<std::optional<Term>> acc_;         // per package
  std::vector<std::optional<size_t>> decision_;  // per package
  int level_ = 0;
  std::vector<int> conflicts_;  // per package: versions rejected because of earlier decisions
  std::vector<int> boosted_;    // packages decided first, in order
  // Dependencies of decided versions: (pkg, version) -> dependency packages.
  std::map<std::pair<int, size_t>, std::vector<int>> deps_of_;
  // Incompatibilities already added for (pkg, version)'s dependencies.
  std::map<std::pair<int, size_t>, std::vector<int>> dep_incompats_;
};

// ---------------------------------------------------------------------------------------------

Result<ProjectInfo*> Solver::project(const std::string& base) {
  return load_project(source_, selector_, projects_, base);
}

Result<int> Solver::package_id(const std::string& base, const std::string& extra) {
  std::string key = extra.empty() ? base : base + "[" + extra + "]";
  auto it = package_index_.find(key);
  if (it != package_index_.end()) return it->second;
  auto info = project(base);
  if (!info) return std::unexpected(info.error());
  int base_id = 0;
  if (!extra.empty()) {
    auto b = package_id(base, "");
    if (!b) return b;
    base_id = *b;
  }
  int id = int(packages_.size());
  packages_.push_back(Package{key, base, extra, extra.empty() ? id : base_id});
  package_index_[key] = id;
  incompats_of_.emplace_back();
  acc_.emplace_back();
  decision_.emplace_back();
  conflicts_.push_back(0);
  // Constraints apply from the moment something mentions the project: "base is selected at a
  // version outside the constraint" is an incompatibility.
  if (extra.empty()) {
    auto c = constraints_.find(base);
    if (c != constraints_.end()) {
      for (const Requirement* r : c->second) {
        VersionSet allowed = requirement_set(id, r->specifier);
        Term t{id, true, ~allowed, {}};
        Incompat inc = make_incompat({t}, Cause::kConstraint);
        std::string spec = r->specifier.str();
        inc.text = "your constraint requires " + base + (spec.empty() ? "" : spec);
        add_incompat(std::move(inc));
      }
    }
  }
  return id;
}

VersionSet Solver::requirement_set(int pkg, const SpecifierSet& spec) const {
  const ProjectCandidates& c = cands(pkg);
  const std::string& base = packages_[pkg].base;
  bool pre = req_.pre || pre_ok_.count(base) || (spec.empty() && !c.has_usable_final());
  VersionSet s = VersionSet::none(c.versions.size());
  for (size_t i = 0; i < c.versions.size(); ++i) s.set(i, spec.contains(c.versions[i].version, pre));
  // Only a specifier that matches nothing listed keeps the unlisted versions, so that it stays
  // a non-empty set and reads "no versions of b match >=2"; everywhere else they would only
  // add "no versions of b match !=1.0" steps to explanations.
  s.set_other(!s.any_listed());
  return s;
}

bool Solver::usable(int pkg, size_t i) const {
  const VersionCandidate& v = cands(pkg).versions[i];
  if (!v.usable()) return false;
  if (v.yanked && !yank_ok_.count(packages_[pkg].base)) return false;
  return projects_.at(packages_[pkg].base).metadata_error.count(i) == 0;
}

Incompat Solver::make_incompat(std::vector<Term> terms, Cause cause) const {
  // One term per package (their intersection: an incompatibility is a conjunction).
  std::vector<Term> merged;
  for (auto& t : terms) {
    auto it = std::find_if(merged.begin(), merged.end(), [&](const Term& m) { return m.pkg == t.pkg; });
    if (it == merged.end()) merged.push_back(std::move(t));
    else *it = intersect(*it, t);
  }
  // The root is always selected: drop it from derived incompatibilities (pub does the same; it
  // makes the explanation read better).
  if (cause == Cause::kDerived && merged.size() > 1) {
    std::erase_if(merged, [](const Term& t) { return t.pkg == 0 && t.positive; });
  }
  Incompat inc;
  inc.terms = std::move(merged);
  inc.cause = cause;
  return inc;
}

int Solver::add_incompat(Incompat inc) {
  int id = int(incompats_.size());
  for (const auto& t : inc.terms) incompats_of_[t.pkg].push_back(id);
  incompats_.push_back(std::move(inc));
  return id;
}

void Solver::recompute(int pkg) {
  acc_[pkg].reset();
  decision_[pkg].reset();
  for (const auto& a : assignments_) {
    if (a.term.pkg != pkg) continue;
    acc_[pkg] = acc_[pkg] ? intersect(*acc_[pkg], a.term) : a.term;
    if (a.cause < 0) {
      for (size_t i = 0; i < a.term.set.size(); ++i)
        if (a.term.set.has(i)) decision_[pkg] = i;
    }
  }
}

void Solver::assign(Term t, int cause) {
  int pkg = t.pkg;
  acc_[pkg] = acc_[pkg] ? intersect(*acc_[pkg], t) : t;
  assignments_.push_back(Assignment{std::move(t), level_, cause});
}

void Solver::decide(int pkg, size_t version) {
  ++level_;
  Term t{pkg, true, VersionSet::single(universe(pkg), version), {}};
  assign(std::move(t), -1);
  decision_[pkg] = version;
}

void Solver::backtrack(int level) {
  std::set<int> touched;
  while (!assignments_.empty() && assignments_.back().level > level) {
    touched.insert(assignments_.back().term.pkg);
    assignments_.pop_back();
  }
  level_ = level;
  for (int p : touched) recompute(p);
}

int Solver::satisfier(const Term& t) const {
  std::optional<Term> acc;
  for (size_t i = 0; i < assignments_.size(); ++i) {
    const auto& a = assignments_[i];
    if (a.term.pkg != t.pkg) continue;
    acc = acc ? intersect(*acc, a.term) : a.term;
    if (satisfies(*acc, t)) return int(i);
  }
  return -1;  // unreachable for a satisfied incompatibility
}

std::optional<ResolveFailure> Solver::propagate(int start) {
  std::vector<int> changed{start};
  std::set<int> queued{start};
  while (!changed.empty()) {
    int pkg = changed.back();
    changed.pop_back();
    queued.erase(pkg);
    const std::vector<int> list = incompats_of_[pkg];  // copy: conflict resolution appends
    for (auto it = list.rbegin(); it != list.rend(); ++it) {
      int inc = *it;
      // Relation of the incompatibility to the partial solution.
      int unsatisfied = -1;
      bool contradicted = false, many = false;
      const auto& terms = incompats_[inc].terms;
      for (size_t k = 0; k < terms.size(); ++k) {
        const Term& t = terms[k];
        const auto& acc = acc_[t.pkg];
        bool positive_empty = t.positive && t.set.empty();
        if (positive_empty || (acc && contradicts(*acc, t))) {
          contradicted = true;
          break;
        }
        bool sat = (!t.positive && t.set.empty()) || (acc && satisfies(*acc, t));
        if (!sat) {
          if (unsatisfied >= 0) many = true;
          unsatisfied = int(k);
        }
      }
      if (contradicted || many) continue;
      if (unsatisfied < 0) {
        auto learned = resolve_conflict(inc);
        if (!learned) {
          return ResolveFailure{ResolveFailure::Kind::kNoSolution, report(learned.error())};
        }
        // After backjumping, the learned incompatibility has exactly one unsatisfied term.
        const auto& lt = incompats_[*learned].terms;
        for (const Term& t : lt) {
          const auto& acc = acc_[t.pkg];
          if (!(acc && satisfies(*acc, t))) {
            assign(t.inverse(), *learned);
            changed.assign({t.pkg});
            queued = {t.pkg};
            break;
          }
        }
        break;
      }
      const Term& t = terms[size_t(unsatisfied)];
      assign(t.inverse(), inc);
      if (!queued.count(t.pkg)) {
        changed.push_back(t.pkg);
        queued.insert(t.pkg);
      }
    }
  }
  return std::nullopt;
}

std::expected<int, int> Solver::resolve_conflict(int inc) {
  bool created = false;
  while (true) {
    const auto& terms = incompats_[inc].terms;
    if (terms.empty() || (terms.size() == 1 && terms[0].pkg == 0 && terms[0].positive)) {
      return std::unexpected(inc);
    }
    int most_recent_term = -1;
    int most_recent = -1;
    std::optional<Term> difference;
    int previous_level = 1;
    for (size_t k = 0; k < terms.size(); ++k) {
      int s = satisfier(terms[k]);
      if (most_recent < 0) {
        most_recent = s;
        most_recent_term = int(k);
      } else if (most_recent < s) {
        previous_level = std::max(previous_level, assignments_[size_t(most_recent)].level);
        most_recent = s;
        most_recent_term = int(k);
        difference.reset();
      } else {
        previous_level = std::max(previous_level, assignments_[size_t(s)].level);
      }
      if (most_recent_term == int(k)) {
        // The part of the satisfier that the term does not need: an earlier assignment must
        // have excluded it.
        Term d = intersect(assignments_[size_t(most_recent)].term, terms[k].inverse());
        if (!(d.positive && d.set.empty())) {
          difference = d;
          int ds = satisfier(d.inverse());
          if (ds >= 0) previous_level = std::max(previous_level, assignments_[size_t(ds)].level);
        } else {
          difference.reset();
        }
      }
    }
    const Assignment& sat = assignments_[size_t(most_recent)];
    if (previous_level < sat.level || sat.cause < 0) {
      backtrack(previous_level);
      (void)created;  // a learned incompatibility is already recorded by add_incompat
      return inc;
    }
    std::vector<Term> new_terms;
    for (size_t k = 0; k < terms.size(); ++k)
      if (int(k) != most_recent_term) new_terms.push_back(terms[k]);
    for (const Term& t : incompats_[size_t(sat.cause)].terms)
      if (t.pkg != sat.term.pkg) new_terms.push_back(t);
    if (difference) new_terms.push_back(difference->inverse());
    Incompat derived = make_incompat(std::move(new_terms), Cause::kDerived);
    derived.cause1 = inc;
    derived.cause2 = sat.cause;
    inc = add_incompat(std::move(derived));
    created = true;
  }
}

Result<std::vector<Incompat>> Solver::dependencies(int pkg, size_t version) {
  const Package p = packages_[size_t(pkg)];
  std::vector<Incompat> out;
  // The versions the index does not list are never selected, so saying that they too have
  // these dependencies is sound; it keeps "no versions of a match !=1.0" out of explanations
  // (pub gets the same effect by widening dependency ranges).
  Term self{pkg, true, VersionSet::single(universe(pkg), version), {}};
  self.set.set_other(true);
  if (pkg != 0) self.label = "==" + cands(pkg).versions[version].version.str();

  std::vector<std::pair<const Requirement*, std::string>> reqs;  // requirement, origin label
  std::vector<int>& dep_ids = deps_of_[{pkg, version}];
  dep_ids.clear();
  if (pkg == 0) {
    for (const auto& r : req_.requirements) {
      if (r.marker && !r.marker->evaluate(env_, "")) continue;
      reqs.push_back({&r, ""});
    }
  } else {
    ProjectInfo& info = projects_.at(p.base);
    const VersionCandidate& vc = info.cands.versions[version];
    std::shared_ptr<const CoreMetadata> md;
    auto found = info.metadata.find(version);
    if (found != info.metadata.end()) {
      md = found->second;
    } else {
      // Backtracking walks down a project's versions one metadata file at a time: fetch the
      // next allowed versions' files in the same batch as this one, more the more versions of
      // the project were needed already (1, 2, 4, 8: a few wasted requests at most, and
      // logarithmically many round trips for a long walk).
      std::vector<DistributionFile> batch{*vc.file};
      size_t batch_size = std::clamp<size_t>(info.metadata.size(), 1, 8);
      if (acc_[pkg]) {
        for (size_t j = version; j-- > 0 && batch.size() < batch_size;) {
          if (acc_[pkg]->set.has(j) && usable(pkg, j) && !info.metadata.count(j))
            batch.push_back(*info.cands.versions[j].file);
        }
      }
      if (batch.size() > 1) source_.prefetch_metadata(batch);
      auto text = source_.metadata(*vc.file);
      if (!text) return std::unexpected(text.error());
      auto parsed = CoreMetadata::parse(*text, vc.file->filename + ".metadata");
      if (!parsed) {
        info.metadata_error[version] = parsed.error().message;
        Incompat inc = make_incompat({self}, Cause::kUnusable);
        inc.text = "has invalid metadata (" + parsed.error().message + ")";
        out.push_back(std::move(inc));
        return out;
      }
      md = std::make_shared<const CoreMetadata>(std::move(*parsed));
      info.metadata[version] = md;
    }
    if (md->requires_python && !md->requires_python->contains(python_, true)) {
      Incompat inc = make_incompat({self}, Cause::kUnusable);
      inc.text = "requires Python " + md->requires_python_text + " (the target has " +
                 req_.target.python_full_version + ")";
      out.push_back(std::move(inc));
      return out;
    }
    if (!p.extra.empty()) {
      // "a[x]" is pinned to the same version of "a".
      Term dep{p.base_id, false, VersionSet::single(universe(pkg), version), self.label};
      Incompat inc = make_incompat({self, dep}, Cause::kDependency);
      out.push_back(std::move(inc));
      dep_ids.push_back(p.base_id);
    }
    for (const auto& r : md->requires_dist) {
      bool base_on = !r.marker || r.marker->evaluate(env_, "");
      if (p.extra.empty()) {
        if (base_on) reqs.push_back({&r, ""});
      } else if (!base_on && r.marker && r.marker->evaluate(env_, p.extra)) {
        reqs.push_back({&r, ""});
      }
    }
  }

  // Discover every new project first, so the source can fetch their pages in parallel.
  std::vector<std::string> fresh;
  for (const auto& [r, _] : reqs) {
    std::string n = r->normalized_name();
    if (!projects_.count(n) && std::find(fresh.begin(), fresh.end(), n) == fresh.end())
      fresh.push_back(n);
  }
  if (!fresh.empty()) source_.prefetch(fresh);

  bool restart = false;
  for (const auto& [r, _] : reqs) {
    if (!r->url.empty()) {
      // A dependency's own URL is followed only through the root's direct reference.
      auto it = projects_.find(r->normalized_name());
      if (it == projects_.end() || it->second.direct == nullptr)
        return fail(p.base + " " + cands(pkg).versions[version].version.str() + " depends on '" +
                    r->str() + "', a direct reference; funcpack fetches only the URLs your "
                    "requirements name (add it to requirements.txt to use it)");
      continue;
    }
    std::string n = r->normalized_name();
    if (r->specifier.names_prerelease() && !pre_ok_.count(n)) {
      pre_ok_.insert(n);
      if (package_index_.count(n)) restart = true;
    }
    bool pinned = false;
    for (const auto& s : r->specifier.specifiers())
      if ((s.op() == Specifier::Op::kEqual && !s.is_wildcard()) || s.op() == Specifier::Op::kArbitrary)
        pinned = true;
    if (pinned && !yank_ok_.count(n)) {
      yank_ok_.insert(n);
      if (package_index_.count(n)) restart = true;
    }
  }
  if (restart) throw RestartNeeded{};

  for (const auto& [r, _] : reqs) {
    std::string n = r->normalized_name();
    std::vector<std::string> targets{""};
    for (const auto& e : r->extras) targets.push_back(normalize_name(e));
    for (const auto& extra : targets) {
      if (n == p.base && extra == p.extra) continue;  // a project depending on itself
      if (n == p.base && extra.empty() && !p.extra.empty()) continue;  // already pinned above
      auto id = package_id(n, extra);
      if (!id) return std::unexpected(id.error());
      VersionSet s = requirement_set(*id, r->specifier);
      std::string spec = r->specifier.str();
      // The root's requirement on a direct project reads "you require lib @ URL".
      if (const DirectDistribution* d = projects_.at(n).direct; pkg == 0 && d && spec.empty())
        spec = " @ " + d->file.url;
      Term dep{*id, false, s, spec};
      Term from = self;
      if (pkg == 0) from = Term{0, true, VersionSet::single(1, 0), {}};
      out.push_back(make_incompat({from, dep}, Cause::kDependency));
      dep_ids.push_back(*id);
    }
  }
  return out;
}

std::expected<std::optional<int>, ResolveFailure> Solver::choose() {
  // Undecided packages that must be selected.
  int pick = -1;
  for (int b : boosted_) {
    if (acc_[b] && acc_[b]->positive && !decision_[b]) {
      pick = b;
      break;
    }
  }
  if (pick < 0) {
    for (size_t p = 0; p < packages_.size(); ++p) {
      if (acc_[p] && acc_[p]->positive && !decision_[p]) {
        pick = int(p);
        break;
      }
    }
  }
  if (pick < 0) return std::nullopt;

  const VersionSet& allowed = acc_[pick]->set;
  std::optional<size_t> best;
  if (pick == 0) best = 0;
  for (size_t i = allowed.size(); pick != 0 && !best && i-- > 0;) {
    if (allowed.has(i) && usable(pick, i)) {
      best = i;
      break;
    }
  }
  if (!best) {
    Term t = *acc_[pick];
    Incompat inc = make_incompat({t}, Cause::kNoVersions);
    // Say why listed versions in the range are not usable.
    const Package& p = packages_[pick];
    const ProjectCandidates& c = cands(pick);
    std::vector<std::string> why;
    for (size_t i = allowed.size(); i-- > 0 && why.size() < 3;) {
      if (!allowed.has(i)) continue;
      const VersionCandidate& v = c.versions[i];
      std::string vs = p.base + "==" + v.version.str();
      if (!v.usable()) why.push_back(vs + ": " + selector_.unusable_reason(p.base, v));
      else if (v.yanked)
        why.push_back(vs + " is yanked" +
                      (v.yanked_reason.empty() ? "" : " (" + v.yanked_reason + ")"));
      else if (auto e = projects_.at(p.base).metadata_error.find(i);
               e != projects_.at(p.base).metadata_error.end())
        why.push_back(vs + " has invalid metadata (" + e->second + ")");
    }
    std::string range = set_text(pick, t.set, t.label);
    if (c.versions.empty() && c.unparsed.empty()) {
      inc.text = "no versions of " + p.base + " exist";
    } else if (why.empty()) {
      inc.text = "no versions of " + p.key + (range.empty() ? " exist" : " match " + range);
    } else {
      inc.text = "no usable versions of " + p.key +
                 (range.empty() ? " exist" : " match " + range) + " (" + join(why, "; ") + ")";
    }
    add_incompat(std::move(inc));
    return pick;
  }

  std::pair<int, size_t> key{pick, *best};
  if (!dep_incompats_.count(key)) {
    auto deps = dependencies(pick, *best);
    if (!deps)
      return std::unexpected(ResolveFailure{ResolveFailure::Kind::kSource, deps.error().message});
    std::vector<int> ids;
    for (auto& inc : *deps) ids.push_back(add_incompat(std::move(inc)));
    dep_incompats_[key] = std::move(ids);
  }
  bool conflict = false;
  std::vector<int> culprits;
  for (int id : dep_incompats_[key]) {
    const Incompat& inc = incompats_[size_t(id)];
    bool all = true;
    for (const Term& t : inc.terms) {
      if (t.pkg == pick) continue;
      if (!(acc_[t.pkg] && satisfies(*acc_[t.pkg], t))) all = false;
      else if (decision_[t.pkg]) culprits.push_back(t.pkg);
    }
    conflict = conflict || all;  // (a one-term incompatibility: the version is unusable)
  }
  if (!conflict) {
    decide(pick, *best);
    return pick;
  }
  // The version conflicts with what is already decided. After five such rejections caused by
  // decisions, decide this package before those (uv's heuristic): restart the decisions, keeping
  // every learned incompatibility.
  if (!culprits.empty() && ++conflicts_[pick] >= 5 &&
      std::find(boosted_.begin(), boosted_.end(), pick) == boosted_.end()) {
    boosted_.push_back(pick);
    backtrack(1);
  }
  return pick;
}

std::optional<std::expected<Resolution, ResolveFailure>> Solver::run() {
  for (const auto& r : req_.constraints) {
    if (r.marker && !r.marker->evaluate(env_, "")) continue;
    constraints_[r.normalized_name()].push_back(&r);
  }
  // The root: package 0 with one version.
  packages_.push_back(Package{"", "", "", 0});
  package_index_[""] = 0;
  incompats_of_.emplace_back();
  acc_.emplace_back();
  decision_.emplace_back();
  conflicts_.push_back(0);

  try {
    Incompat root = make_incompat({Term{0, false, VersionSet::single(1, 0), {}}}, Cause::kRoot);
    add_incompat(std::move(root));
    int next = 0;
    while (true) {
      if (auto failure = propagate(next)) return std::unexpected(*failure);
      auto chosen = choose();
      if (!chosen) return std::unexpected(chosen.error());
      if (!*chosen) break;
      next = **chosen;
    }
  } catch (const RestartNeeded&) {
    return std::nullopt;
  }
  return build_resolution();
}

// --- result ----------------------------------------------------------------------------------

Resolution Solver::build_resolution() const {
  Resolution res;
  res.target = req_.target;
  res.requires_python = "==" + req_.target.python_version() + ".*";
  std::map<std::string, ResolvedPackage> by_name;
  for (size_t p = 1; p < packages_.size(); ++p) {
    if (!decision_[p]) continue;
    const Package& pk = packages_[p];
    const VersionCandidate& vc = cands(int(p)).versions[*decision_[p]];
    ResolvedPackage& rp = by_name[pk.base];
    rp.name = pk.base;
    rp.version = vc.version;
    rp.file = *vc.file;
    rp.is_wheel = vc.is_wheel;
    if (const DirectDistribution* d = projects_.at(pk.base).direct) rp.origin = d->origin;
    if (!pk.extra.empty()) rp.extras.push_back(pk.extra);
  }
  for (const auto& [key, deps] : deps_of_) {
    auto [pkg, version] = key;
    if (decision_[pkg] != version) continue;
    for (int d : deps) {
      if (!decision_[d]) continue;
      const std::string& dep_base = packages_[d].base;
      if (pkg == 0) {
        by_name[dep_base].direct = true;
        continue;
      }
      const std::string& from = packages_[pkg].base;
      if (from == dep_base) continue;
      auto& rb = by_name[dep_base].required_by;
      if (std::find(rb.begin(), rb.end(), from) == rb.end()) rb.push_back(from);
    }
  }
  for (auto& [name, rp] : by_name) {
    std::sort(rp.extras.begin(), rp.extras.end());
    std::sort(rp.required_by.begin(), rp.required_by.end());
    res.packages.push_back(std::move(rp));
  }
  return res;
}

// --- reporting -------------------------------------------------------------------------------

std::string Solver::set_text(int pkg, const VersionSet& s, const std::string& label) const {
  if (pkg == 0) return "";
  if (!label.empty()) return label;
  const auto& vs = cands(pkg).versions;
  size_t n = vs.size();
  if (s.all_listed()) return "";
  // Everything but one listed version reads best as "!=V".
  size_t count = 0, missing = 0;
  for (size_t i = 0; i < n; ++i) {
    if (s.has(i)) ++count;
    else missing = i;
  }
  if (count + 1 == n && n > 2) return "!=" + vs[missing].version.str();
  std::vector<std::string> runs;
  for (size_t i = 0; i < n;) {
    if (!s.has(i)) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j + 1 < n && s.has(j + 1)) ++j;
    if (i == j) runs.push_back("==" + vs[i].version.str());
    else if (i == 0) runs.push_back("<=" + vs[j].version.str());
    else if (j == n - 1) runs.push_back(">=" + vs[i].version.str());
    else runs.push_back(">=" + vs[i].version.str() + ",<=" + vs[j].version.str());
    i = j + 1;
  }
  if (runs.empty()) {
    // Only versions the index does not list: name what is excluded.
    if (n == 0) return "";
    if (n > 3) return " (other than the listed versions)";
    std::vector<std::string> ne;
    for (const auto& v : vs) ne.push_back("!=" + v.version.str());
    return join(ne, ",");
  }
  return join(runs, " or ");
}

std::string Solver::term_text(const Term& t) const {
  if (t.pkg == 0) return "the root";
  return packages_[t.pkg].key + set_text(t.pkg, t.set, t.label);
}

std::string Solver::inc_text(int id) const {
  const Incompat& inc = incompats_[id];
  const auto& terms = inc.terms;
  switch (inc.cause) {
    case Cause::kRoot:
      return "the root is required";
    case Cause::kDependency: {
      const Term* from = nullptr;
      const Term* to = nullptr;
      for (const auto& t : terms) (t.positive ? from : to) = &t;
      if (!to) return from ? term_text(*from) + " is forbidden" : "no solution exists";
      std::string dep = term_text(to->inverse());
      if (!from || from->pkg == 0) return "you require " + dep;
      return term_text(*from) + " depends on " + dep;
    }
    case Cause::kNoVersions:
    case Cause::kConstraint:
      return inc.text;
    case Cause::kUnusable:
      return term_text(terms.at(0)) + " " + inc.text;
    case Cause::kDerived:
      break;
  }
  if (terms.empty() || (terms.size() == 1 && terms[0].pkg == 0)) return "no solution exists";
  if (terms.size() == 1) {
    const Term& t = terms[0];
    return t.positive ? term_text(t) + " is forbidden" : term_text(t) + " is required";
  }
  std::vector<const Term*> pos, neg;
  for (const auto& t : terms) (t.positive ? pos : neg).push_back(&t);
  auto texts = [&](const std::vector<const Term*>& ts) {
    std::vector<std::string> out;
    for (const Term* t : ts) out.push_back(term_text(*t));
    return out;
  };
  if (terms.size() == 2) {
    if (pos.size() == 2) return term_text(*pos[0]) + " is incompatible with " + term_text(*pos[1]);
    if (pos.size() == 1) return term_text(*pos[0]) + " requires " + term_text(*neg[0]);
    return "either " + term_text(*neg[0]) + " or " + term_text(*neg[1]) + " is required";
  }
  if (!pos.empty() && !neg.empty()) {
    if (pos.size() == 1) return term_text(*pos[0]) + " requires " + join(texts(neg), " or ");
    return "if " + join(texts(pos), " and ") + " then " + join(texts(neg), " or ");
  }
  if (!pos.empty()) return "one of " + join(texts(pos), " or ") + " must be false";
  return "one of " + join(texts(neg), " or ") + " must be true";
}

// pub's report: walk the derivation graph from the final incompatibility, numbering the
// incompatibilities that are referred to more than once.
std::string Solver::report(int final_inc) const {
  std::map<int, int> derivations;
  std::function<void(int)> count = [&](int i) {
    if (++derivations[i] > 1) return;
    const Incompat& inc = incompats_[size_t(i)];
    if (inc.cause == Cause::kDerived) {
      count(inc.cause1);
      count(inc.cause2);
    }
  };
  count(final_inc);

  std::vector<std::pair<std::string, int>> lines;  // text, number (0 = none)
  std::map<int, int> line_of;
  int next_number = 1;
  auto derived = [&](int i) { return incompats_[size_t(i)].cause == Cause::kDerived; };
  auto write = [&](int i, std::string text, bool numbered) {
    int n = 0;
    if (numbered) {
      n = next_number++;
      line_of[i] = n;
    }
    lines.push_back({std::move(text), n});
  };
  auto ref = [&](int i) { return inc_text(i) + " (" + std::to_string(line_of.at(i)) + ")"; };

  std::function<void(int, bool)> visit = [&](int i, bool conclusion) {
    bool numbered = conclusion || derivations[i] > 1;
    const Incompat& inc = incompats_[size_t(i)];
    int c1 = inc.cause1, c2 = inc.cause2;
    std::string text = inc_text(i);
    if (derived(c1) && derived(c2)) {
      bool l1 = line_of.count(c1), l2 = line_of.count(c2);
      if (l1 && l2) {
        write(i, "Because " + ref(c1) + " and " + ref(c2) + ", " + text + ".", numbered);
      } else if (l1 || l2) {
        int with = l1 ? c1 : c2, without = l1 ? c2 : c1;
        visit(without, false);
        write(i, "And because " + ref(with) + ", " + text + ".", numbered);
      } else {
        auto single_line = [&](int k) {
          const Incompat& x = incompats_[size_t(k)];
          return !derived(x.cause1) && !derived(x.cause2);
        };
        if (single_line(c1) || single_line(c2)) {
          int first = single_line(c2) ? c1 : c2;
          int second = first == c1 ? c2 : c1;
          visit(first, false);
          visit(second, false);
          write(i, "Thus, " + text + ".", numbered);
        } else {
          visit(c1, true);
          lines.push_back({"", 0});
          visit(c2, false);
          write(i, "And because " + ref(c1) + ", " + text + ".", numbered);
        }
      }
    } else if (derived(c1) || derived(c2)) {
      int d = derived(c1) ? c1 : c2, e = derived(c1) ? c2 : c1;
      const Incompat& dinc = incompats_[size_t(d)];
      if (line_of.count(d)) {
        write(i, "Because " + inc_text(e) + " and " + ref(d) + ", " + text + ".", numbered);
      } else if (derivations[d] <= 1 && (derived(dinc.cause1) != derived(dinc.cause2)) &&
                 !line_of.count(derived(dinc.cause1) ? dinc.cause1 : dinc.cause2)) {
        // Collapse "Because X, Y. And because Z, W." into one step when Y is used only here.
        int dd = derived(dinc.cause1) ? dinc.cause1 : dinc.cause2;
        int de = derived(dinc.cause1) ? dinc.cause2 : dinc.cause1;
        visit(dd, false);
        write(i, "And because " + inc_text(de) + " and " + inc_text(e) + ", " + text + ".",
              numbered);
      } else {
        visit(d, false);
        write(i, "And because " + inc_text(e) + ", " + text + ".", numbered);
      }
    } else {
      write(i, "Because " + inc_text(c1) + " and " + inc_text(c2) + ", " + text + ".", numbered);
    }
  };

  const Incompat& fin = incompats_[size_t(final_inc)];
  if (fin.cause != Cause::kDerived) return "Because " + inc_text(final_inc) + ", no solution exists.";
  visit(final_inc, true);
  // Number only lines that are referred to; the conclusion's own number is dropped.
  std::string out;
  for (size_t k = 0; k < lines.size(); ++k) {
    const auto& [text, n] = lines[k];
    std::string line = text;
    if (n && k + 1 != lines.size()) line += " (" + std::to_string(n) + ")";
    if (!out.empty()) out += "\n";
    out += line;
  }
  return out;
}

}  // namespace

std::expected<Resolution, ResolveFailure> resolve(PackageSource& source,
                                                  const ResolveRequest& request) {
  for (const auto& r : request.requirements) {
    if (!r.url.empty())
      return std::unexpected(ResolveFailure{
          ResolveFailure::Kind::kInput,
          "direct URL requirements are not supported by the resolver: " + r.str()});
  }
  CandidateSelector selector(request.target, request.binary);
  std::map<std::string, ProjectInfo> projects;
  std::set<std::string> pre_ok, yank_ok;
  for (const DirectDistribution& d : request.direct) {
    if (auto info = direct_project(d); !info) {
      return std::unexpected(ResolveFailure{ResolveFailure::Kind::kInput, info.error().message});
    } else if (!projects.emplace(d.name, std::move(*info)).second) {
      return std::unexpected(ResolveFailure{
          ResolveFailure::Kind::kInput, d.name + " is given by two direct references"});
    }
    pre_ok.insert(d.name);  // its one version is used whatever its pre-release status
  }
  prefetch_walk(source, selector, request, projects);
  auto note = [&](const Requirement& r) {
    std::string n = r.normalized_name();
    if (r.specifier.names_prerelease()) pre_ok.insert(n);
    for (const auto& s : r.specifier.specifiers())
      if ((s.op() == Specifier::Op::kEqual && !s.is_wildcard()) || s.op() == Specifier::Op::kArbitrary)
        yank_ok.insert(n);
  };
  for (const auto& r : request.requirements) note(r);
  for (const auto& r : request.constraints) note(r);
  while (true) {
    Solver solver(source, request, selector, projects, pre_ok, yank_ok);
    auto result = solver.run();
    if (result) return std::move(*result);
  }
}

}  // namespace funcpack
