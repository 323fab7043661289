#pragma once
// Small cryptographic helpers over OpenSSL: CSPRNG, hashes, HMAC, Base64, constant-time compare.
// Thread-safe; used by every layer that needs a token, a SID or a signature.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sb::crypto {

// `byte_count` random bytes from OpenSSL's CSPRNG, as lowercase hex (2 * byte_count characters).
std::string random_hex(std::size_t byte_count);

// Lowercase hex of the SHA-256 / MD5 digest of `data`.
std::string sha256_hex(std::string_view data);
std::string md5_hex(std::string_view data);

// Raw HMAC-SHA1 of `data` under `key` (Twilio's webhook signature, before Base64).
std::string hmac_sha1(std::string_view key, std::string_view data);

std::string base64_encode(std::string_view data);
// nullopt when `text` is not valid Base64.
std::optional<std::string> base64_decode(std::string_view text);

// Compares in time independent of where the inputs differ (secrets, signatures).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace sb::crypto
