#pragma once
// Admission of new outbound calls while the signalling loop is overloaded.
//
// The engine measures the loop's lag once per window (how late a timer fires: a loop with more
// work than CPU falls behind and every event waits, SIP responses included). While the lag is
// high, new calls start at a rate the gate cuts in half (at most once per few windows) and then
// raises a little every calm window (AIMD, as TCP does with its window). Calls it holds back wait
// in the calls-per-second queue, `queued` like calls beyond an account's rate, instead of
// adding load that makes the calls in progress retransmit and fail. The gate opens again once the
// lag stays low and its allowance has gone unused for a while.
// Signalling loop only.

#include <bit>
#include <chrono>
#include <cstdint>

namespace sb::calls {

struct OverloadGateOptions {
  std::chrono::milliseconds window{20};    // the lag probe's period
  std::chrono::milliseconds high_lag{50};  // at or above: overloaded; the start rate is cut
  std::chrono::milliseconds low_lag{10};   // below: calm; the start rate grows
  double min_starts_per_window = 0.5;      // the allowance never falls below (25 calls/s at 20 ms)
  double increase_per_window = 0.1;        // added to the allowance per calm window
  int windows_between_cuts = 5;            // a cut takes effect before the next one
  int calm_windows_to_open = 50;           // calm, with the allowance unused, this long: no limit
};

class OverloadGate {
 public:
  enum class Change { kNone, kLimited, kOpened };

  explicit OverloadGate(OverloadGateOptions options = {}) : options_(options) {}

  // Once per window, with how late the probe fired. Says when the gate starts or stops limiting.
  Change on_window(std::chrono::nanoseconds lag);
  // A call wants to start: true (it is counted) or false (it waits for a later window).
  bool try_admit();

  bool is_limiting() const { return is_limiting_; }
  // Limiting, and late in at least 3 of the last 5 windows: the loop stays behind, as opposed to
  // one stall (a host pause, a slow disk) that holds calls for a moment.
  bool is_sustained() const { return is_limiting_ && std::popcount(late_windows_ & 0x1fu) >= 3; }
  // Starts per window while limiting.
  double allowance() const { return allowance_; }
  // Calls started per window, smoothed.
  double start_rate() const { return start_rate_; }
  // Windows since the gate last started limiting.
  std::uint64_t limited_windows() const { return limited_windows_; }
  const OverloadGateOptions& options() const { return options_; }

 private:
  OverloadGateOptions options_;
  bool is_limiting_ = false;
  double allowance_ = 0;
  double credit_ = 0;
  double start_rate_ = 0;
  std::uint32_t started_ = 0;  // in this window
  std::uint32_t refused_ = 0;  // in this window
  std::uint64_t limited_windows_ = 0;
  int windows_since_cut_ = 0;
  int calm_windows_ = 0;
  std::uint32_t late_windows_ = 0;  // newest window in bit 0: 1 where the lag was high
};

}  // namespace sb::calls
