#include "lint/checks.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "base/strings.h"
#include "spec/package_name.h"

namespace funcpack {

namespace {

const std::vector<CheckSpec>& specs() {
  static const std::vector<CheckSpec> kSpecs = {
      {"FP001", {}},
      {"FP101", {}},
      {"FP102", {}},
      {"FP103", {}},
      {"FP104", {}},
      {"FP105", {}},
      {"FP110", {}},
      {"FP111", {{"commit_id_lengths", FactType::kIntegerList}}},
      {"FP112", {}},
      {"FP113", {}},
      {"FP114", {}},
      {"FP115", {}},
      {"FP116", {}},
      {"FP201", {{"app_markers", FactType::kStringList}}},
      {"FP202", {{"package", FactType::kString}}},
      {"FP203", {{"packages", FactType::kStringList}}},
      {"FP204", {{"setting", FactType::kString}, {"exclude", FactType::kStringList}}},
      {"FP205", {}},
      {"FP206", {}},
      {"FP207", {}},
      {"FP208", {{"days", FactType::kInteger}}},
      {"FP209", {}},
      {"FP210", {{"packages", FactType::kStringList}}},
      {"FP211", {}},
      {"FP301", {{"setting", FactType::kString}, {"min", FactType::kInteger},
                 {"max", FactType::kInteger}}},
      {"FP302", {{"setting", FactType::kString}, {"per_process_mb_min", FactType::kInteger},
                 {"per_process_mb_max", FactType::kInteger},
                 {"budget_percent", FactType::kInteger}}},
      {"FP303", {{"setting", FactType::kString}, {"min", FactType::kInteger},
                 {"max", FactType::kInteger}}},
      {"FP401", {}},
      {"FP402", {{"paths", FactType::kStringList}, {"venv_marker", FactType::kString}}},
      {"FP403", {}},
  };
  return kSpecs;
}

class Checker {
 public:
  Checker(const RuleRegistry& rules, const RuntimeProfile& profile, const LintInput& in)
      : rules_(rules), profile_(profile), in_(in) {}

  std::vector<Diagnostic> run() {
    parse_errors();
    requirements();
    duplicates();
    hash_mode();
    app_layout();
    target();
    worker_dependencies();
    settings();
    funcignore();
    std::stable_sort(out_.begin(), out_.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::tie(a.location.path, a.location.line, a.location.column, a.rule_id) <
             std::tie(b.location.path, b.location.line, b.location.column, b.rule_id);
    });
    return std::move(out_);
  }

 private:
  const Rule& rule(std::string_view id) const { return *rules_.find(id); }

  void add(std::string_view id, std::string message, Location loc, std::string source_line) {
    const Rule& r = rule(id);
    Diagnostic d;
    d.severity = r.severity;
    d.rule_id = r.id;
    d.message = std::move(message);
    d.location = std::move(loc);
    d.source_line = std::move(source_line);
    d.hint = r.hint;
    out_.push_back(std::move(d));
  }
  void add(std::string_view id, std::string message, const RequirementEntry& e) {
    add(id, std::move(message), e.location, e.source_line);
  }
  void add(std::string_view id, std::string message, const Sourced& s) {
    add(id, std::move(message), s.location, s.source_line);
  }

  static std::string display_name(const RequirementEntry& e) {
    return e.req.name.empty() ? e.text : e.req.name;
  }
  bool is_requirement(const RequirementEntry& e) const {
    return e.kind == RequirementEntry::Kind::kRequirement;
  }
  std::string entry_url(const RequirementEntry& e) const {
    return e.url.empty() ? e.req.url : e.url;
  }

  void parse_errors() {
    for (const auto& d : in_.parse_errors)
      add("FP001", d.message, d.location, d.source_line);
  }

  void requirements() {
    const std::string& full = profile_.python(in_.python.value)
                                  ? profile_.python(in_.python.value)->full_version
                                  : std::string();
    const MarkerEnvironment env = linux_target_environment(full);
    const auto& heavy = rule("FP210").strings("packages");
    const auto& forbidden = rule("FP203").strings("packages");
    for (const auto& e : in_.requirements.entries) {
      if (!is_requirement(e)) continue;
      const std::string name = e.req.name.empty() ? "" : normalize_name(e.req.name);
      if (e.editable)
        add("FP115", "'" + display_name(e) + "' is an editable requirement; the deployment "
                     "would link to a source directory that does not exist on Azure", e);
      switch (e.form) {
        case RequirementEntry::Form::kNamed:
          if (entry_url(e).empty()) pinning(e);
          else url(e);
          break;
        case RequirementEntry::Form::kUrl: url(e); break;
        case RequirementEntry::Form::kVcs: vcs(e); break;
        case RequirementEntry::Form::kLocalPath: local_path(e, e.url); break;
      }
      if (!name.empty()) {
        if (std::find(forbidden.begin(), forbidden.end(), name) != forbidden.end())
          add("FP203", "'" + e.req.name + "' must not be in an app's requirements: the "
                       "Functions host provides the worker", e);
        if (std::find(heavy.begin(), heavy.end(), name) != heavy.end())
          add("FP210", "'" + e.req.name + "' is a heavy package: it slows cold starts and uses "
                       "much of the instance's memory", e);
      }
      if (e.req.marker && !e.req.marker->evaluate(env))
        add("FP211", "the marker '" + e.req.marker->str() + "' is false on the Linux target "
                     "(Python " + full + "): '" + display_name(e) +
                     "' is left out of the deployment", e);
    }
  }

  void pinning(const RequirementEntry& e) {
    const auto& specs = e.req.specifier.specifiers();
    const std::string& name = e.req.name;
    if (specs.empty()) {
      add("FP101", "'" + name + "' has no version constraint", e);
      return;
    }
    bool only_ne = std::all_of(specs.begin(), specs.end(), [](const Specifier& s) {
      return s.op() == Specifier::Op::kNotEqual;
    });
    if (only_ne) {
      add("FP102", "'" + name + "' is constrained only by exclusions (" +
                       e.req.specifier.str() + "); any other version is accepted", e);
      return;
    }
    for (const auto& s : specs)
      if (s.op() == Specifier::Op::kEqual && s.is_wildcard())
        add("FP103", "'" + name + "' is pinned with a wildcard (" + s.str() +
                         "): any release of that series is accepted", e);
    if (e.req.specifier.names_prerelease())
      add("FP104", "'" + name + "' names a pre-release (" + e.req.specifier.str() + ")", e);
    bool lower = false, exact = false;
    for (const auto& s : specs) {
      switch (s.op()) {
        case Specifier::Op::kEqual:
          lower = true;
          exact = exact || !s.is_wildcard();
          break;
        case Specifier::Op::kArbitrary: lower = exact = true; break;
        case Specifier::Op::kGreaterEqual:
        case Specifier::Op::kGreater:
        case Specifier::Op::kCompatible: lower = true; break;
        default: break;
      }
    }
    if (in_.policy == Policy::kMinimum && !lower)
      add("FP105", "'" + name + "' has no lower bound (" + e.req.specifier.str() +
                       "); policy 'minimum' asks for >=, ~= or ==", e);
    if (in_.policy == Policy::kExact && !exact && e.hashes.empty())
      add("FP105", "'" + name + "' is not pinned exactly (" + e.req.specifier.str() +
                       "); policy 'exact' asks for == or --hash", e);
  }

  static bool has_hash_fragment(std::string_view url) {
    auto frag = url.find('#');
    if (frag == std::string_view::npos) return false;
    for (auto part : split(url.substr(frag + 1), '&')) {
      for (std::string_view algo : {"sha256=", "sha384=", "sha512=", "sha224=", "sha1=", "md5="})
        if (part.starts_with(algo) && part.size() > algo.size()) return true;
    }
    return false;
  }

  void url(const RequirementEntry& e) {
    const std::string u = entry_url(e);
    if (istarts_with(u, "file:")) {
      std::string p = u.substr(5);
      if (p.starts_with("//")) p = p.substr(2);
      if (auto hash = p.find('#'); hash != std::string::npos) p.resize(hash);
      local_path(e, p);
      return;
    }
    if (e.hashes.empty() && !has_hash_fragment(u))
      add("FP112", "'" + display_name(e) + "' is downloaded from a URL without a hash", e);
  }

  void vcs(const RequirementEntry& e) {
    if (e.vcs_revision.empty()) {
      add("FP110", "'" + display_name(e) + "' comes from version control with no revision: "
                   "whatever the default branch holds is installed", e);
      return;
    }
    const auto& lengths = rule("FP111").integers("commit_id_lengths");
    if (!is_full_commit_id(e.vcs_revision, lengths))
      add("FP111", "'" + display_name(e) + "' comes from version control at '" +
                       e.vcs_revision + "', a branch, tag or abbreviated commit, not a full "
                       "commit id", e);
  }

  void local_path(const RequirementEntry& e, std::string_view written) {
    namespace fs = std::filesystem;
    // Remote build runs pip in the app directory, so relative paths are relative to it.
    fs::path p(written);
    fs::path abs = p.is_absolute() ? p : in_.app_root / p;
    fs::path root = fs::absolute(in_.app_root).lexically_normal();
    fs::path rel = fs::absolute(abs).lexically_normal().lexically_relative(root);
    const std::string r = rel.generic_string();
    if (rel.empty() || r == ".." || r.starts_with("../"))
      add("FP116", "'" + std::string(written) + "' is outside the app directory, which is "
                   "all that is deployed", e);
  }

  void duplicates() {
    std::map<std::string, const RequirementEntry*> first;
    for (const auto& e : in_.requirements.entries) {
      if (!is_requirement(e) || e.req.name.empty()) continue;
      const std::string name = normalize_name(e.req.name);
      auto [it, inserted] = first.emplace(name, &e);
      if (inserted) continue;
      const RequirementEntry& f = *it->second;
      auto what = [&](const RequirementEntry& x) {
        std::string s = x.req.specifier.str();
        std::string u = entry_url(x);
        if (!u.empty()) s += (s.empty() ? "@ " : " @ ") + u;
        return s.empty() ? std::string("(no constraint)") : s;
      };
      if (what(f) == what(e)) continue;
      add("FP114", "'" + e.req.name + "' is required again with " + what(e) + "; " +
                       f.location.str() + " requires it with " + what(f), e);
    }
  }

  void hash_mode() {
    bool mode = in_.requirements.options.require_hashes;
    for (const auto& e : in_.requirements.entries)
      if (is_requirement(e) && !e.hashes.empty()) mode = true;
    if (!mode) return;
    const std::string why = in_.requirements.options.require_hashes
                                ? "--require-hashes is set"
                                : "other requirements have hashes";
    for (const auto& e : in_.requirements.entries)
      if (is_requirement(e) && e.hashes.empty())
        add("FP113", "'" + display_name(e) + "' has no --hash, but " + why +
                         ": pip refuses to install it", e);
  }

  void app_layout() {
    if (!in_.is_app) return;
    const auto& markers = rule("FP201").strings("app_markers");
    if (in_.root_markers.empty()) {
      std::string where = in_.requirements_path.empty()
                              ? in_.app_root.generic_string()
                              : in_.requirements_path.generic_string();
      add("FP201", "no " + join(markers, " or ") + " beside this requirements file: it is not "
                   "at the root of a Functions app, so nothing installs it",
          Location{where, 0, 0, 0}, "");
    } else if (in_.requirements_path.empty()) {
      std::string msg = "no requirements.txt beside " + in_.root_markers.front();
      if (!in_.nested_requirements.empty())
        msg += " (found " + join(in_.nested_requirements, ", ") + ", which is not read)";
      add("FP201", msg,
          Location{(in_.app_root / in_.root_markers.front()).generic_string(), 0, 0, 0}, "");
    }
    if (in_.requirements_path.empty()) return;
    const std::string want = rule("FP202").text("package");
    bool found = false;
    for (const auto& e : in_.requirements.entries)
      if (is_requirement(e) && !e.req.name.empty() && normalize_name(e.req.name) == want)
        found = true;
    if (!found)
      add("FP202", "'" + want + "' is not required; the app gets whichever version the worker "
                   "carries", Location{in_.requirements_path.generic_string(), 0, 0, 0}, "");
  }

  const Sourced& target_source() const {
    return in_.python.location.path.empty() && !in_.plan.location.path.empty() ? in_.plan
                                                                               : in_.python;
  }

  void target() {
    const PythonRuntime* py = profile_.python(in_.python.value);
    const HostingPlan* plan = profile_.plan(in_.plan.value);
    if (!py || !plan) return;  // the command rejects unknown values before linting
    const std::string& v = py->version;
    auto has = [](const std::vector<std::string>& l, const std::string& x) {
      return std::find(l.begin(), l.end(), x) != l.end();
    };
    const bool ga = has(plan->python_ga, v), preview = has(plan->python_preview, v);
    if (!ga && !preview) {
      std::vector<std::string> offered = plan->python_ga;
      for (const auto& p : plan->python_preview) offered.push_back(p + " (preview)");
      add("FP205", plan->title + " does not offer Python " + v + " (it offers " +
                       join(offered, ", ") + ")", target_source());
    } else if (preview) {
      add("FP206", "Python " + v + " is in preview on " + plan->title, target_source());
    }
    if (has(plan->no_remote_build, v))
      add("FP209", "remote build is not available for Python " + v + " on " + plan->title,
          target_source());
    if (!py->end_of_support.empty() && !in_.today.empty()) {
      const long days = days_between(in_.today, py->end_of_support);
      if (days < 0)
        add("FP207", "Python " + v + " reached its end of support on Azure Functions on " +
                         py->end_of_support, in_.python);
      else if (days <= rule("FP208").integer("days"))
        add("FP208", "Python " + v + " reaches its end of support on Azure Functions on " +
                         py->end_of_support + " (in " + std::to_string(days) + " days)",
            in_.python);
    }
  }

  // Days from `from` to `to`, both YYYY-MM-DD (validated by the command).
  static long days_between(std::string_view from, std::string_view to) {
    auto parse = [](std::string_view s) {
      int y = std::stoi(std::string(s.substr(0, 4)));
      unsigned m = static_cast<unsigned>(std::stoi(std::string(s.substr(5, 2))));
      unsigned d = static_cast<unsigned>(std::stoi(std::string(s.substr(8, 2))));
      return std::chrono::sys_days(std::chrono::year{y} / std::chrono::month{m} /
                                   std::chrono::day{d});
    };
    return static_cast<long>((parse(to) - parse(from)).count());
  }

  void worker_dependencies() {
    const PythonRuntime* py = profile_.python(in_.python.value);
    if (!py || py->isolates_worker_dependencies) return;
    const Rule& r = rule("FP204");
    auto it = in_.settings.find(r.text("setting"));
    if (it != in_.settings.end() && trim(it->second.value) == "1") return;
    const auto& exclude = r.strings("exclude");
    for (const auto& e : in_.requirements.entries) {
      if (!is_requirement(e) || e.req.name.empty()) continue;
      const std::string name = normalize_name(e.req.name);
      if (std::find(exclude.begin(), exclude.end(), name) != exclude.end()) continue;
      for (const auto& w : py->worker_packages) {
        if (w.name != name) continue;
        std::string theirs = w.version.empty() ? "" : " (" + w.version + ")";
        add("FP204", "the Python " + py->version + " worker brings its own '" + name + "'" +
                         theirs + "; without " + r.text("setting") +
                         "=1 the app's copy clashes with it", e);
      }
    }
  }

  // Parses a whole non-negative decimal number (surrounding spaces allowed); nullopt otherwise.
  static std::optional<long> whole_number(std::string_view s) {
    s = trim(s);
    if (s.empty() || s.size() > 9) return std::nullopt;
    long v = 0;
    for (char c : s) {
      if (!is_ascii_digit(c)) return std::nullopt;
      v = v * 10 + (c - '0');
    }
    return v;
  }

  void settings() {
    const Rule& count_rule = rule("FP301");
    if (auto it = in_.settings.find(count_rule.text("setting")); it != in_.settings.end()) {
      const auto n = whole_number(it->second.value);
      const long lo = count_rule.integer("min"), hi = count_rule.integer("max");
      if (!n || *n < lo || *n > hi) {
        add("FP301", it->first + " is \"" + it->second.value + "\"; the host runs " +
                         std::to_string(lo) + " to " + std::to_string(hi) +
                         " worker processes", it->second);
      } else if (const HostingPlan* plan = profile_.plan(in_.plan.value);
                 plan && !plan->instance_memory_mb.empty()) {
        const Rule& mem = rule("FP302");
        const long low = *n * mem.integer("per_process_mb_min");
        const long high = *n * mem.integer("per_process_mb_max");
        const long memory = plan->instance_memory_mb.front();
        const long budget = memory * mem.integer("budget_percent") / 100;
        if (high > budget)
          add("FP302", std::to_string(*n) + " worker processes need an estimated " +
                           std::to_string(low) + "-" + std::to_string(high) + " MB, more than " +
                           std::to_string(mem.integer("budget_percent")) + "% of the " +
                           std::to_string(memory) + " MB of a " + plan->title + " instance",
              it->second);
      }
    }
    const Rule& threads = rule("FP303");
    if (auto it = in_.settings.find(threads.text("setting")); it != in_.settings.end()) {
      const auto n = whole_number(it->second.value);
      const long lo = threads.integer("min"), hi = threads.integer("max");
      if (!n || *n < lo || *n > hi)
        add("FP303", it->first + " is \"" + it->second.value + "\"; use a whole number from " +
                         std::to_string(lo) + " to " + std::to_string(hi), it->second);
    }
  }

  void funcignore() {
    if (!in_.is_app) return;
    const std::string path = (in_.app_root / ".funcignore").generic_string();
    if (!in_.funcignore) {
      add("FP401", "the app has no .funcignore: Core Tools uploads everything but a few "
                   "built-in names, .venv included", Location{path, 0, 0, 0}, "");
      return;
    }
    const std::string& file = in_.funcignore->path;
    for (const auto& [probe, excluded] : in_.funcignore_probes)
      if (!excluded)
        add("FP402", ".funcignore does not exclude " + probe, Location{file, 0, 0, 0}, "");
    // One finding per responsible pattern, with the first file as the example.
    std::map<int, std::vector<const IgnoreDisagreement*>> by_line;
    for (const auto& d : in_.funcignore_disagreements) by_line[d.line].push_back(&d);
    const auto lines = split(in_.funcignore->text, '\n');
    for (const auto& [line, ds] : by_line) {
      const IgnoreDisagreement& d = *ds.front();
      std::string msg = "`" + d.pattern + "`: " + d.reason + " (" + d.path + " is " +
                        (d.git_excluded ? "excluded" : "deployed") + " by git's rules, " +
                        (d.core_tools_excluded ? "excluded" : "deployed") + " by Core Tools";
      if (ds.size() > 1) msg += "; " + std::to_string(ds.size() - 1) + " more file" +
                                (ds.size() > 2 ? "s" : "");
      msg += ")";
      std::string src = line >= 1 && static_cast<size_t>(line) <= lines.size()
                            ? std::string(lines[static_cast<size_t>(line - 1)])
                            : std::string();
      if (!src.empty() && src.back() == '\r') src.pop_back();
      add("FP403", msg,
          Location{file, line, line > 0 ? 1 : 0,
                   line > 0 ? static_cast<int>(src.size()) + 1 : 0},
          src);
    }
  }

  const RuleRegistry& rules_;
  const RuntimeProfile& profile_;
  const LintInput& in_;
  std::vector<Diagnostic> out_;
};

}  // namespace

std::span<const CheckSpec> check_specs() { return specs(); }

bool is_full_commit_id(std::string_view rev, std::span<const int64_t> lengths) {
  if (std::find(lengths.begin(), lengths.end(), static_cast<int64_t>(rev.size())) ==
      lengths.end())
    return false;
  return std::all_of(rev.begin(), rev.end(), [](char c) {
    return is_ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

std::vector<Diagnostic> run_checks(const RuleRegistry& rules, const RuntimeProfile& profile,
                                   const LintInput& in) {
  return Checker(rules, profile, in).run();
}

}  // namespace funcpack
