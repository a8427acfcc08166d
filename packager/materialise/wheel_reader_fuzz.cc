// libFuzzer entry point: WheelReader must never crash on arbitrary bytes. The bytes are written
// to a memfd (the reader works on a file, as the installer does), every member is read to the
// end, and the sizes it reports must hold: a member read without error delivered exactly its
// declared size.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "materialise/wheel_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fd = memfd_create("wheel", 0);
  if (fd < 0) return 0;
  size_t done = 0;
  while (done < size) {
    ssize_t n = write(fd, data + done, size - done);
    if (n <= 0) break;
    done += size_t(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  auto reader = funcpack::WheelReader::open(path);
  if (reader) {
    for (const auto& m : reader->members()) {
      uint64_t got = 0;
      auto r = reader->read(m, [&](std::string_view chunk) -> funcpack::Result<void> {
        got += chunk.size();
        return {};
      });
      if (r && got != m.size) std::abort();
    }
  }
  close(fd);
  return 0;
}
