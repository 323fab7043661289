#pragma once
// Registered contacts of SIP domains (REGISTER bindings), kept so registrations survive a
// restart. The registrar holds the live set in memory; this is its write-behind copy, read once
// at start.

#include "store/account_repository.hpp"

#include <cstdint>
#include <vector>

namespace sb::store {

struct SipRegistration {
  std::string domain_sid;
  std::string aor_user;     // the user part of the address-of-record (user@domain)
  std::string contact_uri;  // the Contact URI as first registered; with the two above, the key
  std::string call_id;
  std::int64_t cseq = 0;
  SystemTime expires_at;
  std::string source_address;  // where the REGISTER came from (RFC 3581 received/rport)
  std::uint16_t source_port = 0;
  std::string transport;       // "UDP", "TCP" or "TLS"
  std::string user_agent;
  SystemTime date_created;
  SystemTime date_updated;
};

class SipRegistrationRepository {
 public:
  virtual ~SipRegistrationRepository() = default;
  // Every stored binding (expired ones included: the caller drops them).
  virtual std::vector<SipRegistration> list_all() = 0;
  // Inserts or replaces the binding with the same key.
  virtual void save(const SipRegistration& registration, Completion done) = 0;
  virtual void remove(std::string_view domain_sid, std::string_view aor_user, std::string_view contact_uri,
                      Completion done) = 0;
  // Removes every binding whose expires_at is at or before `now`.
  virtual void remove_expired(SystemTime now, Completion done) = 0;
};

}  // namespace sb::store
