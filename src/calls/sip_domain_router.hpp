#pragma once
// The InboundRouter of SIP domains (Twilio's "Sending SIP"): an INVITE is matched to a domain by
// its Request-URI host ({name}.sip.{base}, or the regional {name}.sip.{region}.{base}), then
// authenticated as the domain's call mappings require (IP access control lists, digest against
// credential lists; both when both are mapped), then handed to the domain's voice URL. Failed
// attempts count against the source address (FailureGuard); refusals never reveal whether a user
// name exists. Signalling loop only.

#include "calls/inbound.hpp"
#include "calls/trunks.hpp"
#include "sip/auth/digest_server.hpp"
#include "sip/auth/failure_guard.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace sb::calls {

class SipDomainRouter final : public InboundRouter {
 public:
  // `trunks`: INVITEs from a trunk's addresses to one of the numbers of IncomingPhoneNumbers run
  // that number's application (Twilio's phone-number calls).
  SipDomainRouter(store::Store& store, sip::DigestServer& digest, sip::FailureGuard& guard, std::string base_domain,
                  const TrunkTable* trunks = nullptr);

  InboundDecision route(const sip::SipRequestInfo& invite) override;
  bool is_local_domain(std::string_view host) override { return find_domain(host).has_value(); }

  // The domain a Request-URI host names, in the plain or the regional form.
  std::optional<store::SipDomain> find_domain(std::string_view host);

  // INVITEs refused so far, by the Twilio error code given (for /metrics).
  const std::map<int, std::uint64_t>& refusals() const { return refusals_; }

 private:
  std::optional<InboundDecision> route_from_trunk(const sip::SipRequestInfo& invite, std::string_view user);
  InboundRejection refuse(const sip::SipRequestInfo& request, int status, std::string reason, int twilio_code,
                          std::string_view why, bool counts_as_failure);

  store::Store& store_;
  sip::DigestServer& digest_;
  sip::FailureGuard& guard_;
  std::string base_domain_;
  const TrunkTable* trunks_;
  std::map<int, std::uint64_t> refusals_;
};

}  // namespace sb::calls
