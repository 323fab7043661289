#pragma once
// TargetResolver: RFC 3263 4 for the requests we send. The next hop URI's host, port, transport
// parameter and scheme become an ordered list of (transport, address, port) targets through
// NAPTR, SRV (RFC 2782 priority and weighted order) and A/AAAA lookups; the caller tries them in
// order (RFC 3263 4.3 failover). Used by the UserAgent on the signalling loop.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "sip/dns/resolver.hpp"
#include "sip/message/uri.hpp"
#include "sip/transport/transport.hpp"

namespace sb::sip {

// What RFC 3263 starts from: the next hop URI's target (maddr, else host; IPv6 without brackets),
// its port and transport parameter when present, and whether it is a sips URI.
struct NextHop {
  std::string host;
  std::optional<std::uint16_t> port;
  std::optional<TransportKind> transport;
  bool is_sips = false;
};
// nullopt for a URI that is not sip/sips or has no host. An unknown transport parameter counts
// as absent.
std::optional<NextHop> next_hop_for(const Uri& uri);

// One place to send a request: a numeric address (IPv6 without brackets).
struct Target {
  TransportKind kind = TransportKind::Udp;
  std::string address;
  std::uint16_t port = 0;
  friend bool operator==(const Target&, const Target&) = default;
};

struct TargetPolicy {
  // The transports we can send on; unset: all of them.
  std::function<bool(TransportKind)> supports;
  // The address families our listeners can reach.
  bool has_ipv4 = true;
  bool has_ipv6 = true;
  // At most this many targets are returned.
  std::size_t max_targets = 16;
  // A uniform random number in [0, max] for RFC 2782 weighted selection; unset: a PRNG.
  std::function<std::uint32_t(std::uint32_t max)> random;
};

// A usable NAPTR record (RFC 3263 4.1): its transport and the SRV name it points to.
struct NaptrTarget {
  TransportKind kind = TransportKind::Udp;
  std::string srv_name;
  friend bool operator==(const NaptrTarget&, const NaptrTarget&) = default;
};
// The records with flag "s" and service SIP+D2U, SIP+D2T or SIPS+D2T (only SIPS+D2T for a sips
// URI) whose transport `policy` supports, by order then preference.
std::vector<NaptrTarget> usable_naptr(const std::vector<NaptrRecord>& records, bool is_sips,
                                      const TargetPolicy& policy);
// RFC 2782: by priority, and within a priority by weighted random selection (weight 0 first in
// the running sum); targets "." (service not offered) are dropped.
std::vector<SrvRecord> order_srv(std::vector<SrvRecord> records, const TargetPolicy& policy);

class TargetResolver {
 public:
  // The targets in the order to try them, or a DnsErrc (NotFound, Timeout, ServerFailure,
  // NoUsableTarget, NoRecords when the host has no address, Cancelled). Runs on the loop after
  // resolve() returned.
  using Handler = std::function<void(Result<std::vector<Target>>)>;

  TargetResolver(Resolver& resolver, TargetPolicy policy);

  // RFC 3263 4.1/4.2: a numeric host is used as is (port from the URI or the transport's
  // default; transport from the URI, else UDP, TLS for sips). A port without a numeric host:
  // A/AAAA only. A transport without a port: SRV for that transport, then A/AAAA. Neither:
  // NAPTR, then SRV of the usable records (or of _sip._udp, _sip._tcp, _sips._tcp when there is
  // no NAPTR), then A/AAAA of the SRV targets; without SRV, A/AAAA on the default port (UDP,
  // TLS for sips).
  void resolve(NextHop hop, Handler done);
  // The single target of a numeric host, at once; nullopt when the host is a name (resolve()).
  std::optional<Target> numeric_target(const NextHop& hop) const;

 private:
  Resolver& resolver_;
  TargetPolicy policy_;
};

}  // namespace sb::sip
