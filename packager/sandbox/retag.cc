#include "sandbox/retag.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <map>
#include <set>

#include "base/fs.h"
#include "base/hash.h"
#include "base/strings.h"
#include "materialise/zip_writer.h"
#include "spec/wheel_filename.h"

namespace funcpack {

namespace fs = std::filesystem;

namespace {

struct Member {
  std::string data;
  bool executable = false;
};

Result<std::map<std::string, Member>> read_members(const fs::path& wheel) {
  std::map<std::string, Member> out;
  struct archive* a = archive_read_new();
  archive_read_support_format_zip(a);
  if (archive_read_open_filename(a, wheel.c_str(), 1 << 16) != ARCHIVE_OK) {
    std::string e = archive_error_string(a) ? archive_error_string(a) : "cannot open";
    archive_read_free(a);
    return fail(e);
  }
  struct archive_entry* e;
  int rc;
  while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
    std::string name = archive_entry_pathname(e);
    if (archive_entry_filetype(e) == AE_IFDIR || name.ends_with("/")) continue;
    Member m;
    m.executable = (archive_entry_perm(e) & 0111) != 0;
    char buf[65536];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) m.data.append(buf, static_cast<size_t>(n));
    if (n < 0) {
      std::string err = archive_error_string(a) ? archive_error_string(a) : "read error";
      archive_read_free(a);
      return fail(name + ": " + err);
    }
    out[name] = std::move(m);
  }
  std::string err = rc == ARCHIVE_EOF ? "" : (archive_error_string(a) ? archive_error_string(a) : "read error");
  archive_read_free(a);
  if (!err.empty()) return fail(err);
  return out;
}

}  // namespace

std::vector<std::string> policy_platform_tags(const PlatformPolicy& policy, std::string_view arch) {
  std::vector<std::string> out = {policy.name + "_" + std::string(arch)};
  for (const auto& a : policy.aliases) out.push_back(a + "_" + std::string(arch));
  return out;
}

Result<fs::path> retag_wheel(const fs::path& wheel, const std::vector<std::string>& platforms,
                             const fs::path& out_dir) {
  const std::string fname = wheel.filename().string();
  auto bad = [&](const std::string& why) { return fail(fname + ": " + why); };
  auto parsed = WheelFilename::parse(fname);
  if (!parsed) return bad(parsed.error().message);
  auto members = read_members(wheel);
  if (!members) return bad(members.error().message);
  std::string dist_info;
  for (const auto& [path, m] : *members) {
    auto slash = path.find('/');
    if (slash != std::string::npos && path.substr(slash) == "/WHEEL" &&
        path.substr(0, slash).ends_with(".dist-info")) {
      if (!dist_info.empty()) return bad("more than one .dist-info/WHEEL");
      dist_info = path.substr(0, slash);
    }
  }
  if (dist_info.empty()) return bad("no .dist-info/WHEEL");
  const std::string wheel_path = dist_info + "/WHEEL", record_path = dist_info + "/RECORD";
  if (!members->count(record_path)) return bad("no " + record_path);

  // WHEEL: the new Tag lines replace the old ones where the first one was.
  std::vector<std::pair<std::string, std::string>> py_abi;  // in order, unique
  std::string rewritten;
  bool placed = false;
  std::vector<std::string> new_tags;
  for (auto line : split((*members)[wheel_path].data, '\n')) {
    std::string l(line);
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (l.starts_with("Tag:")) {
      const std::string value(trim(std::string_view(l).substr(4)));
      auto t = split(value, '-');
      if (t.size() != 3) return bad("malformed WHEEL Tag line '" + l + "'");
      std::pair<std::string, std::string> pa{std::string(t[0]), std::string(t[1])};
      if (std::find(py_abi.begin(), py_abi.end(), pa) == py_abi.end()) py_abi.push_back(pa);
      if (!placed) {
        placed = true;
        rewritten += "\x01";  // where the tags go
      }
      continue;
    }
    rewritten += l + "\n";
  }
  if (!placed) return bad(wheel_path + " has no Tag line");
  std::string tag_lines;
  for (const auto& [py, abi] : py_abi)
    for (const auto& p : platforms) tag_lines += "Tag: " + py + "-" + abi + "-" + p + "\n";
  rewritten.replace(rewritten.find('\x01'), 1, tag_lines);
  while (rewritten.ends_with("\n\n")) rewritten.pop_back();
  (*members)[wheel_path].data = rewritten;

  // RECORD: WHEEL's row gets its new hash and size; other rows stay as they are.
  std::string record;
  for (auto line : split((*members)[record_path].data, '\n')) {
    std::string l(line);
    if (l.empty()) continue;
    std::string first = l.substr(0, l.find(','));
    if (first == wheel_path)
      l = wheel_path + "," + sha256_record_digest(rewritten) + "," + std::to_string(rewritten.size());
    record += l + "\n";
  }
  (*members)[record_path].data = record;

  // The filename: interpreters and abis as before, the new platforms compressed with '.'.
  std::set<std::string> seen_py, seen_abi;
  std::string pys, abis, plats;
  for (const auto& [py, abi] : py_abi) {
    if (seen_py.insert(py).second) pys += (pys.empty() ? "" : ".") + py;
    if (seen_abi.insert(abi).second) abis += (abis.empty() ? "" : ".") + abi;
  }
  for (const auto& p : platforms) plats += (plats.empty() ? "" : ".") + p;
  // name-version[-build]: everything before the tag triple of the old name.
  std::string stem = fname.substr(0, fname.size() - 4);
  for (int i = 0; i < 3; ++i) stem = stem.substr(0, stem.rfind('-'));
  fs::path out = out_dir / (stem + "-" + pys + "-" + abis + "-" + plats + ".whl");

  auto tmp = TempDir::create("funcpack-retag", out_dir);
  if (!tmp) return bad(tmp.error().message);
  std::vector<ZipEntry> entries;
  for (const auto& [path, m] : *members) {
    fs::path file = tmp->path() / "t" / path;
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    if (auto w = write_file_atomic(file, m.data, m.executable ? 0755 : 0644); !w)
      return bad(w.error().message);
    entries.push_back({path, file});
  }
  auto written = write_zip(std::move(entries), out);
  if (!written) return bad(written.error().message);
  return out;
}

Result<RetagOutcome> audit_and_retag(const fs::path& wheel, const PolicySet& policies,
                                     const PlatformPolicy& target_policy, std::string_view arch,
                                     const fs::path& out_dir) {
  auto elves = collect_elf_files(wheel);
  if (!elves) return std::unexpected(elves.error());
  AuditReport report = audit(*elves, policies, target_policy, arch);
  RetagOutcome outcome{wheel, report.best, {}};
  if (report.elf_paths.empty()) return outcome;
  if (!report.ok()) {
    std::string msg = wheel.filename().string() + " only fits the build host, not " +
                      target_policy.name + ":";
    for (const auto& v : report.violations) msg += "\n  " + v.message;
    return fail(msg);
  }
  const PlatformPolicy* best = policies.find(report.best);
  if (!best) return fail("internal error: unknown policy '" + report.best + "'");
  outcome.platforms = policy_platform_tags(*best, arch);
  auto out = retag_wheel(wheel, outcome.platforms, out_dir);
  if (!out) return std::unexpected(out.error());
  outcome.wheel = *out;
  return outcome;
}

}  // namespace funcpack
