// libFuzzer entry point: no byte sequence may crash or hang the simple-index parsers, the
// URL resolver or the zip reader. The first byte picks the parser so one corpus covers all.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/simple_index.h"
#include "io/url.h"
#include "io/wheel_metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      (void)funcpack::parse_html_page(in, "https://idx.example/simple/foo/", "foo");
      break;
    case 1:
      (void)funcpack::parse_json_page(in, "https://idx.example/simple/foo/", "foo");
      break;
    case 2: {
      size_t cut = in.find('\n');
      std::string_view base = in.substr(0, cut);
      std::string_view ref = cut == std::string_view::npos ? std::string_view{} : in.substr(cut + 1);
      (void)funcpack::resolve_url(base, ref);
      (void)funcpack::redact_url(in);
      (void)funcpack::html_unescape(in);
      break;
    }
    default:
      (void)funcpack::wheel_metadata(in, "foo");
      break;
  }
  return 0;
}
