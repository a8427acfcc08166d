// elf.h: the parts of an ELF shared object that decide whether it loads on a runtime: the
// architecture, DT_NEEDED libraries, DT_SONAME, versioned symbol requirements
// (.gnu.version_r: "GLIBC_2.17 from libc.so.6") and undefined dynamic symbols.
//
// Implements the System V ABI ELF format (32/64-bit, little- and big-endian) reading only
// section headers: SHT_DYNAMIC (+ its linked string table), SHT_GNU_verneed and SHT_DYNSYM.
// Every offset and count is bounds-checked: a corrupt or truncated file is an Error, never a
// crash (fuzzed by elf_fuzz.cc).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace funcpack {

struct ElfInfo {
  std::string machine;  // "x86_64", "aarch64", "i686", "armv7l", "ppc64le", "s390x", ... or
                        // "unknown(N)"
  int bits = 64;
  std::string soname;
  std::vector<std::string> needed;  // DT_NEEDED, in file order
  struct VersionNeed {
    std::string library;  // "libc.so.6"
    std::string version;  // "GLIBC_2.17"
  };
  std::vector<VersionNeed> version_needs;     // in file order
  std::vector<std::string> undefined_symbols;  // sorted, unique
};

// True when `bytes` starts with the ELF magic number.
bool is_elf(std::string_view bytes);

// Returns what `bytes` (a whole ELF file) declares, or an Error "not an ELF file" /
// "corrupt ELF: <what is wrong>".
Result<ElfInfo> read_elf(std::string_view bytes);

}  // namespace funcpack
