#pragma once
// Why a DNS lookup or an RFC 3263 resolution gave no target: sb::sip::DnsErrc, an
// std::error_category ("sip.dns"). A SIP request that cannot be resolved is reported to its
// transaction user as a 503 (RFC 3263 4.3: no server could be reached).

#include <system_error>

namespace sb::sip {

enum class DnsErrc {
  // The name does not exist (NXDOMAIN). Nothing else under it will resolve: give up.
  NotFound = 1,
  // The name exists but has no record of the type asked (NOERROR, empty answer). RFC 3263 moves
  // on to the next step (NAPTR, then SRV, then A/AAAA); at the last step, give up.
  NoRecords,
  // No answer within the configured timeout and tries. The server may be down: give up now and
  // let the caller retry later.
  Timeout,
  // SERVFAIL, REFUSED, a malformed answer or a local socket failure. Give up.
  ServerFailure,
  // Records were found but none leads to a transport we support (NAPTR/SRV only for TLS when we
  // have no TLS listener, IPv6 addresses for an IPv4-only listener...). Give up.
  NoUsableTarget,
  // The resolver was closed or destroyed while the lookup ran. Nothing to do.
  Cancelled,
};

const std::error_category& dns_category() noexcept;
std::error_code make_error_code(DnsErrc e) noexcept;

}  // namespace sb::sip

template <>
struct std::is_error_code_enum<sb::sip::DnsErrc> : std::true_type {};
