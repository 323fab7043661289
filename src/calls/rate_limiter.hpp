#pragma once
// Calls-per-second limit per account that queues rather than fails (Twilio's CPS queueing):
// each account gets `rate` call starts per second, in the order requested; the wait is the
// call's queue_time. Signalling loop; driven by the loop's timer wheel.

#include "calls/overload_gate.hpp"
#include "core/timer_wheel.hpp"

#include <deque>
#include <functional>
#include <map>
#include <string>

namespace sb::calls {

class RateLimiter {
 public:
  using Clock = TimerWheel::Clock;
  // `now` reads the loop's clock (a test clock in tests).
  RateLimiter(TimerWheel& wheel, double calls_per_second, std::function<Clock::time_point()> now);

  // Runs `start` now if the account has a slot, else when its turn comes.
  void acquire(const std::string& account_sid, std::function<void()> start);
  // Starts also pass `gate` (nullptr: none), which holds them back while the loop is overloaded;
  // a call held there keeps its place and tries again a window later.
  void set_gate(OverloadGate* gate) { gate_ = gate; }
  // Requests waiting for `account_sid`.
  std::size_t waiting(const std::string& account_sid) const;

 private:
  struct Bucket {
    Clock::time_point next_slot{};
    std::deque<std::function<void()>> waiting;
    bool is_timer_armed = false;
  };
  void drain(const std::string& account_sid);

  TimerWheel& wheel_;
  Clock::duration interval_;
  std::function<Clock::time_point()> now_;
  OverloadGate* gate_ = nullptr;
  std::map<std::string, Bucket, std::less<>> buckets_;
};

}  // namespace sb::calls
