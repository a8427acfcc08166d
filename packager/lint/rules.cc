#include "lint/rules.h"

#include <algorithm>
#include <sstream>
#include <toml.hpp>

#include "inputs/config.h"
#include "inputs/rules_data.h"
#include "lint/checks.h"

namespace funcpack {

namespace {

constexpr std::string_view kTopKeys[] = {"id",   "name",    "severity", "summary", "rationale",
                                         "hint", "help",    "fixable",  "source",  "facts"};
constexpr std::string_view kRequired[] = {"id",   "name",    "severity", "summary", "rationale",
                                          "hint", "help",    "fixable",  "source"};

std::string_view fact_type_name(FactType t) {
  switch (t) {
    case FactType::kInteger: return "an integer";
    case FactType::kString: return "a string";
    case FactType::kStringList: return "an array of strings";
    case FactType::kIntegerList: return "an array of integers";
  }
  return "?";
}

// A toml value's location as ours; for a key, the key's own column on that line.
Location where(const toml::value& v, const std::string& path, std::string_view key = {}) {
  const auto loc = v.location();
  const int value_col = static_cast<int>(loc.column());
  Location l{path, static_cast<int>(loc.line()), value_col, 0};
  if (!key.empty()) l = locate_toml_key(l, loc.line_str(), key);
  return l;
}

Result<std::string> string_at(const toml::value& t, const char* key, const std::string& path) {
  const auto& v = t.at(key);
  if (!v.is_string()) return fail(std::string("'") + key + "' must be a string", where(v, path, key));
  return v.as_string().str;
}

Result<FactValue> read_fact(const toml::value& v, FactType type, const std::string& path,
                            const std::string& key) {
  auto wrong = [&] {
    return fail("fact '" + key + "' must be " + std::string(fact_type_name(type)),
                where(v, path, key));
  };
  switch (type) {
    case FactType::kInteger:
      if (!v.is_integer()) return wrong();
      return FactValue{static_cast<int64_t>(v.as_integer())};
    case FactType::kString:
      if (!v.is_string()) return wrong();
      return FactValue{v.as_string().str};
    case FactType::kStringList: {
      if (!v.is_array()) return wrong();
      std::vector<std::string> out;
      for (const auto& e : v.as_array()) {
        if (!e.is_string()) return wrong();
        out.push_back(e.as_string().str);
      }
      return FactValue{std::move(out)};
    }
    case FactType::kIntegerList: {
      if (!v.is_array()) return wrong();
      std::vector<int64_t> out;
      for (const auto& e : v.as_array()) {
        if (!e.is_integer()) return wrong();
        out.push_back(e.as_integer());
      }
      return FactValue{std::move(out)};
    }
  }
  return wrong();
}

Result<Rule> parse_rule(const std::string& path, const std::string& text, const CheckSpec* spec) {
  toml::value root;
  try {
    std::istringstream in(text);
    root = toml::parse(in, path);
  } catch (const std::exception& e) {
    return fail(e.what(), Location{path, 0, 0, 0});
  }
  Rule r;
  for (const auto& [key, value] : root.as_table()) {
    if (std::find(std::begin(kTopKeys), std::end(kTopKeys), key) == std::end(kTopKeys))
      return fail("unknown key '" + key + "' in a rule file", where(value, path, key));
  }
  for (auto key : kRequired)
    if (!root.contains(std::string(key)))
      return fail("missing key '" + std::string(key) + "'", Location{path, 0, 0, 0});
  auto get = [&](const char* key, std::string& out) -> Result<void> {
    auto s = string_at(root, key, path);
    if (!s) return std::unexpected(s.error());
    out = std::move(*s);
    return {};
  };
  for (auto [key, out] : {std::pair{"id", &r.id}, {"name", &r.name}, {"summary", &r.summary},
                          {"rationale", &r.rationale}, {"hint", &r.hint}, {"help", &r.help},
                          {"source", &r.source}}) {
    if (auto ok = get(key, *out); !ok) return std::unexpected(ok.error());
  }
  const std::string expected_file = r.id + ".toml";
  if (path.size() < expected_file.size() ||
      path.compare(path.size() - expected_file.size(), expected_file.size(), expected_file) != 0 ||
      (path.size() > expected_file.size() && path[path.size() - expected_file.size() - 1] != '/'))
    return fail("rule id '" + r.id + "' does not match the file name", where(root.at("id"), path));
  std::string severity;
  if (auto ok = get("severity", severity); !ok) return std::unexpected(ok.error());
  auto sev = parse_severity(severity);
  if (!sev)
    return fail("severity must be \"error\", \"warning\" or \"info\", not \"" + severity + "\"",
                where(root.at("severity"), path));
  r.severity = *sev;
  const auto& fixable = root.at("fixable");
  if (!fixable.is_boolean()) return fail("'fixable' must be a boolean", where(fixable, path, "fixable"));
  r.fixable = fixable.as_boolean();
  // Trailing newlines of multi-line strings are layout, not content.
  while (!r.rationale.empty() && r.rationale.back() == '\n') r.rationale.pop_back();
  while (!r.help.empty() && r.help.back() == '\n') r.help.pop_back();

  if (!spec) return fail("no check implements rule '" + r.id + "'", where(root.at("id"), path));
  if (root.contains("facts")) {
    const auto& facts = root.at("facts");
    if (!facts.is_table()) return fail("'facts' must be a table", where(facts, path, "facts"));
    for (const auto& [key, value] : facts.as_table()) {
      auto it = std::find_if(spec->facts.begin(), spec->facts.end(),
                             [&](const FactSpec& f) { return f.key == key; });
      if (it == spec->facts.end())
        return fail("unknown fact '" + key + "' (rule " + r.id + " does not use it)",
                    where(value, path, key));
      auto fv = read_fact(value, it->type, path, key);
      if (!fv) return std::unexpected(fv.error());
      r.facts.emplace(key, std::move(*fv));
    }
  }
  for (const auto& f : spec->facts)
    if (!r.facts.contains(f.key))
      return fail("missing fact '" + std::string(f.key) + "' (" +
                      std::string(fact_type_name(f.type)) + ") in [facts]",
                  Location{path, 0, 0, 0});
  return r;
}

template <class T>
const T& fact_or_empty(const Rule& r, std::string_view key) {
  static const T empty{};
  auto it = r.facts.find(key);
  if (it == r.facts.end()) return empty;
  const T* p = std::get_if<T>(&it->second);
  return p ? *p : empty;
}

}  // namespace

std::optional<Severity> parse_severity(std::string_view s) {
  if (s == "error") return Severity::kError;
  if (s == "warning") return Severity::kWarning;
  if (s == "info") return Severity::kInfo;
  return std::nullopt;
}

int64_t Rule::integer(std::string_view key) const { return fact_or_empty<int64_t>(*this, key); }
const std::string& Rule::text(std::string_view key) const {
  return fact_or_empty<std::string>(*this, key);
}
const std::vector<std::string>& Rule::strings(std::string_view key) const {
  return fact_or_empty<std::vector<std::string>>(*this, key);
}
const std::vector<int64_t>& Rule::integers(std::string_view key) const {
  return fact_or_empty<std::vector<int64_t>>(*this, key);
}

Result<RuleRegistry> RuleRegistry::parse(
    const std::vector<std::pair<std::string, std::string>>& files,
    std::span<const CheckSpec> specs) {
  RuleRegistry reg;
  for (const auto& [path, text] : files) {
    // The spec is found by the file's stem; parse_rule checks that the id agrees with it.
    const auto slash = path.find_last_of('/');
    std::string stem = path.substr(slash == std::string::npos ? 0 : slash + 1);
    if (stem.size() > 5) stem.resize(stem.size() - 5);
    const CheckSpec* spec = nullptr;
    for (const auto& s : specs)
      if (s.id == stem) spec = &s;
    auto rule = parse_rule(path, text, spec);
    if (!rule) return std::unexpected(rule.error());
    reg.rules_.push_back(std::move(*rule));
  }
  std::sort(reg.rules_.begin(), reg.rules_.end(),
            [](const Rule& a, const Rule& b) { return a.id < b.id; });
  for (const auto& s : specs)
    if (!reg.find(s.id))
      return fail("rule " + std::string(s.id) + " has a check but no file rules/lint/" +
                  std::string(s.id) + ".toml");
  return reg;
}

Result<RuleRegistry> RuleRegistry::load(std::span<const CheckSpec> specs) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& rel : list_rules_files("lint")) {
    if (rel.size() < 5 || rel.substr(rel.size() - 5) != ".toml") continue;
    auto text = read_rules_file(rel);
    if (!text) return std::unexpected(text.error());
    files.emplace_back("rules/" + rel, std::move(*text));
  }
  return parse(files, specs);
}

Result<RuleRegistry> RuleRegistry::load() { return load(check_specs()); }

const Rule* RuleRegistry::find(std::string_view id) const {
  int i = index_of(id);
  return i < 0 ? nullptr : &rules_[static_cast<size_t>(i)];
}

int RuleRegistry::index_of(std::string_view id) const {
  auto it = std::lower_bound(rules_.begin(), rules_.end(), id,
                             [](const Rule& r, std::string_view x) { return r.id < x; });
  if (it == rules_.end() || it->id != id) return -1;
  return static_cast<int>(it - rules_.begin());
}

}  // namespace funcpack
