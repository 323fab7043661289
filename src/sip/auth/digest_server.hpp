#pragma once
// DigestServer: the server side of SIP digest authentication. Nonces carry their own time stamp
// and are signed with HMAC-SHA-256 under a secret, so any node holding the secret can check
// them without state; an expired but authentic nonce yields stale=true (RFC 2617 3.2.1). With
// qop=auth, the nonce-count of each nonce must grow (replay protection), which needs the only
// state kept: the highest nc seen per live nonce. Owned by the signalling loop; not thread-safe.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/crypto.hpp"
#include "sip/auth/digest.hpp"

namespace sb::sip {

enum class DigestVerdict : std::uint8_t {
  Accepted,
  Malformed,       // not Digest credentials, or fields missing: challenge again (400 if hopeless)
  WrongRealm,      // realm differs: challenge again
  UnknownUser,     // no password for the username: 403 or challenge again
  BadNonce,        // not a nonce of ours (signature fails): challenge again
  Stale,           // our nonce, expired: challenge again with stale=true
  Replay,          // the nonce-count did not grow: challenge again
  WrongResponse,   // wrong password or altered request: 403 or challenge again
};

class DigestServer {
 public:
  using Clock = std::chrono::system_clock;
  // A password for `username`, or nullopt when unknown.
  using PasswordLookup = std::function<std::optional<std::string>(std::string_view username)>;

  DigestServer(std::string realm, std::string secret, std::chrono::seconds nonce_lifetime = std::chrono::seconds(300));
  ~DigestServer();

  // A WWW-Authenticate / Proxy-Authenticate value: realm, fresh nonce, qop="auth", algorithm,
  // opaque, and stale=true when asked.
  std::string challenge(DigestAlgorithm algorithm, bool is_stale = false, Clock::time_point now = Clock::now());
  std::string make_nonce(Clock::time_point now);

  DigestVerdict verify(std::string_view authorization_value, std::string_view method, const PasswordLookup& lookup,
                       Clock::time_point now = Clock::now());

  // The same check for stores that keep only HA1 = H(username:realm:password): `lookup` gives the
  // candidate HA1s (lowercase hex, for `algorithm`) of `username`; any of them may match. The
  // username the credentials named goes to `username_out` when given.
  using Ha1Lookup = std::function<std::vector<std::string>(std::string_view username, DigestAlgorithm algorithm)>;
  DigestVerdict verify_ha1(std::string_view authorization_value, std::string_view method, const Ha1Lookup& lookup,
                           Clock::time_point now = Clock::now(), std::string* username_out = nullptr);

  const std::string& realm() const { return realm_; }

 private:
  std::optional<Clock::time_point> nonce_time(std::string_view nonce) const;  // nullopt: not ours
  void forget_expired(Clock::time_point now);

  std::string realm_;
  std::unique_ptr<crypto::HmacSha256> hmac_;  // keyed with the secret
  std::chrono::seconds lifetime_;
  std::string opaque_;
  struct Seen {
    std::uint32_t nc = 0;
    Clock::time_point issued;
  };
  // By the first 64 bits of the nonce's MAC (unique per nonce; a collision would only cost one
  // client a new challenge): no string kept per nonce.
  std::unordered_map<std::uint64_t, Seen> seen_;
  Clock::time_point last_sweep_{};
};

}  // namespace sb::sip
