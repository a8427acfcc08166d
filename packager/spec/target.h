// target.h: the deployment target: the Azure Functions Python runtime (CPython X.Y on Linux
// <arch>, glibc capped at the runtime image's), as opposed to the host funcpack runs on.
//
// Everything that asks "will this run there?" takes a Target: marker evaluation, wheel tag
// selection, Requires-Python checks. Default values are filled from the runtime profile data
// in rules/ by the caller; this struct itself is plain data.
#pragma once

#include <string>
#include <vector>

#include "spec/marker.h"
#include "spec/tags.h"
#include "spec/version.h"

namespace funcpack {

struct Target {
  int python_major = 3;
  int python_minor = 11;
  std::string python_full_version = "3.11.0";  // X.Y.Z of the runtime image
  std::string machine = "x86_64";              // or "aarch64"
  int glibc_major = 2;                         // manylinux ceiling
  int glibc_minor = 31;
  bool allow_linux_tag = false;                // also accept linux_<arch> wheels

  std::string python_version() const;  // "3.11"
  Version python_full() const;         // parsed python_full_version
  MarkerEnvironment marker_environment() const;
  std::vector<Tag> compatible_tags() const;  // tags.h's order
};

}  // namespace funcpack
