// runtime_profile.h: facts about the Azure Functions Python runtime, read from
// rules/runtime.toml (embedded; see rules_data.h): per Python version the runtime image's
// patch level, glibc ceiling, support status and end-of-support date, the worker's own
// packages; per hosting plan the Python versions offered and instance memory sizes.
//
// These facts change over time, so they are data. This module only loads and looks them up;
// judging them (lint rules) and using them (lock's target) happens in higher layers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "spec/target.h"

namespace funcpack {

struct WorkerPackage {
  std::string name;     // normalised
  std::string version;  // specifier-style pin of the worker's copy ("4.25.*"), "" if unknown
};

struct PythonRuntime {
  std::string version;       // "3.11"
  std::string full_version;  // "3.11.14"
  int glibc_major = 2;
  int glibc_minor = 31;
  std::string base_image;
  std::string status;          // "ga" or "preview"
  std::string end_of_support;  // "YYYY-MM-DD", "" when pending
  bool isolates_worker_dependencies = false;
  std::vector<WorkerPackage> worker_packages;
};

struct HostingPlan {
  std::string id;  // "consumption", "flex", "premium", "dedicated"
  std::string title;
  std::vector<std::string> python_ga;
  std::vector<std::string> python_preview;
  std::vector<std::string> no_remote_build;
  std::vector<int> instance_memory_mb;  // the first is the default
};

struct RuntimeProfile {
  std::string default_python;
  std::string default_plan;
  std::vector<PythonRuntime> pythons;  // in file order (ascending versions)
  std::vector<HostingPlan> plans;

  const PythonRuntime* python(std::string_view version) const;  // nullptr if unknown
  const HostingPlan* plan(std::string_view id) const;           // nullptr if unknown
  std::string python_versions() const;  // "3.10, 3.11, 3.12, 3.13, 3.14"

  // Loads rules/runtime.toml. Errors: unreadable or malformed data (names the key).
  static Result<RuntimeProfile> load();
  static Result<RuntimeProfile> parse(std::string_view toml_text, std::string_view path);
};

// The deployment target for Python `python` ("3.11"; empty = the profile's default), with the
// glibc ceiling overridden by `glibc` ("2.28") and the patch level by `full_version` when
// given. Errors: "unsupported Python version '3.9' (funcpack targets 3.10, 3.11, …)",
// "invalid glibc version 'x' (expected MAJOR.MINOR, e.g. 2.28)".
Result<Target> make_target(const RuntimeProfile& profile, std::string_view python,
                           std::optional<std::string_view> glibc = std::nullopt,
                           std::optional<std::string_view> full_version = std::nullopt);

}  // namespace funcpack
