#include "sip/auth/source_rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace sb::sip {

SourceRateLimiter::SourceRateLimiter(SourceRateLimitOptions options) : options_(options) {
  if (options_.burst <= 0) options_.burst = std::max(2 * options_.rate, 1.0);
}

SourceRateLimiter::Verdict SourceRateLimiter::admit(std::string_view source, Clock::time_point now) {
  if (!is_enabled()) return {};
  auto it = buckets_.find(source);
  if (it == buckets_.end()) {
    if (buckets_.size() >= options_.max_sources) make_room(now);
    it = buckets_.emplace(std::string(source), Bucket{options_.burst, now, false}).first;
  }
  Bucket& b = it->second;
  const double elapsed = std::chrono::duration<double>(now - b.updated).count();
  if (elapsed > 0) {
    b.tokens = std::min(options_.burst, b.tokens + elapsed * options_.rate);
    b.updated = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    b.is_refusing = false;
    return {};
  }
  Verdict refused;
  refused.is_allowed = false;
  refused.retry_after = std::chrono::seconds{static_cast<long>(std::ceil((1 - b.tokens) / options_.rate))};
  refused.retry_after = std::max(refused.retry_after, std::chrono::seconds{1});
  refused.is_first_refusal = !b.is_refusing;
  b.is_refusing = true;
  return refused;
}

void SourceRateLimiter::make_room(Clock::time_point now) {
  // A bucket that has refilled is the same as no bucket: forget those. If every source is busy
  // (a flood from more addresses than max_sources), start over rather than grow.
  const auto refill = std::chrono::duration<double>(options_.burst / options_.rate);
  std::erase_if(buckets_, [&](const auto& entry) {
    return now - entry.second.updated >= std::chrono::duration_cast<Clock::duration>(refill);
  });
  if (buckets_.size() >= options_.max_sources) buckets_.clear();
}

}  // namespace sb::sip
