#include "materialise/wheel_install.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "base/fs.h"
#include "base/hash.h"
#include "base/strings.h"
#include "io/wheel_metadata.h"
#include "spec/metadata.h"
#include "spec/package_name.h"
#include "spec/wheel_filename.h"

namespace funcpack {

namespace {

struct Extracted {
  std::string digest;  // "sha256=<urlsafe b64>"
  uint64_t size = 0;
  bool executable = false;
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

Result<void> write_stream(archive* a, const std::filesystem::path& dest, Extracted& out) {
  std::filesystem::create_directories(dest.parent_path());
  int fd = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return fail("cannot write " + dest.string() + ": " + std::strerror(errno));
  Sha256 h;
  char buf[1 << 16];
  la_ssize_t n;
  while ((n = archive_read_data(a, buf, sizeof buf)) > 0) {
    h.update(buf, size_t(n));
    out.size += uint64_t(n);
    for (la_ssize_t off = 0; off < n;) {
      ssize_t w = ::write(fd, buf + off, size_t(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        int err = errno;
        ::close(fd);
        return fail("cannot write " + dest.string() + ": " + std::strerror(err));
      }
      off += w;
    }
  }
  ::close(fd);
  if (n < 0) return fail(archive_error_string(a));
  auto d = h.finish();
  out.digest = "sha256=" + urlsafe_b64_nopad(d.data(), d.size());
  return {};
}

// The central directory's member names (libarchive's seekable reader folds duplicate names,
// so duplicates are found here). The file is mapped, not read, so a large wheel costs no copy.
Result<std::vector<std::string>> central_directory_names(const std::filesystem::path& wheel) {
  int fd = ::open(wheel.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size == 0) {
    ::close(fd);
    return fail("empty file");
  }
  void* map = ::mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return fail(std::strerror(errno));
  auto names = zip_member_names(std::string_view(static_cast<const char*>(map), size_t(st.st_size)));
  ::munmap(map, size_t(st.st_size));
  return names;
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

  std::error_code ec;
  std::filesystem::create_directories(site_packages, ec);
  if (ec) return problem("cannot create " + site_packages.string() + ": " + ec.message());
  auto staging = TempDir::create(".funcpack-install", site_packages.parent_path().empty()
                                                          ? std::filesystem::path(".")
                                                          : site_packages.parent_path());
  if (!staging) return problem(staging.error().message);

  // 1. Extract every member into the staging directory, hashing as we go.
  std::map<std::string, Extracted> members;
  {
    auto names = central_directory_names(wheel);
    if (!names) return problem("not a readable zip archive: " + names.error().message);
    std::set<std::string> seen;
    for (const auto& n : *names)
      if (!seen.insert(n).second) return problem("entry '" + n + "' appears twice");
    archive* a = archive_read_new();
    archive_read_support_format_zip(a);
    if (archive_read_open_filename(a, wheel.c_str(), 1 << 16) != ARCHIVE_OK) {
      std::string msg = archive_error_string(a) ? archive_error_string(a) : "cannot open";
      archive_read_free(a);
      return problem("not a readable zip archive: " + msg);
    }
    archive_entry* e = nullptr;
    int rc;
    std::string error;
    while (error.empty() && (rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
      std::string path = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
      auto type = archive_entry_filetype(e);
      if (type == AE_IFDIR) continue;
      if (std::string why = unsafe_reason(path); !why.empty()) {
        error = "entry '" + path + "': " + why;
      } else if (type == AE_IFLNK) {
        error = "entry '" + path + "': symbolic links are not allowed in wheels";
      } else if (type != AE_IFREG) {
        error = "entry '" + path + "': not a regular file";
      } else if (members.count(path)) {
        error = "entry '" + path + "' appears twice";
      } else {
        Extracted x;
        x.executable = (archive_entry_perm(e) & 0111) != 0;
        if (auto w = write_stream(a, staging->path() / path, x); !w)
          error = "entry '" + path + "': " + w.error().message;
        else
          members.emplace(path, x);
      }
    }
    if (error.empty() && rc != ARCHIVE_EOF)
      error = std::string("corrupt zip: ") + (archive_error_string(a) ? archive_error_string(a) : "");
    archive_read_free(a);
    if (!error.empty()) return problem(error);
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
  auto slurp = [&](const std::string& member) { return read_file(staging->path() / member); };
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
    if (std::filesystem::exists(site_packages / to, ec) || std::filesystem::is_symlink(site_packages / to, ec))
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
  for (const auto& p : plan) {
    std::filesystem::path src = staging->path() / p.from, dst = site_packages / p.to;
    Extracted x = members[p.from];
    if (p.script) {
      auto body = read_file(src);
      if (!body) return rollback(body.error().message);
      if (body->starts_with("#!python")) {
        size_t eol = body->find('\n');
        std::string rewritten = "#!/usr/bin/env python3" + (eol == std::string::npos ? "\n" : body->substr(eol));
        if (auto w = write_file_atomic(src, rewritten); !w) return rollback(w.error().message);
        x.digest = sha256_record_digest(rewritten);
        x.size = rewritten.size();
      }
      x.executable = true;
    }
    std::filesystem::create_directories(dst.parent_path(), ec);
    std::filesystem::permissions(src, x.executable ? std::filesystem::perms(0755) : std::filesystem::perms(0644), ec);
    if (std::rename(src.c_str(), dst.c_str()) != 0)
      return rollback("cannot install '" + p.to + "': " + std::strerror(errno));
    moved.push_back(dst);
    out.files.push_back(p.to);
    out.bytes += x.size;
    record_lines.push_back(csv_field(p.to) + "," + x.digest + "," + std::to_string(x.size));
  }
  const std::string installer = "funcpack\n";
  const std::string installer_path = dist_info + "/INSTALLER";
  if (!members.count(installer_path)) {
    if (auto w = write_file_atomic(site_packages / installer_path, installer); !w)
      return rollback(w.error().message);
    moved.push_back(site_packages / installer_path);
    out.files.push_back(installer_path);
    out.bytes += installer.size();
    record_lines.push_back(installer_path + "," + sha256_record_digest(installer) + "," +
                           std::to_string(installer.size()));
  }
  record_lines.push_back(csv_field(record_path) + ",,");
  std::sort(record_lines.begin(), record_lines.end());
  std::string record;
  for (const auto& l : record_lines) record += l + "\n";
  if (auto w = write_file_atomic(site_packages / record_path, record); !w) return rollback(w.error().message);
  out.files.push_back(record_path);
  out.bytes += record.size();
  std::sort(out.files.begin(), out.files.end());
  return out;
}

}  // namespace funcpack
