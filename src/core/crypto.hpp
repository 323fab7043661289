#pragma once
// Small cryptographic helpers over OpenSSL: CSPRNG, hashes, HMAC, Base64, constant-time compare.
// Thread-safe; used by every layer that needs a token, a SID or a signature.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sb::crypto {

// `byte_count` random bytes from OpenSSL's CSPRNG, as lowercase hex (2 * byte_count characters).
std::string random_hex(std::size_t byte_count);

// Lowercase hex of the SHA-256 / MD5 digest of `data` (the algorithms are fetched once).
std::string sha256_hex(std::string_view data);
std::string md5_hex(std::string_view data);

// Raw HMAC-SHA1 of `data` under `key` (Twilio's webhook signature, before Base64).
std::string hmac_sha1(std::string_view key, std::string_view data);

// HMAC-SHA-256 under one key, for signing many short messages (digest nonces): the keyed inner
// and outer hash states are computed once, so a signature costs two SHA-256 finals and no
// OpenSSL algorithm lookup. Not thread-safe: one instance per thread.
class HmacSha256 {
 public:
  explicit HmacSha256(std::string_view key);
  ~HmacSha256();
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;
  // The 32-byte MAC of `data`, into `out`.
  void sign(std::string_view data, unsigned char (&out)[32]);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

std::string base64_encode(std::string_view data);
// nullopt when `text` is not valid Base64.
std::optional<std::string> base64_decode(std::string_view text);

// Compares in time independent of where the inputs differ (secrets, signatures).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace sb::crypto
