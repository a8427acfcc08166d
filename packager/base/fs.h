// fs.h: whole-file reads, atomic writes, and byte copies between open files.
//
// Contract: `write_file_atomic` never leaves a half-written file at `path`: it writes a
// temporary file in the same directory, fsyncs it, and renames it over `path` (POSIX rename is
// atomic within one file system). On failure the temporary file is removed and `path` is
// untouched. Parent directories are not created.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/error.h"

namespace funcpack {

// Returns the file's bytes, or an Error "cannot read PATH: reason".
Result<std::string> read_file(const std::filesystem::path& path);

// Returns nothing on success, or an Error "cannot write PATH: reason". `mode` is applied to the
// final file (default 0644).
Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view data,
                               unsigned mode = 0644);

// Writes all `size` bytes at `data` to `fd` at its file position (short writes and EINTR are
// retried). Returns nothing, or an Error whose message is strerror's text.
Result<void> write_all(int fd, const char* data, size_t size);

// Appends bytes [offset, offset + length) of the open file `in` to `out` at out's file position,
// with copy_file_range (no trip through user space) where the kernel allows it, else
// pread/write in 64 KiB chunks. `in`'s file position is not used or moved. Returns nothing, or
// an Error: strerror's text, or "unexpected end of file" when `in` ends before the range does.
Result<void> append_file_range(int in, uint64_t offset, uint64_t length, int out);

// `file` under the name `filename`: `file` itself when that is already its name, else a hard
// link DIR/filename to it (a copy when linking fails, e.g. across file systems; DIR is created).
// For content-addressed cache entries, named by their hash, handed to a reader that takes a
// distribution's name from its file name. Returns the path, or an Error
// "cannot copy FILE to PATH: reason".
Result<std::filesystem::path> as_named(const std::filesystem::path& file, std::string_view filename,
                                       const std::filesystem::path& dir);

// A directory that is removed with its contents when this object dies, unless `release()`d.
class TempDir {
 public:
  // Creates a fresh directory under `parent` (default: $TMPDIR or /tmp) named prefix.XXXXXX.
  static Result<TempDir> create(std::string_view prefix = "funcpack",
                                const std::filesystem::path& parent = {});
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path release();

 private:
  explicit TempDir(std::filesystem::path p) : path_(std::move(p)) {}
  std::filesystem::path path_;
};

}  // namespace funcpack
