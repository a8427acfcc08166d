// hash.h: SHA-256 (OpenSSL EVP), streaming and one-shot, as lowercase hex.
//
// Used for wheel RECORD checks (which use urlsafe base64 without padding, see
// `sha256_record_digest`), lock-file hashes (hex) and cache keys.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace funcpack {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  void update(const void* data, size_t size);
  std::array<uint8_t, 32> finish();  // call once
  std::string finish_hex();          // call once

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string sha256_hex(std::string_view data);
std::string to_hex(const uint8_t* data, size_t size);
// RECORD's form (PEP 376/427): "sha256=" + urlsafe base64 without '=' padding.
std::string sha256_record_digest(std::string_view data);
std::string urlsafe_b64_nopad(const uint8_t* data, size_t size);

}  // namespace funcpack
