#include "materialise/wheel_reader.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

namespace funcpack {
namespace {

constexpr size_t kChunk = 64 * 1024;
constexpr uint32_t kLocalSig = 0x04034b50;
constexpr uint32_t kCentralSig = 0x02014b50;
constexpr uint32_t kEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr size_t kEndFixed = 22;
constexpr size_t kCentralFixed = 46;
constexpr size_t kLocalFixed = 30;

uint16_t u16(std::string_view s, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(s[at]) |
                               (static_cast<uint8_t>(s[at + 1]) << 8));
}
uint32_t u32(std::string_view s, size_t at) {
  return static_cast<uint32_t>(u16(s, at)) | (static_cast<uint32_t>(u16(s, at + 2)) << 16);
}
uint64_t u64(std::string_view s, size_t at) {
  return static_cast<uint64_t>(u32(s, at)) | (static_cast<uint64_t>(u32(s, at + 4)) << 32);
}

// Reads exactly `n` bytes at `off` of `fd`. Returns them, or an Error "cannot read: REASON".
Result<std::string> read_at(int fd, uint64_t off, size_t n) {
  std::string s(n, '\0');
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd, s.data() + done, n - done, static_cast<off_t>(off + done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return fail(std::string("cannot read: ") + std::strerror(errno));
    if (r == 0) return fail("cannot read: unexpected end of file");
    done += static_cast<size_t>(r);
  }
  return s;
}

// Type and mode from "version made by" and the external attributes, as libarchive's reader
// derives them (see the header).
void classify(WheelMember& m, uint16_t made_by, uint32_t external) {
  const unsigned host = made_by >> 8;
  uint32_t mode = 0;
  if (host == 3) {
    mode = external >> 16;
  } else if (host == 0 && (external & 0x10)) {
    mode = S_IFDIR;
  }
  const uint32_t type = mode & S_IFMT;
  if (!m.name.empty() && m.name.back() == '/') {
    m.type = WheelMember::Type::kDirectory;
  } else if (type == 0 || type == S_IFREG) {
    m.type = WheelMember::Type::kFile;
  } else if (type == S_IFDIR) {
    m.type = WheelMember::Type::kDirectory;
  } else if (type == S_IFLNK) {
    m.type = WheelMember::Type::kSymlink;
  } else {
    m.type = WheelMember::Type::kOther;
  }
  m.executable = host == 3 && (mode & 0111) != 0;
}

}  // namespace

Result<WheelReader> WheelReader::open(const std::filesystem::path& wheel) {
  auto opened = ZipSourceFile::open(wheel);
  if (!opened) return fail("cannot open: " + opened.error().message);
  std::shared_ptr<const ZipSourceFile> file = *std::move(opened);
  const int fd = file->fd();
  const uint64_t size = file->size();
  if (size < kEndFixed) return fail("too short");

  // The end record is the last 22 bytes plus a comment of at most 65,535 bytes.
  const uint64_t tail_len = std::min<uint64_t>(size, kEndFixed + 0xffff);
  const uint64_t tail_at = size - tail_len;
  auto tail = read_at(fd, tail_at, tail_len);
  if (!tail) return std::unexpected(tail.error());
  std::optional<size_t> eocd;
  for (size_t p = tail->size() - kEndFixed + 1; p-- > 0;) {
    if (u32(*tail, p) == kEndSig && p + kEndFixed + u16(*tail, p + 20) == tail->size()) {
      eocd = p;
      break;
    }
  }
  if (!eocd) return fail("no end of central directory record");
  uint64_t count = u16(*tail, *eocd + 10);
  uint64_t cd_size = u32(*tail, *eocd + 12);
  uint64_t cd_offset = u32(*tail, *eocd + 16);
  const uint64_t eocd_at = tail_at + *eocd;
  std::optional<std::string> locator;
  if (eocd_at >= 20) {
    auto l = read_at(fd, eocd_at - 20, 20);
    if (!l) return std::unexpected(l.error());
    if (u32(*l, 0) == kZip64LocatorSig) locator = *std::move(l);
  }
  // A Zip64 end record is needed when a field is saturated, except a count of exactly 65,535
  // written without one (a writer that only switches to Zip64 above that).
  if ((count == 0xffff && locator) || cd_size == 0xffffffff || cd_offset == 0xffffffff) {
    if (!locator) return fail("bad Zip64 end record");
    const uint64_t z64 = u64(*locator, 8);
    if (z64 > size || size - z64 < 56) return fail("bad Zip64 end record");
    auto rec = read_at(fd, z64, 56);
    if (!rec) return std::unexpected(rec.error());
    if (u32(*rec, 0) != kZip64EndSig) return fail("bad Zip64 end record");
    count = u64(*rec, 32);
    cd_size = u64(*rec, 40);
    cd_offset = u64(*rec, 48);
  }
  if (cd_offset > size || cd_size > size - cd_offset) {
    return fail("central directory out of range");
  }
  if (count > cd_size / kCentralFixed) return fail("corrupt central directory");
  auto cd = read_at(fd, cd_offset, static_cast<size_t>(cd_size));
  if (!cd) return std::unexpected(cd.error());

  std::vector<WheelMember> members;
  members.reserve(static_cast<size_t>(count));
  const std::string_view z = *cd;
  size_t p = 0;
  for (uint64_t i = 0; i < count; ++i) {
    if (p + kCentralFixed > z.size() || u32(z, p) != kCentralSig) {
      return fail("corrupt central directory");
    }
    WheelMember m;
    const uint16_t made_by = u16(z, p + 4);
    m.flags = u16(z, p + 8);
    m.method = u16(z, p + 10);
    m.crc32 = u32(z, p + 16);
    m.compressed_size = u32(z, p + 20);
    m.size = u32(z, p + 24);
    const size_t name_len = u16(z, p + 28), extra_len = u16(z, p + 30),
                 comment_len = u16(z, p + 32);
    const uint32_t external = u32(z, p + 38);
    m.local_header_offset = u32(z, p + 42);
    if (p + kCentralFixed + name_len + extra_len + comment_len > z.size()) {
      return fail("corrupt central directory");
    }
    m.name = std::string(z.substr(p + kCentralFixed, name_len));
    const std::string_view extra = z.substr(p + kCentralFixed + name_len, extra_len);
    for (size_t x = 0; x + 4 <= extra.size();) {
      const uint16_t id = u16(extra, x), len = u16(extra, x + 2);
      if (x + 4 + len > extra.size()) break;
      if (id == 0x0001) {
        size_t q = x + 4;
        auto take = [&](uint64_t& field) {
          if (field == 0xffffffff && q + 8 <= x + 4 + len) {
            field = u64(extra, q);
            q += 8;
          }
        };
        take(m.size);
        take(m.compressed_size);
        take(m.local_header_offset);
      }
      x += 4 + len;
    }
    classify(m, made_by, external);
    members.push_back(std::move(m));
    p += kCentralFixed + name_len + extra_len + comment_len;
  }
  return WheelReader(std::move(file), std::move(members));
}

Result<WheelMemberData> WheelReader::read(
    const WheelMember& m, const std::function<Result<void>(std::string_view)>& sink) const {
  if (m.flags & 1) return fail("encrypted");
  if (m.method != 0 && m.method != 8) {
    return fail("unsupported compression method " + std::to_string(m.method));
  }
  const int fd = file_->fd();
  const uint64_t size = file_->size();
  if (m.local_header_offset > size || size - m.local_header_offset < kLocalFixed) {
    return fail("bad local header");
  }
  auto local = read_at(fd, m.local_header_offset, kLocalFixed);
  if (!local) return std::unexpected(local.error());
  if (u32(*local, 0) != kLocalSig) return fail("bad local header");
  const uint64_t name_len = u16(*local, 26), extra_len = u16(*local, 28);
  if (size - m.local_header_offset - kLocalFixed < name_len) return fail("bad local header");
  auto name = read_at(fd, m.local_header_offset + kLocalFixed, static_cast<size_t>(name_len));
  if (!name) return std::unexpected(name.error());
  if (*name != m.name) return fail("name in the local header differs");
  WheelMemberData out;
  out.offset = m.local_header_offset + kLocalFixed + name_len + extra_len;
  if (out.offset > size || m.compressed_size > size - out.offset) {
    return fail("data out of range");
  }

  std::unique_ptr<char[]> in(new char[kChunk]);
  uLong crc = crc32(0L, Z_NULL, 0);
  uint64_t produced = 0;
  auto emit = [&](const char* p, size_t n) -> Result<void> {
    produced += n;
    if (produced > m.size) return fail("size mismatch");
    crc = crc32(crc, reinterpret_cast<const Bytef*>(p), static_cast<uInt>(n));
    return sink(std::string_view(p, n));
  };
  uint64_t pos = out.offset, remaining = m.compressed_size;
  if (m.method == 0) {
    if (m.compressed_size != m.size) return fail("size mismatch");
    while (remaining > 0) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(remaining, kChunk));
      ssize_t r = ::pread(fd, in.get(), n, static_cast<off_t>(pos));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return fail(std::string("cannot read: ") + std::strerror(errno));
      if (r == 0) return fail("cannot read: unexpected end of file");
      if (auto e = emit(in.get(), static_cast<size_t>(r)); !e) return std::unexpected(e.error());
      pos += static_cast<uint64_t>(r);
      remaining -= static_cast<uint64_t>(r);
    }
    out.exact = true;
  } else if (m.compressed_size == 0) {
    // No deflate stream at all (some writers store an empty file so): an empty file, but not
    // bytes another reader would accept as deflate data, so not copied verbatim.
    if (m.size != 0) return fail("corrupt deflate data");
    out.exact = false;
  } else {
    std::unique_ptr<char[]> buf(new char[kChunk]);
    z_stream zs{};
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return fail("corrupt deflate data");
    struct End {
      z_stream* s;
      ~End() { inflateEnd(s); }
    } end{&zs};
    for (;;) {
      if (zs.avail_in == 0 && remaining > 0) {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(remaining, kChunk));
        ssize_t r = ::pread(fd, in.get(), n, static_cast<off_t>(pos));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return fail(std::string("cannot read: ") + std::strerror(errno));
        if (r == 0) return fail("cannot read: unexpected end of file");
        pos += static_cast<uint64_t>(r);
        remaining -= static_cast<uint64_t>(r);
        zs.next_in = reinterpret_cast<Bytef*>(in.get());
        zs.avail_in = static_cast<uInt>(r);
      }
      zs.next_out = reinterpret_cast<Bytef*>(buf.get());
      zs.avail_out = static_cast<uInt>(kChunk);
      const int rc = inflate(&zs, Z_NO_FLUSH);
      const size_t got = kChunk - zs.avail_out;
      if (got > 0) {
        if (auto e = emit(buf.get(), got); !e) return std::unexpected(e.error());
      }
      if (rc == Z_STREAM_END) break;
      // Z_BUF_ERROR here means the input ran out before the stream ended (avail_out was
      // fresh): a truncated member.
      if (rc != Z_OK) return fail("corrupt deflate data");
    }
    out.exact = remaining == 0 && zs.avail_in == 0;
  }
  if (produced != m.size) return fail("size mismatch");
  if (static_cast<uint32_t>(crc) != m.crc32) return fail("CRC-32 mismatch");
  return out;
}

}  // namespace funcpack
