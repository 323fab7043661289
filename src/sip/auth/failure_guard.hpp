#pragma once
// FailureGuard: stops password scanners. Authentication failures (wrong password, unknown user,
// refused address) are counted per source address in a sliding window; a source with too many
// is banned for a while, and its requests are refused before any lookup. Successes do not reset
// the count (a scanner may own one valid account). Owned by the signalling loop; not thread-safe.
// Memory is bounded: at most max_sources addresses are tracked (the oldest entries go first).

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sb::sip {

struct FailureGuardOptions {
  std::size_t max_failures = 10;                 // within `window`, then banned
  std::chrono::seconds window{60};
  std::chrono::seconds ban{600};
  std::size_t max_sources = 100000;
};

class FailureGuard {
 public:
  using Clock = std::chrono::steady_clock;
  explicit FailureGuard(FailureGuardOptions options = {}) : options_(options) {}

  // True while `source` (an IP address) is banned.
  bool is_banned(std::string_view source, Clock::time_point now = Clock::now());
  // Counts one failure; true when it got the source banned (log it once).
  bool record_failure(std::string_view source, Clock::time_point now = Clock::now());
  std::size_t banned_count(Clock::time_point now = Clock::now()) const;

 private:
  struct Entry {
    std::size_t failures = 0;
    Clock::time_point window_start{};
    Clock::time_point banned_until{};
  };
  void sweep(Clock::time_point now);

  FailureGuardOptions options_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace sb::sip
