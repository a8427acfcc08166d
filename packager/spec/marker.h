// marker.h: PEP 508 environment markers: parse, normalise, evaluate for a deployment target.
//
// Owns: the marker expression tree, its text form and its evaluation. Implements the
// "Environment Markers" section of PEP 508 as pypa/packaging 23.0's Marker does (the
// conformance oracle, tests/pep508/conformance.py):
// - variables: python_version, python_full_version, os_name, sys_platform, platform_release,
//   platform_system, platform_version, platform_machine, platform_python_implementation,
//   implementation_name, implementation_version, extra (and the deprecated dotted aliases
//   os.name, sys.platform, platform.version, platform.machine,
//   platform.python_implementation, python_implementation, which normalise to the above);
//   names are case-sensitive;
// - `and` binds tighter than `or`; parentheses; quoted strings with ' or " (no escapes);
// - comparisons: when `op + value` is a valid packaging Specifier (`python_version >= "3.8"`,
//   but also `os_name == "1"`), the environment side is parsed as a PEP 440 version and
//   compared with pre-releases allowed; a side that is not a version is an evaluation error.
//   Otherwise the comparison is on Python strings (<, <=, ==, !=, >=, >, in, not in: code
//   point order, substring); ~= or === on non-versions is an evaluation error.
// - `extra` values are compared after PEP 503 normalisation of both sides.
//
// Traps (reproduced because packaging does them):
// - str() normalises the `extra` literal ("Foo_Bar" -> "foo-bar") only in the FIRST
//   comparison of the expression; later ones keep their spelling (evaluation normalises
//   every one). A variable compared with `extra` there becomes a literal:
//   `python_version == extra` prints `"python-version" == extra`.
// - Every comparison is evaluated (no short-circuit), so an error anywhere is an error even
//   when `or` already made the result true.
// - `platform_release` on Linux ("5.15.0-1073-azure") is not a PEP 440 version:
//   `platform_release >= "5"` is an evaluation error, as on the real host.
//
// Deliberate differences from packaging 23.0 (documented and skipped in the conformance test):
// 1. Standalone markers must end after the expression: `os_name == "a" junk` is an error
//    "Expected end of marker expression" (packaging 23.0 silently ignores the rest; later
//    packaging versions reject it the same way).
// 2. Quoted strings are taken literally: a backslash is a parse error (PEP 508's grammar has
//    no escapes; packaging runs Python's literal_eval, so "\x41" would mean "A"). A raw line
//    break or NUL inside quotes is a parse error (packaging raises a Python SyntaxError).
// 3. str() quotes a value containing '"' with single quotes, so str() always re-parses
//    (packaging prints `"a"b"`, which it cannot read back).
// 4. str() keeps the parentheses of a doubly parenthesised group that is not the whole
//    expression: `a and ((b or c))` prints `a and (b or c)` (packaging prints
//    `a and b or c`, which means something else).
// 5. A comparison of two variables or two literals is an evaluation error (packaging looks
//    the right-hand literal up as a variable name, or compares with the variable's name).
// 6. `extra` normalisation lowercases ASCII only (packaging uses Unicode lower()).
// 7. str() is a fixed point (str(parse(str(m))) == str(m)): the `extra` literal of the
//    comparison that str() prints first is normalised even inside redundant parentheses,
//    `(extra == "A_b") and x` prints `extra == "a-b" and x` (packaging prints
//    `extra == "A_b" and x`, which it reads back as `extra == "a-b" and x`).
// 8. More than 200 nested parentheses is a parse error "Too deeply nested parentheses (more
//    than 200)" at the 201st '(' (packaging recurses until Python's recursion limit, near
//    450 levels); parsing, evaluation and str() recurse once per level.
//
// Target environment (linux_target_environment) for the Azure Functions Linux runtime:
// os_name "posix", sys_platform "linux", platform_system "Linux", platform_machine = machine,
// platform_python_implementation "CPython", implementation_name "cpython",
// python_version "X.Y", python_full_version and implementation_version "X.Y.Z".
// platform_release and platform_version describe the host kernel, which the app does not
// choose: the Functions Linux workers run on Azure's Ubuntu "-azure" kernels, so we use a
// representative 5.15 Azure kernel: platform_release "5.15.0-1073-azure", platform_version
// "#82-Ubuntu SMP Mon Aug 26 2024" (the `uname -v` shape). Markers on these are rare; a lint
// may warn about them rather than trust the exact value.
#pragma once

#include <expected>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace funcpack {

namespace pep508 {
class Tokenizer;
struct SyntaxError;
}  // namespace pep508

// Marker variable name -> value. `extra` is supplied per evaluation, not stored here.
using MarkerEnvironment = std::map<std::string, std::string, std::less<>>;

// The environment of the deployment target: CPython on Linux (values above).
// `python_full_version` is X.Y.Z (the runtime image's patch level); `machine` is "x86_64" or
// "aarch64". Never fails; python_version is the text up to the second dot.
MarkerEnvironment linux_target_environment(std::string_view python_full_version,
                                           std::string_view machine = "x86_64");

class Marker {
 public:
  struct Node;  // expression tree, defined in marker.cc

  // Returns the parsed marker, or an Error with packaging's message and a location whose
  // `column` (1-based within `text`) is the start of the offending construct and
  // `end_column` (exclusive) ends just after the character where parsing stopped; for a
  // single-character problem `end_column` is 0.
  static Result<Marker> parse(std::string_view text);
  // Internal (used by Requirement): parses a marker expression at the tokenizer's position,
  // consuming trailing whitespace, and applies packaging's first-comparison extra
  // normalisation.
  static std::expected<Marker, pep508::SyntaxError> parse_tokens(pep508::Tokenizer& tokens);

  // Evaluates for `env` with `extra` as the value of the `extra` variable ("" when none).
  // Comparisons that cannot be evaluated make the whole marker false.
  bool evaluate(const MarkerEnvironment& env, std::string_view extra = "") const;
  // As evaluate, but an undefined comparison (`os_name ~= "x"`), a non-version side of a
  // version comparison, a variable missing from `env`, or a variable-variable /
  // literal-literal comparison is an Error (no location).
  Result<bool> evaluate_checked(const MarkerEnvironment& env, std::string_view extra = "") const;

  // Normalised text as packaging's str(Marker): `python_version >= "3.8" and extra == "x"`.
  std::string str() const;

  Marker(const Marker&);
  Marker& operator=(const Marker&);
  Marker(Marker&&) noexcept;
  Marker& operator=(Marker&&) noexcept;
  ~Marker();

 private:
  Marker() = default;
  std::unique_ptr<Node> root_;
};

}  // namespace funcpack
