#pragma once
// The digest check shared by calls into SIP domains (INVITE, 407) and registration (REGISTER,
// 401): what to answer a request's credentials, against the HA1s stored for its username.
// Unknown users and wrong passwords give the same outcome, so nothing tells a scanner which user
// names exist.

#include "sip/auth/digest_server.hpp"
#include "store/sip_domain_repository.hpp"

#include <functional>
#include <string_view>
#include <vector>

namespace sb::calls {

enum class DigestCheck {
  kAccepted,
  kChallenge,       // no usable credentials (none, malformed, not our nonce, a replay): challenge
  kStaleChallenge,  // the right answer to an expired nonce: challenge with stale=true
  kRefused,         // wrong password or unknown user: 403
};

using CredentialLookup = std::function<std::vector<store::SipDigestCredential>(std::string_view username)>;

// `authorization` is the Authorization / Proxy-Authorization value (empty: kChallenge).
DigestCheck check_digest(sip::DigestServer& digest, std::string_view authorization, std::string_view method,
                         const CredentialLookup& credentials);

}  // namespace sb::calls
