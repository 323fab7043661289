#include "calls/rate_limiter.hpp"

#include <stdexcept>

namespace sb::calls {

RateLimiter::RateLimiter(TimerWheel& wheel, double calls_per_second, std::function<Clock::time_point()> now)
    : wheel_(wheel),
      interval_(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / calls_per_second))),
      now_(std::move(now)) {
  if (!(calls_per_second > 0)) throw std::invalid_argument("calls per second must be positive");
}

void RateLimiter::acquire(const std::string& account_sid, std::function<void()> start) {
  auto& bucket = buckets_[account_sid];
  bucket.waiting.push_back(std::move(start));
  if (!bucket.is_timer_armed) drain(account_sid);
}

std::size_t RateLimiter::waiting(const std::string& account_sid) const {
  const auto it = buckets_.find(account_sid);
  return it == buckets_.end() ? 0 : it->second.waiting.size();
}

void RateLimiter::drain(const std::string& account_sid) {
  auto it = buckets_.find(account_sid);
  if (it == buckets_.end()) return;
  auto& bucket = it->second;
  bucket.is_timer_armed = false;
  while (!bucket.waiting.empty()) {
    const auto now = now_();
    // A slot due before the wheel's next tick is taken now: the wheel fires once per resolution,
    // and waiting for it would cap the rate at one call per tick.
    if (bucket.next_slot > now + wheel_.resolution()) {
      bucket.is_timer_armed = true;
      // Wake up the tick before the slot is due (the wheel fires up to one resolution late).
      wheel_.schedule(bucket.next_slot - now - wheel_.resolution(), [this, account_sid] { drain(account_sid); });
      return;
    }
    if (gate_ != nullptr && !gate_->try_admit()) {
      bucket.is_timer_armed = true;
      wheel_.schedule(gate_->options().window, [this, account_sid] { drain(account_sid); });
      return;
    }
    // Slots owed because the wheel woke us late are caught up (at most one resolution's worth);
    // slots left unused for longer do not accumulate into a burst.
    bucket.next_slot = std::max(bucket.next_slot, now - wheel_.resolution()) + interval_;
    auto start = std::move(bucket.waiting.front());
    bucket.waiting.pop_front();
    start();
  }
}

}  // namespace sb::calls
