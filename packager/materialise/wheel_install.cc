#include "materialise/wheel_install.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "base/fs.h"
#include "base/hash.h"
#include "base/strings.h"
#include "materialise/wheel_reader.h"
#include "spec/metadata.h"
#include "spec/package_name.h"
#include "spec/wheel_filename.h"

namespace funcpack {

namespace {

struct Extracted {
  std::string digest;  // "sha256=<urlsafe b64>"
  std::string hex;     // the same sha256, lowercase hex
  uint64_t size = 0;
  bool executable = false;
  std::optional<VerbatimFile> verbatim;  // where its compressed bytes are (path not set)
};

struct RecordRow {
  std::string path, hash, size;
};

// RECORD is CSV (Python's csv module, default dialect): fields separated by ',', optionally
// quoted with '"', a doubled quote inside quotes is one quote.
std::vector<RecordRow> parse_record(std::string_view text) {
  std::vector<RecordRow> rows;
  size_t i = 0;
  while (i < text.size()) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (; i < text.size(); ++i) {
      char c = text[i];
      if (quoted) {
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') fields.back() += '"', ++i;
        else if (c == '"') quoted = false;
        else fields.back() += c;
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.emplace_back();
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
        ++i;
        break;
      } else {
        fields.back() += c;
      }
    }
    if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
    fields.resize(std::max<size_t>(fields.size(), 3));
    rows.push_back({fields[0], fields[1], fields[2]});
  }
  return rows;
}

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  return "\"" + replace_all(s, "\"", "\"\"") + "\"";
}

// Why `path` (a zip member name) may not be installed, or "" when it is safe.
std::string unsafe_reason(std::string_view path) {
  if (path.empty()) return "empty path";
  if (path.front() == '/') return "absolute path";
  if (path.find('\\') != std::string_view::npos) return "backslash in path";
  if (path.size() >= 2 && path[1] == ':') return "absolute path";
  for (auto part : split(path, '/'))
    if (part == "..") return "'..' in path";
  return "";
}

// Inflates member `m` of `reader` into the new file `dest`, hashing as it goes. Returns what
// was written (and, when the member's bytes can be copied verbatim, where they are), or an
// Error.
Result<Extracted> extract(const WheelReader& reader, const WheelMember& m,
                          const std::filesystem::path& dest) {
  std::error_code ec;
  std::filesystem::create_directories(dest.parent_path(), ec);
  int fd = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return fail("cannot write " + dest.string() + ": " + std::strerror(errno));
  Sha256 h;
  Extracted x;
  x.executable = m.executable;
  auto data = reader.read(m, [&](std::string_view chunk) -> Result<void> {
    h.update(chunk);
    x.size += chunk.size();
    if (auto w = write_all(fd, chunk.data(), chunk.size()); !w) {
      return fail("cannot write " + dest.string() + ": " + w.error().message);
    }
    return {};
  });
  // The exact mode whatever the umask (as pip's installer does for the execute bits).
  const bool chmod_ok = ::fchmod(fd, m.executable ? 0755 : 0644) == 0;
  const int chmod_errno = errno;
  ::close(fd);
  if (!data) return std::unexpected(data.error());
  if (!chmod_ok) return fail("cannot write " + dest.string() + ": " + std::strerror(chmod_errno));
  auto d = h.finish();
  x.digest = "sha256=" + urlsafe_b64_nopad(d.data(), d.size());
  x.hex = to_hex(d.data(), d.size());
  if (data->exact) x.verbatim = VerbatimFile{"", data->offset, m.compressed_size, m.method, m.crc32};
  return x;
}

// Parses "Key: value" lines of the WHEEL file; returns Wheel-Version's value or "".
std::string wheel_version_of(std::string_view wheel_file) {
  for (auto line : split(wheel_file, '\n')) {
    line = trim(line);
    if (istarts_with(line, "Wheel-Version:")) return std::string(trim(line.substr(14)));
  }
  return "";
}

}  // namespace

Result<InstalledWheel> install_wheel(const std::filesystem::path& wheel,
                                     const std::filesystem::path& site_packages) {
  const std::string wname = wheel.filename().string();
  auto problem = [&](const std::string& what) { return fail(wname + ": " + what); };

  auto fname = WheelFilename::parse(wname);
  if (!fname) return problem(fname.error().message);

  // Where members are extracted: a staging directory beside `site_packages`, or, when
  // `site_packages` does not exist yet, `site_packages` itself (nothing else can be there, and
  // on failure it is removed again, which leaves the target as it was; this saves a rename
  // per file, most of an install cache entry's cost).
  std::error_code ec;
  const bool in_place =
      std::filesystem::symlink_status(site_packages, ec).type() == std::filesystem::file_type::not_found;
  std::filesystem::create_directories(site_packages, ec);
  if (ec) return problem("cannot create " + site_packages.string() + ": " + ec.message());
  std::optional<TempDir> staging;
  struct RemoveUnlessKept {
    std::filesystem::path dir;
    ~RemoveUnlessKept() {
      std::error_code e;
      if (!dir.empty()) std::filesystem::remove_all(dir, e);
    }
  } new_target{in_place ? site_packages : std::filesystem::path()};
  if (!in_place) {
    auto t = TempDir::create(".funcpack-install", site_packages.parent_path().empty()
                                                      ? std::filesystem::path(".")
                                                      : site_packages.parent_path());
    if (!t) return problem(t.error().message);
    staging = *std::move(t);
  }
  const std::filesystem::path root = in_place ? site_packages : staging->path();

  // 1. Extract every member into `root`, hashing as we go.
  std::map<std::string, Extracted> members;
  auto reader = WheelReader::open(wheel);
  if (!reader) return problem("not a readable zip archive: " + reader.error().message);
  {
    std::set<std::string_view> seen;
    for (const auto& m : reader->members())
      if (!seen.insert(m.name).second) return problem("entry '" + m.name + "' appears twice");
    for (const auto& m : reader->members()) {
      const std::string& path = m.name;
      if (m.type == WheelMember::Type::kDirectory) continue;
      if (std::string why = unsafe_reason(path); !why.empty())
        return problem("entry '" + path + "': " + why);
      if (m.type == WheelMember::Type::kSymlink)
        return problem("entry '" + path + "': symbolic links are not allowed in wheels");
      if (m.type != WheelMember::Type::kFile)
        return problem("entry '" + path + "': not a regular file");
      auto x = extract(*reader, m, root / path);
      if (!x) return problem("entry '" + path + "': " + x.error().message);
      members.emplace(path, *std::move(x));
    }
  }

  // 2. Find and check the .dist-info directory.
  std::set<std::string> dist_infos;
  for (const auto& [path, x] : members) {
    auto top = path.substr(0, path.find('/'));
    if (top.size() < path.size() && top.ends_with(".dist-info")) dist_infos.insert(top);
  }
  if (dist_infos.size() != 1)
    return problem(dist_infos.empty() ? "no .dist-info directory"
                                      : "more than one .dist-info directory");
  const std::string dist_info = *dist_infos.begin();
  const std::string stem = dist_info.substr(0, dist_info.size() - 10);
  const size_t dash = stem.rfind('-');
  auto di_version = dash == std::string::npos ? fail("") : Version::parse(stem.substr(dash + 1));
  if (dash == std::string::npos || normalize_name(stem.substr(0, dash)) != normalize_name(fname->name) ||
      !di_version || *di_version != fname->version)
    return problem(dist_info + " does not match the file name (" + fname->name + " " +
                   fname->version.str() + ")");
  for (const char* required : {"METADATA", "WHEEL", "RECORD"})
    if (!members.count(dist_info + "/" + required))
      return problem(dist_info + "/" + required + " is missing");
  auto slurp = [&](const std::string& member) { return read_file(root / member); };
  auto metadata_text = slurp(dist_info + "/METADATA");
  auto wheel_text = slurp(dist_info + "/WHEEL");
  auto record_text = slurp(dist_info + "/RECORD");
  if (!metadata_text || !wheel_text || !record_text) return problem("cannot read the .dist-info files");
  auto metadata = CoreMetadata::parse(*metadata_text, dist_info + "/METADATA");
  if (!metadata) {
    const auto& loc = metadata.error().location;
    return problem(dist_info + "/METADATA" + (loc.line ? ":" + std::to_string(loc.line) : "") +
                   ": " + metadata.error().message);
  }
  if (normalize_name(metadata->name) != normalize_name(fname->name) ||
      metadata->version != fname->version)
    return problem("METADATA says " + metadata->name + " " + metadata->version.str() +
                   ", the file name says " + fname->name + " " + fname->version.str());
  std::string wv = wheel_version_of(*wheel_text);
  if (!wv.starts_with("1.") && wv != "1")
    return problem("unsupported Wheel-Version '" + wv + "' (funcpack installs 1.x)");

  // 3. RECORD must cover every member, with matching hashes and sizes.
  std::set<std::string> recorded;
  const std::string record_path = dist_info + "/RECORD";
  for (const auto& row : parse_record(*record_text)) {
    if (!recorded.insert(row.path).second) return problem("RECORD lists '" + row.path + "' twice");
    if (row.path == record_path || row.path == record_path + ".jws" || row.path == record_path + ".p7s")
      continue;
    auto it = members.find(row.path);
    if (it == members.end())
      return problem("RECORD lists '" + row.path + "', which the wheel does not contain");
    if (!row.hash.starts_with("sha256="))
      return problem("RECORD entry '" + row.path + "' has no sha256 hash");
    if (row.hash != it->second.digest)
      return problem("'" + row.path + "' does not match its RECORD hash (RECORD " + row.hash +
                     ", file " + it->second.digest + ")");
    if (!row.size.empty() && row.size != std::to_string(it->second.size))
      return problem("'" + row.path + "' is " + std::to_string(it->second.size) +
                     " bytes, RECORD says " + row.size);
  }
  for (const auto& [path, x] : members) {
    if (path == record_path || path == record_path + ".jws" || path == record_path + ".p7s") continue;
    if (!recorded.count(path)) return problem("'" + path + "' is not listed in RECORD");
  }

  // 4. Map members to their installed paths (see the header), and refuse clashes.
  const std::string data_dir = stem + ".data/";
  struct Placement {
    std::string from, to;
    bool script;
  };
  std::vector<Placement> plan;
  for (const auto& [path, x] : members) {
    if (path == record_path || path.starts_with(record_path + ".")) continue;
    std::string to = path;
    bool script = false;
    if (path.starts_with(data_dir)) {
      std::string rest = path.substr(data_dir.size());
      std::string key = rest.substr(0, rest.find('/'));
      std::string sub = rest.size() > key.size() ? rest.substr(key.size() + 1) : "";
      if (sub.empty()) return problem("entry '" + path + "' is not inside a .data category");
      if (key == "purelib" || key == "platlib" || key == "data") to = sub;
      else if (key == "scripts") to = "bin/" + sub, script = true;
      else if (key == "headers") to = "include/python/" + metadata->name + "/" + sub;
      else return problem("entry '" + path + "': unknown .data category '" + key + "'");
    }
    if (!in_place && (std::filesystem::exists(site_packages / to, ec) ||
                      std::filesystem::is_symlink(site_packages / to, ec)))
      return problem("'" + to + "' is already installed in " + site_packages.string() +
                     " (two distributions ship the same file)");
    plan.push_back({path, to, script});
  }
  std::sort(plan.begin(), plan.end(), [](const auto& a, const auto& b) { return a.to < b.to; });
  for (size_t i = 1; i < plan.size(); ++i)
    if (plan[i].to == plan[i - 1].to) return problem("two entries install to '" + plan[i].to + "'");

  // 5. Rewrite script shebangs, move everything into place, write INSTALLER and RECORD.
  InstalledWheel out;
  out.name = metadata->name;
  out.version = metadata->version.str();
  out.dist_info = dist_info;
  std::vector<std::filesystem::path> moved;
  auto rollback = [&](const std::string& why) {
    for (const auto& p : moved) std::filesystem::remove(p, ec);
    return problem(why);
  };
  std::vector<std::string> record_lines;
  std::vector<std::pair<std::string, std::string>> hashes;  // installed path, sha256 hex
  for (const auto& p : plan) {
    std::filesystem::path src = root / p.from, dst = site_packages / p.to;
    Extracted x = members[p.from];
    if (p.script) {
      auto body = read_file(src);
      if (!body) return rollback(body.error().message);
      if (body->starts_with("#!python")) {
        size_t eol = body->find('\n');
        std::string rewritten = "#!/usr/bin/env python3" + (eol == std::string::npos ? "\n" : body->substr(eol));
        if (auto w = write_file_atomic(src, rewritten); !w) return rollback(w.error().message);
        x.digest = sha256_record_digest(rewritten);
        x.hex = sha256_hex(rewritten);
        x.size = rewritten.size();
        x.verbatim.reset();  // no longer the member's bytes
      }
      x.executable = true;
    }
    // extract() gave every file its mode; a script is executable whatever its member said.
    if (p.script) std::filesystem::permissions(src, std::filesystem::perms(0755), ec);
    if (src != dst) {
      std::filesystem::create_directories(dst.parent_path(), ec);
      if (std::rename(src.c_str(), dst.c_str()) != 0)
        return rollback("cannot install '" + p.to + "': " + std::strerror(errno));
    }
    moved.push_back(dst);
    hashes.emplace_back(p.to, x.hex);
    out.bytes += x.size;
    record_lines.push_back(csv_field(p.to) + "," + x.digest + "," + std::to_string(x.size));
    if (x.verbatim) {
      x.verbatim->path = p.to;
      out.verbatim.push_back(*std::move(x.verbatim));
    }
  }
  if (in_place) {
    // What extraction left that is not installed: RECORD's signatures (RECORD itself is
    // replaced below) and the .data directories, emptied by the moves (only empty
    // directories are removed, deepest first, in case a file was installed in there).
    std::set<std::string> installed;
    for (const auto& p : plan) installed.insert(p.to);
    for (const char* sig : {".jws", ".p7s"}) {
      if (members.count(record_path + sig) && !installed.count(record_path + sig))
        std::filesystem::remove(site_packages / (record_path + sig), ec);
    }
    const std::filesystem::path data_root = site_packages / (stem + ".data");
    std::vector<std::filesystem::path> dirs;
    for (std::filesystem::recursive_directory_iterator it(data_root, ec), end; !ec && it != end;
         it.increment(ec)) {
      if (it->is_directory(ec)) dirs.push_back(it->path());
    }
    std::sort(dirs.begin(), dirs.end(), [](const auto& a, const auto& b) {
      return a.native().size() > b.native().size();
    });
    dirs.push_back(data_root);
    for (const auto& d : dirs) std::filesystem::remove(d, ec);  // fails when not empty
  }
  const std::string installer = "funcpack\n";
  const std::string installer_path = dist_info + "/INSTALLER";
  if (!members.count(installer_path)) {
    if (auto w = write_file_atomic(site_packages / installer_path, installer); !w)
      return rollback(w.error().message);
    moved.push_back(site_packages / installer_path);
    hashes.emplace_back(installer_path, sha256_hex(installer));
    out.bytes += installer.size();
    record_lines.push_back(installer_path + "," + sha256_record_digest(installer) + "," +
                           std::to_string(installer.size()));
  }
  record_lines.push_back(csv_field(record_path) + ",,");
  std::sort(record_lines.begin(), record_lines.end());
  std::string record;
  for (const auto& l : record_lines) record += l + "\n";
  if (auto w = write_file_atomic(site_packages / record_path, record); !w) return rollback(w.error().message);
  hashes.emplace_back(record_path, sha256_hex(record));
  out.bytes += record.size();
  std::sort(hashes.begin(), hashes.end());
  for (auto& [path, hex] : hashes) {
    out.files.push_back(std::move(path));
    out.sha256.push_back(std::move(hex));
  }
  // `plan` is sorted by installed path, so `verbatim` is too.
  out.wheel = reader->file();
  new_target.dir.clear();  // installed: keep it
  return out;
}

}  // namespace funcpack
