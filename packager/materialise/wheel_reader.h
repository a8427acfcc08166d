// wheel_reader.h: a wheel's members read straight from the file (PKWARE APPNOTE.TXT), so the
// installer knows which compressed bytes produced each file it installs.
//
// Owns: the end of central directory record (and the Zip64 end record and locator), the
// central directory, local headers, and reading one member (stored, or raw deflate through
// zlib) in 64 KiB chunks with its size and CRC-32 checked against the central directory.
//
// Why not libarchive's reader (which wheel_install used before): the deployment zip copies a
// member's compressed bytes verbatim (zip_writer.h, "Verbatim members"), and what is copied
// must be exactly what was inflated and checked against RECORD. libarchive does not say where
// the bytes it inflated are, and a second parser locating them could disagree with it on a
// crafted wheel (extra-field lengths, Zip64 fields, overlapping members). Here one parse
// locates the bytes, inflates them and hands out their offset, so the installed file, the
// RECORD check and the copied bytes cannot diverge. io/wheel_metadata.h has a similar parser
// over a wheel held in memory (for index metadata); this one streams from a file descriptor.
//
// Rules (what a member is):
//  - the central directory is authoritative for name, method, flags, CRC-32, sizes and the
//    local header's offset; Zip64 extra fields replace 0xFFFFFFFF values in the order
//    uncompressed size, compressed size, offset. The local header is read only for its name
//    (which must equal the central one, as Python's zipfile demands) and its name and extra
//    lengths, which place the data;
//  - type and mode as libarchive derives them: "version made by" host 3 (Unix): the high 16
//    bits of the external attributes; host 0 (MS-DOS): a directory when attribute 0x10 is
//    set, else a file; a name ending in '/' is a directory whatever the attributes; no type
//    bits: a regular file. `executable` is any execute bit of a Unix mode;
//  - methods 0 (stored) and 8 (deflate) are read; any other method, and encryption (flag bit
//    0), is an Error (the wheel spec's writers use only these two);
//  - a deflate member must inflate to exactly its uncompressed size and end its stream; the
//    stream must not end before the compressed bytes do (`exact`; a member with bytes after
//    its stream installs fine, but is not copied verbatim).
//
// Memory: the central directory (about 100 bytes per member) and two 64 KiB buffers plus
// zlib's state while reading; never the whole wheel.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "materialise/zip_writer.h"

namespace funcpack {

struct WheelMember {
  enum class Type { kFile, kDirectory, kSymlink, kOther };
  std::string name;
  Type type = Type::kFile;
  bool executable = false;
  uint16_t flags = 0;
  uint16_t method = 0;
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t size = 0;  // uncompressed
  uint64_t local_header_offset = 0;
};

// Where a member's compressed bytes are, as found by WheelReader::read.
struct WheelMemberData {
  uint64_t offset = 0;  // in the wheel file
  bool exact = false;   // the bytes are exactly the member's stored data or deflate stream
};

class WheelReader {
 public:
  // Opens `wheel` and reads its central directory. Returns the reader, or an Error whose
  // message is the reason ("cannot open: REASON", "too short", "no end of central directory
  // record", "bad Zip64 end record", "central directory out of range", "corrupt central
  // directory").
  static Result<WheelReader> open(const std::filesystem::path& wheel);

  // In central directory order.
  const std::vector<WheelMember>& members() const { return members_; }
  // The open wheel (what `read` reads, and what verbatim copies are made from).
  const std::shared_ptr<const ZipSourceFile>& file() const { return file_; }

  // Streams member `m`'s bytes to `sink` in chunks of at most 64 KiB, checking its size and
  // CRC-32. Returns where its compressed bytes are, or an Error: "encrypted", "unsupported
  // compression method N", "bad local header", "name in the local header differs",
  // "data out of range", "corrupt deflate data", "size mismatch", "CRC-32 mismatch",
  // "cannot read: REASON", or the sink's own Error.
  Result<WheelMemberData> read(const WheelMember& m,
                               const std::function<Result<void>(std::string_view)>& sink) const;

 private:
  WheelReader(std::shared_ptr<const ZipSourceFile> file, std::vector<WheelMember> members)
      : file_(std::move(file)), members_(std::move(members)) {}
  std::shared_ptr<const ZipSourceFile> file_;
  std::vector<WheelMember> members_;
};

}  // namespace funcpack
