#include "calls/digest_check.hpp"

namespace sb::calls {

DigestCheck check_digest(sip::DigestServer& digest, std::string_view authorization, std::string_view method,
                         const CredentialLookup& credentials) {
  if (authorization.empty()) return DigestCheck::kChallenge;
  const auto verdict =
      digest.verify_ha1(authorization, method, [&](std::string_view username, sip::DigestAlgorithm algorithm) {
        std::vector<std::string> ha1s;
        for (const auto& c : credentials(username)) {
          ha1s.push_back(algorithm == sip::DigestAlgorithm::Md5 ? c.ha1_md5 : c.ha1_sha256);
        }
        return ha1s;
      });
  switch (verdict) {
    case sip::DigestVerdict::Accepted:
      return DigestCheck::kAccepted;
    case sip::DigestVerdict::Stale:
      return DigestCheck::kStaleChallenge;
    case sip::DigestVerdict::Malformed:
    case sip::DigestVerdict::WrongRealm:
    case sip::DigestVerdict::BadNonce:
    case sip::DigestVerdict::Replay:
      return DigestCheck::kChallenge;
    case sip::DigestVerdict::UnknownUser:
    case sip::DigestVerdict::WrongResponse:
      break;
  }
  return DigestCheck::kRefused;
}

}  // namespace sb::calls
