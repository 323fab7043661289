#pragma once
// NatKeepalive: keeps the NAT mappings of registered UDP contacts open (RFC 3581 bindings whose
// REGISTER came from another address than its Contact). Each watched binding gets an OPTIONS
// every `interval`, sent to the address and port the REGISTER came from; any response proves
// the path (a 404 or 405 as much as a 200). After `max_failures` pings in a row without one,
// the binding is reported dead and the registrar drops it. Driven by tick() from the
// registrar's once-a-second timer (no timer per binding); at most `max_in_flight` OPTIONS are
// outstanding, the rest wait for the next tick. Signalling loop only.

#include "sip/transport/transport.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace sb::calls {

struct NatKeepaliveOptions {
  std::chrono::seconds interval{30};  // 0 disables keep-alives
  std::size_t max_failures = 3;       // pings in a row without a response, then the binding is
                                      // dropped; 0 never drops
  std::size_t max_in_flight = 2000;   // OPTIONS outstanding at once
};

class NatKeepalive {
 public:
  using Clock = std::chrono::steady_clock;
  // Sends one OPTIONS to `contact_uri` at `destination` (UDP); `done(true)` when any final
  // response arrived, `done(false)` on a timeout or transport error.
  using Ping = std::function<void(const std::string& contact_uri, const sip::Endpoint& destination,
                                  std::function<void(bool is_answered)> done)>;
  // A binding that stopped answering: `aor` and `contact_uri` as given to watch().
  using Dead = std::function<void(const std::string& aor, const std::string& contact_uri)>;

  NatKeepalive(NatKeepaliveOptions options, Ping ping, Dead dead);
  NatKeepalive(const NatKeepalive&) = delete;
  NatKeepalive& operator=(const NatKeepalive&) = delete;

  // Starts (or, for a new destination, restarts) pinging a binding; the first OPTIONS goes one
  // interval from now. A refresh from the same destination keeps the schedule.
  void watch(const std::string& aor, const std::string& contact_uri, const sip::Endpoint& destination,
             Clock::time_point now = Clock::now());
  // Stops pinging it (unregistered, expired, dropped).
  void forget(const std::string& aor, const std::string& contact_uri);
  // Sends the pings due by `now`.
  void tick(Clock::time_point now = Clock::now());

  bool is_enabled() const { return options_.interval.count() > 0; }
  std::size_t watched() const { return entries_.size(); }
  std::size_t in_flight() const { return in_flight_; }
  std::uint64_t pings_sent() const { return pings_sent_; }
  std::uint64_t dropped() const { return dropped_; }

  // True when a UDP binding registered from `source` with `contact_uri` is behind a NAT: the
  // Contact's host or port (5060 when absent) is not where the REGISTER came from.
  static bool is_behind_nat(std::string_view contact_uri, const sip::Endpoint& source);

 private:
  struct Entry {
    std::string aor;
    std::string contact_uri;
    sip::Endpoint destination;
    std::uint64_t generation = 0;  // bumped when the binding changes: older results are ignored
    std::size_t failures = 0;
    bool is_in_flight = false;
  };
  struct Due {
    Clock::time_point at;
    std::string key;
    std::uint64_t generation;
    bool operator>(const Due& other) const { return at > other.at; }
  };
  void on_result(const std::string& key, std::uint64_t generation, bool is_answered);

  NatKeepaliveOptions options_;
  Ping ping_;
  Dead dead_;
  std::unordered_map<std::string, Entry> entries_;  // by "{aor}\n{contact_uri}"
  std::vector<Due> due_;  // a min-heap on `at`; entries of an older generation are skipped
  std::uint64_t next_generation_ = 1;
  std::size_t in_flight_ = 0;
  std::uint64_t pings_sent_ = 0;
  std::uint64_t dropped_ = 0;
  Clock::time_point last_tick_{};
  // Results of pings that outlive this object are dropped (the OPTIONS transactions belong to
  // the user agent).
  std::shared_ptr<NatKeepalive*> self_ = std::make_shared<NatKeepalive*>(this);
};

}  // namespace sb::calls
