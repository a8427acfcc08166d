#include "inputs/pyproject_metadata.h"

#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include "base/fs.h"
#include "base/strings.h"
#include "inputs/config.h"
#include "inputs/toml_document.h"
#include "spec/marker.h"
#include "spec/package_name.h"

namespace funcpack {

namespace {

// Every key of the [project] table in the pyproject.toml specification (PEP 621, PEP 639's
// license-files, PEP 794's import-names and import-namespaces).
constexpr std::array<std::string_view, 20> kProjectKeys = {
    "authors", "classifiers", "dependencies", "description", "dynamic", "entry-points",
    "gui-scripts", "import-names", "import-namespaces", "keywords", "license", "license-files",
    "maintainers", "name", "optional-dependencies", "readme", "requires-python", "scripts",
    "urls", "version",
};

bool is_project_key(std::string_view key) {
  return std::find(kProjectKeys.begin(), kProjectKeys.end(), key) != kProjectKeys.end();
}

// Text from the file for a message: control characters escaped so a key or string holding a
// line break cannot break the one-line diagnostic.
std::string shown(std::string_view s) { return escape_controls(s); }

// Where toml11 says `v` starts.
Location where(const toml::value& v, const std::string& path) {
  const auto loc = v.location();
  return Location{path, static_cast<int>(loc.line()), static_cast<int>(loc.column()), 0};
}

// Where `key` is written before its value `v`, spanning it; `v`'s location when toml11's line
// does not show it (dotted keys, a [table] header).
Location key_at(const toml::value& v, const std::string& path, std::string_view key) {
  return locate_toml_key(where(v, path), v.location().line_str(), key);
}

// The 1-based file column of the first byte of string `v`'s value, when its token on the line
// is exactly quotes + value + quotes (a one-line string without escapes), so a column inside
// the value maps to a column in the file. Otherwise nullopt.
std::optional<int> text_column(const toml::value& v) {
  if (!v.is_string()) return std::nullopt;
  const auto loc = v.location();
  const std::string& line = loc.line_str();
  const std::string& value = v.as_string().str;
  const size_t col = loc.column();
  const size_t size = loc.region();
  if (col == 0 || col - 1 > line.size() || size > line.size() - (col - 1)) return std::nullopt;
  const std::string_view token = std::string_view(line).substr(col - 1, size);
  if (token.size() < value.size() || (token.size() - value.size()) % 2 != 0)
    return std::nullopt;
  const size_t quotes = (token.size() - value.size()) / 2;
  if (quotes != 1 && quotes != 3) return std::nullopt;
  const char q = token[0];
  if (q != '"' && q != '\'') return std::nullopt;
  for (size_t i = 0; i < quotes; ++i)
    if (token[i] != q || token[token.size() - 1 - i] != q) return std::nullopt;
  if (token.substr(quotes, value.size()) != value) return std::nullopt;
  return static_cast<int>(col + quotes);
}

// The location of string `v` for an error `sub` a parser reported within its value (column
// relative to the value), or of the whole value when `sub` is null.
Location in_string(const toml::value& v, const std::string& path, const Error* sub = nullptr) {
  const Location base = where(v, path);
  const auto first = text_column(v);
  if (!first) return base;
  if (sub && sub->location.column > 0) return sub->location.shifted(path, base.line, *first);
  const int size = static_cast<int>(v.as_string().str.size());
  return Location{path, base.line, *first, size > 0 ? *first + size : 0};
}

// toml11 keeps tables in an unordered_map: the entries in file order (by the location of
// their values, then by key for values toml11 gives the same place).
std::vector<std::pair<std::string, const toml::value*>> in_file_order(const toml::value& table) {
  std::vector<std::pair<std::string, const toml::value*>> out;
  for (const auto& [k, v] : table.as_table()) out.emplace_back(k, &v);
  auto place = [](const toml::value* v) {
    const auto loc = v->location();
    return std::make_pair(loc.line(), loc.column());
  };
  std::sort(out.begin(), out.end(), [&](const auto& a, const auto& b) {
    const auto pa = place(a.second), pb = place(b.second);
    return pa != pb ? pa < pb : a.first < b.first;
  });
  return out;
}

// Parses an array of PEP 508 strings named `field` ("'project.dependencies'").
Result<std::vector<Requirement>> requirements(const toml::value& v, const std::string& field,
                                              const std::string& path) {
  if (!v.is_array()) return fail(field + " must be an array of strings", where(v, path));
  std::vector<Requirement> out;
  for (const toml::value& item : v.as_array()) {
    if (!item.is_string()) return fail(field + " must be an array of strings", where(item, path));
    const std::string& text = item.as_string().str;
    auto r = Requirement::parse(text);
    if (!r)
      return fail(field + " entry '" + shown(text) + "': " + r.error().message,
                  in_string(item, path, &r.error()));
    out.push_back(std::move(*r));
  }
  return out;
}

// `r` as a requirement of extra `extra` (normalised): its marker and-ed with the extra's.
Result<Requirement> with_extra_marker(Requirement r, const std::string& extra) {
  const std::string clause = "extra == \"" + extra + "\"";
  auto m = Marker::parse(r.marker ? "(" + r.marker->str() + ") and " + clause : clause);
  if (!m) return std::unexpected(m.error());
  r.marker = std::move(*m);
  return r;
}

NotStatic not_static(NotStatic::Reason reason, std::string message, Location location) {
  return NotStatic{reason, std::move(message), std::move(location)};
}

}  // namespace

std::string_view reason_id(NotStatic::Reason reason) {
  switch (reason) {
    case NotStatic::Reason::kNoProjectTable: return "no-project-table";
    case NotStatic::Reason::kVersionDynamic: return "version-dynamic";
    case NotStatic::Reason::kRequiresPythonDynamic: return "requires-python-dynamic";
    case NotStatic::Reason::kDependenciesDynamic: return "dependencies-dynamic";
    case NotStatic::Reason::kOptionalDependenciesDynamic: return "optional-dependencies-dynamic";
    case NotStatic::Reason::kUnknownDynamicEntry: return "unknown-dynamic-entry";
    case NotStatic::Reason::kUnknownProjectKey: return "unknown-project-key";
  }
  return "unknown";
}

Result<PyprojectMetadata> parse_pyproject_metadata(std::string_view text, std::string_view path_) {
  const std::string path(path_);
  auto parsed = parse_toml_document(text, path);
  if (!parsed) return std::unexpected(parsed.error());
  const toml::value& root = *parsed;
  if (!root.is_table() || !root.contains("project"))
    return not_static(NotStatic::Reason::kNoProjectTable, "no [project] table", Location{path});
  const toml::value& project = root.at("project");
  if (!project.is_table()) return fail("'project' must be a table", where(project, path));

  // dynamic: type, `name`, and keys both set and dynamic. Relevance is decided later, after
  // every error.
  std::vector<const toml::value*> dynamic;
  if (project.contains("dynamic")) {
    const toml::value& d = project.at("dynamic");
    if (!d.is_array()) return fail("'project.dynamic' must be an array of strings", where(d, path));
    for (const toml::value& entry : d.as_array()) {
      if (!entry.is_string())
        return fail("'project.dynamic' must be an array of strings", where(entry, path));
      dynamic.push_back(&entry);
    }
    for (const toml::value* entry : dynamic) {
      const std::string& key = entry->as_string().str;
      if (key == "name") return fail("'project.name' cannot be dynamic", in_string(*entry, path));
      if (project.contains(key))
        return fail("'project." + shown(key) + "' is both set and listed in 'project.dynamic'",
                    in_string(*entry, path));
    }
  }
  auto is_dynamic = [&](std::string_view key) {
    return std::any_of(dynamic.begin(), dynamic.end(),
                       [&](const toml::value* e) { return e->as_string().str == key; });
  };

  StaticMetadata out;

  // name: always static (the spec), a PEP 508 identifier.
  if (!project.contains("name"))
    return fail("'project.name' is missing (the pyproject.toml specification requires it)",
                where(project, path));
  const toml::value& name = project.at("name");
  if (!name.is_string()) return fail("'project.name' must be a string", where(name, path));
  out.name = name.as_string().str;
  if (!is_valid_name(out.name))
    return fail("'project.name': invalid project name '" + shown(out.name) + "'",
                in_string(name, path));
  out.normalized_name = normalize_name(out.name);

  // version: required core metadata, so static or dynamic but never just absent.
  if (project.contains("version")) {
    const toml::value& v = project.at("version");
    if (!v.is_string()) return fail("'project.version' must be a string", where(v, path));
    auto version = Version::parse(v.as_string().str);
    if (!version)
      return fail("'project.version': " + version.error().message,
                  in_string(v, path, &version.error()));
    out.version = std::move(*version);
  } else if (!is_dynamic("version")) {
    return fail("'project.version' is missing and not listed in 'project.dynamic'",
                where(project, path));
  }

  if (project.contains("requires-python")) {
    const toml::value& v = project.at("requires-python");
    if (!v.is_string()) return fail("'project.requires-python' must be a string", where(v, path));
    out.requires_python_text = v.as_string().str;
    auto set = SpecifierSet::parse(out.requires_python_text);
    if (!set)
      return fail("'project.requires-python': " + set.error().message,
                  in_string(v, path, &set.error()));
    out.requires_python = std::move(*set);
  }

  if (project.contains("dependencies")) {
    auto deps = requirements(project.at("dependencies"), "'project.dependencies'", path);
    if (!deps) return std::unexpected(deps.error());
    out.dependencies = std::move(*deps);
  }

  // optional-dependencies: extra name -> requirements. The combined requirements (with the
  // extra marker) are built here too, so a marker that cannot take it is an error.
  std::vector<std::vector<Requirement>> combined;
  if (project.contains("optional-dependencies")) {
    const toml::value& table = project.at("optional-dependencies");
    if (!table.is_table())
      return fail("'project.optional-dependencies' must be a table of arrays of strings",
                  where(table, path));
    std::map<std::string, std::string> seen;  // normalised -> key as written
    for (const auto& [key, value] : in_file_order(table)) {
      if (!is_valid_name(key))
        return fail("'project.optional-dependencies' key '" + shown(key) + "': invalid extra name",
                    key_at(*value, path, key));
      StaticExtra extra;
      extra.key = key;
      extra.name = normalize_name(key);
      auto [it, fresh] = seen.emplace(extra.name, key);
      if (!fresh)
        return fail("'project.optional-dependencies' keys '" + shown(it->second) + "' and '" +
                        shown(key) + "' both normalise to '" + extra.name + "'",
                    key_at(*value, path, key));
      const std::string field = "'project.optional-dependencies." + shown(key) + "'";
      auto reqs = requirements(*value, field, path);
      if (!reqs) return std::unexpected(reqs.error());
      std::vector<Requirement> with_marker;
      for (size_t i = 0; i < reqs->size(); ++i) {
        auto r = with_extra_marker((*reqs)[i], extra.name);
        if (!r) {
          const toml::value& item = value->as_array()[i];
          return fail(field + " entry '" + shown(item.as_string().str) +
                          "': cannot add the extra marker: " + r.error().message,
                      in_string(item, path));
        }
        with_marker.push_back(std::move(*r));
      }
      extra.requirements = std::move(*reqs);
      out.extras.push_back(std::move(extra));
      combined.push_back(std::move(with_marker));
    }
  }

  // Every field read is valid; now decide whether it is all there is.
  for (const toml::value* entry : dynamic) {
    const std::string& key = entry->as_string().str;
    const Location at = in_string(*entry, path);
    if (key == "version")
      return not_static(NotStatic::Reason::kVersionDynamic, "version is dynamic", at);
    if (key == "requires-python")
      return not_static(NotStatic::Reason::kRequiresPythonDynamic, "requires-python is dynamic",
                        at);
    if (key == "dependencies")
      return not_static(NotStatic::Reason::kDependenciesDynamic, "dependencies are dynamic", at);
    if (key == "optional-dependencies")
      return not_static(NotStatic::Reason::kOptionalDependenciesDynamic,
                        "optional-dependencies are dynamic", at);
    if (!is_project_key(key))
      return not_static(
          NotStatic::Reason::kUnknownDynamicEntry,
          "'project.dynamic' lists '" + shown(key) + "', which is not a [project] key", at);
  }
  for (const auto& [key, value] : in_file_order(project))
    if (!is_project_key(key))
      return not_static(NotStatic::Reason::kUnknownProjectKey,
                        "unknown key 'project." + shown(key) + "'", key_at(*value, path, key));

  std::string& core = out.core_metadata;
  core = "Metadata-Version: 2.3\nName: " + out.name + "\nVersion: " + out.version.str() + "\n";
  if (out.requires_python && !out.requires_python->empty())
    core += "Requires-Python: " + out.requires_python->str() + "\n";
  for (const Requirement& r : out.dependencies) core += "Requires-Dist: " + r.str() + "\n";
  for (size_t i = 0; i < out.extras.size(); ++i) {
    core += "Provides-Extra: " + out.extras[i].name + "\n";
    for (const Requirement& r : combined[i]) core += "Requires-Dist: " + r.str() + "\n";
  }
  return out;
}

Result<PyprojectMetadata> read_pyproject_metadata(const std::filesystem::path& pyproject_toml) {
  auto text = read_file(pyproject_toml);
  if (!text) return std::unexpected(text.error());
  return parse_pyproject_metadata(*text, pyproject_toml.string());
}

}  // namespace funcpack
