// metadata.h: core metadata (the METADATA file of a wheel's .dist-info, PKG-INFO of an sdist,
// the PEP 658 `<file>.metadata` of an index), Metadata-Version 1.0 to 2.4.
//
// Owns: reading the header block into fields and validating the ones the resolver needs:
// Name (PEP 508 identifier), Version (PEP 440), Requires-Dist (PEP 508, each one a
// Requirement), Requires-Python (a SpecifierSet), Provides-Extra, Summary, Dynamic. Every other
// field is kept verbatim (in file order) for callers that want it.
//
// Format (the core metadata spec: "RFC 822 email headers" as Python's email.parser reads them
// with the compat32 policy, made strict):
// - `Field-Name: value` lines; field names are case-insensitive and consist of printable
//   ASCII other than ':' ; one optional space/tab after ':' is not part of the value.
// - A line starting with a space or tab continues the previous field (folding). Values are
//   unfolded for structured fields (the line break is removed, the whitespace kept, as RFC 822
//   says) and kept with '\n' for free text (Description, License).
// - The first empty line ends the headers; the rest is the body (the description since 2.1).
// - CRLF line endings are accepted; the encoding is UTF-8 and passed through untouched.
// Traps:
// - Metadata-Version 2.0 was never a standard but old bdist_wheel wrote it; it is accepted.
//   A 2.x newer than 2.4 is accepted (the spec says readers should, for minor bumps); 3.x and
//   anything else is an error.
// - Dynamic (2.2+) may not name Name, Version or Metadata-Version.
// - Requires-Dist markers usually carry `extra == "..."`; the Requirement keeps them, the
//   caller evaluates them per requested extra.
//
// Errors (Result's Error; location has `path` as given, the 1-based line and column of the
// offending text; for a value checked by another parser, that parser's column mapped into the
// file, across folded lines too):
//   malformed header line (expected 'Field: value')
//   continuation line before any field
//   invalid field name 'NAME'
//   missing required field 'Metadata-Version' | 'Name' | 'Version'   (line 0: whole file)
//   duplicate field 'Name' (first at line N)    (Metadata-Version, Name, Version, Summary,
//                                                Requires-Python)
//   field 'Metadata-Version': unsupported version 'V' (expected 1.0, 1.1, 1.2 or 2.x)
//   field 'Name': invalid project name 'V'
//   field 'Version': <version parser's message>
//   field 'Requires-Dist': <PEP 508 parser's message>
//   field 'Requires-Python': <specifier parser's message>
//   field 'Provides-Extra': invalid extra name 'V'
//   field 'Dynamic': 'V' cannot be dynamic | invalid field name 'V'

#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "spec/requirement.h"
#include "spec/specifier.h"
#include "spec/version.h"

namespace funcpack {

struct MetadataField {
  std::string name;   // as written ("Requires-Dist")
  std::string value;  // unfolded, or with '\n' for free-text fields
  int line = 0;       // 1-based line of the field name
};

struct CoreMetadata {
  std::string metadata_version;  // as written, "2.1"
  std::string name;              // as written
  Version version;
  std::string summary;                        // empty when absent
  std::optional<SpecifierSet> requires_python;  // absent when the field is absent
  std::string requires_python_text;           // as written (trimmed), empty when absent
  std::vector<Requirement> requires_dist;     // in file order
  std::vector<std::string> provides_extra;    // as written, in file order
  std::vector<std::string> dynamic;           // as written, in file order
  std::vector<MetadataField> fields;          // every header, in file order
  std::string body;                           // text after the first empty line

  // Returns the parsed metadata, or the first problem as an Error (see above). `path` is used
  // only for error locations.
  static Result<CoreMetadata> parse(std::string_view text, std::string_view path = "");

  // Every value of `field` (case-insensitive), in file order.
  std::vector<std::string> get_all(std::string_view field) const;
  // The description: the body, or the Description field when there is no body.
  std::string description() const;
};

}  // namespace funcpack
