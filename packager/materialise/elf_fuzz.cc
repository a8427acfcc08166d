// libFuzzer entry point: read_elf must never crash on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "materialise/elf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = funcpack::read_elf(std::string_view(reinterpret_cast<const char*>(data), size));
  (void)r;
  return 0;
}
