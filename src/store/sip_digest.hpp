#pragma once
// Digest authentication material of SIP credentials. Passwords are never stored: a credential
// keeps only its HA1 hashes (RFC 2617 / RFC 7616: H(username ":" realm ":" password)), for MD5
// and SHA-256, computed once under the one realm every switchboard challenge uses.

#include "core/crypto.hpp"

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace sb::store {

// The realm of every digest challenge switchboard sends for SIP domains (INVITE and REGISTER).
// Stored HA1s depend on it: changing it invalidates every stored credential (docs/sip-domains.md).
inline constexpr std::string_view kSipDigestRealm = "switchboard";

// Lowercase hex HA1s of `username` and `password` under kSipDigestRealm.
inline std::string sip_ha1_md5(std::string_view username, std::string_view password) {
  return crypto::md5_hex(fmt::format("{}:{}:{}", username, kSipDigestRealm, password));
}
inline std::string sip_ha1_sha256(std::string_view username, std::string_view password) {
  return crypto::sha256_hex(fmt::format("{}:{}:{}", username, kSipDigestRealm, password));
}

}  // namespace sb::store
