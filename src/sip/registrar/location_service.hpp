#pragma once
// LocationService: the bindings of addresses-of-record to contact addresses, and the REGISTER
// processing of RFC 3261 10.3 steps 6-8 that changes them (expiry bounds, "*", Call-ID/CSeq
// ordering, a cap per AOR). It knows nothing of domains, authentication or storage: the caller
// authenticates, names the AOR with an opaque key, and persists the changes it is given. Times
// are wall-clock seconds so bindings survive a restart. Owned by the signalling loop.

#include "core/string_map.hpp"
#include "core/time.hpp"
#include "sip/transport/transport.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::sip {

// One contact registered for an AOR, with where its REGISTER came from (RFC 3581: behind a NAT
// that source, not the Contact's host, is what reaches the device).
struct Binding {
  std::string contact_uri;  // the Contact's URI as first registered, without <>
  std::string call_id;
  std::uint32_t cseq = 0;
  SystemTime expires_at;
  TransportKind transport = TransportKind::Udp;
  Endpoint source;
  std::uint64_t flow = 0;  // the TCP/TLS connection the REGISTER came on; 0: UDP, or restored
  std::string user_agent;
  SystemTime registered_at;  // when this binding was first created
};

struct RegistrarPolicy {
  std::uint32_t min_expires = 600;       // below: 423 Interval Too Brief (Twilio's minimum)
  std::uint32_t max_expires = 3600;      // above: reduced to this
  std::uint32_t default_expires = 3600;  // no expires parameter and no Expires header
  std::size_t max_contacts_per_aor = 10; // Twilio: an 11th contact is refused (32007)
  std::size_t max_uri_length = 512;      // a longer Contact URI is refused (400)
};

// The parts of a REGISTER the location service needs.
struct RegisterRequest {
  std::vector<std::string> contacts;       // every Contact value, lists split ("*" included)
  std::optional<std::uint32_t> expires;    // the Expires header
  bool has_bad_expires_header = false;     // an Expires header that is not delta-seconds
  std::string call_id;
  std::uint32_t cseq = 0;
  TransportKind transport = TransportKind::Udp;
  Endpoint source;
  std::uint64_t flow = 0;
  std::string user_agent;
};

enum class RegisterStatus : std::uint8_t {
  Ok,                  // 200: bindings updated (or only queried)
  BadRequest,          // 400: unparsable Contact or Expires, "*" with other contacts or Expires != 0
  IntervalTooBrief,    // 423 with Min-Expires: a non-zero expiry below the minimum
  TooManyContacts,     // 403, Twilio 32007: the AOR would hold more than max_contacts_per_aor
  OutOfOrder,          // 500: RFC 3261 10.3 step 7, a CSeq not above the binding's for its Call-ID
};

struct RegisterOutcome {
  RegisterStatus status = RegisterStatus::Ok;
  std::string detail;              // why, for the log and the reason phrase
  std::vector<Binding> saved;      // bindings added or refreshed (persist them)
  std::vector<std::string> removed;  // contact URIs of bindings removed (forget them)
  std::vector<Binding> current;    // every binding of the AOR after the update (for the 200)
};

class LocationService {
 public:
  explicit LocationService(RegistrarPolicy policy = {}) : policy_(policy) {}

  // Applies a REGISTER for `aor` atomically: either every contact is processed or none.
  RegisterOutcome update(std::string_view aor, const RegisterRequest& request, SystemTime now);
  // The live bindings of `aor` (expired ones are never returned, swept or not).
  std::vector<Binding> lookup(std::string_view aor, SystemTime now) const;
  // Puts back a binding read from storage (at start); expired ones are ignored (returns false).
  bool restore(std::string_view aor, Binding binding, SystemTime now);
  // Removes the binding of `aor` whose stored URI is `contact_uri` (as in Binding, exactly), when
  // `matches` (if given) accepts it; true when one was removed. For bindings found unreachable
  // (a closed connection, unanswered keep-alives), not for REGISTER processing.
  bool remove(std::string_view aor, std::string_view contact_uri,
              const std::function<bool(const Binding&)>& matches = nullptr);

  struct Expired {
    std::string aor;
    std::string contact_uri;
  };
  // Removes expired bindings; cheap when nothing is due (it remembers the earliest expiry).
  std::vector<Expired> sweep(SystemTime now);

  std::size_t binding_count() const;
  const RegistrarPolicy& policy() const { return policy_; }

 private:
  RegistrarPolicy policy_;
  // By AOR key; looked up with a string_view, no copy of the key per REGISTER.
  StringMap<std::vector<Binding>> bindings_;
  SystemTime next_expiry_ = SystemTime::max();
};

}  // namespace sb::sip
