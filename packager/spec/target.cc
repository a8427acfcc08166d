#include "spec/target.h"

namespace funcpack {

std::string Target::python_version() const {
  return std::to_string(python_major) + "." + std::to_string(python_minor);
}

Version Target::python_full() const {
  // The runtime profile data is validated when it is loaded; should an unparsable patch level
  // slip through, X.Y is still the right answer for every comparison a marker makes.
  if (auto v = Version::parse(python_full_version)) return std::move(*v);
  return Version::from_release({static_cast<uint64_t>(python_major),
                                static_cast<uint64_t>(python_minor)});
}

MarkerEnvironment Target::marker_environment() const {
  return linux_target_environment(python_full_version, machine);
}

std::vector<Tag> Target::compatible_tags() const {
  return cpython_compatible_tags(
      python_major, python_minor,
      linux_platform_tags(machine, glibc_major, glibc_minor, allow_linux_tag));
}

}  // namespace funcpack
