#include "calls/overload_gate.hpp"

#include <algorithm>

namespace sb::calls {

OverloadGate::Change OverloadGate::on_window(std::chrono::nanoseconds lag) {
  start_rate_ = 0.8 * start_rate_ + 0.2 * started_;
  const bool was_refusing = refused_ > 0;
  started_ = 0;
  refused_ = 0;
  auto change = Change::kNone;
  late_windows_ = (late_windows_ << 1) | (lag >= options_.high_lag ? 1u : 0u);
  if (lag >= options_.high_lag) {
    calm_windows_ = 0;
    if (!is_limiting_) {
      // Half the rate that brought the loop here: an overload is made of calls already started,
      // so the first cut is deep and the next ones wait for it to take effect.
      is_limiting_ = true;
      allowance_ = std::max(options_.min_starts_per_window, start_rate_ / 2);
      credit_ = 0;
      windows_since_cut_ = 0;
      limited_windows_ = 0;
      change = Change::kLimited;
    } else if (++windows_since_cut_ >= options_.windows_between_cuts) {
      allowance_ = std::max(options_.min_starts_per_window, allowance_ / 2);
      windows_since_cut_ = 0;
    }
  } else if (is_limiting_) {
    ++windows_since_cut_;
    if (lag < options_.low_lag) {
      allowance_ += options_.increase_per_window;
      // Open only when nothing waited: a queue still draining at the allowance would otherwise
      // start all at once.
      calm_windows_ = was_refusing ? 0 : calm_windows_ + 1;
      if (calm_windows_ >= options_.calm_windows_to_open) {
        is_limiting_ = false;
        calm_windows_ = 0;
        return Change::kOpened;
      }
    } else {
      calm_windows_ = 0;
    }
  }
  if (is_limiting_) {
    ++limited_windows_;
    // One window's allowance may be carried over, not more: no burst after a quiet spell.
    credit_ = std::min(credit_ + allowance_, allowance_ + 1.0);
  }
  return change;
}

bool OverloadGate::try_admit() {
  if (is_limiting_) {
    if (credit_ < 1.0 - 1e-6) {  // the smoothed rate halved may fall a hair short of a whole call
      ++refused_;
      return false;
    }
    credit_ -= 1.0;
  }
  ++started_;
  return true;
}

}  // namespace sb::calls
