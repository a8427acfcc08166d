#include "lint/lint.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "base/fs.h"
#include "base/strings.h"
#include "inputs/app_files.h"
#include "inputs/funcignore.h"

namespace funcpack {

namespace fs = std::filesystem;

namespace {

// 1-based line and column of byte `offset` in `text`, and that line.
Location location_of_offset(std::string_view text, size_t offset, const std::string& path,
                            std::string* line_out = nullptr) {
  offset = std::min(offset, text.size());
  size_t line_start = text.rfind('\n', offset == 0 ? std::string_view::npos : offset - 1);
  line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
  const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + line_start, '\n'));
  if (line_out) {
    size_t end = text.find('\n', line_start);
    std::string l(text.substr(line_start, end == std::string_view::npos ? end : end - line_start));
    if (!l.empty() && l.back() == '\r') l.pop_back();
    *line_out = std::move(l);
  }
  return Location{path, line, static_cast<int>(offset - line_start) + 1, 0};
}

// requirements.txt files one directory below `dir` (hidden directories skipped),
// for FP201's message.
std::vector<std::string> nested_requirements(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_directory(ec)) {
      // One level down is where a misplaced requirements.txt sits (src/, app/).
      if (name.starts_with(".") || it.depth() >= 1) it.disable_recursion_pending();
      continue;
    }
    if (it.depth() >= 1 && name == "requirements.txt" && it->is_regular_file(ec))
      out.push_back(it->path().lexically_relative(dir).generic_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<Sourced> choose(const std::optional<std::string>& cli,
                       const std::optional<ConfigString>& cfg, const std::string& fallback) {
  if (cli) return Sourced{*cli, {}, {}};
  if (cfg) return Sourced{cfg->value, cfg->location, {}};
  return Sourced{fallback, {}, {}};
}

// The physical line `loc` points into, read from its file ("" when unknown or unreadable).
std::string line_at(const Location& loc) {
  if (loc.path.empty() || loc.line <= 0) return {};
  auto text = read_file(loc.path);
  if (!text) return {};
  auto lines = split(*text, '\n');
  if (static_cast<size_t>(loc.line) > lines.size()) return {};
  std::string l(lines[static_cast<size_t>(loc.line - 1)]);
  if (!l.empty() && l.back() == '\r') l.pop_back();
  return l;
}

}  // namespace

std::string today_utc() {
  const auto now = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const std::chrono::year_month_day ymd{now};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

bool is_iso_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!is_ascii_digit(s[i])) return false;
  const int y = std::stoi(std::string(s.substr(0, 4)));
  const unsigned m = static_cast<unsigned>(std::stoi(std::string(s.substr(5, 2))));
  const unsigned d = static_cast<unsigned>(std::stoi(std::string(s.substr(8, 2))));
  return std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m},
                                     std::chrono::day{d}}
      .ok();
}

Result<std::map<std::string, Sourced>> read_local_settings(const fs::path& path) {
  auto text = read_file(path);
  if (!text) return std::unexpected(text.error());
  const std::string name = path.generic_string();
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(*text);
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann's byte is 1-based and points just past the offending character.
    size_t at = e.byte > 0 ? e.byte - 1 : 0;
    std::string what = e.what();
    auto colon = what.rfind(": ");
    return fail("invalid JSON: " + (colon == std::string::npos ? what : what.substr(colon + 2)),
                location_of_offset(*text, at, name));
  }
  std::map<std::string, Sourced> out;
  if (!doc.is_object() || !doc.contains("Values")) return out;
  const auto& values = doc["Values"];
  const size_t values_at = text->find("\"Values\"");
  if (!values.is_object())
    return fail("\"Values\" must be an object of setting names to strings",
                location_of_offset(*text, values_at == std::string::npos ? 0 : values_at, name));
  for (const auto& [key, value] : values.items()) {
    Sourced s;
    s.value = value.is_string() ? value.get<std::string>() : value.dump();
    // The key as written after "Values" (JSON escapes in setting names are not expected).
    const std::string quoted = "\"" + key + "\"";
    size_t pos = text->find(quoted, values_at == std::string::npos ? 0 : values_at);
    if (pos != std::string::npos) {
      s.location = location_of_offset(*text, pos, name, &s.source_line);
      s.location.end_column = s.location.column + static_cast<int>(quoted.size());
    } else {
      s.location = Location{name, 0, 0, 0};
    }
    out[key] = std::move(s);
  }
  return out;
}

Result<std::optional<std::vector<std::string>>> parse_suppression(std::string_view line) {
  // Only a comment can carry a suppression: '#' at the start or after whitespace.
  size_t hash = std::string_view::npos;
  for (size_t i = 0; i < line.size(); ++i)
    if (line[i] == '#' && (i == 0 || is_ascii_space(line[i - 1]))) {
      hash = i;
      break;
    }
  if (hash == std::string_view::npos) return std::nullopt;
  constexpr std::string_view kTag = "funcpack: ignore";
  const size_t at = line.find(kTag, hash);
  if (at == std::string_view::npos) return std::nullopt;
  size_t i = at + kTag.size();
  if (i >= line.size() || line[i] != '[') return std::vector<std::string>{"*"};
  const size_t close = line.find(']', i);
  if (close == std::string_view::npos)
    return fail("expected ']' to close the rule list of 'funcpack: ignore['",
                Location{"", 0, static_cast<int>(line.size()) + 1, 0});
  std::vector<std::string> ids;
  for (auto part : split(line.substr(i + 1, close - i - 1), ',')) {
    auto id = trim(part);
    if (id.empty())
      return fail("empty rule id in 'funcpack: ignore[...]'",
                  Location{"", 0, static_cast<int>(i) + 2, 0});
    ids.emplace_back(id);
  }
  return ids;
}

Result<std::pair<LintInput, FuncpackConfig>> build_lint_input(const LintOptions& options,
                                                              const RuleRegistry& rules,
                                                              const RuntimeProfile& profile) {
  LintInput in;
  std::error_code ec;
  const fs::path target = options.target.empty() ? fs::path(".") : options.target;
  if (!fs::exists(target, ec)) return fail(target.generic_string() + ": no such file or directory");
  fs::path req_dir;
  if (fs::is_directory(target, ec)) {
    in.app_root = target;
    req_dir = target;
    if (fs::is_regular_file(target / "requirements.txt", ec))
      in.requirements_path = target / "requirements.txt";
  } else {
    in.requirements_path = target;
    req_dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    in.is_app = target.filename() == "requirements.txt";
    in.app_root = req_dir;
  }
  for (const auto& m : rules.find("FP201")->strings("app_markers"))
    if (fs::is_regular_file(req_dir / m, ec)) in.root_markers.push_back(m);
  if (in.requirements_path.empty()) {
    if (in.root_markers.empty())
      return fail(target.generic_string() + ": not a Functions app (no function_app.py, "
                  "host.json or requirements.txt)");
    in.nested_requirements = nested_requirements(req_dir);
  } else if (in.root_markers.empty() && in.is_app) {
    // A requirements.txt below the app root: lint the app it belongs to.
    if (auto root = find_app_root(req_dir.parent_path().empty() ? req_dir : req_dir.parent_path()))
      in.app_root = fs::path(*root);
  }

  if (!in.requirements_path.empty()) {
    if (auto bytes = read_file(in.requirements_path); !bytes) return std::unexpected(bytes.error());
    DiagnosticSink sink;
    in.requirements = parse_requirements_file(in.requirements_path, sink);
    for (const auto& d : sink.diagnostics())
      if (d.severity == Severity::kError) in.parse_errors.push_back(d);
  }

  auto config = find_config(in.app_root, options.config_file);
  if (!config) return std::unexpected(config.error());

  auto python = choose(options.python, config->python, profile.default_python);
  auto plan = choose(options.plan, config->plan, profile.default_plan);
  in.python = *python;
  in.plan = *plan;
  in.python.source_line = line_at(in.python.location);
  in.plan.source_line = line_at(in.plan.location);
  if (!profile.python(in.python.value))
    return fail("unsupported Python version '" + in.python.value + "' (funcpack knows " +
                    profile.python_versions() + ")",
                in.python.location);
  if (!profile.plan(in.plan.value)) {
    std::vector<std::string> ids;
    for (const auto& p : profile.plans) ids.push_back(p.id);
    return fail("unknown hosting plan '" + in.plan.value + "' (expected " + join(ids, ", ") + ")",
                in.plan.location);
  }
  const std::string policy = options.policy ? *options.policy
                             : config->policy ? config->policy->value
                                              : std::string("minimum");
  if (policy == "minimum") in.policy = Policy::kMinimum;
  else if (policy == "exact") in.policy = Policy::kExact;
  else return fail("unknown policy '" + policy + "' (expected minimum or exact)");

  const fs::path local_settings = in.app_root / "local.settings.json";
  if (in.is_app && fs::is_regular_file(local_settings, ec)) {
    auto s = read_local_settings(local_settings);
    if (!s) return std::unexpected(s.error());
    in.settings = std::move(*s);
  }
  for (const auto& kv : options.settings) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return fail("--setting '" + kv + "': expected KEY=VALUE");
    in.settings[kv.substr(0, eq)] = Sourced{kv.substr(eq + 1), {}, {}};
  }

  if (options.today) {
    if (!is_iso_date(*options.today))
      return fail("--today '" + *options.today + "': expected a date as YYYY-MM-DD");
    in.today = *options.today;
  } else {
    in.today = today_utc();
  }

  const fs::path funcignore = in.app_root / ".funcignore";
  if (in.is_app && fs::is_regular_file(funcignore, ec)) {
    auto file = read_ignore_file(funcignore);
    if (!file) return std::unexpected(file.error());
    auto matcher = GitIgnoreMatcher::create(*file);
    if (!matcher) return std::unexpected(matcher.error());
    const Rule& r = *rules.find("FP402");
    std::vector<std::string> probes = r.strings("paths");
    // Virtual environments at the app root, whatever their names.
    for (auto it = fs::directory_iterator(in.app_root, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
      if (it->is_directory(ec) && fs::is_regular_file(it->path() / r.text("venv_marker"), ec)) {
        std::string p = it->path().filename().generic_string() + "/";
        if (std::find(probes.begin(), probes.end(), p) == probes.end()) probes.push_back(p);
      }
    }
    for (const auto& p : probes) {
      const bool dir = p.ends_with('/');
      auto v = matcher->check(dir ? std::string_view(p).substr(0, p.size() - 1) : p, dir);
      if (!v) return std::unexpected(v.error());
      in.funcignore_probes.emplace_back(p, v->excluded);
    }
    auto files = list_tree_files(in.app_root);
    if (!files) return std::unexpected(files.error());
    auto diffs = compare_git_and_core_tools(*file, *files);
    if (!diffs) return std::unexpected(diffs.error());
    in.funcignore_disagreements = std::move(*diffs);
    in.funcignore = std::move(*file);
  }

  // Unknown rule ids in the configuration are input errors.
  for (const auto& d : config->disable)
    if (!rules.find(d.value))
      return fail("unknown rule '" + d.value + "' in 'disable'", d.location);
  for (const auto& [id, sev] : config->severity)
    if (!rules.find(id.value)) return fail("unknown rule '" + id.value + "' in [severity]", id.location);
  return std::pair{std::move(in), std::move(*config)};
}

Result<std::vector<Diagnostic>> apply_configuration(std::vector<Diagnostic> findings,
                                                    const FuncpackConfig& config,
                                                    const RuleRegistry& rules) {
  std::vector<Diagnostic> out;
  for (auto& d : findings) {
    bool disabled = false;
    for (const auto& x : config.disable) disabled = disabled || x.value == d.rule_id;
    if (disabled) continue;
    auto ids = parse_suppression(d.source_line);
    if (!ids) {
      Location l = d.location;
      l.column = ids.error().location.column;
      l.end_column = 0;
      return fail(ids.error().message, l);
    }
    bool suppressed = false;
    if (*ids) {
      for (const auto& id : **ids) {
        if (id == "*" || id == d.rule_id) suppressed = true;
        if (id != "*" && !rules.find(id)) {
          Location l = d.location;
          const size_t at = d.source_line.find(id, d.source_line.find("funcpack: ignore"));
          l.column = static_cast<int>(at) + 1;
          l.end_column = l.column + static_cast<int>(id.size());
          return fail("unknown rule '" + id + "' in 'funcpack: ignore[...]'", l);
        }
      }
    }
    if (suppressed) continue;
    for (const auto& [id, sev] : config.severity)
      if (id.value == d.rule_id) d.severity = sev;
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<Diagnostic> keep_changed(std::vector<Diagnostic> findings, const LineChanges& changes) {
  std::vector<Diagnostic> out;
  for (auto& d : findings) {
    if (d.location.path.empty()) continue;
    const bool changed = d.location.line > 0 ? changes.line_changed(d.location.path, d.location.line)
                                             : changes.file_changed(d.location.path);
    if (changed) out.push_back(std::move(d));
  }
  return out;
}

Result<LintReport> lint(const LintOptions& options, const RuleRegistry& rules,
                        const RuntimeProfile& profile) {
  auto built = build_lint_input(options, rules, profile);
  if (!built) return std::unexpected(built.error());
  auto& [in, config] = *built;
  auto findings = apply_configuration(run_checks(rules, profile, in), config, rules);
  if (!findings) return std::unexpected(findings.error());
  LintReport report;
  report.app_root = in.app_root;
  report.python = in.python.value;
  report.plan = in.plan.value;
  report.policy = in.policy;
  for (const auto& f : in.requirements.files) report.files.push_back(f);
  // Includes reached through "../" print as plain paths (app/../shared/x.txt -> shared/x.txt).
  for (auto& d : *findings)
    if (!d.location.path.empty())
      d.location.path = fs::path(d.location.path).lexically_normal().generic_string();
  report.findings = std::move(*findings);
  return report;
}

}  // namespace funcpack
