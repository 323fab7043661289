#pragma once
// SourceRateLimiter: a request rate limit per source address, a token bucket each (`rate`
// requests per second, bursts up to `burst`). It keeps one device or scanner from monopolising
// the registrar (Twilio's 32008) without slowing anyone else. Memory is bounded: at most
// max_sources buckets; buckets that have refilled (idle sources) are forgotten first. Owned by
// the signalling loop; not thread-safe.

#include "core/string_map.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace sb::sip {

struct SourceRateLimitOptions {
  double rate = 0;   // requests per second per source; 0 disables the limit
  double burst = 0;  // the bucket's size; 0: twice the rate (at least 1)
  std::size_t max_sources = 100000;
};

class SourceRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit SourceRateLimiter(SourceRateLimitOptions options = {});

  struct Verdict {
    bool is_allowed = true;
    std::chrono::seconds retry_after{0};  // when refused: until a request would be admitted
    bool is_first_refusal = false;        // the first refusal since the source was last admitted (log it)
  };
  // Takes one token of `source` (an IP address) if it has one.
  Verdict admit(std::string_view source, Clock::time_point now = Clock::now());

  bool is_enabled() const { return options_.rate > 0; }
  std::size_t tracked() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated{};
    bool is_refusing = false;
  };
  void make_room(Clock::time_point now);

  SourceRateLimitOptions options_;
  StringMap<Bucket> buckets_;
};

}  // namespace sb::sip
