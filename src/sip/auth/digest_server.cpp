#include "sip/auth/digest_server.hpp"

#include <algorithm>
#include <charconv>

#include "core/crypto.hpp"
#include "sip/message/syntax.hpp"

namespace sb::sip {
namespace {

// 128 bits of the MAC, as lowercase hex: plenty for a nonce.
std::string mac_hex(crypto::HmacSha256& hmac, std::string_view data) {
  unsigned char out[32];
  hmac.sign(data, out);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(32, '\0');
  for (std::size_t i = 0; i < 16; ++i) {
    hex[2 * i] = kDigits[out[i] >> 4];
    hex[2 * i + 1] = kDigits[out[i] & 0x0f];
  }
  return hex;
}

}  // namespace

DigestServer::DigestServer(std::string realm, std::string secret, std::chrono::seconds nonce_lifetime)
    : realm_(std::move(realm)),
      hmac_(std::make_unique<crypto::HmacSha256>(secret)),
      lifetime_(nonce_lifetime),
      opaque_(crypto::random_hex(8)) {}

DigestServer::~DigestServer() = default;

std::string DigestServer::make_nonce(Clock::time_point now) {
  // "<seconds in hex>.<random>.<HMAC(secret, seconds.random)>"
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  char stamp[24];
  const auto r = std::to_chars(stamp, stamp + sizeof stamp, static_cast<std::uint64_t>(seconds), 16);
  std::string nonce(stamp, r.ptr);
  nonce.push_back('.');
  nonce.append(crypto::random_hex(8));
  const auto mac = mac_hex(*hmac_, nonce);
  nonce.push_back('.');
  nonce.append(mac);
  return nonce;
}

std::string DigestServer::challenge(DigestAlgorithm algorithm, bool is_stale, Clock::time_point now) {
  std::string out = "Digest realm=\"" + realm_ + "\", nonce=\"" + make_nonce(now) + "\", opaque=\"" + opaque_ +
                    "\", algorithm=";
  out += digest_algorithm_name(algorithm);
  out += ", qop=\"auth\"";
  if (is_stale) out += ", stale=true";
  return out;
}

std::optional<DigestServer::Clock::time_point> DigestServer::nonce_time(std::string_view nonce) const {
  const auto last_dot = nonce.rfind('.');
  if (last_dot == std::string_view::npos) return std::nullopt;
  const auto signed_part = nonce.substr(0, last_dot);
  if (!crypto::constant_time_equal(mac_hex(*hmac_, signed_part), nonce.substr(last_dot + 1))) {
    return std::nullopt;
  }
  const auto first_dot = signed_part.find('.');
  std::uint64_t seconds = 0;
  const auto stamp = signed_part.substr(0, first_dot);
  const auto r = std::from_chars(stamp.data(), stamp.data() + stamp.size(), seconds, 16);
  if (r.ec != std::errc{} || r.ptr != stamp.data() + stamp.size()) return std::nullopt;
  return Clock::time_point(std::chrono::seconds(seconds));
}

void DigestServer::forget_expired(Clock::time_point now) {
  if (now - last_sweep_ < lifetime_ / 4) return;
  last_sweep_ = now;
  std::erase_if(seen_, [&](const auto& entry) { return now - entry.second.issued > lifetime_; });
}

DigestVerdict DigestServer::verify(std::string_view authorization_value, std::string_view method,
                                   const PasswordLookup& lookup, Clock::time_point now) {
  return verify_ha1(
      authorization_value, method,
      [&](std::string_view username, DigestAlgorithm algorithm) -> std::vector<std::string> {
        const auto password = lookup ? lookup(username) : std::nullopt;
        if (!password) return {};
        return {digest_ha1(algorithm, username, realm_, *password)};
      },
      now);
}

DigestVerdict DigestServer::verify_ha1(std::string_view authorization_value, std::string_view method,
                                       const Ha1Lookup& lookup, Clock::time_point now, std::string* username_out) {
  const auto credentials = parse_digest_credentials(authorization_value);
  if (!credentials || credentials->uri.empty()) return DigestVerdict::Malformed;
  if (username_out != nullptr) *username_out = credentials->username;
  const auto algorithm = digest_algorithm_from(credentials->algorithm);
  if (!algorithm) return DigestVerdict::Malformed;
  if (credentials->realm != realm_) return DigestVerdict::WrongRealm;
  const auto issued = nonce_time(credentials->nonce);
  if (!issued) return DigestVerdict::BadNonce;
  const auto candidates = lookup ? lookup(credentials->username, *algorithm) : std::vector<std::string>{};
  if (candidates.empty()) return DigestVerdict::UnknownUser;
  const bool has_qop = !credentials->qop.empty();
  if (has_qop && (!syntax::iequals(credentials->qop, "auth") || credentials->cnonce.empty() ||
                  credentials->nc.size() != 8)) {
    return DigestVerdict::Malformed;
  }
  bool is_match = false;
  for (const auto& ha1 : candidates) {
    const auto expected = digest_response(*algorithm, ha1, credentials->nonce, credentials->nc, credentials->cnonce,
                                          credentials->qop, method, credentials->uri);
    is_match |= crypto::constant_time_equal(expected, credentials->response);
  }
  if (!is_match) return DigestVerdict::WrongResponse;
  // The response is right: only now may the nonce be called stale (RFC 2617 3.2.1), so that
  // the client retries with the same password rather than asking the user.
  if (now - *issued > lifetime_ || *issued - now > std::chrono::seconds(60)) return DigestVerdict::Stale;
  if (has_qop) {
    std::uint32_t nc = 0;
    const auto r = std::from_chars(credentials->nc.data(), credentials->nc.data() + credentials->nc.size(), nc, 16);
    if (r.ec != std::errc{}) return DigestVerdict::Malformed;
    forget_expired(now);
    // nonce_time() checked the MAC after the last '.': at least 16 hex digits.
    const std::string_view nonce = credentials->nonce;
    const auto mac = nonce.substr(nonce.rfind('.') + 1);
    std::uint64_t nonce_id = 0;
    std::from_chars(mac.data(), mac.data() + std::min<std::size_t>(16, mac.size()), nonce_id, 16);
    auto& seen = seen_[nonce_id];
    if (nc <= seen.nc) return DigestVerdict::Replay;
    seen.nc = nc;
    seen.issued = *issued;
  }
  return DigestVerdict::Accepted;
}

}  // namespace sb::sip
