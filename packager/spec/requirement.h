// requirement.h: PEP 508 dependency specifications, as pypa/packaging's Requirement parses
// them.
//
//   name [extras] (version-spec | @ url) [; marker]
// - name: PEP 508 identifier; extras: comma-separated identifiers in [ ]; version-spec with or
//   without parentheses; `name @ url ; marker` needs whitespace before ';' when a URL is used.
// - Errors carry the 1-based column (and end column) within the input and a message in the
//   spirit of packaging's ("Expected end or semicolon (after version specifier)").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "spec/marker.h"
#include "spec/specifier.h"

namespace funcpack {

struct Requirement {
  std::string name;                 // as written
  std::vector<std::string> extras;  // as written, in order, duplicates removed
  SpecifierSet specifier;
  std::string url;                  // direct reference (`name @ url`); empty if none
  std::optional<Marker> marker;

  static Result<Requirement> parse(std::string_view text);

  std::string normalized_name() const;
  // packaging's str(Requirement): name, sorted extras, specifier str(), " @ url", "; marker".
  std::string str() const;
};

}  // namespace funcpack
