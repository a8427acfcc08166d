// tags_dump: prints the compatible tag list funcpack computes for a CPython-on-Linux target,
// one tag per line, most preferred first. Used by tags_conformance.py to compare against
// pypa/packaging.
//   tags_dump PYTHON_MAJOR PYTHON_MINOR ARCH GLIBC_MAJOR GLIBC_MINOR [--linux]
//   tags_dump --platforms ARCH GLIBC_MAJOR GLIBC_MINOR [--linux]
#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>

#include "spec/tags.h"

namespace {

bool to_int(std::string_view s, int& out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

int usage() {
  std::fputs(
      "usage: tags_dump PYTHON_MAJOR PYTHON_MINOR ARCH GLIBC_MAJOR GLIBC_MINOR [--linux]\n"
      "       tags_dump --platforms ARCH GLIBC_MAJOR GLIBC_MINOR [--linux]\n",
      stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 5 && std::string_view(argv[1]) == "--platforms") {
    int gmaj = 0, gmin = 0;
    if (!to_int(argv[3], gmaj) || !to_int(argv[4], gmin)) return usage();
    bool linux_tag = argc == 6 && std::string_view(argv[5]) == "--linux";
    for (const std::string& p : funcpack::linux_platform_tags(argv[2], gmaj, gmin, linux_tag))
      std::printf("%s\n", p.c_str());
    return 0;
  }
  if (argc != 6 && argc != 7) return usage();
  int pmaj = 0, pmin = 0, gmaj = 0, gmin = 0;
  if (!to_int(argv[1], pmaj) || !to_int(argv[2], pmin) || !to_int(argv[4], gmaj) ||
      !to_int(argv[5], gmin))
    return usage();
  bool linux_tag = argc == 7 && std::string_view(argv[6]) == "--linux";
  auto platforms = funcpack::linux_platform_tags(argv[3], gmaj, gmin, linux_tag);
  for (const funcpack::Tag& t : funcpack::cpython_compatible_tags(pmaj, pmin, platforms))
    std::printf("%s\n", t.str().c_str());
  return 0;
}
