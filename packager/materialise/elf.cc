#include "materialise/elf.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>

namespace funcpack {

namespace {

constexpr uint32_t kShtStrtab = 3, kShtDynamic = 6, kShtDynsym = 11, kShtGnuVerneed = 0x6ffffffe;
constexpr int64_t kDtNull = 0, kDtNeeded = 1, kDtSoname = 14;

// Bounds-checked reader over the file bytes honouring the file's class and byte order.
class Reader {
 public:
  Reader(std::string_view data, bool is64, bool little) : d_(data), is64_(is64), le_(little) {}

  bool fits(uint64_t off, uint64_t size) const {
    return off <= d_.size() && size <= d_.size() - off;
  }
  std::optional<uint64_t> uint(uint64_t off, int bytes) const {
    if (!fits(off, bytes)) return std::nullopt;
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) {
      uint8_t b = static_cast<uint8_t>(d_[off + (le_ ? bytes - 1 - i : i)]);
      v = (v << 8) | b;
    }
    return v;
  }
  std::optional<uint64_t> u16(uint64_t off) const { return uint(off, 2); }
  std::optional<uint64_t> u32(uint64_t off) const { return uint(off, 4); }
  std::optional<uint64_t> word(uint64_t off) const { return uint(off, is64_ ? 8 : 4); }
  // NUL-terminated string at table offset `table + idx`, bounded by the table's size.
  std::optional<std::string> str(uint64_t table, uint64_t table_size, uint64_t idx) const {
    if (idx >= table_size || !fits(table, table_size)) return std::nullopt;
    std::string_view t = d_.substr(table, table_size);
    size_t end = t.find('\0', idx);
    if (end == std::string_view::npos) return std::nullopt;
    return std::string(t.substr(idx, end - idx));
  }
  bool is64() const { return is64_; }

 private:
  std::string_view d_;
  bool is64_, le_;
};

struct Section {
  uint32_t type;
  uint64_t offset, size, link, info, entsize;
};

std::string machine_name(uint64_t em, bool is64) {
  switch (em) {
    case 3: return "i686";
    case 62: return "x86_64";
    case 183: return "aarch64";
    case 40: return "armv7l";
    case 21: return is64 ? "ppc64le" : "ppc";
    case 22: return "s390x";
    case 243: return "riscv64";
    case 258: return "loongarch64";
    default: return "unknown(" + std::to_string(em) + ")";
  }
}

Result<ElfInfo> corrupt(std::string what) { return fail("corrupt ELF: " + what); }

}  // namespace

bool is_elf(std::string_view bytes) { return bytes.size() >= 4 && bytes.substr(0, 4) == "\x7f" "ELF"; }

Result<ElfInfo> read_elf(std::string_view bytes) {
  if (!is_elf(bytes)) return fail("not an ELF file");
  if (bytes.size() < 16) return corrupt("truncated header");
  const int cls = static_cast<uint8_t>(bytes[4]), data = static_cast<uint8_t>(bytes[5]);
  if (cls != 1 && cls != 2) return corrupt("unknown class " + std::to_string(cls));
  if (data != 1 && data != 2) return corrupt("unknown byte order " + std::to_string(data));
  const bool is64 = cls == 2;
  Reader r(bytes, is64, data == 1);
  ElfInfo info;
  info.bits = is64 ? 64 : 32;
  auto em = r.u16(18);
  if (!em) return corrupt("truncated header");
  info.machine = machine_name(*em, is64);
  if (*em == 21 && data == 2) info.machine = "ppc64";

  // Section header table location (e_shoff, e_shentsize, e_shnum).
  auto shoff = r.word(is64 ? 0x28 : 0x20);
  auto shentsize = r.u16(is64 ? 0x3a : 0x2e);
  auto shnum = r.u16(is64 ? 0x3c : 0x30);
  if (!shoff || !shentsize || !shnum) return corrupt("truncated header");
  if (*shnum == 0) return info;  // no sections: nothing declared
  const uint64_t min_ent = is64 ? 64 : 40;
  if (*shentsize < min_ent) return corrupt("section header size " + std::to_string(*shentsize));
  if (!r.fits(*shoff, *shentsize * *shnum)) return corrupt("section headers beyond end of file");

  std::vector<Section> sections;
  for (uint64_t i = 0; i < *shnum; ++i) {
    uint64_t h = *shoff + i * *shentsize;
    Section s{};
    s.type = static_cast<uint32_t>(*r.u32(h + 4));
    s.offset = *r.word(h + (is64 ? 0x18 : 0x10));
    s.size = *r.word(h + (is64 ? 0x20 : 0x14));
    s.link = *r.u32(h + (is64 ? 0x28 : 0x18));
    s.info = *r.u32(h + (is64 ? 0x2c : 0x1c));
    s.entsize = *r.word(h + (is64 ? 0x38 : 0x24));
    sections.push_back(s);
  }
  auto strtab = [&](uint64_t link) -> std::optional<Section> {
    if (link >= sections.size() || sections[link].type != kShtStrtab) return std::nullopt;
    if (!r.fits(sections[link].offset, sections[link].size)) return std::nullopt;
    return sections[link];
  };

  for (const Section& s : sections) {
    if (s.type == kShtDynamic) {
      auto st = strtab(s.link);
      if (!st) return corrupt("dynamic section without a string table");
      const uint64_t ent = is64 ? 16 : 8;
      if (!r.fits(s.offset, s.size)) return corrupt("dynamic section beyond end of file");
      for (uint64_t off = s.offset; off + ent <= s.offset + s.size; off += ent) {
        int64_t tag = static_cast<int64_t>(*r.word(off));
        uint64_t val = *r.word(off + ent / 2);
        if (tag == kDtNull) break;
        if (tag != kDtNeeded && tag != kDtSoname) continue;
        auto name = r.str(st->offset, st->size, val);
        if (!name) return corrupt("dynamic entry name outside its string table");
        if (tag == kDtNeeded) info.needed.push_back(*name);
        else info.soname = *name;
      }
    } else if (s.type == kShtGnuVerneed) {
      auto st = strtab(s.link);
      if (!st) return corrupt("version needs without a string table");
      // Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32.
      // Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
      uint64_t off = s.offset;
      for (uint64_t i = 0; i < s.info; ++i) {
        if (!r.fits(off, 16) || off + 16 > s.offset + s.size)
          return corrupt("version needs beyond their section");
        uint64_t cnt = *r.u16(off + 2), file = *r.u32(off + 4), aux = *r.u32(off + 8),
                 next = *r.u32(off + 12);
        auto lib = r.str(st->offset, st->size, file);
        if (!lib) return corrupt("version need file name outside its string table");
        uint64_t a = off + aux;
        for (uint64_t j = 0; j < cnt; ++j) {
          if (!r.fits(a, 16) || a + 16 > s.offset + s.size)
            return corrupt("version need entries beyond their section");
          auto name = r.str(st->offset, st->size, *r.u32(a + 8));
          if (!name) return corrupt("version name outside its string table");
          info.version_needs.push_back({*lib, *name});
          uint64_t an = *r.u32(a + 12);
          if (an == 0) break;
          a += an;
        }
        if (next == 0) break;
        off += next;
      }
    } else if (s.type == kShtDynsym) {
      auto st = strtab(s.link);
      if (!st) return corrupt("dynamic symbols without a string table");
      const uint64_t ent = is64 ? 24 : 16;
      if (!r.fits(s.offset, s.size)) return corrupt("dynamic symbols beyond end of file");
      // Elf64_Sym: st_name u32, st_info u8, st_other u8, st_shndx u16, ...
      // Elf32_Sym: st_name u32, st_value u32, st_size u32, st_info u8, st_other u8, st_shndx u16
      for (uint64_t off = s.offset + ent; off + ent <= s.offset + s.size; off += ent) {
        uint64_t shndx = *r.u16(off + (is64 ? 6 : 14));
        if (shndx != 0) continue;  // defined here
        auto name = r.str(st->offset, st->size, *r.u32(off));
        if (!name) return corrupt("symbol name outside its string table");
        if (!name->empty()) info.undefined_symbols.push_back(*name);
      }
    }
  }
  std::sort(info.undefined_symbols.begin(), info.undefined_symbols.end());
  info.undefined_symbols.erase(
      std::unique(info.undefined_symbols.begin(), info.undefined_symbols.end()),
      info.undefined_symbols.end());
  return info;
}

}  // namespace funcpack
