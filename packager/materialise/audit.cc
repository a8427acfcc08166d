#include "materialise/audit.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/fs.h"
#include "base/strings.h"
#include "inputs/rules_data.h"

namespace funcpack {

namespace {

// A file of an installed tree, mapped read-only only when it starts with the ELF magic: the
// walk over thousands of .py files then reads 4 bytes of each, and an ELF file is parsed in
// place instead of being copied into memory (a warm `funcpack build` spent a third of its
// CPU copying every file of site-packages here).
class ElfCandidate {
 public:
  // Returns the file (empty view() when it is not ELF), or an Error "cannot read PATH: reason".
  static Result<ElfCandidate> open(const std::filesystem::path& path) {
    auto failed = [&] { return fail("cannot read " + path.string() + ": " + std::strerror(errno)); };
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return failed();
    ElfCandidate c;
    struct stat st {};
    char magic[4] = {};
    if (::fstat(fd, &st) != 0 || ::pread(fd, magic, sizeof magic, 0) < 0) {
      int e = errno;
      ::close(fd);
      errno = e;
      return failed();
    }
    if (st.st_size >= 4 && std::memcmp(magic, "\x7f" "ELF", 4) == 0) {
      void* m = ::mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (m == MAP_FAILED) {
        int e = errno;
        ::close(fd);
        errno = e;
        return failed();
      }
      c.data_ = m;
      c.size_ = size_t(st.st_size);
    }
    ::close(fd);
    return c;
  }
  ElfCandidate(ElfCandidate&& o) noexcept : data_(o.data_), size_(o.size_) { o.data_ = nullptr; }
  ElfCandidate(const ElfCandidate&) = delete;
  ElfCandidate& operator=(const ElfCandidate&) = delete;
  ElfCandidate& operator=(ElfCandidate&&) = delete;
  ~ElfCandidate() {
    if (data_) ::munmap(data_, size_);
  }
  std::string_view view() const {
    return data_ ? std::string_view(static_cast<const char*>(data_), size_) : std::string_view();
  }

 private:
  ElfCandidate() = default;
  void* data_ = nullptr;
  size_t size_ = 0;
};

// Compares dotted numeric versions ("2.17" < "2.34"); non-numeric parts compare as text.
bool version_less(std::string_view a, std::string_view b) {
  auto pa = split(a, '.'), pb = split(b, '.');
  for (size_t i = 0; i < std::max(pa.size(), pb.size()); ++i) {
    std::string_view x = i < pa.size() ? pa[i] : "0", y = i < pb.size() ? pb[i] : "0";
    bool nx = !x.empty() && std::all_of(x.begin(), x.end(), is_ascii_digit);
    bool ny = !y.empty() && std::all_of(y.begin(), y.end(), is_ascii_digit);
    if (nx && ny) {
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
    } else if (x != y) {
      return x < y;
    }
  }
  return false;
}

std::string basename_of(std::string_view path) {
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace

Result<PolicySet> PolicySet::parse(std::string_view json_text, std::string_view path) {
  nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_array())
    return fail(std::string(path) + ": not a JSON array of policies");
  PolicySet set;
  try {
    for (const auto& p : doc) {
      PlatformPolicy pol;
      pol.name = p.at("name").get<std::string>();
      pol.aliases = p.at("aliases").get<std::vector<std::string>>();
      pol.priority = p.at("priority").get<int>();
      for (const auto& [arch, prefixes] : p.at("symbol_versions").items())
        for (const auto& [prefix, versions] : prefixes.items())
          for (const auto& v : versions) pol.symbol_versions[arch][prefix].insert(v.get<std::string>());
      for (const auto& lib : p.at("lib_whitelist")) pol.lib_whitelist.insert(lib.get<std::string>());
      for (const auto& [lib, syms] : p.at("blacklist").items())
        for (const auto& s : syms) pol.blacklist[lib].insert(s.get<std::string>());
      set.policies_.push_back(std::move(pol));
    }
  } catch (const nlohmann::json::exception& e) {
    return fail(std::string(path) + ": " + e.what());
  }
  std::stable_sort(set.policies_.begin(), set.policies_.end(),
                   [](const auto& a, const auto& b) { return a.priority > b.priority; });
  return set;
}

Result<PolicySet> PolicySet::load(std::string_view family) {
  std::string rel = "policy/" + std::string(family) + "-policy.json";
  auto text = read_rules_file(rel);
  if (!text) return std::unexpected(text.error());
  return parse(*text, "rules/" + rel);
}

const PlatformPolicy* PolicySet::find(std::string_view name) const {
  for (const auto& p : policies_) {
    auto matches = [&](std::string_view n) {
      return name == n || (name.starts_with(n) && name.size() > n.size() && name[n.size()] == '_' &&
                           // "manylinux_2_17_x86_64" but not "manylinux_2_1" vs "_2_17"
                           !is_ascii_digit(name[n.size() + 1]));
    };
    if (matches(p.name)) return &p;
    for (const auto& a : p.aliases)
      if (matches(a)) return &p;
  }
  return nullptr;
}

std::vector<AuditViolation> check_policy(const std::vector<ElfFile>& files,
                                         const PlatformPolicy& policy, std::string_view arch) {
  std::set<std::string> bundled;
  for (const auto& f : files) {
    bundled.insert(basename_of(f.path));
    if (!f.info.soname.empty()) bundled.insert(f.info.soname);
  }
  const auto arch_it = policy.symbol_versions.find(std::string(arch));
  std::vector<AuditViolation> out;
  for (const auto& f : files) {
    if (f.info.machine != arch) {
      out.push_back({AuditViolation::Kind::kArchitecture, f.path, "", f.info.machine,
                     f.path + ": built for " + f.info.machine + ", not " + std::string(arch)});
      continue;
    }
    for (const auto& lib : f.info.needed) {
      if (bundled.count(lib) || policy.lib_whitelist.count(lib)) continue;
      out.push_back({AuditViolation::Kind::kLibrary, f.path, lib, "",
                     f.path + ": links " + lib + ", which " + policy.name +
                         " does not allow and the wheel does not bundle"});
    }
    if (policy.name != "linux") {
      for (const auto& need : f.info.version_needs) {
        size_t us = need.version.find('_');
        if (us == std::string::npos) continue;
        std::string prefix = need.version.substr(0, us), ver = need.version.substr(us + 1);
        if (arch_it == policy.symbol_versions.end()) {
          out.push_back({AuditViolation::Kind::kSymbolVersion, f.path, need.library, need.version,
                         f.path + ": " + policy.name + " does not exist for " + std::string(arch)});
          break;
        }
        auto pit = arch_it->second.find(prefix);
        if (pit == arch_it->second.end() || pit->second.count(ver)) continue;
        std::string highest;
        for (const auto& v : pit->second)
          if (highest.empty() || version_less(highest, v)) highest = v;
        out.push_back({AuditViolation::Kind::kSymbolVersion, f.path, need.library, need.version,
                       f.path + ": needs " + need.version + " from " + need.library +
                           ", newer than " + policy.name + " allows (" + prefix + " up to " +
                           highest + ")"});
      }
    }
    for (const auto& lib : f.info.needed) {
      auto bit = policy.blacklist.find(lib);
      if (bit == policy.blacklist.end() || bundled.count(lib)) continue;
      for (const auto& sym : f.info.undefined_symbols)
        if (bit->second.count(sym))
          out.push_back({AuditViolation::Kind::kBlacklistedSymbol, f.path, lib, sym,
                         f.path + ": imports " + sym + " from " + lib + ", which " + policy.name +
                             " forbids"});
    }
  }
  return out;
}

AuditReport audit(const std::vector<ElfFile>& files, const PolicySet& policies,
                  const PlatformPolicy& policy, std::string_view arch) {
  AuditReport report;
  report.policy = policy.name;
  for (const auto& f : files) report.elf_paths.push_back(f.path);
  report.violations = check_policy(files, policy, arch);
  if (files.empty()) return report;
  report.best = "linux";
  for (const auto& p : policies.policies()) {
    if (p.name == "linux") continue;
    if (check_policy(files, p, arch).empty()) {
      report.best = p.name;
      break;
    }
  }
  return report;
}

Result<std::vector<ElfFile>> collect_elf_files(const std::filesystem::path& wheel_or_dir) {
  std::vector<ElfFile> out;
  std::error_code ec;
  if (std::filesystem::is_directory(wheel_or_dir, ec)) {
    for (auto it = std::filesystem::recursive_directory_iterator(wheel_or_dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file() || it->is_symlink()) continue;
      auto file = ElfCandidate::open(it->path());
      if (!file) return std::unexpected(file.error());
      if (!is_elf(file->view())) continue;
      std::string rel = it->path().lexically_relative(wheel_or_dir).generic_string();
      auto info = read_elf(file->view());
      if (!info) return fail(wheel_or_dir.string() + ": " + rel + ": " + info.error().message);
      out.push_back({rel, std::move(*info)});
    }
    if (ec) return fail("cannot read " + wheel_or_dir.string() + ": " + ec.message());
  } else {
    archive* a = archive_read_new();
    archive_read_support_format_zip(a);
    if (archive_read_open_filename(a, wheel_or_dir.c_str(), 65536) != ARCHIVE_OK) {
      std::string msg = "cannot read " + wheel_or_dir.string() + ": " + archive_error_string(a);
      archive_read_free(a);
      return fail(msg);
    }
    archive_entry* e = nullptr;
    int rc;
    while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
      if (archive_entry_filetype(e) != AE_IFREG) continue;
      std::string name = archive_entry_pathname(e);
      std::string bytes;
      char buf[65536];
      la_ssize_t n;
      while ((n = archive_read_data(a, buf, sizeof buf)) > 0) bytes.append(buf, size_t(n));
      if (n < 0) {
        std::string msg = wheel_or_dir.string() + ": " + name + ": " + archive_error_string(a);
        archive_read_free(a);
        return fail(msg);
      }
      if (!is_elf(bytes)) continue;
      auto info = read_elf(bytes);
      if (!info) {
        archive_read_free(a);
        return fail(wheel_or_dir.string() + ": " + name + ": " + info.error().message);
      }
      out.push_back({name, std::move(*info)});
    }
    std::string err = rc == ARCHIVE_EOF ? "" : archive_error_string(a);
    archive_read_free(a);
    if (!err.empty()) return fail("cannot read " + wheel_or_dir.string() + ": " + err);
  }
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.path < y.path; });
  return out;
}

}  // namespace funcpack
