#include "io/sdist_metadata.h"

#include <zlib.h>

#include <cstdint>
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "base/strings.h"
#include "io/wheel_metadata.h"
#include "spec/metadata.h"

namespace funcpack {
namespace {

constexpr uint64_t kMaxPkgInfo = uint64_t{1} << 20;   // 1 MiB
constexpr uint64_t kMaxPaxHeader = uint64_t{1} << 20;

constexpr std::string_view kAdvice =
    "lock it from a wheel instead (leave it out of --no-binary, or build a wheel and pass its "
    "directory with --find-links)";

bool ends_with_i(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

// "dir/PKG-INFO" (after dropping leading "./" and a trailing '/') with a real directory name.
bool is_top_level_pkg_info(std::string_view name) {
  while (name.starts_with("./")) name.remove_prefix(2);
  size_t slash = name.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view dir = name.substr(0, slash);
  std::string_view rest = name.substr(slash + 1);
  return !dir.empty() && dir != "." && dir != ".." && rest == "PKG-INFO";
}

// A gzip stream (one or more members) inflated on demand, at most `limit` bytes in all.
class GzipReader {
 public:
  GzipReader(std::string_view in, uint64_t limit) : limit_(limit) {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    ok_ = in.size() <= UINT32_MAX && inflateInit2(&z_, 15 + 16) == Z_OK;
  }
  ~GzipReader() {
    if (ok_) inflateEnd(&z_);
  }
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  // Appends exactly `n` inflated bytes to `out` (discards them when `out` is null). Errors:
  // "truncated", "corrupt gzip data (...)", or kTooBig (the limit was reached).
  Result<void> read(uint64_t n, std::string* out) {
    if (!ok_) return fail("cannot start the gzip decoder");
    unsigned char buf[16384];
    while (n > 0) {
      if (done_) return fail("truncated");
      if (total_ >= limit_) return fail(std::string(kTooBig));
      uint64_t want = std::min<uint64_t>({n, sizeof buf, limit_ - total_});
      z_.next_out = buf;
      z_.avail_out = static_cast<uInt>(want);
      int rc = inflate(&z_, Z_NO_FLUSH);
      size_t got = static_cast<size_t>(want - z_.avail_out);
      if (out) out->append(reinterpret_cast<char*>(buf), got);
      n -= got;
      total_ += got;
      if (rc == Z_STREAM_END) {
        // Concatenated gzip members continue the stream; anything else after it ends the data.
        if (z_.avail_in >= 2 && z_.next_in[0] == 0x1f && z_.next_in[1] == 0x8b) {
          if (inflateReset(&z_) != Z_OK) return fail("corrupt gzip data (reset failed)");
        } else {
          done_ = true;
        }
      } else if (rc == Z_BUF_ERROR && got == 0) {
        return fail("truncated");
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return fail(std::string("corrupt gzip data (") + (z_.msg ? z_.msg : "inflate failed") + ")");
      }
    }
    return {};
  }

  static constexpr std::string_view kTooBig = "expands past the limit";

 private:
  z_stream z_{};
  bool ok_ = false;
  bool done_ = false;
  uint64_t total_ = 0;
  uint64_t limit_;
};

// A tar numeric field: octal digits (leading spaces, ended by NUL or space), or GNU base-256
// (high bit of the first byte set, positive values only).
std::optional<uint64_t> tar_number(std::string_view field) {
  if (!field.empty() && (static_cast<uint8_t>(field[0]) & 0x80)) {
    if (static_cast<uint8_t>(field[0]) & 0x40) return std::nullopt;  // negative
    uint64_t v = static_cast<uint8_t>(field[0]) & 0x3f;
    for (size_t i = 1; i < field.size(); ++i) {
      if (v >> 55) return std::nullopt;
      v = (v << 8) | static_cast<uint8_t>(field[i]);
    }
    return v;
  }
  size_t i = 0;
  while (i < field.size() && field[i] == ' ') ++i;
  uint64_t v = 0;
  bool any = false;
  for (; i < field.size() && field[i] >= '0' && field[i] <= '7'; ++i) {
    if (v >> 60) return std::nullopt;
    v = v * 8 + static_cast<uint64_t>(field[i] - '0');
    any = true;
  }
  if (i < field.size() && field[i] != '\0' && field[i] != ' ') return std::nullopt;
  if (!any) return field.find_first_not_of(std::string_view("\0 ", 2)) == std::string_view::npos
                       ? std::optional<uint64_t>(0)
                       : std::nullopt;
  return v;
}

std::string c_string(std::string_view field) { return std::string(field.substr(0, field.find('\0'))); }

struct PaxOverrides {
  std::optional<std::string> path;
  std::optional<uint64_t> size;
};

// pax records "LEN key=value\n" (LEN counts the whole record, in decimal).
Result<PaxOverrides> parse_pax(std::string_view data) {
  PaxOverrides o;
  while (!data.empty()) {
    size_t sp = data.find(' ');
    if (sp == std::string_view::npos || sp == 0) return fail("bad pax header");
    uint64_t len = 0;
    for (char c : data.substr(0, sp)) {
      if (!is_ascii_digit(c) || len > data.size()) return fail("bad pax header");
      len = len * 10 + static_cast<uint64_t>(c - '0');
    }
    if (len <= sp + 1 || len > data.size() || data[len - 1] != '\n') return fail("bad pax header");
    std::string_view rec = data.substr(sp + 1, len - sp - 2);
    size_t eq = rec.find('=');
    if (eq == std::string_view::npos) return fail("bad pax header");
    std::string_view key = rec.substr(0, eq), value = rec.substr(eq + 1);
    if (key == "path") o.path = std::string(value);
    if (key == "size") {
      uint64_t v = 0;
      if (value.empty() || value.size() > 18) return fail("bad pax size");
      for (char c : value) {
        if (!is_ascii_digit(c)) return fail("bad pax size");
        v = v * 10 + static_cast<uint64_t>(c - '0');
      }
      o.size = v;
    }
    data.remove_prefix(len);
  }
  return o;
}

Result<std::string> tar_gz_pkg_info(std::string_view gz, uint64_t max_expanded) {
  auto bad = [](std::string reason) { return fail("not a gzip-compressed tar archive (" + reason + ")"); };
  if (gz.size() < 2 || static_cast<uint8_t>(gz[0]) != 0x1f || static_cast<uint8_t>(gz[1]) != 0x8b)
    return bad("no gzip header");
  GzipReader in(gz, max_expanded);
  auto read_err = [&](const Error& e) -> std::unexpected<Error> {
    if (e.message == GzipReader::kTooBig)
      return fail("the archive expands to more than " + std::to_string(max_expanded >> 20) +
                  " MiB before its PKG-INFO");
    return bad(e.message);
  };
  PaxOverrides next;
  for (;;) {
    std::string h;
    if (auto r = in.read(512, &h); !r) return read_err(r.error());
    if (h.find_first_not_of('\0') == std::string::npos) break;  // end-of-archive block
    std::optional<uint64_t> sum = tar_number(std::string_view(h).substr(148, 8));
    uint64_t actual = 0;
    for (size_t i = 0; i < 512; ++i)
      actual += (i >= 148 && i < 156) ? uint64_t{' '} : static_cast<uint8_t>(h[i]);
    if (!sum || *sum != actual) return bad("header checksum mismatch");
    std::optional<uint64_t> size = tar_number(std::string_view(h).substr(124, 12));
    if (!size) return bad("bad size field");
    char type = h[156];
    std::string name = c_string(std::string_view(h).substr(0, 100));
    if (std::string_view(h).substr(257, 5) == "ustar") {
      std::string prefix = c_string(std::string_view(h).substr(345, 155));
      if (!prefix.empty()) name = prefix + "/" + name;
    }
    if (next.path) name = *next.path;
    if (next.size) size = next.size;
    next = {};
    uint64_t padded = (*size + 511) / 512 * 512;
    if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
      if (*size > kMaxPaxHeader) return bad("extended header larger than 1 MiB");
      std::string data;
      if (auto r = in.read(*size, &data); !r) return read_err(r.error());
      if (auto r = in.read(padded - *size, nullptr); !r) return read_err(r.error());
      if (type == 'x') {
        Result<PaxOverrides> pax = parse_pax(data);
        if (!pax) return bad(pax.error().message);
        next = std::move(*pax);
      } else if (type == 'L') {
        next.path = c_string(data);
      }
      continue;
    }
    if (is_top_level_pkg_info(name)) {
      if (type != '0' && type != '\0' && type != '7') return fail("PKG-INFO is not a regular file");
      if (*size > kMaxPkgInfo) return fail("PKG-INFO is larger than 1 MiB");
      std::string text;
      if (auto r = in.read(*size, &text); !r) return read_err(r.error());
      return text;
    }
    // Directories, links and devices carry no data whatever their size field says.
    bool has_data = type == '0' || type == '\0' || type == '7';
    if (has_data)
      if (auto r = in.read(padded, nullptr); !r) return read_err(r.error());
  }
  return fail("no top-level PKG-INFO in the sdist");
}

Result<std::string> zip_pkg_info(std::string_view zip) {
  Result<std::vector<std::string>> names = zip_member_names(zip);
  if (!names) return std::unexpected(names.error());
  for (const std::string& n : *names) {
    if (!is_top_level_pkg_info(n)) continue;
    Result<std::string> text = zip_read_member(zip, n, kMaxPkgInfo);
    if (!text) {
      if (text.error().message.find(": larger than ") != std::string::npos)
        return fail("PKG-INFO is larger than 1 MiB");
      return std::unexpected(text.error());
    }
    return text;
  }
  return fail("no top-level PKG-INFO in the sdist");
}

}  // namespace

bool is_readable_sdist(std::string_view filename) {
  return ends_with_i(filename, ".tar.gz") || ends_with_i(filename, ".tgz") ||
         ends_with_i(filename, ".zip");
}

Result<std::string> sdist_pkg_info(std::string_view archive, std::string_view filename,
                                   uint64_t max_expanded) {
  if (ends_with_i(filename, ".zip")) return zip_pkg_info(archive);
  if (ends_with_i(filename, ".tar.gz") || ends_with_i(filename, ".tgz"))
    return tar_gz_pkg_info(archive, max_expanded);
  return fail("unsupported sdist format (expected .tar.gz or .zip)");
}

std::optional<std::string> sdist_not_final_reason(const CoreMetadata& md) {
  // metadata.h accepts 1.0, 1.1, 1.2 and 2.x; PEP 643's Dynamic exists from 2.2 on.
  std::string_view v = trim(md.metadata_version);
  bool static_ok = false;
  if (v.starts_with("2.")) {
    std::string_view minor = v.substr(2);
    size_t end = 0;
    while (end < minor.size() && is_ascii_digit(minor[end])) ++end;
    minor = minor.substr(0, end);
    static_ok = !minor.empty() && (minor.size() > 1 || minor[0] >= '2');
  }
  if (!static_ok)
    return "PKG-INFO is Metadata-Version " + std::string(v) +
           " (static metadata starts at 2.2, PEP 643)";
  for (std::string_view field : {"Requires-Dist", "Requires-Python"}) {
    for (const std::string& d : md.dynamic) {
      if (iequals(trim(d), field))
        return "PKG-INFO declares " + std::string(field) + " dynamic (PEP 643)";
    }
  }
  return std::nullopt;
}

Result<std::string> sdist_static_metadata(std::string_view pkg_info) {
  Result<CoreMetadata> md = CoreMetadata::parse(pkg_info, "PKG-INFO");
  if (!md) return fail("PKG-INFO: " + md.error().message);
  if (auto why = sdist_not_final_reason(*md))
    return fail(*why + ", so its dependencies are only known after a build; " + std::string(kAdvice));
  return std::string(pkg_info);
}

Result<std::string> sdist_metadata(std::string_view archive, std::string_view filename) {
  Result<std::string> text = sdist_pkg_info(archive, filename);
  if (!text) return text;
  return sdist_static_metadata(*text);
}

}  // namespace funcpack
