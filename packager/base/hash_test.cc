#include "base/hash.h"

#include <gtest/gtest.h>

namespace funcpack {
namespace {

TEST(Hash, Sha256KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Hash, StreamingEqualsOneShot) {
  Sha256 h;
  h.update("a");
  h.update("bc");
  EXPECT_EQ(h.finish_hex(), sha256_hex("abc"));
}

TEST(Hash, RecordDigestIsUrlsafeBase64WithoutPadding) {
  // python3 -c "import hashlib,base64;print(base64.urlsafe_b64encode(
  //   hashlib.sha256(b'abc').digest()).rstrip(b'=').decode())"
  EXPECT_EQ(sha256_record_digest("abc"), "sha256=ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
  const uint8_t one[] = {0xfb};
  const uint8_t two[] = {0xfb, 0xff};
  EXPECT_EQ(urlsafe_b64_nopad(one, 1), "-w");
  EXPECT_EQ(urlsafe_b64_nopad(two, 2), "-_8");
}

}  // namespace
}  // namespace funcpack
