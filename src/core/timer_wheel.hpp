#pragma once
// A hashed timing wheel: schedule and cancel in O(1), expiry driven by the owner calling
// advance(now) from one periodic tick (STYLE.md: one wheel per thread, never a timer per message).
// Not thread-safe: owned by one thread (the signalling loop, or one media thread).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace sb {

class TimerWheel {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;
  using Duration = std::chrono::nanoseconds;
  using Callback = std::function<void()>;

  // A handle to cancel a timer; stays safe to use after the timer fired or was cancelled.
  struct TimerId {
    std::uint32_t index = UINT32_MAX;
    std::uint32_t generation = 0;
    bool is_valid() const { return index != UINT32_MAX; }
  };

  // `resolution`: the granularity of expiry (timers fire on the first tick at or after their
  // deadline, rounded up to a multiple of it); `slot_count`: buckets in the wheel.
  TimerWheel(Duration resolution, std::size_t slot_count, TimePoint now);

  // Fires `callback` once, at an advance() at least `delay` after the latest advance() and at
  // most one resolution later; a zero delay fires at the next advance().
  TimerId schedule(Duration delay, Callback callback);
  // Returns true when the timer was pending and is now cancelled.
  bool cancel(TimerId id);
  bool is_pending(TimerId id) const;

  // Fires every timer due at or before `now`, earliest deadline first (then in scheduling
  // order). Callbacks may schedule and cancel timers, including ones due in this same advance.
  // Returns how many fired.
  std::size_t advance(TimePoint now);

  std::size_t size() const { return pending_; }
  Duration resolution() const { return resolution_; }

 private:
  struct Entry {
    std::uint64_t deadline_tick = 0;
    std::uint64_t sequence = 0;
    Callback callback;
    std::uint32_t generation = 0;
    std::uint32_t next = UINT32_MAX;  // within the slot, or the free list
    std::uint32_t prev = UINT32_MAX;
    bool is_pending = false;
  };

  std::uint64_t tick_of(TimePoint t) const;
  void link(std::uint32_t index);
  void unlink(std::uint32_t index);

  Duration resolution_;
  TimePoint origin_;
  std::uint64_t current_tick_ = 0;  // every tick below it has been processed
  std::uint64_t next_sequence_ = 0;
  std::vector<std::uint32_t> slots_;  // head of each slot's list
  std::vector<Entry> entries_;
  std::uint32_t free_ = UINT32_MAX;
  std::size_t pending_ = 0;
};

}  // namespace sb
