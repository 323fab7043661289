#pragma once
// SIP digest authentication (RFC 3261 22, RFC 2617, RFC 7616, RFC 8760): parsing challenges and
// credentials, computing responses with MD5 or SHA-256 and qop=auth. Pure functions and plain
// values; DigestServer (digest_server.hpp) keeps the server's nonce state.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sb::sip {

enum class DigestAlgorithm : std::uint8_t { Md5, Sha256 };

// "MD5" / "SHA-256"; nullopt for anything else (the -sess variants and SHA-512-256 included).
std::optional<DigestAlgorithm> digest_algorithm_from(std::string_view name) noexcept;
std::string_view digest_algorithm_name(DigestAlgorithm algorithm) noexcept;
// Lowercase hex digest of `data`.
std::string digest_hash(DigestAlgorithm algorithm, std::string_view data);

// A WWW-Authenticate / Proxy-Authenticate challenge (RFC 3261 25.1 "challenge").
struct DigestChallenge {
  std::string realm;
  std::string nonce;
  std::string opaque;
  bool has_opaque = false;
  DigestAlgorithm algorithm = DigestAlgorithm::Md5;
  bool has_qop_auth = false;  // qop options contain "auth"
  bool has_qop = false;       // a qop parameter is present at all
  bool is_stale = false;
};
// nullopt when it is not a Digest challenge, lacks realm or nonce, or names an algorithm we do
// not support.
std::optional<DigestChallenge> parse_digest_challenge(std::string_view header_value);

// Authorization / Proxy-Authorization credentials (RFC 3261 25.1 "credentials").
struct DigestCredentials {
  std::string username;
  std::string realm;
  std::string nonce;
  std::string uri;
  std::string response;
  std::string algorithm;  // as written; empty means MD5
  std::string cnonce;
  std::string opaque;
  std::string qop;
  std::string nc;  // 8 hex digits
};
std::optional<DigestCredentials> parse_digest_credentials(std::string_view header_value);

// RFC 2617 3.2.2.1 / RFC 7616 3.4.1: the request-digest. HA1 = H(username:realm:password),
// HA2 = H(method:uri); with qop "auth": H(HA1:nonce:nc:cnonce:qop:HA2), without: H(HA1:nonce:HA2).
std::string digest_ha1(DigestAlgorithm algorithm, std::string_view username, std::string_view realm,
                       std::string_view password);
std::string digest_response(DigestAlgorithm algorithm, std::string_view ha1, std::string_view nonce,
                            std::string_view nc, std::string_view cnonce, std::string_view qop,
                            std::string_view method, std::string_view uri);

// The client's answer to `challenge` for a request `method` to `uri` (the Request-URI): the value
// of an Authorization or Proxy-Authorization header. `nc` counts requests sent with this nonce
// (from 1); `cnonce` empty picks a random one.
std::string make_digest_authorization(const DigestChallenge& challenge, std::string_view username,
                                      std::string_view password, std::string_view method, std::string_view uri,
                                      std::uint32_t nc = 1, std::string_view cnonce = {});

}  // namespace sb::sip
