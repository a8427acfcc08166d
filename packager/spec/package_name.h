// package_name.h: project names (PEP 503 normalisation, PEP 508 / core-metadata validity).
//
// normalize_name: lowercase, and every run of '-', '_' or '.' becomes one '-'
// ("Foo.Bar__baz" -> "foo-bar-baz"), as packaging.utils.canonicalize_name (checked by
// tests/pep440/). It does not validate. Lowercasing is ASCII-only: packaging lowercases
// non-ASCII letters too, but such names are invalid anyway.
// is_valid_name: PEP 508 `identifier`: ASCII letters/digits, with '-', '_', '.' allowed only
// between them: ^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$ (case-insensitive).
// Both return their answer directly; neither can fail.
#pragma once

#include <string>
#include <string_view>

namespace funcpack {

std::string normalize_name(std::string_view name);
bool is_valid_name(std::string_view name);

}  // namespace funcpack
