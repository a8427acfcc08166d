// The zip reader behind the METADATA fallback: archives built here byte by byte (stored and
// deflated members, Zip64 extra fields), plus corrupt ones.
#include "io/wheel_metadata.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

namespace funcpack {
namespace {

void put16(std::string& s, uint32_t v) {
  s += static_cast<char>(v & 0xFF);
  s += static_cast<char>((v >> 8) & 0xFF);
}
void put32(std::string& s, uint32_t v) {
  put16(s, v & 0xFFFF);
  put16(s, v >> 16);
}
void put64(std::string& s, uint64_t v) {
  put32(s, static_cast<uint32_t>(v));
  put32(s, static_cast<uint32_t>(v >> 32));
}

std::string raw_deflate(const std::string& in) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

struct Member {
  std::string name;
  std::string data;
  bool deflate = true;
  bool zip64 = false;  // sizes and offset in a Zip64 extra field
};

// A zip archive as APPNOTE describes it; `crc_delta` corrupts the recorded CRC-32.
std::string make_zip(const std::vector<Member>& members, uint32_t crc_delta = 0) {
  std::string out, central;
  for (const Member& m : members) {
    std::string payload = m.deflate ? raw_deflate(m.data) : m.data;
    uint32_t crc = static_cast<uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(m.data.data()), static_cast<uInt>(m.data.size())));
    crc += crc_delta;
    uint64_t offset = out.size();
    put32(out, 0x04034b50);
    put16(out, 20);
    put16(out, 0);
    put16(out, m.deflate ? 8 : 0);
    put32(out, 0);  // time/date
    put32(out, crc);
    put32(out, static_cast<uint32_t>(payload.size()));
    put32(out, static_cast<uint32_t>(m.data.size()));
    put16(out, static_cast<uint32_t>(m.name.size()));
    put16(out, 0);
    out += m.name;
    out += payload;
    std::string extra;
    if (m.zip64) {
      put16(extra, 0x0001);
      put16(extra, 24);
      put64(extra, m.data.size());
      put64(extra, payload.size());
      put64(extra, offset);
    }
    put32(central, 0x02014b50);
    put16(central, 45);
    put16(central, 20);
    put16(central, 0);
    put16(central, m.deflate ? 8 : 0);
    put32(central, 0);
    put32(central, crc);
    put32(central, m.zip64 ? 0xFFFFFFFF : static_cast<uint32_t>(payload.size()));
    put32(central, m.zip64 ? 0xFFFFFFFF : static_cast<uint32_t>(m.data.size()));
    put16(central, static_cast<uint32_t>(m.name.size()));
    put16(central, static_cast<uint32_t>(extra.size()));
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put32(central, 0);
    put32(central, m.zip64 ? 0xFFFFFFFF : static_cast<uint32_t>(offset));
    central += m.name;
    central += extra;
  }
  uint64_t cd_offset = out.size();
  out += central;
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<uint32_t>(members.size()));
  put16(out, static_cast<uint32_t>(members.size()));
  put32(out, static_cast<uint32_t>(central.size()));
  put32(out, static_cast<uint32_t>(cd_offset));
  put16(out, 0);
  return out;
}

const std::string kMetadata = "Metadata-Version: 2.1\nName: Foo.Bar\nVersion: 1.0\n\nA description.\n";

TEST(WheelMetadata, ReadsDeflatedMetadataOfTheNamedDistInfo) {
  std::string zip = make_zip({{"foo_bar/__init__.py", "x = 1\n"},
                              {"foo_bar-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\n"},
                              {"foo_bar-1.0.dist-info/METADATA", kMetadata}});
  Result<std::string> md = wheel_metadata(zip, "foo-bar");
  ASSERT_TRUE(md) << md.error().message;
  EXPECT_EQ(*md, kMetadata);
  EXPECT_EQ(*zip_member_names(zip),
            (std::vector<std::string>{"foo_bar/__init__.py", "foo_bar-1.0.dist-info/WHEEL",
                                      "foo_bar-1.0.dist-info/METADATA"}));
}

TEST(WheelMetadata, StoredMembersAndZip64Fields) {
  std::string zip = make_zip({{"foo-1.0.dist-info/METADATA", kMetadata, false, true}});
  Result<std::string> md = wheel_metadata(zip, "foo");
  ASSERT_TRUE(md) << md.error().message;
  EXPECT_EQ(*md, kMetadata);
}

TEST(WheelMetadata, ChoosesTheDistInfoNamedAfterTheProject) {
  std::string zip = make_zip({{"other-2.0.dist-info/METADATA", "Name: other\n"},
                              {"foo-1.0.dist-info/METADATA", kMetadata}});
  EXPECT_EQ(*wheel_metadata(zip, "foo"), kMetadata);
  EXPECT_EQ(wheel_metadata(zip, "bar").error().message,
            "several .dist-info directories in the wheel, none named after bar");
}

TEST(WheelMetadata, ErrorsSayWhatIsWrong) {
  EXPECT_EQ(wheel_metadata("", "foo").error().message, "not a zip archive (too short)");
  EXPECT_EQ(wheel_metadata(std::string(100, 'x'), "foo").error().message,
            "not a zip archive (no end of central directory record)");
  EXPECT_EQ(wheel_metadata(make_zip({{"foo/__init__.py", ""}}), "foo").error().message,
            "no .dist-info/METADATA in the wheel");
  EXPECT_EQ(wheel_metadata(make_zip({{"foo-1.0.dist-info/METADATA", kMetadata}}, 1), "foo")
                .error()
                .message,
            "zip member foo-1.0.dist-info/METADATA: CRC-32 mismatch");
  std::string zip = make_zip({{"foo-1.0.dist-info/METADATA", kMetadata}});
  zip[60] = static_cast<char>(zip[60] ^ 0x55);  // inside the deflate stream (data at 56)
  Result<std::string> md = wheel_metadata(zip, "foo");
  ASSERT_FALSE(md);
  EXPECT_TRUE(md.error().message == "zip member foo-1.0.dist-info/METADATA: corrupt deflate data" ||
              md.error().message == "zip member foo-1.0.dist-info/METADATA: CRC-32 mismatch")
      << md.error().message;
  EXPECT_EQ(zip_read_member(zip, "nope").error().message, "zip member nope: not in the archive");
  EXPECT_EQ(zip_read_member(make_zip({{"big", std::string(1000, 'a')}}), "big", 999).error().message,
            "zip member big: larger than 999 bytes");
}

}  // namespace
}  // namespace funcpack
