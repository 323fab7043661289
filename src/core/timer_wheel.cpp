#include "core/timer_wheel.hpp"

#include <algorithm>
#include <stdexcept>

namespace sb {

TimerWheel::TimerWheel(Duration resolution, std::size_t slot_count, TimePoint now)
    : resolution_(resolution), origin_(now), slots_(slot_count, UINT32_MAX) {
  if (resolution <= Duration::zero() || slot_count == 0) {
    throw std::invalid_argument("TimerWheel needs a positive resolution and at least one slot");
  }
}

std::uint64_t TimerWheel::tick_of(TimePoint t) const {
  if (t <= origin_) return 0;
  return static_cast<std::uint64_t>((t - origin_) / resolution_);
}

void TimerWheel::link(std::uint32_t index) {
  auto& e = entries_[index];
  auto& head = slots_[e.deadline_tick % slots_.size()];
  e.prev = UINT32_MAX;
  e.next = head;
  if (head != UINT32_MAX) entries_[head].prev = index;
  head = index;
}

void TimerWheel::unlink(std::uint32_t index) {
  auto& e = entries_[index];
  if (e.prev != UINT32_MAX) {
    entries_[e.prev].next = e.next;
  } else {
    slots_[e.deadline_tick % slots_.size()] = e.next;
  }
  if (e.next != UINT32_MAX) entries_[e.next].prev = e.prev;
  e.next = e.prev = UINT32_MAX;
}

TimerWheel::TimerId TimerWheel::schedule(Duration delay, Callback callback) {
  // The last advance() was somewhere inside current_tick_, so a positive delay is rounded up and
  // given one more tick: a timer never fires before its delay has passed, and at most one
  // resolution after. A zero delay fires at the next advance().
  const Duration d = std::max(delay, Duration::zero());
  const auto ticks = d == Duration::zero()
                         ? std::uint64_t{0}
                         : static_cast<std::uint64_t>((d + resolution_ - Duration(1)) / resolution_) + 1;
  std::uint32_t index;
  if (free_ != UINT32_MAX) {
    index = free_;
    free_ = entries_[index].next;
  } else {
    index = static_cast<std::uint32_t>(entries_.size());
    entries_.emplace_back();
  }
  auto& e = entries_[index];
  e.deadline_tick = current_tick_ + ticks;
  e.sequence = next_sequence_++;
  e.callback = std::move(callback);
  e.is_pending = true;
  link(index);
  ++pending_;
  return {index, e.generation};
}

bool TimerWheel::is_pending(TimerId id) const {
  return id.index < entries_.size() && entries_[id.index].generation == id.generation &&
         entries_[id.index].is_pending;
}

bool TimerWheel::cancel(TimerId id) {
  if (!is_pending(id)) return false;
  auto& e = entries_[id.index];
  unlink(id.index);
  e.is_pending = false;
  e.callback = nullptr;
  ++e.generation;
  e.next = free_;
  free_ = id.index;
  --pending_;
  return true;
}

std::size_t TimerWheel::advance(TimePoint now) {
  const std::uint64_t target = tick_of(now);
  std::size_t fired = 0;
  std::vector<std::uint32_t> due;
  while (current_tick_ <= target) {
    // Collect what is due in this tick, then fire in deadline and scheduling order. Timers
    // scheduled by callbacks with zero delay land in this same tick and are picked up by the
    // next pass of the loop below.
    for (;;) {
      due.clear();
      for (auto i = slots_[current_tick_ % slots_.size()]; i != UINT32_MAX; i = entries_[i].next) {
        if (entries_[i].deadline_tick <= current_tick_) due.push_back(i);
      }
      if (due.empty()) break;
      std::ranges::sort(due, [this](std::uint32_t a, std::uint32_t b) {
        return entries_[a].sequence < entries_[b].sequence;
      });
      for (const auto index : due) {
        auto& e = entries_[index];
        if (!e.is_pending) continue;  // cancelled by an earlier callback of this batch
        Callback callback = std::move(e.callback);
        cancel({index, e.generation});
        ++fired;
        callback();
      }
    }
    if (current_tick_ == target) break;
    ++current_tick_;
    if (pending_ == 0) current_tick_ = target;  // nothing to scan in between
  }
  return fired;
}

}  // namespace sb
