// libFuzzer entry point: read_pylock must never crash on arbitrary bytes, and what it reads
// back must write out again (write_pylock) and read back to the same packages.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "resolve/lock.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto res = funcpack::read_pylock(text, "/srv/app/pylock.toml");
  if (!res) return 0;
  auto written = funcpack::write_pylock(*res, "/srv/app");
  if (!written) return 0;  // e.g. a package whose hashes table was empty is refused on write
  auto again = funcpack::read_pylock(*written, "/srv/app/pylock.toml");
  if (!again || again->packages.size() != res->packages.size()) std::abort();
  for (size_t i = 0; i < res->packages.size(); ++i) {
    if (again->packages[i].name != res->packages[i].name ||
        !(again->packages[i].version == res->packages[i].version) ||
        again->packages[i].origin != res->packages[i].origin)
      std::abort();
  }
  return 0;
}
