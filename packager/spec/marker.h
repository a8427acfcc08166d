// marker.h: PEP 508 environment markers: parse, normalise, evaluate for a deployment target.
//
// Grammar and evaluation follow pypa/packaging's Marker (the conformance oracle):
// - variables: python_version, python_full_version, os_name, sys_platform, platform_release,
//   platform_system, platform_version, platform_machine, platform_python_implementation,
//   implementation_name, implementation_version, extra (and the deprecated dotted aliases
//   os.name, sys.platform, platform.version, platform.machine,
//   platform.python_implementation, python_implementation, which normalise to the above);
// - `and` binds tighter than `or`; parentheses; quoted strings with ' or ";
// - comparisons: when the operator is a PEP 440 operator and the right side parses as a
//   specifier, compare as versions (pre-releases allowed); otherwise as Python strings
//   (<, <=, ==, !=, >=, >, in, not in); ~= or === on non-versions is an evaluation error
//   (treated as false and reported by `evaluate_checked`).
// - `extra` values are compared after PEP 503 normalisation of both sides.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace funcpack {

// Marker variable name -> value. `extra` is supplied per evaluation, not stored here.
using MarkerEnvironment = std::map<std::string, std::string, std::less<>>;

// The environment of the deployment target: CPython on Linux. `python_full_version` is X.Y.Z
// (the runtime image's patch level); `machine` is "x86_64" or "aarch64".
MarkerEnvironment linux_target_environment(std::string_view python_full_version,
                                           std::string_view machine = "x86_64");

class Marker {
 public:
  struct Node;  // expression tree, defined in marker.cc

  // Returns the parsed marker or an Error whose column is 1-based within `text`.
  static Result<Marker> parse(std::string_view text);

  // Evaluates for `env` with `extra` as the value of the `extra` variable ("" when none).
  // Comparisons that cannot be evaluated count as false.
  bool evaluate(const MarkerEnvironment& env, std::string_view extra = "") const;
  // As evaluate, but an undefined comparison (for example `os_name ~= "x"`) or an unknown
  // variable is an Error.
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
