#include "io/wheel_metadata.h"

#include <zlib.h>

#include <cstdint>
#include <optional>

#include "base/strings.h"
#include "spec/package_name.h"

namespace funcpack {
namespace {

uint16_t u16(std::string_view s, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(s[at]) | (static_cast<uint8_t>(s[at + 1]) << 8));
}
uint32_t u32(std::string_view s, size_t at) {
  return static_cast<uint32_t>(u16(s, at)) | (static_cast<uint32_t>(u16(s, at + 2)) << 16);
}
uint64_t u64(std::string_view s, size_t at) {
  return static_cast<uint64_t>(u32(s, at)) | (static_cast<uint64_t>(u32(s, at + 4)) << 32);
}

struct Entry {
  std::string name;
  uint16_t method = 0;
  uint16_t flags = 0;
  uint32_t crc = 0;
  uint64_t compressed = 0;
  uint64_t uncompressed = 0;
  uint64_t local_offset = 0;
};

Result<std::vector<Entry>> read_central_directory(std::string_view z) {
  auto bad = [](std::string reason) { return fail("not a zip archive (" + reason + ")"); };
  if (z.size() < 22) return bad("too short");
  size_t lowest = z.size() > 22 + 65535 ? z.size() - 22 - 65535 : 0;
  std::optional<size_t> eocd;
  for (size_t p = z.size() - 22 + 1; p-- > lowest;) {
    if (u32(z, p) == 0x06054b50 && p + 22 + u16(z, p + 20) == z.size()) {
      eocd = p;
      break;
    }
  }
  if (!eocd) return bad("no end of central directory record");
  uint64_t count = u16(z, *eocd + 10);
  uint64_t cd_size = u32(z, *eocd + 12);
  uint64_t cd_offset = u32(z, *eocd + 16);
  if (count == 0xFFFF || cd_size == 0xFFFFFFFF || cd_offset == 0xFFFFFFFF) {
    if (*eocd < 20 || u32(z, *eocd - 20) != 0x07064b50) return bad("no Zip64 locator");
    uint64_t z64 = u64(z, *eocd - 20 + 8);
    if (z64 > z.size() || z.size() - z64 < 56 || u32(z, z64) != 0x06064b50)
      return bad("bad Zip64 end record");
    count = u64(z, z64 + 32);
    cd_size = u64(z, z64 + 40);
    cd_offset = u64(z, z64 + 48);
  }
  if (cd_offset > z.size() || cd_size > z.size() - cd_offset)
    return bad("central directory out of range");
  std::vector<Entry> entries;
  size_t p = cd_offset;
  size_t end = cd_offset + cd_size;
  for (uint64_t i = 0; i < count; ++i) {
    if (p + 46 > end || u32(z, p) != 0x02014b50) return bad("corrupt central directory");
    Entry e;
    e.flags = u16(z, p + 8);
    e.method = u16(z, p + 10);
    e.crc = u32(z, p + 16);
    e.compressed = u32(z, p + 20);
    e.uncompressed = u32(z, p + 24);
    size_t name_len = u16(z, p + 28), extra_len = u16(z, p + 30), comment_len = u16(z, p + 32);
    e.local_offset = u32(z, p + 42);
    if (p + 46 + name_len + extra_len + comment_len > end) return bad("corrupt central directory");
    e.name = std::string(z.substr(p + 46, name_len));
    std::string_view extra = z.substr(p + 46 + name_len, extra_len);
    for (size_t x = 0; x + 4 <= extra.size();) {
      uint16_t id = u16(extra, x), len = u16(extra, x + 2);
      if (x + 4 + len > extra.size()) break;
      if (id == 0x0001) {
        size_t q = x + 4;
        auto take = [&](uint64_t& field) {
          if (field == 0xFFFFFFFF && q + 8 <= x + 4 + len) {
            field = u64(extra, q);
            q += 8;
          }
        };
        take(e.uncompressed);
        take(e.compressed);
        take(e.local_offset);
      }
      x += 4 + len;
    }
    entries.push_back(std::move(e));
    p += 46 + name_len + extra_len + comment_len;
  }
  return entries;
}

Result<std::string> extract(std::string_view z, const Entry& e, size_t max_size) {
  auto bad = [&](std::string reason) { return fail("zip member " + e.name + ": " + reason); };
  if (e.flags & 1) return bad("encrypted");
  if (e.uncompressed > max_size) return bad("larger than " + std::to_string(max_size) + " bytes");
  if (e.local_offset > z.size() || z.size() - e.local_offset < 30 || u32(z, e.local_offset) != 0x04034b50)
    return bad("bad local header");
  uint64_t data = e.local_offset + 30 + u16(z, e.local_offset + 26) + u16(z, e.local_offset + 28);
  if (data > z.size() || e.compressed > z.size() - data) return bad("data out of range");
  std::string_view in = z.substr(data, e.compressed);
  std::string out;
  if (e.method == 0) {
    out = std::string(in);
  } else if (e.method == 8) {
    out.resize(e.uncompressed);
    z_stream s{};
    if (inflateInit2(&s, -MAX_WBITS) != Z_OK) return bad("inflate init failed");
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    s.avail_in = static_cast<uInt>(in.size());
    s.next_out = reinterpret_cast<Bytef*>(out.data());
    s.avail_out = static_cast<uInt>(out.size());
    int rc = inflate(&s, Z_FINISH);
    uint64_t produced = s.total_out;
    inflateEnd(&s);
    // Z_BUF_ERROR with avail_out 0 means the member is larger than the directory says.
    if (rc != Z_STREAM_END || produced != e.uncompressed) return bad("corrupt deflate data");
  } else {
    return bad("unsupported compression method " + std::to_string(e.method));
  }
  if (out.size() != e.uncompressed) return bad("size mismatch");
  uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(out.data()), static_cast<uInt>(out.size()));
  if (crc != e.crc) return bad("CRC-32 mismatch");
  return out;
}


}  // namespace

Result<std::vector<std::string>> zip_member_names(std::string_view zip) {
  Result<std::vector<Entry>> entries = read_central_directory(zip);
  if (!entries) return std::unexpected(entries.error());
  std::vector<std::string> names;
  for (const Entry& e : *entries) names.push_back(e.name);
  return names;
}

Result<std::string> zip_read_member(std::string_view zip, std::string_view name, size_t max_size) {
  Result<std::vector<Entry>> entries = read_central_directory(zip);
  if (!entries) return std::unexpected(entries.error());
  for (const Entry& e : *entries)
    if (e.name == name) return extract(zip, e, max_size);
  return fail("zip member " + std::string(name) + ": not in the archive");
}

Result<std::string> wheel_metadata(std::string_view zip, std::string_view normalized_name) {
  Result<std::vector<Entry>> entries = read_central_directory(zip);
  if (!entries) return std::unexpected(entries.error());
  std::vector<const Entry*> candidates;
  const Entry* named = nullptr;
  for (const Entry& e : *entries) {
    std::string_view n = e.name;
    size_t slash = n.find('/');
    if (slash == std::string_view::npos || n.substr(slash) != "/METADATA") continue;
    std::string_view dir = n.substr(0, slash);
    if (!dir.ends_with(".dist-info")) continue;
    candidates.push_back(&e);
    std::string_view stem = dir.substr(0, dir.size() - 10);
    if (normalize_name(stem.substr(0, stem.find('-'))) == normalized_name) named = &e;
  }
  if (named) return extract(zip, *named, 16u << 20);
  if (candidates.size() == 1) return extract(zip, *candidates.front(), 16u << 20);
  if (candidates.empty()) return fail("no .dist-info/METADATA in the wheel");
  return fail("several .dist-info directories in the wheel, none named after " +
              std::string(normalized_name));
}

}  // namespace funcpack
