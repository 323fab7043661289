#pragma once
// The location service as the call layer sees it: where the devices registered to a SIP domain
// user (user@{domain}) can be reached. <Dial><Sip>sip:alice@acme.sip.{base}</Sip> forks an
// INVITE to every contact returned (Twilio: in parallel, first answer wins; none → 32009; a
// secure call only to contacts with is_tls). Implemented by SipRegistrar. Signalling loop only.

#include "sip/transport/transport.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace sb::calls {

// One live binding of an address-of-record.
struct RegisteredContact {
  // The Request-URI of the INVITE: the URI the device put in its Contact (it may name a private
  // address behind a NAT; send it to `destination_host`, not to the URI's host).
  std::string contact_uri;
  // The next hop: where the REGISTER came from (RFC 3581 received/rport), with its transport.
  // For TCP and TLS, an INVITE to this address reuses the device's connection while it is open.
  sip::TransportKind transport = sip::TransportKind::Udp;
  std::string destination_host;  // an IP literal (IPv6 without brackets)
  std::uint16_t destination_port = 0;
  bool is_tls = false;  // registered over TLS: eligible for a secure domain's calls (else 32209)
  std::string aor;      // "sip:alice@acme.sip.switchboard.local"
  std::string domain_sid;
  std::string user_agent;  // the REGISTER's User-Agent, for logs
  std::chrono::sys_seconds expires_at;
};

class RegisteredContacts {
 public:
  virtual ~RegisteredContacts() = default;
  // The live bindings of `user` at the domain named by `domain_name_or_sid`: an SD... SID, a
  // domain name ("acme.sip.switchboard.local") or its regional form, any case. The user part is
  // compared exactly (SIP users are case-sensitive). Empty when the user has no live binding, or
  // the named domain is unknown or has SipRegistration off (given a SID, the domain is not read:
  // the caller already holds it). Oldest binding first. Cheap: no store access for a SID.
  virtual std::vector<RegisteredContact> contacts(std::string_view domain_name_or_sid, std::string_view user) = 0;
};

}  // namespace sb::calls
