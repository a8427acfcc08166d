#include "resolve/lock.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <toml.hpp>

#include "base/strings.h"
#include "inputs/toml_document.h"
#include "io/direct_reference.h"
#include "io/url.h"
#include "spec/package_name.h"
#include "spec/tags.h"
#include "spec/wheel_filename.h"

namespace funcpack {

namespace {

// A TOML string: a literal string ('...') when that needs no escaping and the text has double
// quotes (markers read better), else a basic string with escapes.
std::string toml_str(std::string_view s) {
  bool plain_literal = s.find('\'') == std::string_view::npos &&
                       std::none_of(s.begin(), s.end(), [](char c) { return (unsigned char)c < 0x20 || c == 0x7f; });
  if (plain_literal && s.find('"') != std::string_view::npos) return "'" + std::string(s) + "'";
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if ((unsigned char)c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", (unsigned)(unsigned char)c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string target_marker(const Target& t) {
  return "implementation_name == \"cpython\" and sys_platform == \"linux\" and platform_machine == \"" +
         t.machine + "\" and python_full_version == \"" + t.python_full_version + "\"";
}

bool is_tree(const ResolvedPackage& p) {
  return p.origin && p.origin->kind != DirectOrigin::Kind::kArchive;
}

// A path as the lock records it: relative to the lock's directory when that is given and the
// path can be reached from it, else absolute; '/'-separated.
std::string lock_path(const std::filesystem::path& path, const std::filesystem::path& lock_dir) {
  if (lock_dir.empty()) return path.generic_string();
  std::filesystem::path rel =
      path.lexically_normal().lexically_relative(std::filesystem::absolute(lock_dir).lexically_normal());
  if (rel.empty()) return path.generic_string();
  return rel.generic_string();
}

std::string hashes_table(const std::map<std::string, std::string>& hashes) {
  std::string out = "{";
  bool first = true;
  for (const auto& [algo, hex] : hashes) {  // std::map: sorted by algorithm
    if (!first) out += ", ";
    first = false;
    out += algo + " = " + toml_str(hex);
  }
  return out + "}";
}

Result<void> check_hashes(const ResolvedPackage& p) {
  if (is_tree(p)) return {};
  if (p.file.hashes.empty())
    return fail("cannot lock " + p.name + "==" + p.version.str() + ": the index published no hash for " +
                p.file.filename);
  return {};
}

std::string file_table(const DistributionFile& f) {
  std::string out = "{name = " + toml_str(f.filename) + ", url = " + toml_str(f.url);
  if (f.size) out += ", size = " + std::to_string(*f.size);
  return out + ", hashes = " + hashes_table(f.hashes) + "}";
}

// packages.archive / packages.vcs / packages.directory (PEP 751) of a direct reference.
std::string origin_entry(const ResolvedPackage& p, const std::filesystem::path& lock_dir) {
  const DirectOrigin& o = *p.origin;
  std::string sub = o.subdirectory.empty() ? "" : ", subdirectory = " + toml_str(o.subdirectory);
  switch (o.kind) {
    case DirectOrigin::Kind::kVcs: {
      std::string out = "vcs = {type = \"git\", url = " + toml_str(o.url);
      if (!o.requested_revision.empty())
        out += ", requested-revision = " + toml_str(o.requested_revision);
      return out + ", commit-id = " + toml_str(o.commit_id) + sub + "}\n";
    }
    case DirectOrigin::Kind::kDirectory:
      return "directory = {path = " + toml_str(lock_path(o.path, lock_dir)) +
             ", editable = " + (o.editable ? "true" : "false") + sub + "}\n";
    case DirectOrigin::Kind::kArchive: {
      std::string out = "archive = {";
      out += o.path.empty() ? "url = " + toml_str(p.file.url)
                            : "path = " + toml_str(lock_path(o.path, lock_dir));
      if (p.file.size) out += ", size = " + std::to_string(*p.file.size);
      return out + ", hashes = " + hashes_table(p.file.hashes) + sub + "}\n";
    }
  }
  return "";
}

}  // namespace

Result<std::string> write_pylock(const Resolution& res, const std::filesystem::path& lock_dir) {
  std::string out;
  out += "lock-version = \"1.0\"\n";
  out += "environments = [" + toml_str(target_marker(res.target)) + "]\n";
  out += "requires-python = " + toml_str(res.requires_python) + "\n";
  out += "created-by = \"funcpack\"\n";
  for (const auto& p : res.packages) {
    if (auto ok = check_hashes(p); !ok) return std::unexpected(ok.error());
    out += "\n[[packages]]\n";
    out += "name = " + toml_str(p.name) + "\n";
    // PEP 751: no version for a source tree (its code may not match a version recorded now);
    // funcpack keeps the one it resolved in packages.tool.funcpack.
    if (!is_tree(p)) out += "version = " + toml_str(p.version.str()) + "\n";
    if (p.origin) {
      out += origin_entry(p, lock_dir);
      if (is_tree(p))
        out += "\n[packages.tool.funcpack]\nversion = " + toml_str(p.version.str()) + "\n";
      continue;
    }
    if (!p.file.index.empty()) out += "index = " + toml_str(p.file.index) + "\n";
    if (p.is_wheel) out += "wheels = [" + file_table(p.file) + "]\n";
    else out += "sdist = " + file_table(p.file) + "\n";
  }
  out += "\n[tool.funcpack]\n";
  out += "python = " + toml_str(res.target.python_full_version) + "\n";
  out += "machine = " + toml_str(res.target.machine) + "\n";
  out += "glibc = " + toml_str(std::to_string(res.target.glibc_major) + "." +
                               std::to_string(res.target.glibc_minor)) + "\n";
  return out;
}

Result<std::string> write_requirements_lock(const Resolution& res,
                                            const std::filesystem::path& lock_dir) {
  std::string out = "# Generated by funcpack for CPython " + res.target.python_full_version +
                    " on Linux " + res.target.machine + " (glibc " +
                    std::to_string(res.target.glibc_major) + "." +
                    std::to_string(res.target.glibc_minor) + "). Install with:\n" +
                    "#   pip install --require-hashes --only-binary=:all: --no-deps -r FILE\n";
  for (const auto& p : res.packages) {
    if (auto ok = check_hashes(p); !ok) return std::unexpected(ok.error());
    if (is_tree(p))
      return fail("cannot write " + p.name + " to a requirements lock: it is built from " +
                  (p.origin->kind == DirectOrigin::Kind::kVcs ? "a git repository"
                                                              : "a local directory") +
                  ", which pip's hash-checking mode (--require-hashes) refuses; use the pylock "
                  "format");
    if (!p.origin) {
      out += p.name + "==" + p.version.str();
    } else if (p.origin->path.empty()) {
      out += p.name + " @ " + p.file.url;
    } else {  // pip reads a relative path from the directory it runs in
      std::string rel = lock_path(p.origin->path, lock_dir);
      out += rel.starts_with("/") || rel.starts_with("../") ? rel : "./" + rel;
    }
    for (const auto& [algo, hex] : p.file.hashes) out += " \\\n    --hash=" + algo + ":" + hex;
    out += "\n";
    if (!p.direct && !p.required_by.empty()) out += "    # via " + join(p.required_by, ", ") + "\n";
  }
  return out;
}

Result<std::string> write_json_lock(const Resolution& res) {
  nlohmann::ordered_json packages = nlohmann::ordered_json::array();
  for (const auto& p : res.packages) {
    if (auto ok = check_hashes(p); !ok) return std::unexpected(ok.error());
    auto sha = p.file.hashes.find("sha256");
    nlohmann::ordered_json entry;
    entry["name"] = p.name;
    entry["version"] = p.version.str();
    entry["filename"] = is_tree(p) ? nlohmann::ordered_json(nullptr)
                                   : nlohmann::ordered_json(p.file.filename);
    entry["url"] = is_tree(p) ? source_tree_url(*p.origin) : p.file.url;
    entry["sha256"] = sha == p.file.hashes.end() ? nlohmann::ordered_json(nullptr)
                                                 : nlohmann::ordered_json(sha->second);
    packages.push_back(std::move(entry));
  }
  nlohmann::ordered_json doc;
  doc["packages"] = std::move(packages);
  return doc.dump(2) + "\n";
}

namespace {

struct LockError {
  std::string message;
  int line = 0;
};

int line_of(const toml::value& v) {
  auto loc = v.location();
  return int(loc.line());
}

const toml::value* get(const toml::value& table, const std::string& key) {
  if (!table.is_table()) return nullptr;
  const auto& t = table.as_table();
  auto it = t.find(key);
  return it == t.end() ? nullptr : &it->second;
}

std::string get_string(const toml::value& table, const std::string& key, const std::string& where) {
  const toml::value* v = get(table, key);
  if (!v) throw LockError{where + ": missing '" + key + "'", line_of(table)};
  if (!v->is_string()) throw LockError{where + ": '" + key + "' must be a string", line_of(*v)};
  return v->as_string().str;
}

DistributionFile read_file_table(const toml::value& t, const std::string& where) {
  if (!t.is_table()) throw LockError{where + ": expected a table", line_of(t)};
  DistributionFile f;
  f.filename = get_string(t, "name", where);
  f.url = get_string(t, "url", where);
  if (const toml::value* size = get(t, "size")) {
    if (!size->is_integer() || size->as_integer() < 0)
      throw LockError{where + ": 'size' must be a non-negative integer", line_of(*size)};
    f.size = uint64_t(size->as_integer());
  }
  const toml::value* hashes = get(t, "hashes");
  if (!hashes || !hashes->is_table() || hashes->as_table().empty())
    throw LockError{where + ": missing 'hashes'", line_of(t)};
  for (const auto& [algo, hex] : hashes->as_table()) {
    if (!hex.is_string()) throw LockError{where + ": hash '" + algo + "' must be a string", line_of(hex)};
    f.hashes[algo] = to_lower(hex.as_string().str);
  }
  return f;
}

std::string get_optional_string(const toml::value& table, const std::string& key,
                                const std::string& where) {
  return get(table, key) ? get_string(table, key, where) : std::string();
}

// A path of the lock: relative ones are relative to the lock's directory (PEP 751).
std::filesystem::path lock_relative(const std::string& text, const std::filesystem::path& lock_dir) {
  std::filesystem::path p(text);
  return (p.is_absolute() ? p : lock_dir / p).lexically_normal();
}

// packages.archive / vcs / directory into rp (origin, file). Returns false when the package
// has none of them (an index distribution).
bool read_origin(const toml::value& p, const std::string& where, const std::filesystem::path& lock_dir,
                 ResolvedPackage& rp) {
  const toml::value* t = nullptr;
  DirectOrigin o;
  if ((t = get(p, "vcs"))) {
    o.kind = DirectOrigin::Kind::kVcs;
    if (!t->is_table()) throw LockError{where + ": 'vcs' must be a table", line_of(*t)};
    std::string type = get_string(*t, "type", where + " vcs");
    if (type != "git")
      throw LockError{where + ": vcs type '" + type + "' is not supported (only git)", line_of(*t)};
    o.url = get_optional_string(*t, "url", where + " vcs");
    if (o.url.empty() && get(*t, "path"))
      o.url = path_to_file_url(lock_relative(get_string(*t, "path", where + " vcs"), lock_dir));
    if (o.url.empty()) throw LockError{where + ": vcs needs 'url' or 'path'", line_of(*t)};
    o.requested_revision = get_optional_string(*t, "requested-revision", where + " vcs");
    o.commit_id = get_string(*t, "commit-id", where + " vcs");
  } else if ((t = get(p, "directory"))) {
    o.kind = DirectOrigin::Kind::kDirectory;
    if (!t->is_table()) throw LockError{where + ": 'directory' must be a table", line_of(*t)};
    o.path = lock_relative(get_string(*t, "path", where + " directory"), lock_dir);
    if (const toml::value* e = get(*t, "editable")) {
      if (!e->is_boolean()) throw LockError{where + ": 'editable' must be a boolean", line_of(*e)};
      o.editable = e->as_boolean();
    }
  } else if ((t = get(p, "archive"))) {
    o.kind = DirectOrigin::Kind::kArchive;
    if (!t->is_table()) throw LockError{where + ": 'archive' must be a table", line_of(*t)};
    DistributionFile f;
    std::string url = get_optional_string(*t, "url", where + " archive");
    if (!url.empty()) {
      o.url = url;
      f.url = url;
    } else {
      o.path = lock_relative(get_string(*t, "path", where + " archive"), lock_dir);
      f.url = path_to_file_url(o.path);
    }
    f.filename = url_filename(f.url);
    if (const toml::value* size = get(*t, "size")) {
      if (!size->is_integer() || size->as_integer() < 0)
        throw LockError{where + ": 'size' must be a non-negative integer", line_of(*size)};
      f.size = uint64_t(size->as_integer());
    }
    const toml::value* hashes = get(*t, "hashes");
    if (!hashes || !hashes->is_table() || hashes->as_table().empty())
      throw LockError{where + ": missing 'hashes'", line_of(*t)};
    for (const auto& [algo, hex] : hashes->as_table()) {
      if (!hex.is_string()) throw LockError{where + ": hash '" + algo + "' must be a string", line_of(hex)};
      f.hashes[algo] = to_lower(hex.as_string().str);
    }
    rp.is_wheel = f.filename.ends_with(".whl");
    rp.file = std::move(f);
  } else {
    return false;
  }
  o.subdirectory = get_optional_string(*t, "subdirectory", where);
  if (o.kind != DirectOrigin::Kind::kArchive) {
    rp.is_wheel = false;
    rp.file.url = source_tree_url(o);
  }
  rp.origin = std::move(o);
  return true;
}

}  // namespace

Result<Resolution> read_pylock(std::string_view text, const std::filesystem::path& path) {
  Location at{path.string(), 0, 0, 0};
  const std::filesystem::path lock_dir = std::filesystem::absolute(path).parent_path();
  auto parsed = parse_toml_document(text, path.string());
  if (!parsed) return std::unexpected(parsed.error());
  const toml::value doc = std::move(*parsed);
  try {
    Resolution res;
    std::string version = get_string(doc, "lock-version", "pylock.toml");
    if (!(version == "1" || version.starts_with("1.")))
      throw LockError{"unsupported lock-version '" + version + "' (expected 1.x)",
                      line_of(*get(doc, "lock-version"))};
    if (const toml::value* tool = get(doc, "tool")) {
      if (const toml::value* fp = get(*tool, "funcpack")) {
        if (get(*fp, "python")) {
          std::string py = get_string(*fp, "python", "[tool.funcpack]");
          auto parsed = Version::parse(py);
          if (!parsed || parsed->release().size() < 2)
            throw LockError{"[tool.funcpack]: invalid python '" + py + "'", line_of(*get(*fp, "python"))};
          res.target.python_major = int(parsed->release()[0]);
          res.target.python_minor = int(parsed->release()[1]);
          res.target.python_full_version = py;
        }
        if (get(*fp, "machine")) res.target.machine = get_string(*fp, "machine", "[tool.funcpack]");
        if (get(*fp, "glibc")) {
          std::string g = get_string(*fp, "glibc", "[tool.funcpack]");
          auto parts = split(g, '.');
          if (parts.size() != 2 || parts[0].empty() || parts[1].empty() ||
              !std::all_of(g.begin(), g.end(), [](char c) { return is_ascii_digit(c) || c == '.'; }))
            throw LockError{"[tool.funcpack]: invalid glibc '" + g + "'", line_of(*get(*fp, "glibc"))};
          res.target.glibc_major = std::stoi(std::string(parts[0]));
          res.target.glibc_minor = std::stoi(std::string(parts[1]));
        }
      }
    }
    if (const toml::value* rp = get(doc, "requires-python"); rp && rp->is_string())
      res.requires_python = rp->as_string().str;
    TagPriority priority(res.target.compatible_tags());

    if (const toml::value* pkgs = get(doc, "packages")) {
      if (!pkgs->is_array()) throw LockError{"'packages' must be an array of tables", line_of(*pkgs)};
      size_t index = 0;
      for (const auto& p : pkgs->as_array()) {
        std::string where = "packages[" + std::to_string(index++) + "]";
        if (!p.is_table()) throw LockError{where + ": expected a table", line_of(p)};
        ResolvedPackage rp;
        rp.name = normalize_name(get_string(p, "name", where));
        where += " (" + rp.name + ")";
        // A source tree has no `version` (PEP 751); funcpack's own is in packages.tool.funcpack.
        const toml::value* version_at = get(p, "version");
        std::string v;
        if (version_at) {
          v = get_string(p, "version", where);
        } else if (const toml::value* tool = get(p, "tool"); tool && get(*tool, "funcpack") &&
                                                           get(*get(*tool, "funcpack"), "version")) {
          version_at = get(*get(*tool, "funcpack"), "version");
          v = get_string(*get(*tool, "funcpack"), "version", where + " tool.funcpack");
        } else {
          throw LockError{where + ": missing 'version' (and no [packages.tool.funcpack] version)",
                          line_of(p)};
        }
        auto parsed = Version::parse(v);
        if (!parsed) throw LockError{where + ": invalid version '" + v + "'", line_of(*version_at)};
        rp.version = *parsed;
        if (read_origin(p, where, lock_dir, rp)) {
          res.packages.push_back(std::move(rp));
          continue;
        }
        std::string index_url;
        if (get(p, "index")) index_url = get_string(p, "index", where);
        if (const toml::value* wheels = get(p, "wheels")) {
          if (!wheels->is_array() || wheels->as_array().empty())
            throw LockError{where + ": 'wheels' must be a non-empty array", line_of(*wheels)};
          std::optional<std::pair<size_t, DistributionFile>> best;
          std::optional<DistributionFile> first;
          for (const auto& w : wheels->as_array()) {
            DistributionFile f = read_file_table(w, where + " wheel");
            auto wf = WheelFilename::parse(f.filename);
            if (!wf) throw LockError{where + ": " + wf.error().message, line_of(w)};
            if (!first) first = f;
            auto rank = priority.best_rank(wf->tags);
            if (rank && (!best || *rank < best->first)) best = {*rank, f};
          }
          rp.file = best ? best->second : *first;
          rp.is_wheel = true;
        } else if (const toml::value* sdist = get(p, "sdist")) {
          rp.file = read_file_table(*sdist, where + " sdist");
          rp.is_wheel = false;
        } else {
          throw LockError{where + ": no 'wheels', 'sdist', 'archive', 'vcs' or 'directory'",
                          line_of(p)};
        }
        rp.file.index = index_url;
        res.packages.push_back(std::move(rp));
      }
    }
    std::sort(res.packages.begin(), res.packages.end(),
              [](const ResolvedPackage& a, const ResolvedPackage& b) { return a.name < b.name; });
    for (size_t i = 1; i < res.packages.size(); ++i)
      if (res.packages[i].name == res.packages[i - 1].name)
        throw LockError{"package '" + res.packages[i].name + "' is listed twice", 0};
    return res;
  } catch (const LockError& e) {
    at.line = e.line;
    return fail(e.message, at);
  } catch (const std::exception& e) {
    return fail(e.what(), at);
  }
}

}  // namespace funcpack
