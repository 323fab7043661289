#pragma once
// Resolver: asynchronous DNS lookups (NAPTR, SRV, A/AAAA) with c-ares on the signalling loop.
// c-ares' sockets are watched by the loop's reactor and its timeouts by one loop timer: no
// thread, no blocking call. Answers are cached for their TTL. Owned by the SIP transport; every
// method and handler runs on the loop thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace sb::sip {

struct ResolverConfig {
  // "192.0.2.53", "192.0.2.53:5353", "[2001:db8::53]:53": the only server asked, without search
  // domains (tests, split-horizon setups). Empty: the system's /etc/resolv.conf.
  std::string nameserver;
  // The first try waits `timeout`; c-ares doubles it on each further try. With the defaults a
  // silent server is given up after 3 s per lookup.
  std::chrono::milliseconds timeout{1000};
  int tries = 2;
  // Answers are kept for their TTL, capped at max_ttl; NXDOMAIN and empty answers for
  // negative_ttl. 0 entries disables the cache.
  std::size_t cache_entries = 4096;
  std::chrono::seconds max_ttl{3600};
  std::chrono::seconds negative_ttl{30};
};

// RFC 3403 NAPTR record (the fields RFC 3263 uses).
struct NaptrRecord {
  std::uint16_t order = 0;
  std::uint16_t preference = 0;
  std::string flags;
  std::string service;
  std::string regexp;
  std::string replacement;
};

// RFC 2782 SRV record.
struct SrvRecord {
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
  std::uint16_t port = 0;
  std::string target;
};

struct ResolverStats {
  std::uint64_t queries = 0;     // lookups sent to c-ares
  std::uint64_t cache_hits = 0;  // lookups answered from the cache
};

class Resolver {
 public:
  // Every handler runs on the loop after the call returned (never inside it), with an error of
  // DnsErrc (NotFound, NoRecords, Timeout, ServerFailure, Cancelled) or the records, never both
  // empty without an error. Handlers of lookups pending when the Resolver is closed or destroyed
  // never run.
  using NaptrHandler = std::function<void(std::error_code, std::vector<NaptrRecord>)>;
  using SrvHandler = std::function<void(std::error_code, std::vector<SrvRecord>)>;
  // Numeric addresses (IPv6 without brackets), IPv4 and IPv6 as c-ares orders them (RFC 6724).
  using AddressHandler = std::function<void(std::error_code, std::vector<std::string>)>;

  // Throws std::system_error when c-ares cannot start or `nameserver` is not an address.
  Resolver(boost::asio::io_context& loop, ResolverConfig config);
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  void naptr(std::string name, NaptrHandler done);
  void srv(std::string name, SrvHandler done);
  // A and AAAA (and /etc/hosts). A numeric address is answered as itself.
  void addresses(std::string name, AddressHandler done);

  // Drops pending lookups (their handlers never run) and refuses new ones (Cancelled).
  void close();
  const ResolverStats& stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sb::sip
