#include "sandbox/build_system.h"

#include <sstream>
#include <toml.hpp>

#include "base/fs.h"
#include "inputs/toml_document.h"

namespace funcpack {

namespace {

Location where(const toml::value& v, const std::string& path) {
  const auto loc = v.location();
  return Location{path, static_cast<int>(loc.line()), static_cast<int>(loc.column()), 0};
}

BuildSystem defaults() {
  BuildSystem b;
  b.requires_text = {"setuptools>=40.8.0"};
  b.requires_.push_back(*Requirement::parse(b.requires_text[0]));
  b.backend = std::string(kLegacyBackend);
  b.defaulted = true;
  return b;
}

}  // namespace

Result<BuildSystem> parse_build_system(std::string_view text, const std::filesystem::path& path) {
  const std::string name = path.string();
  auto parsed = parse_toml_document(text, name);
  if (!parsed) return std::unexpected(parsed.error());
  const toml::value root = std::move(*parsed);
  if (!root.is_table() || !root.contains("build-system")) return defaults();
  const auto& bs = root.at("build-system");
  if (!bs.is_table()) return fail("'build-system' must be a table", where(bs, name));
  BuildSystem out;
  if (!bs.contains("requires"))
    return fail("'build-system.requires' is missing (PEP 518 requires it)", where(bs, name));
  const auto& req = bs.at("requires");
  if (!req.is_array())
    return fail("'build-system.requires' must be an array of strings", where(req, name));
  for (const auto& r : req.as_array()) {
    if (!r.is_string())
      return fail("'build-system.requires' must be an array of strings", where(r, name));
    const std::string& s = r.as_string().str;
    auto parsed = Requirement::parse(s);
    if (!parsed)
      return fail("'build-system.requires' entry '" + s + "': " + parsed.error().message,
                  where(r, name));
    if (!parsed->url.empty())
      return fail("'build-system.requires' entry '" + s +
                  "': direct URL build requirements are not supported",
                  where(r, name));
    out.requires_text.push_back(s);
    out.requires_.push_back(std::move(*parsed));
  }
  if (bs.contains("build-backend")) {
    const auto& b = bs.at("build-backend");
    if (!b.is_string() || b.as_string().str.empty())
      return fail("'build-system.build-backend' must be a non-empty string", where(b, name));
    out.backend = b.as_string().str;
  } else {
    out.backend = std::string(kLegacyBackend);
  }
  if (bs.contains("backend-path")) {
    const auto& bp = bs.at("backend-path");
    if (!bp.is_array())
      return fail("'build-system.backend-path' must be an array of strings", where(bp, name));
    for (const auto& p : bp.as_array()) {
      if (!p.is_string())
        return fail("'build-system.backend-path' must be an array of strings", where(p, name));
      std::filesystem::path rel(p.as_string().str);
      auto norm = rel.lexically_normal();
      if (rel.is_absolute() || norm.empty() || *norm.begin() == "..")
        return fail("'build-system.backend-path' entry '" + p.as_string().str +
                    "' leaves the source tree", where(p, name));
      out.backend_path.push_back(p.as_string().str);
    }
  }
  return out;
}

Result<BuildSystem> read_build_system(const std::filesystem::path& source_dir) {
  std::filesystem::path p = source_dir / "pyproject.toml";
  std::error_code ec;
  if (!std::filesystem::exists(p, ec)) return defaults();
  auto text = read_file(p);
  if (!text) return std::unexpected(text.error());
  return parse_build_system(*text, "pyproject.toml");
}

}  // namespace funcpack
