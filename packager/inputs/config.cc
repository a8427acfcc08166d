#include "inputs/config.h"

#include <sstream>
#include <toml.hpp>

#include "base/fs.h"
#include "inputs/toml_document.h"

namespace funcpack {

namespace {

constexpr std::string_view kKeys[] = {"python",  "plan",     "policy",
                                      "disable", "severity", "size_warning_mb"};

Location value_location(const toml::value& v, const std::string& path) {
  const auto loc = v.location();
  return Location{path, static_cast<int>(loc.line()), static_cast<int>(loc.column()),
                  static_cast<int>(loc.column() + std::max<uint32_t>(loc.region(), 1))};
}

Location key_location(const toml::value& v, const std::string& path, std::string_view key) {
  return locate_toml_key(value_location(v, path), v.location().line_str(), key);
}

Result<ConfigString> read_string(const toml::value& v, const std::string& path,
                                 std::string_view key) {
  if (!v.is_string())
    return fail("'" + std::string(key) + "' must be a string", key_location(v, path, key));
  return ConfigString{v.as_string().str, value_location(v, path)};
}

Result<FuncpackConfig> read_table(const toml::value& table, const std::string& path,
                                  std::string_view prefix) {
  FuncpackConfig cfg;
  cfg.path = path;
  for (const auto& [key, value] : table.as_table()) {
    if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys))
      return fail("unknown key '" + std::string(prefix) + key +
                      "' in funcpack configuration (expected python, plan, policy, disable, "
                      "severity, size_warning_mb)",
                  key_location(value, path, key));
    if (key == "python" || key == "plan" || key == "policy") {
      auto s = read_string(value, path, key);
      if (!s) return std::unexpected(s.error());
      if (key == "policy" && s->value != "minimum" && s->value != "exact")
        return fail("policy must be \"minimum\" or \"exact\", not \"" + s->value + "\"",
                    s->location);
      (key == "python" ? cfg.python : key == "plan" ? cfg.plan : cfg.policy) = std::move(*s);
    } else if (key == "size_warning_mb") {
      if (!value.is_integer() || value.as_integer() < 0)
        return fail("'size_warning_mb' must be a non-negative integer (MiB)",
                    key_location(value, path, key));
      cfg.size_warning_mb = ConfigInteger{static_cast<int64_t>(value.as_integer()),
                                          value_location(value, path)};
    } else if (key == "disable") {
      if (!value.is_array())
        return fail("'disable' must be an array of rule ids", key_location(value, path, key));
      for (const auto& e : value.as_array()) {
        if (!e.is_string())
          return fail("'disable' must be an array of rule ids", value_location(e, path));
        cfg.disable.push_back(ConfigString{e.as_string().str, value_location(e, path)});
      }
    } else {  // severity
      if (!value.is_table())
        return fail("'severity' must be a table of RULE-ID = \"error\"|\"warning\"|\"info\"",
                    key_location(value, path, key));
      for (const auto& [id, sev] : value.as_table()) {
        if (!sev.is_string())
          return fail("severity of '" + id + "' must be \"error\", \"warning\" or \"info\"",
                      value_location(sev, path));
        const std::string& s = sev.as_string().str;
        Severity level;
        if (s == "error") level = Severity::kError;
        else if (s == "warning") level = Severity::kWarning;
        else if (s == "info") level = Severity::kInfo;
        else
          return fail("severity must be \"error\", \"warning\" or \"info\", not \"" + s + "\"",
                      value_location(sev, path));
        cfg.severity.emplace_back(ConfigString{id, key_location(sev, path, id)}, level);
      }
    }
  }
  // toml11's tables are unordered: keep configuration in file order for stable reports.
  auto by_pos = [](const ConfigString& a, const ConfigString& b) {
    return std::pair(a.location.line, a.location.column) <
           std::pair(b.location.line, b.location.column);
  };
  std::sort(cfg.severity.begin(), cfg.severity.end(),
            [&](const auto& a, const auto& b) { return by_pos(a.first, b.first); });
  return cfg;
}

}  // namespace

Location locate_toml_key(const Location& value_location, std::string_view line,
                         std::string_view key) {
  if (value_location.column <= 1) return value_location;
  std::string_view before = line.substr(0, std::min<size_t>(line.size(), value_location.column - 1));
  // The key is the last occurrence before '=' (quoted or bare).
  for (std::string quoted : {"\"" + std::string(key) + "\"", "'" + std::string(key) + "'",
                             std::string(key)}) {
    auto pos = before.rfind(quoted);
    if (pos == std::string_view::npos) continue;
    Location l = value_location;
    l.column = static_cast<int>(pos) + 1;
    l.end_column = l.column + static_cast<int>(quoted.size());
    return l;
  }
  return value_location;
}

Result<FuncpackConfig> parse_config(std::string_view text, const std::filesystem::path& path,
                                    bool pyproject) {
  const std::string name = path.string();
  auto parsed = parse_toml_document(text, name);
  if (!parsed) return std::unexpected(parsed.error());
  const toml::value root = std::move(*parsed);
  if (!pyproject) return read_table(root, name, "");
  const FuncpackConfig empty;  // path empty: this pyproject.toml does not configure funcpack
  if (!root.contains("tool")) return empty;
  const auto& tool = root.at("tool");
  if (!tool.is_table() || !tool.contains("funcpack")) return empty;
  const auto& table = tool.at("funcpack");
  if (!table.is_table())
    return fail("'tool.funcpack' must be a table", value_location(table, name));
  return read_table(table, name, "tool.funcpack.");
}

Result<FuncpackConfig> find_config(const std::filesystem::path& app_dir,
                                   const std::optional<std::filesystem::path>& explicit_file) {
  auto load = [](const std::filesystem::path& p, bool pyproject) -> Result<FuncpackConfig> {
    auto text = read_file(p);
    if (!text) return std::unexpected(text.error());
    return parse_config(*text, p, pyproject);
  };
  if (explicit_file) return load(*explicit_file, explicit_file->filename() == "pyproject.toml");
  std::error_code ec;
  const auto own = app_dir / "funcpack.toml";
  const auto pyproject = app_dir / "pyproject.toml";
  std::optional<FuncpackConfig> from_pyproject;
  if (std::filesystem::is_regular_file(pyproject, ec)) {
    auto cfg = load(pyproject, true);
    if (!cfg) return cfg;
    // Only a pyproject.toml that has a [tool.funcpack] table counts as configuration.
    if (!cfg->path.empty()) from_pyproject = std::move(*cfg);
  }
  if (std::filesystem::is_regular_file(own, ec)) {
    if (from_pyproject)
      return fail("both " + own.string() + " and [tool.funcpack] in " + pyproject.string() +
                  " configure funcpack; keep one");
    return load(own, false);
  }
  if (from_pyproject) return std::move(*from_pyproject);
  return FuncpackConfig{};
}

}  // namespace funcpack
