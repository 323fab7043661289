#pragma once
// SipRegistrar: the registrar of SIP domains (Twilio's SIP registration). A REGISTER is matched
// to a domain by its Request-URI host (as SipDomainRouter does for INVITEs), refused unless the
// domain has SipRegistration on (403, 32210), challenged (401) and checked against the domain's
// registration credential lists (digest username = the AOR's user), then applied to the
// LocationService (RFC 3261 10.3) and written behind to the store so bindings survive a restart.
// It answers the call layer's RegisteredContacts lookups. Failures count in the shared
// FailureGuard; banned sources are refused before any lookup, and each source's REGISTER rate is
// limited (503, 32008). Bindings found unreachable are dropped: those of a TCP/TLS connection
// that closed, and NATed UDP contacts that stop answering keep-alive OPTIONS. Signalling loop
// only.

#include "calls/nat_keepalive.hpp"
#include "calls/registered_contacts.hpp"
#include "calls/sip_domain_router.hpp"
#include "core/time.hpp"
#include "sip/auth/digest_server.hpp"
#include "sip/auth/failure_guard.hpp"
#include "sip/auth/source_rate_limiter.hpp"
#include "sip/dialog/user_agent.hpp"
#include "sip/registrar/location_service.hpp"
#include "store/store.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
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

struct SipRegistrarOptions {
  sip::RegistrarPolicy policy;
  // REGISTERs per second from one source address, in bursts of up to twice that; beyond it:
  // 503 with Retry-After and X-Twilio-Error 32008. 0: no limit.
  double register_rate_limit = 0;
  // OPTIONS keep-alives to NATed UDP contacts (interval 0: none; needs RegistrarHooks::ping).
  NatKeepaliveOptions keepalive{.interval = std::chrono::seconds{0}};
};

// What the registrar asks of the SIP stack; app/ wires them on the UserAgent, tests fake them.
struct RegistrarHooks {
  NatKeepalive::Ping ping;  // one keep-alive OPTIONS
  // Exempts a TCP/TLS connection from the idle timeout while a binding needs it.
  std::function<void(std::uint64_t flow, std::chrono::seconds duration)> keep_connection_open;
};

class SipRegistrar final : public RegisteredContacts {
 public:
  SipRegistrar(store::Store& store, sip::DigestServer& digest, sip::FailureGuard& guard, SipDomainRouter& domains,
               SipRegistrarOptions options = {}, RegistrarHooks hooks = {});

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
  // Sends the keep-alive OPTIONS due by `now`; sweep() calls it with the current time.
  void tick_keepalive(NatKeepalive::Clock::time_point now = NatKeepalive::Clock::now());
  // A TCP/TLS connection closed: the bindings registered through it (flow) are dropped.
  // Returns how many.
  std::size_t on_connection_closed(std::uint64_t flow);

  std::vector<RegisteredContact> contacts(std::string_view domain_name_or_sid, std::string_view user) override;

  std::size_t binding_count() const { return locations_.binding_count(); }
  // REGISTERs refused, by Twilio error code (32002, 32007, 32008, 32210, 32212, 32214, 32216).
  const std::map<int, std::uint64_t>& refusals() const { return refusals_; }
  // Keep-alive OPTIONS sent, and bindings dropped for not answering them; NATed contacts watched.
  std::uint64_t keepalives_sent() const { return keepalive_ ? keepalive_->pings_sent() : 0; }
  std::uint64_t keepalive_drops() const { return keepalive_ ? keepalive_->dropped() : 0; }
  std::size_t keepalive_watched() const { return keepalive_ ? keepalive_->watched() : 0; }
  // Bindings dropped because their connection closed.
  std::uint64_t connection_drops() const { return connection_drops_; }

 private:
  RegisterReply refuse(const sip::SipRequestInfo& request, int status, std::string reason, int twilio_code,
                       std::string_view why, bool counts_as_failure);
  // The domain of a Request-URI host from the cache (valid until the next flush), or nullptr.
  const store::SipDomain* domain_at(std::string_view host);
  const std::vector<store::SipDigestCredential>& credentials_of(const std::string& domain_sid, std::string_view user);
  std::vector<RegisteredContact> contacts_at(const std::string& domain_sid, std::string_view user, SystemTime now);
  // Removes one binding found unreachable (when `matches` accepts it) and its stored row.
  bool drop_binding(const std::string& domain_sid, const std::string& user, const std::string& contact_uri,
                    const std::function<bool(const sip::Binding&)>& matches);
  // Starts keep-alives and connection tracking for a binding just saved or restored.
  void track(const std::string& aor, const std::string& domain_sid, const std::string& user,
             const sip::Binding& binding, SystemTime now);

  store::Store& store_;
  sip::DigestServer& digest_;
  sip::FailureGuard& guard_;
  SipDomainRouter& domains_;
  sip::LocationService locations_;
  RegistrarHooks hooks_;
  sip::SourceRateLimiter rate_limit_;
  std::unique_ptr<NatKeepalive> keepalive_;
  std::map<int, std::uint64_t> refusals_;
  std::uint64_t connection_drops_ = 0;
  // The bindings registered through each open TCP/TLS connection (some may have moved to
  // another flow or gone since: checked when the connection closes).
  struct FlowBinding {
    std::string domain_sid;
    std::string user;
    std::string contact_uri;
  };
  std::unordered_map<std::uint64_t, std::vector<FlowBinding>> flows_;
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
