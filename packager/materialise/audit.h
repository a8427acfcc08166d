// audit.h: judges ELF files against the manylinux/musllinux platform policies (PEP 600 /
// PEP 656, as auditwheel's policy data describes them; rules/policy/*.json).
//
// A set of ELF files (one wheel, or an installed tree) satisfies a policy when, for the target
// architecture:
//  - every file is built for that architecture;
//  - every DT_NEEDED library is either bundled (some file of the set has that file name or
//    soname) or on the policy's library whitelist;
//  - every versioned symbol requirement whose prefix the policy knows (GLIBC, GLIBCXX, CXXABI,
//    GCC, ZLIB, LIBATOMIC) names a version the policy allows for the architecture (prefixes
//    the policy does not list are not judged, as auditwheel does);
//  - no undefined symbol is on the policy's blacklist for a whitelisted library it links.
// The best policy is the highest-priority one satisfied (manylinux_2_5 is the most
// compatible); "linux" when none is; "" for a set with no ELF files (pure Python).
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "materialise/elf.h"

namespace funcpack {

struct PlatformPolicy {
  std::string name;  // "manylinux_2_17"
  std::vector<std::string> aliases;
  int priority = 0;
  // arch -> symbol-version prefix -> allowed versions
  std::map<std::string, std::map<std::string, std::set<std::string>>> symbol_versions;
  std::set<std::string> lib_whitelist;
  std::map<std::string, std::set<std::string>> blacklist;  // library -> forbidden symbols
};

class PolicySet {
 public:
  // Loads rules/policy/<family>-policy.json ("manylinux" or "musllinux").
  static Result<PolicySet> load(std::string_view family = "manylinux");
  static Result<PolicySet> parse(std::string_view json_text, std::string_view path);
  // By name or alias ("manylinux2014", "manylinux_2_17"); an "_<arch>" suffix is ignored.
  const PlatformPolicy* find(std::string_view name) const;
  // Highest priority first.
  const std::vector<PlatformPolicy>& policies() const { return policies_; }

 private:
  std::vector<PlatformPolicy> policies_;
};

struct ElfFile {
  std::string path;  // inside the wheel or tree, '/'-separated
  ElfInfo info;
};

struct AuditViolation {
  enum class Kind { kArchitecture, kLibrary, kSymbolVersion, kBlacklistedSymbol };
  Kind kind;
  std::string path;     // the ELF file
  std::string library;  // the library concerned (empty for kArchitecture)
  std::string detail;   // version ("GLIBC_2.34"), symbol, or the file's architecture
  std::string message;  // one line, plain words
};

struct AuditReport {
  std::string policy;     // the policy judged against
  std::string best;       // best policy satisfied ("" when no ELF files)
  std::vector<std::string> elf_paths;
  std::vector<AuditViolation> violations;  // against `policy`, in file then kind order
  bool ok() const { return violations.empty(); }
};

// Violations of `files` against `policy` for `arch` (see the file comment).
std::vector<AuditViolation> check_policy(const std::vector<ElfFile>& files,
                                         const PlatformPolicy& policy, std::string_view arch);

// The full report: violations against `policy` and the best policy satisfied.
AuditReport audit(const std::vector<ElfFile>& files, const PolicySet& policies,
                  const PlatformPolicy& policy, std::string_view arch);

// Every ELF file in a wheel (.whl, read with libarchive) or under a directory (symlinks are
// not followed). Errors: unreadable input, or a corrupt ELF (naming the member).
Result<std::vector<ElfFile>> collect_elf_files(const std::filesystem::path& wheel_or_dir);

}  // namespace funcpack
