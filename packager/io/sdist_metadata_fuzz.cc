// libFuzzer entry point: no byte sequence may crash, hang or over-allocate the sdist readers
// (gzip + tar headers, zip) or the PEP 643 check. The first byte picks the reader.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/sdist_metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:  // a small inflate limit keeps gzip bombs fast
      (void)funcpack::sdist_pkg_info(in, "foo-1.0.tar.gz", uint64_t{8} << 20);
      break;
    case 1:
      (void)funcpack::sdist_metadata(in, "foo-1.0.zip");
      break;
    default:
      (void)funcpack::sdist_static_metadata(in);
      break;
  }
  return 0;
}
