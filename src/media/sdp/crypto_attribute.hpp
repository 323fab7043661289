#pragma once
// RFC 4568 SDES "a=crypto" attribute: tag, crypto suite, key parameters (inline key||salt with
// optional lifetime and MKI) and session parameters. Pure. The key material is secret: never log
// a CryptoAttribute or the text of an a=crypto line.

#include "core/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::media {

inline constexpr std::string_view kAesCm128HmacSha1_80 = "AES_CM_128_HMAC_SHA1_80";
inline constexpr std::string_view kAesCm128HmacSha1_32 = "AES_CM_128_HMAC_SHA1_32";

struct SrtpKeyParams {
  std::string key_salt;                   // base64, as on the wire (secret)
  std::optional<std::uint64_t> lifetime;  // packets; "2^31" and "2147483648" both parse
  std::optional<std::uint32_t> mki;       // MKI value ...
  std::uint8_t mki_length = 0;            // ... and its length in bytes (1-128 on the wire)

  bool operator==(const SrtpKeyParams&) const = default;
};

struct CryptoAttribute {
  std::uint32_t tag = 0;      // 1-9 digits, echoed in the answer
  std::string suite;          // e.g. AES_CM_128_HMAC_SHA1_80; unknown suites are kept
  std::vector<SrtpKeyParams> keys;  // "inline:" key params; at least one
  std::vector<std::string> session_params;  // e.g. "KDR=1", "UNENCRYPTED_SRTCP"

  bool operator==(const CryptoAttribute&) const = default;
};

// Parses the value after "a=crypto:". Errors: sdp_bad_crypto (tag not 1-9 digits, missing suite
// or key params, key method other than "inline", key not base64, bad lifetime or MKI).
Result<CryptoAttribute> parse_crypto_attribute(std::string_view value);

// The attribute value (without "a=crypto:").
std::string format_crypto_attribute(const CryptoAttribute& crypto);

}  // namespace sb::media
