#include "base/fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

namespace funcpack {

Result<std::string> read_file(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail("cannot read " + path.string() + ": " + std::strerror(errno));
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return fail("cannot read " + path.string() + ": " + std::strerror(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view data,
                               unsigned mode) {
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  std::string tmpl = (dir / ("." + path.filename().string() + ".tmp.XXXXXX")).string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return fail("cannot write " + path.string() + ": " + std::strerror(errno));
  auto bail = [&](int err) -> Result<void> {
    ::close(fd);
    ::unlink(tmpl.c_str());
    return fail("cannot write " + path.string() + ": " + std::strerror(err));
  };
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return bail(errno);
    }
    off += static_cast<size_t>(n);
  }
  if (::fchmod(fd, mode) != 0) return bail(errno);
  if (::fsync(fd) != 0) return bail(errno);
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmpl.c_str());
    return fail("cannot write " + path.string() + ": " + std::strerror(err));
  }
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmpl.c_str());
    return fail("cannot write " + path.string() + ": " + std::strerror(err));
  }
  return {};
}

Result<TempDir> TempDir::create(std::string_view prefix, const std::filesystem::path& parent) {
  std::filesystem::path base = parent;
  if (base.empty()) {
    const char* t = std::getenv("TMPDIR");
    base = (t && *t) ? t : "/tmp";
  }
  std::string tmpl = (base / (std::string(prefix) + ".XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr)
    return fail("cannot create a temporary directory in " + base.string() + ": " +
                std::strerror(errno));
  return TempDir(std::filesystem::path(tmpl));
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    if (!path_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

TempDir::~TempDir() {
  if (!path_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
}

std::filesystem::path TempDir::release() {
  auto p = std::move(path_);
  path_.clear();
  return p;
}

Result<void> write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t w = ::write(fd, data, size);
    if (w < 0) {
      if (errno == EINTR) continue;
      return fail(std::strerror(errno));
    }
    data += w;
    size -= static_cast<size_t>(w);
  }
  return {};
}

Result<std::filesystem::path> as_named(const std::filesystem::path& file, std::string_view filename,
                                       const std::filesystem::path& dir) {
  if (file.filename() == filename) return file;
  std::filesystem::path named = dir / filename;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::filesystem::remove(named, ec);
  std::filesystem::create_hard_link(file, named, ec);
  if (ec) std::filesystem::copy_file(file, named, std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) return fail("cannot copy " + file.string() + " to " + named.string() + ": " + ec.message());
  return named;
}

Result<void> append_file_range(int in, uint64_t offset, uint64_t length, int out) {
  loff_t pos = static_cast<loff_t>(offset);
  while (length > 0) {
    ssize_t n = ::copy_file_range(in, &pos, out, nullptr, length, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // not supported here (or a short source): finish with pread/write
    length -= static_cast<uint64_t>(n);
  }
  constexpr size_t kChunk = 64 * 1024;
  std::unique_ptr<char[]> buf;
  while (length > 0) {
    if (!buf) buf.reset(new char[kChunk]);
    ssize_t n = ::pread(in, buf.get(), std::min<uint64_t>(length, kChunk), pos);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(std::strerror(errno));
    if (n == 0) return fail("unexpected end of file");
    if (auto w = write_all(out, buf.get(), static_cast<size_t>(n)); !w) return w;
    pos += n;
    length -= static_cast<uint64_t>(n);
  }
  return {};
}

}  // namespace funcpack
