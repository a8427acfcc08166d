// wheel_metadata.h: the core metadata (`*.dist-info/METADATA`) read out of a wheel's bytes,
// for indexes that do not serve PEP 658 metadata files.
//
// Owns a minimal, read-only ZIP reader (APPNOTE.TXT: end of central directory, Zip64 end
// records, central directory, local headers; methods stored and deflate through zlib), enough
// to pull one member out of a wheel without a general archive library in the io band.
//
// Traps: offsets in the local header may disagree with the central directory (the central
// directory is authoritative for sizes; the local header only for the name/extra lengths);
// Zip64 fields replace 0xFFFFFFFF values in the order uncompressed, compressed, offset; a
// member's CRC-32 is checked; a wheel may contain more than one .dist-info directory only if
// it is broken, so the one named after the project wins and otherwise it is an error.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace funcpack {

// Names of all members of the zip archive `zip`, in central-directory order, or an Error
// "not a zip archive (REASON)".
Result<std::vector<std::string>> zip_member_names(std::string_view zip);

// The inflated bytes of member `name` (at most `max_size` bytes), or an Error naming the
// member and the reason (missing, unsupported method, corrupt, CRC mismatch, too large).
Result<std::string> zip_read_member(std::string_view zip, std::string_view name,
                                    size_t max_size = 64u << 20);

// The METADATA text of the wheel `zip` of project `normalized_name` (PEP 503 normalised).
// Errors: "no .dist-info/METADATA in the wheel", zip errors.
Result<std::string> wheel_metadata(std::string_view zip, std::string_view normalized_name);

}  // namespace funcpack
