#pragma once
// SipRegistrar: the registrar of SIP domains (Twilio's SIP registration). A REGISTER is matched
// to a domain by its Request-URI host (as SipDomainRouter does for INVITEs), refused unless the
// domain has SipRegistration on (403, 32210), challenged (401) and checked against the domain's
// registration credential lists (digest username = the AOR's user), then applied to the
// LocationService (RFC 3261 10.3) and written behind to the store so bindings survive a restart.
// It answers the call layer's RegisteredContacts lookups. Failures count in the shared
// FailureGuard; banned sources are refused before any lookup. Signalling loop only.

#include "calls/registered_contacts.hpp"
#include "calls/sip_domain_router.hpp"
#include "core/time.hpp"
#include "sip/auth/digest_server.hpp"
#include "sip/auth/failure_guard.hpp"
#include "sip/dialog/user_agent.hpp"
#include "sip/registrar/location_service.hpp"
#include "store/store.hpp"

#include <optional>
#include <string>
#include <unordered_map>

namespace sb::calls {

// The final response to a REGISTER.
struct RegisterReply {
  int status = 200;
  std::string reason;
  sip::SipHeaders headers;
};

class SipRegistrar final : public RegisteredContacts {
 public:
  SipRegistrar(store::Store& store, sip::DigestServer& digest, sip::FailureGuard& guard, SipDomainRouter& domains,
               sip::RegistrarPolicy policy = {});

  // Decides the response to one REGISTER (and applies it). `now` is for tests.
  RegisterReply handle(const sip::SipRequestInfo& request, SystemTime now = now_seconds());

  // Reads the stored bindings (at start, before serving): live ones are restored, expired ones
  // deleted. Returns how many were restored.
  std::size_t load(SystemTime now = now_seconds());
  // Writes the bindings changed since the last flush to the store (write-behind: a phone that
  // refreshes often costs one row write per flush, not one per REGISTER), and forgets the
  // domains and credentials read since (so a change through the REST API applies from the next
  // flush on). Call it about once a second and at shutdown, before the store closes.
  void flush();
  // Drops expired bindings from memory and the store; call it periodically (cheap when nothing
  // is due).
  void sweep(SystemTime now = now_seconds());

  std::vector<RegisteredContact> contacts(std::string_view domain_name_or_sid, std::string_view user) override;

  std::size_t binding_count() const { return locations_.binding_count(); }

 private:
  RegisterReply refuse(const sip::SipRequestInfo& request, int status, std::string reason, int twilio_code,
                       std::string_view why, bool counts_as_failure);
  std::optional<store::SipDomain> domain_at(std::string_view host);
  const std::vector<store::SipDigestCredential>& credentials_of(const std::string& domain_sid, std::string_view user);
  std::vector<RegisteredContact> contacts_at(const std::string& domain_sid, std::string_view user, SystemTime now);

  store::Store& store_;
  sip::DigestServer& digest_;
  sip::FailureGuard& guard_;
  SipDomainRouter& domains_;
  sip::LocationService locations_;
  // Changes not yet written, by "{domain_sid} {user} {contact}": a row to save, or nullopt to
  // delete the binding.
  struct PendingWrite {
    std::string domain_sid;
    std::string user;
    std::string contact_uri;
    std::optional<store::SipRegistration> row;
  };
  std::unordered_map<std::string, PendingWrite> pending_;
  // Reads cached until the next flush: a registration is two REGISTERs, and a phone's refreshes
  // and its neighbours' hit the same rows. Bounded (cleared when full).
  static constexpr std::size_t kMaxCached = 4096;
  std::unordered_map<std::string, std::optional<store::SipDomain>> domains_by_host_;
  std::unordered_map<std::string, std::vector<store::SipDigestCredential>> credentials_;
};

// The key of an address-of-record in the LocationService: "{domain_sid} {user}".
std::string aor_key(std::string_view domain_sid, std::string_view user);

}  // namespace sb::calls
