#include "materialise/install_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <set>

#include "base/fs.h"
#include "base/hash.h"
#include "base/strings.h"

namespace funcpack {
namespace {

namespace fs = std::filesystem;

// The manifest's format version; see the header ("Format versions").
constexpr std::string_view kManifestMagic = "funcpack-installed 3";
// v2: the set holds only the entries of files that are not verbatim members (see the header).
constexpr std::string_view kZipSetMagic = "funcpack-zip-entries v2";
constexpr size_t kChunk = 1 << 16;

std::string errno_text(int e) { return std::strerror(e); }

struct FdCloser {
  int fd = -1;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

bool parse_u64(std::string_view s, uint64_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Splits off the first space-separated word of `s`.
std::string_view next_word(std::string_view& s) {
  size_t sp = s.find(' ');
  std::string_view w = s.substr(0, sp);
  s = sp == std::string_view::npos ? std::string_view() : s.substr(sp + 1);
  return w;
}

bool is_hex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

struct FileRecord {
  std::string path;
  uint64_t size = 0;
  std::string sha256;
  uint64_t inode = 0;     // the stamp a hit is checked against (see tree_intact)
  uint64_t mtime_ns = 0;
};

uint64_t mtime_ns_of(const struct stat& st) {
  return static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000ULL +
         static_cast<uint64_t>(st.st_mtim.tv_nsec);
}

struct Manifest {
  InstalledWheel wheel;  // (its `wheel` file is not kept: it is opened when needed)
  std::vector<FileRecord> files;  // sorted by path, as InstalledWheel::files
};

std::string manifest_text(std::string_view sha256, const Manifest& m) {
  std::string s = std::string(kManifestMagic) + "\nwheel " + std::string(sha256) + "\nname " +
                  m.wheel.name + "\nversion " + m.wheel.version + "\ndist-info " +
                  m.wheel.dist_info + "\nbytes " + std::to_string(m.wheel.bytes) + "\n";
  for (const auto& f : m.files) {
    s += "file " + f.sha256 + " " + std::to_string(f.size) + " " + std::to_string(f.inode) +
         " " + std::to_string(f.mtime_ns) + " " + f.path + "\n";
  }
  for (const auto& v : m.wheel.verbatim) {
    s += "verbatim " + std::to_string(v.method) + " " + std::to_string(v.crc32) + " " +
         std::to_string(v.offset) + " " + std::to_string(v.length) + " " + v.path + "\n";
  }
  s += "end " + std::to_string(m.files.size()) + " " + std::to_string(m.wheel.verbatim.size()) +
       "\n";
  return s;
}

// The manifest in `text`, or nullopt when it is not a complete v1 manifest for `sha256`.
std::optional<Manifest> parse_manifest(std::string_view text, std::string_view sha256) {
  Manifest m;
  auto lines = split(text, '\n');
  if (lines.size() < 8 || lines[0] != kManifestMagic || !lines.back().empty()) return std::nullopt;
  auto field = [&](size_t i, std::string_view key) -> std::optional<std::string> {
    std::string_view l = lines[i];
    if (!l.starts_with(key) || l.size() <= key.size() || l[key.size()] != ' ') return std::nullopt;
    return std::string(l.substr(key.size() + 1));
  };
  auto wheel = field(1, "wheel");
  auto name = field(2, "name"), version = field(3, "version"), di = field(4, "dist-info");
  auto bytes = field(5, "bytes");
  if (!wheel || *wheel != sha256 || !name || !version || !di || !bytes) return std::nullopt;
  m.wheel.name = *name;
  m.wheel.version = *version;
  m.wheel.dist_info = *di;
  if (!parse_u64(*bytes, m.wheel.bytes)) return std::nullopt;
  size_t i = 6;
  for (; i + 2 < lines.size() && lines[i].starts_with("file "); ++i) {
    std::string_view l = lines[i];
    next_word(l);
    FileRecord f;
    f.sha256 = std::string(next_word(l));
    if (!is_hex64(f.sha256) || !parse_u64(next_word(l), f.size) ||
        !parse_u64(next_word(l), f.inode) || !parse_u64(next_word(l), f.mtime_ns) || l.empty()) {
      return std::nullopt;
    }
    f.path = std::string(l);
    m.wheel.files.push_back(f.path);
    m.wheel.sha256.push_back(f.sha256);
    m.files.push_back(std::move(f));
  }
  for (; i + 2 < lines.size(); ++i) {
    std::string_view l = lines[i];
    if (next_word(l) != "verbatim") return std::nullopt;
    VerbatimFile v;
    uint64_t method = 0, crc = 0;
    if (!parse_u64(next_word(l), method) || (method != 0 && method != 8) ||
        !parse_u64(next_word(l), crc) || crc > 0xffffffffULL ||
        !parse_u64(next_word(l), v.offset) || !parse_u64(next_word(l), v.length) || l.empty()) {
      return std::nullopt;
    }
    v.method = static_cast<uint16_t>(method);
    v.crc32 = static_cast<uint32_t>(crc);
    v.path = std::string(l);
    // Only installed files, in path order, each once.
    if (!std::binary_search(m.wheel.files.begin(), m.wheel.files.end(), v.path) ||
        (!m.wheel.verbatim.empty() && !(m.wheel.verbatim.back().path < v.path))) {
      return std::nullopt;
    }
    m.wheel.verbatim.push_back(std::move(v));
  }
  uint64_t count = 0, verbatim = 0;
  std::string_view end = lines[i];
  if (next_word(end) != "end" || !parse_u64(next_word(end), count) || count != m.files.size() ||
      !parse_u64(end, verbatim) || verbatim != m.wheel.verbatim.size()) {
    return std::nullopt;
  }
  return m;
}

// The sha256 (hex) of the file at `p` and its size, or nullopt when it cannot be read.
std::optional<std::pair<std::string, uint64_t>> hash_file(const fs::path& p) {
  FdCloser fd{::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)};
  if (fd.fd < 0) return std::nullopt;
  Sha256 h;
  uint64_t size = 0;
  std::unique_ptr<char[]> buf(new char[kChunk]);
  for (;;) {
    ssize_t n = ::read(fd.fd, buf.get(), kChunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    h.update(buf.get(), static_cast<size_t>(n));
    size += static_cast<uint64_t>(n);
  }
  return std::make_pair(h.finish_hex(), size);
}

// True when every file of `m` under `tree` is still the one the entry was made with. As git's
// index does, a file is trusted when its stamp (regular file, size, inode, mtime to the
// nanosecond) is unchanged: any write, truncation, replacement or removal changes it. A
// file whose mtime is not older than the manifest's (`manifest_mtime_ns`: written in the
// same clock tick, so a later same-tick edit would keep the stamp) is hashed as well.
bool tree_intact(const fs::path& tree, const Manifest& m, uint64_t manifest_mtime_ns) {
  for (const auto& f : m.files) {
    struct stat st {};
    if (::lstat((tree / f.path).c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
        static_cast<uint64_t>(st.st_size) != f.size ||
        static_cast<uint64_t>(st.st_ino) != f.inode || mtime_ns_of(st) != f.mtime_ns) {
      return false;
    }
    if (f.mtime_ns >= manifest_mtime_ns) {
      auto h = hash_file(tree / f.path);
      if (!h || h->first != f.sha256 || h->second != f.size) return false;
    }
  }
  return true;
}

// Copies the regular file `from` to `to` (which must not exist), keeping its permissions.
Result<void> copy_regular(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  if (!fs::copy_file(from, to, fs::copy_options::none, ec)) {
    return fail("cannot write " + to.string() + ": " + ec.message());
  }
  return {};
}

// Hashes [off, off + len) of `fd` into `h`. Returns false when it cannot be read.
bool hash_range(int fd, uint64_t off, uint64_t len, Sha256& h, char* buf) {
  while (len > 0) {
    ssize_t n = ::pread(fd, buf, std::min<uint64_t>(len, kChunk), static_cast<off_t>(off));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    h.update(buf, static_cast<size_t>(n));
    off += static_cast<uint64_t>(n);
    len -= static_cast<uint64_t>(n);
  }
  return true;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    s.push_back(kDigits[c >> 4]);
    s.push_back(kDigits[c & 15]);
  }
  return s;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2) return std::nullopt;
  std::string s(hex.size() / 2, '\0');
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, v, 16);
    if (ec != std::errc() || p != hex.data() + 2 * i + 2) return std::nullopt;
    s[i] = static_cast<char>(v);
  }
  return s;
}

// Moves a corrupt entry out of the way (a rename, so a concurrent reader keeps what it has
// open), then removes it.
void discard_entry(const fs::path& dir) {
  std::string tmpl = (dir.parent_path() / (".trash-" + dir.filename().string() + ".XXXXXX")).string();
  std::error_code ec;
  if (::mkdtemp(tmpl.data()) == nullptr) return;
  fs::path trash = fs::path(tmpl) / "entry";
  if (::rename(dir.c_str(), trash.c_str()) != 0) {
    fs::remove_all(tmpl, ec);
    return;
  }
  fs::remove_all(tmpl, ec);
}

}  // namespace

InstallCache::InstallCache(fs::path cache_root, std::string archive_prefix, int64_t mtime)
    : root_(cache_root.empty() ? fs::path() : std::move(cache_root) / "installed-v1"),
      prefix_(std::move(archive_prefix)),
      mtime_(mtime) {}

void InstallCache::offer_verbatim(const InstalledWheel& w,
                                  const std::shared_ptr<const ZipSourceFile>& file,
                                  bool from_cache) {
  if (!file || w.verbatim.empty()) return;
  ++stats_.verbatim;
  for (const auto& v : w.verbatim) {
    auto p = std::make_shared<ZipPrebuilt>();
    p->kind = ZipPrebuilt::Kind::kData;
    p->file = file;
    p->offset = v.offset;
    p->length = v.length;
    p->method = v.method;
    p->crc32 = v.crc32;
    prebuilt_[prefix_ + "/" + v.path] = Offer{std::move(p), from_cache};
  }
}

// The installed files whose zip entries a zip set holds: those that are not verbatim members.
std::vector<std::string> InstallCache::zip_set_files(const InstalledWheel& w) {
  std::vector<std::string> out;
  std::set<std::string_view> verbatim;
  for (const auto& v : w.verbatim) verbatim.insert(v.path);
  for (const auto& f : w.files) {
    if (!verbatim.count(f)) out.push_back(f);
  }
  return out;
}

Result<InstalledWheel> InstallCache::install_uncached(const fs::path& wheel,
                                                      const fs::path& site_packages) {
  ++stats_.unpacked;
  auto installed = install_wheel(wheel, site_packages);
  if (installed) offer_verbatim(*installed, installed->wheel, false);
  return installed;
}

Result<InstalledWheel> InstallCache::install(const fs::path& wheel, std::string_view sha256,
                                             const fs::path& site_packages) {
  const std::string wname = wheel.filename().string();
  std::error_code ec;
  if (root_.empty() || !is_hex64(sha256)) return install_uncached(wheel, site_packages);
  fs::create_directories(root_, ec);
  if (ec) return install_uncached(wheel, site_packages);  // no usable cache: install directly
  const fs::path dir = root_ / std::string(sha256);
  std::optional<Manifest> manifest;
  std::shared_ptr<const ZipSourceFile> wheel_file;  // the wheel, once open
  auto load = [&]() -> bool {
    struct stat st {};
    if (::stat((dir / "manifest").c_str(), &st) != 0) return false;
    auto text = read_file(dir / "manifest");
    if (!text) return false;
    manifest = parse_manifest(*text, sha256);
    return manifest && tree_intact(dir / "tree", *manifest, mtime_ns_of(st));
  };
  bool hit = fs::exists(dir, ec) && load();
  if (!hit) {
    if (fs::exists(dir, ec)) {
      discard_entry(dir);
      ++stats_.rebuilt;
    }
    // Build the entry beside its final place, then publish it with one rename.
    auto tmp = TempDir::create(".tmp-" + std::string(sha256), root_);
    if (!tmp) return install_uncached(wheel, site_packages);
    auto installed = install_wheel(wheel, tmp->path() / "tree");
    if (!installed) return std::unexpected(installed.error());
    ++stats_.unpacked;
    wheel_file = installed->wheel;
    Manifest m;
    m.wheel = *installed;
    m.wheel.wheel = nullptr;
    bool cacheable = installed->sha256.size() == installed->files.size();
    for (size_t i = 0; cacheable && i < installed->files.size(); ++i) {
      // The sha256 install_wheel computed while writing the file (it was checked against
      // RECORD then), and the stamp it has now.
      const std::string& f = installed->files[i];
      struct stat st {};
      if (f.find('\n') != std::string::npos ||
          ::lstat((tmp->path() / "tree" / f).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        cacheable = false;
        break;
      }
      m.files.push_back({f, static_cast<uint64_t>(st.st_size), installed->sha256[i],
                         static_cast<uint64_t>(st.st_ino), mtime_ns_of(st)});
    }
    bool published = false;
    if (cacheable && write_file_atomic(tmp->path() / "manifest", manifest_text(sha256, m))) {
      if (::rename(tmp->path().c_str(), dir.c_str()) == 0) {
        tmp->release();
        published = true;
      }
      // Else another process published the same entry first: use (and verify) theirs.
    }
    if (!cacheable || !(published || load())) {
      // Not cacheable (or the winner's entry is unusable): install from the wheel directly.
      --stats_.unpacked;  // counted once, by install_uncached
      return install_uncached(wheel, site_packages);
    }
    if (published) manifest = std::move(m);
  } else {
    ++stats_.reused;
  }

  // The zip set for this mtime, when there is a sound one covering every file.
  Installed record{std::string(sha256), zip_set_files(manifest->wheel), false};
  const fs::path set_path = dir / ("zip-" + std::to_string(mtime_));
  std::map<std::string, std::shared_ptr<const ZipPrebuilt>, std::less<>> found;
  if (auto file = ZipSourceFile::open(set_path)) {
    std::shared_ptr<const ZipSourceFile> f = *file;
    std::string head(std::min<uint64_t>(f->size(), 64), '\0');
    uint64_t header_len = 0;
    if (::pread(f->fd(), head.data(), head.size(), 0) == static_cast<ssize_t>(head.size())) {
      std::string_view first = std::string_view(head).substr(0, head.find('\n'));
      if (first.starts_with(kZipSetMagic) && first.size() > kZipSetMagic.size() + 1) {
        parse_u64(first.substr(kZipSetMagic.size() + 1), header_len);
      }
    }
    std::string header(header_len <= f->size() ? header_len : 0, '\0');
    bool ok = !header.empty() &&
              ::pread(f->fd(), header.data(), header.size(), 0) ==
                  static_cast<ssize_t>(header.size());
    std::string data_sha;
    uint64_t data_size = 0;
    if (ok) {
      auto lines = split(header, '\n');
      ok = lines.size() >= 4 && lines[1] == "prefix " + prefix_ && lines.back().empty();
      for (size_t i = 2; ok && i + 2 < lines.size(); ++i) {
        std::string_view l = lines[i];
        uint64_t off = 0, len = 0;
        ok = next_word(l) == "entry" && parse_u64(next_word(l), off) &&
             parse_u64(next_word(l), len);
        auto central = ok ? from_hex(next_word(l)) : std::nullopt;
        ok = ok && central && !l.empty() && off + len <= f->size() - header_len;
        if (ok) {
          found[prefix_ + "/" + std::string(l)] = std::make_shared<const ZipPrebuilt>(
              ZipPrebuilt{f, header_len + off, len, *std::move(central)});
        }
      }
      if (ok) {
        std::string_view d = lines[lines.size() - 2];
        ok = next_word(d) == "data" && parse_u64(next_word(d), data_size) && is_hex64(d) &&
             data_size == f->size() - header_len;
        data_sha = std::string(d);
      }
    }
    if (ok) {
      ok = found.size() == record.files.size();
      for (size_t i = 0; ok && i < record.files.size(); ++i) {
        ok = found.count(prefix_ + "/" + record.files[i]) == 1;
      }
    }
    if (ok) {
      Sha256 h;
      std::unique_ptr<char[]> buf(new char[kChunk]);
      ok = hash_range(f->fd(), header_len, data_size, h, buf.get()) && h.finish_hex() == data_sha;
    }
    record.has_zip_set = ok;
    if (!ok) found.clear();
  }
  if (!manifest->wheel.verbatim.empty() && !wheel_file) {
    // The verbatim members are copied from the wheel. On a tree hit the wheel is opened here;
    // the offsets come from the manifest, so it must be the wheel the entry was made from:
    // checked by sha256 through the descriptor write_zip will read (the caller's check was by
    // path).
    auto opened = ZipSourceFile::open(wheel);
    if (!opened) return fail(wname + ": " + opened.error().message);
    Sha256 h;
    std::unique_ptr<char[]> buf(new char[kChunk]);
    if (!hash_range((*opened)->fd(), 0, (*opened)->size(), h, buf.get())) {
      return fail(wname + ": cannot read " + wheel.string() + ": " + errno_text(errno));
    }
    if (h.finish_hex() != sha256) {
      return fail(wname + ": changed since its sha256 was checked (it is no longer " +
                  std::string(sha256) + ")");
    }
    wheel_file = *std::move(opened);
  }

  // Link (else copy) the verified tree into site-packages. A path that exists already is a
  // clash (link(2) never replaces); what this call placed is removed again on any failure,
  // so site-packages is left as it was, as install_wheel does.
  std::vector<fs::path> placed;
  auto rollback = [&](const std::string& why) -> Result<InstalledWheel> {
    for (const auto& p : placed) fs::remove(p, ec);
    return fail(wname + ": " + why);
  };
  std::set<fs::path> made;
  const fs::path tree = dir / "tree";
  for (const auto& f : manifest->files) {
    fs::path to = site_packages / f.path, from = tree / f.path;
    if (made.insert(to.parent_path()).second) {
      fs::create_directories(to.parent_path(), ec);
      if (ec) return rollback("cannot create " + to.parent_path().string() + ": " + ec.message());
    }
    if (::link(from.c_str(), to.c_str()) != 0) {
      const int e = errno;
      struct stat there {};
      if (e == EEXIST || ::lstat(to.c_str(), &there) == 0) {
        return rollback("'" + f.path + "' is already installed in " + site_packages.string() +
                        " (two distributions ship the same file)");
      }
      if (e != EXDEV && e != EPERM && e != EMLINK) {
        return rollback("cannot install '" + f.path + "': " + errno_text(e));
      }
      if (auto c = copy_regular(from, to); !c) return rollback(c.error().message);
    }
    placed.push_back(to);
  }

  // Installed: offer its zip entries (see attach). On a tree hit they count as reused.
  if (record.has_zip_set) {
    for (auto& [path, p] : found) prebuilt_[path] = Offer{std::move(p), hit};
    ++stats_.zip_reused;
  }
  offer_verbatim(manifest->wheel, wheel_file, hit);
  installed_.push_back(std::move(record));
  InstalledWheel result = manifest->wheel;
  result.wheel = wheel_file;
  return result;
}

size_t InstallCache::attach(std::vector<ZipEntry>& entries) const {
  size_t from_cache = 0;
  if (prebuilt_.empty()) return from_cache;
  for (auto& e : entries) {
    auto it = prebuilt_.find(e.path);
    if (it == prebuilt_.end()) continue;
    e.prebuilt = it->second.bytes;
    if (it->second.from_cache) ++from_cache;
  }
  return from_cache;
}

Result<size_t> InstallCache::remember(const fs::path& zip, const ZipSummary& summary) {
  size_t stored = 0;
  if (root_.empty()) return stored;
  FdCloser in{::open(zip.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) return fail("cannot read " + zip.string() + ": " + errno_text(errno));
  std::unique_ptr<char[]> buf(new char[kChunk]);
  for (const auto& w : installed_) {
    if (w.has_zip_set) continue;
    // The wheel's entries in the zip (the layout is sorted by path).
    std::vector<const ZipEntryLayout*> rows;
    for (const auto& f : w.files) {
      const std::string path = prefix_ + "/" + f;
      auto it = std::lower_bound(summary.layout.begin(), summary.layout.end(), path,
                                 [](const ZipEntryLayout& l, const std::string& p) { return l.path < p; });
      if (it == summary.layout.end() || it->path != path) break;
      rows.push_back(&*it);
    }
    if (rows.size() != w.files.size()) continue;  // not all in this zip: nothing to keep
    Sha256 h;
    std::string body;
    uint64_t off = 0;
    bool readable = true;
    for (size_t i = 0; i < rows.size() && readable; ++i) {
      readable = hash_range(in.fd, rows[i]->offset, rows[i]->length, h, buf.get());
      body += "entry " + std::to_string(off) + " " + std::to_string(rows[i]->length) + " " +
              to_hex(rows[i]->central) + " " + w.files[i] + "\n";
      off += rows[i]->length;
    }
    if (!readable) return fail("cannot read " + zip.string() + ": " + errno_text(errno));
    body = "prefix " + prefix_ + "\n" + body + "data " + std::to_string(off) + " " +
           h.finish_hex() + "\n";
    // The first line carries the header's own length (its digits included).
    std::string header;
    for (size_t digits = 1;; ++digits) {
      const size_t len = kZipSetMagic.size() + 1 + digits + 1 + body.size();
      header = std::string(kZipSetMagic) + " " + std::to_string(len) + "\n" + body;
      if (header.size() == len) break;
    }
    const fs::path dir = root_ / w.sha256;
    const fs::path final_path = dir / ("zip-" + std::to_string(mtime_));
    std::string tmpl = (dir / ".zip.tmp.XXXXXX").string();
    FdCloser out{::mkstemp(tmpl.data())};
    if (out.fd < 0) return fail("cannot write " + final_path.string() + ": " + errno_text(errno));
    auto abandon = [&](const std::string& why) -> Result<size_t> {
      ::unlink(tmpl.c_str());
      return fail("cannot write " + final_path.string() + ": " + why);
    };
    for (size_t done = 0; done < header.size();) {
      ssize_t n = ::write(out.fd, header.data() + done, header.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return abandon(errno_text(errno));
      done += static_cast<size_t>(n);
    }
    // Rows that lie back to back in the zip (most of a wheel's, in path order) are copied as
    // one range.
    for (size_t i = 0; i < rows.size();) {
      uint64_t length = rows[i]->length;
      size_t j = i + 1;
      for (; j < rows.size() && rows[j]->offset == rows[j - 1]->offset + rows[j - 1]->length; ++j) {
        length += rows[j]->length;
      }
      if (auto c = append_file_range(in.fd, rows[i]->offset, length, out.fd); !c) {
        return abandon(c.error().message);
      }
      i = j;
    }
    if (::fchmod(out.fd, 0644) != 0 || ::rename(tmpl.c_str(), final_path.c_str()) != 0) {
      return abandon(errno_text(errno));
    }
    // One zip set per wheel: drop the ones for other mtimes (readers keep their descriptors).
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (name.starts_with("zip-") && it->path() != final_path) fs::remove(it->path(), ec);
    }
    ++stored;
    ++stats_.zip_stored;
  }
  return stored;
}

}  // namespace funcpack
