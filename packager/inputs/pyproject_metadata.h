// pyproject_metadata.h: a project's static metadata from the [project] table of its
// pyproject.toml, so a local-directory or VCS requirement can be locked without building it.
//
// Owns: deciding whether the fields the resolver needs (version, requires-python,
// dependencies, optional-dependencies) are static, validating them, and turning them into the
// core metadata a wheel built from the project would carry. Implements the "pyproject.toml
// specification" of packaging.python.org (PEP 621, with PEP 639's license keys and PEP 794's
// import-names), its [project] table; PEP 685 for extra names. Pure: reads one file, no
// network, no build. When the answer is NotStatic the caller asks the build backend instead
// (PEP 517 prepare_metadata_for_build_wheel); the backend is then the authority.
// Conformance: tests/pyproject/ compares thousands of generated files with Debian's
// python3-pyproject-metadata 0.6.1 (StandardMetadata.from_pyproject(...).as_rfc822()).
//
// Decisions, in this order:
// 1. Invalid TOML, or an error below in a field the resolver reads: an Error, even when
//    another field is dynamic (a backend must reject such a file too).
// 2. No [project] table: NotStatic kNoProjectTable (the spec: the backend provides every key).
// 3. The first entry of `project.dynamic` (in array order) that is `version`,
//    `requires-python`, `dependencies` or `optional-dependencies`, or that is not a key of the
//    spec at all (a typo such as "Dependencies", or a key newer than this reader): NotStatic
//    with that entry's reason and location. Entries naming other spec keys (readme, scripts,
//    ...) do not matter to a resolver and are allowed.
// 4. A key of [project] that the spec does not define (first in file order): NotStatic
//    kUnknownProjectKey. The spec's list of keys is closed, but backends differ (setuptools
//    and flit reject unknown keys, others may not), and a typo ("dependency") would otherwise
//    silently lock a project without its dependencies.
// 5. Otherwise StaticMetadata.
//
// Errors (Location: the file as named by the caller, the 1-based line and column that toml11
// reports for the offending value; for a string whose text is its value, i.e. a one-line
// string without escapes, the column of the offending character inside it as the sub-parser
// reports it, with its end column; otherwise the column of the string's opening quote; the
// [project] table's location for a missing key; a key's own place when it is written on its
// value's line, as config.h's locate_toml_key finds it), in this order:
//   invalid TOML: invalid UTF-8 | invalid TOML: REASON          (toml_document.h)
//   'project' must be a table
//   'project.dynamic' must be an array of strings
//   'project.name' cannot be dynamic                            (at the dynamic entry)
//   'project.KEY' is both set and listed in 'project.dynamic'   (at the dynamic entry; any
//                                                                key, as the spec says)
//   'project.name' is missing (the pyproject.toml specification requires it)
//   'project.name' must be a string | invalid project name 'NAME'
//   'project.version' is missing and not listed in 'project.dynamic'
//   'project.version' must be a string | 'project.version': <Version::parse's message>
//   'project.requires-python' must be a string
//   'project.requires-python': <SpecifierSet::parse's message>
//   'project.dependencies' must be an array of strings
//   'project.dependencies' entry 'TEXT': <Requirement::parse's message>
//   'project.optional-dependencies' must be a table of arrays of strings
//   'project.optional-dependencies' key 'KEY': invalid extra name
//   'project.optional-dependencies' keys 'A' and 'B' both normalise to 'N'   (at B)
//   'project.optional-dependencies.KEY' must be an array of strings
//   'project.optional-dependencies.KEY' entry 'TEXT': <Requirement::parse's message>
//   'project.optional-dependencies.KEY' entry 'TEXT': cannot add the extra marker: <message>
// Text echoed from the file between quotes has control characters written as \n, \t, \xHH.
// Fields a resolver does not read (description, readme, authors, license, urls, scripts,
// ...) are not validated at all; only their presence matters for the dynamic check.
//
// Traps:
// - A missing `dependencies` or `optional-dependencies` that is not dynamic means none: the
//   spec forbids a backend to fill in a key the user did not list in `dynamic`. A missing
//   `version` that is not dynamic is an error (Version is required core metadata).
// - `name` may never be dynamic, and no key may be both set and dynamic. (PEP 808, a draft,
//   would allow a static part of a dynamic array or table; if it is accepted, such a
//   `dependencies` becomes NotStatic rather than an error.)
// - Extra names (the keys of optional-dependencies) must be valid names (PEP 508 identifiers)
//   and are normalised as project names are (PEP 685: "Test_Extra" -> "test-extra"); two keys
//   that normalise to the same name are an error, as PEP 685 requires of metadata generators.
//   An extra with an empty array is still provided.
// - A requirement of extra X gets the marker `extra == "X"` (normalised X), and-ed with its
//   own marker as `(existing) and extra == "X"`: without the parentheses a marker with `or`
//   changes meaning (`a or b and extra == "X"` is `a or (b and extra == "X")`). Marker::str()
//   drops the parentheses when the existing marker is a single comparison, as packaging does.
// - The extra marker is added by re-parsing marker text, so a marker nested exactly 200 levels
//   deep (Marker's limit) cannot take it: that requirement is an error, not a silent drop.
// - A TOML document is UTF-8; toml_document.h checks it before toml11 parses the text
//   (toml11 3.7.1 reads out of bounds on invalid UTF-8 in a literal string, toml11#199).
// - toml11 tables are unordered: extras are kept in the order their arrays appear in the file
//   (line, then column), which is the order a Python TOML reader keeps.
//
// Differences of form from pyproject-metadata 0.6.1 (normalised by the conformance test):
// Name as written (it writes the normalised name), Provides-Extra and `extra == "..."`
// normalised (it writes the key as given), Metadata-Version 2.3 (it writes 2.1 or 2.2), only
// the fields above (no Summary, Dynamic, ...).
// Deliberate differences (tests/pyproject/conformance.py recognises and counts each):
// 1. The name and the extra names must be PEP 508 identifiers ("foo-", "a b" are errors);
//    0.6.1 accepts any string.
// 2. Two extras that normalise to one name are an error (PEP 685); 0.6.1 writes both.
// 3. An extra with an empty array is still a Provides-Extra; 0.6.1 leaves it out, so
//    `pip install proj[that-extra]` would warn that the extra does not exist.
// 4. The extra clause is and-ed with the existing marker in parentheses (see Traps); 0.6.1
//    appends ` and extra == "x"` to the marker text, which changes the meaning of a marker
//    whose top level is an `or`.
// 5. Fields a resolver does not read are not validated (0.6.1 rejects a readme or license
//    file that is missing, PEP 639's `license = "MIT"`, a non-string description, ...).
// 6. Unknown [project] keys and unknown `dynamic` entries give NotStatic; 0.6.1 ignores them.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/error.h"
#include "spec/requirement.h"
#include "spec/specifier.h"
#include "spec/version.h"

namespace funcpack {

struct StaticExtra {
  std::string name;                       // normalised (PEP 685): "test-extra"
  std::string key;                        // the table key as written: "Test_Extra"
  std::vector<Requirement> requirements;  // as written, WITHOUT the `extra == ...` marker
};

struct StaticMetadata {
  std::string name;             // project.name as written ("Foo.Bar")
  std::string normalized_name;  // PEP 503 ("foo-bar")
  Version version;
  std::optional<SpecifierSet> requires_python;  // absent when the key is absent
  std::string requires_python_text;             // the string as written; empty when absent
  std::vector<Requirement> dependencies;        // project.dependencies, in file order
  std::vector<StaticExtra> extras;              // in file order (see Traps)
  // The core metadata a wheel of this project would carry, restricted to what a resolver
  // reads, "\n"-terminated lines:
  //   Metadata-Version: 2.3      (2.3: Provides-Extra names are normalised, PEP 685)
  //   Name: <name as written>
  //   Version: <Version::str()>
  //   Requires-Python: <SpecifierSet::str()>        (when present and not empty)
  //   Requires-Dist: <Requirement::str()>           (each dependency)
  //   Provides-Extra: <name>                        (each extra, followed by)
  //   Requires-Dist: <requirement with (marker) and extra == "name">
  // CoreMetadata::parse accepts it and yields these requirements. It is NOT a complete
  // METADATA or PKG-INFO (no Summary, Dynamic, ...): never write it into a distribution.
  std::string core_metadata;
};

struct NotStatic {
  enum class Reason {
    kNoProjectTable,               // "no [project] table"
    kVersionDynamic,               // "version is dynamic"
    kRequiresPythonDynamic,        // "requires-python is dynamic"
    kDependenciesDynamic,          // "dependencies are dynamic"
    kOptionalDependenciesDynamic,  // "optional-dependencies are dynamic"
    kUnknownDynamicEntry,          // "'project.dynamic' lists 'X', which is not a [project] key"
    kUnknownProjectKey,            // "unknown key 'project.X'"
  };
  Reason reason;
  std::string message;  // the text shown above, for a user
  Location location;    // the dynamic entry, or the unknown key (its value's place when the
                        // key is not on that line); the file alone for kNoProjectTable
};

using PyprojectMetadata = std::variant<StaticMetadata, NotStatic>;

// Reads `text` as the pyproject.toml named `path` (used only in locations). Returns
// StaticMetadata or NotStatic as decided above, or the first Error listed above.
Result<PyprojectMetadata> parse_pyproject_metadata(std::string_view text, std::string_view path);

// Reads the file and parses it as above (locations name `pyproject_toml` as given). Returns
// the same, or read_file's Error "cannot read PATH: reason".
Result<PyprojectMetadata> read_pyproject_metadata(const std::filesystem::path& pyproject_toml);

// A stable identifier for logs and tests: "no-project-table", "version-dynamic",
// "requires-python-dynamic", "dependencies-dynamic", "optional-dependencies-dynamic",
// "unknown-dynamic-entry", "unknown-project-key". Never fails.
std::string_view reason_id(NotStatic::Reason reason);

}  // namespace funcpack
