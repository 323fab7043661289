#include "calls/overload_gate.hpp"
#include "calls/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sb::calls {
namespace {

using namespace std::chrono_literals;

// Calls offered every window until the gate refuses one; returns how many it let start.
int offer(OverloadGate& gate, int calls) {
  int started = 0;
  for (int i = 0; i < calls && gate.try_admit(); ++i) ++started;
  return started;
}

TEST(OverloadGate, AdmitsEverythingWhileTheLoopKeepsUp) {
  OverloadGate gate;
  for (int w = 0; w < 100; ++w) {
    EXPECT_EQ(offer(gate, 40), 40);
    EXPECT_EQ(gate.on_window(3ms), OverloadGate::Change::kNone);
  }
  EXPECT_FALSE(gate.is_limiting());
}

TEST(OverloadGate, IsSustainedOnlyWhileLateInThreeOfTheLastFiveWindows) {
  OverloadGate gate;
  EXPECT_EQ(gate.on_window(400ms), OverloadGate::Change::kLimited);  // one stall
  EXPECT_TRUE(gate.is_limiting());
  EXPECT_FALSE(gate.is_sustained());
  for (int w = 0; w < 5; ++w) gate.on_window(1ms);  // on time again, still limiting
  EXPECT_TRUE(gate.is_limiting());
  EXPECT_FALSE(gate.is_sustained());
  gate.on_window(60ms);
  gate.on_window(1ms);
  EXPECT_FALSE(gate.is_sustained());  // 1 of the last 5
  gate.on_window(60ms);
  EXPECT_FALSE(gate.is_sustained());  // 2
  gate.on_window(60ms);
  EXPECT_TRUE(gate.is_sustained());   // 3 of the last 5
  for (int w = 0; w < 3; ++w) gate.on_window(1ms);
  EXPECT_FALSE(gate.is_sustained());  // the late ones slid out
}

TEST(OverloadGate, ALaggingLoopHalvesTheStartRateAndLaterCutsAgain) {
  OverloadGate gate;
  for (int w = 0; w < 200; ++w) {  // the smoothed start rate settles on 20 per window
    offer(gate, 20);
    gate.on_window(2ms);
  }
  EXPECT_NEAR(gate.start_rate(), 20, 0.1);
  offer(gate, 20);
  EXPECT_EQ(gate.on_window(80ms), OverloadGate::Change::kLimited);
  EXPECT_TRUE(gate.is_limiting());
  EXPECT_NEAR(gate.allowance(), 10, 0.1);
  EXPECT_EQ(offer(gate, 20), 10);  // the next window lets half the former rate start
  // Still behind: one more cut once the first had time to act, not one per window.
  for (int w = 0; w < 4; ++w) {
    gate.on_window(80ms);
    EXPECT_NEAR(gate.allowance(), 10, 0.1);
    offer(gate, 20);
  }
  gate.on_window(80ms);
  EXPECT_NEAR(gate.allowance(), 5, 0.1);
  EXPECT_EQ(offer(gate, 20), 5);
  // Never below the floor: calls keep starting, slowly.
  for (int w = 0; w < 100; ++w) gate.on_window(80ms);
  EXPECT_DOUBLE_EQ(gate.allowance(), gate.options().min_starts_per_window);
  int started = 0;
  for (int w = 0; w < 10; ++w) {
    started += offer(gate, 20);
    gate.on_window(80ms);
  }
  EXPECT_EQ(started, 1 + 5);  // 0.5 per window, and one carried over from the idle windows, not 50
}

TEST(OverloadGate, GrowsBackInCalmWindowsAndOpensOnlyOnceNothingWaits) {
  OverloadGate gate;
  offer(gate, 10);
  gate.on_window(1ms);
  ASSERT_EQ(gate.on_window(60ms), OverloadGate::Change::kLimited);
  const double floor = gate.allowance();
  // Calm, but calls still wait (every window's allowance is used up): it grows and stays limiting.
  for (int w = 0; w < 100; ++w) {
    offer(gate, 1000);
    EXPECT_EQ(gate.on_window(2ms), OverloadGate::Change::kNone);
  }
  EXPECT_TRUE(gate.is_limiting());
  EXPECT_NEAR(gate.allowance(), floor + 100 * gate.options().increase_per_window, 1e-9);
  // Between the thresholds it holds its rate.
  const double held = gate.allowance();
  offer(gate, 1000);
  gate.on_window(20ms);
  EXPECT_DOUBLE_EQ(gate.allowance(), held);
  // Calm and nothing refused for calm_windows_to_open windows: open.
  auto change = OverloadGate::Change::kNone;
  int w = 0;
  for (; w < 1000 && change == OverloadGate::Change::kNone; ++w) {
    offer(gate, 1);
    change = gate.on_window(2ms);
  }
  EXPECT_EQ(change, OverloadGate::Change::kOpened);
  EXPECT_EQ(w, gate.options().calm_windows_to_open);
  EXPECT_FALSE(gate.is_limiting());
  EXPECT_EQ(offer(gate, 500), 500);
}

TEST(RateLimiter, HoldsCallsInOrderWhileTheGateIsClosedAndStartsThemAsItAllows) {
  TimerWheel::TimePoint now{};
  TimerWheel wheel(20ms, 64, now);
  RateLimiter limiter(wheel, 10000.0, [&] { return now; });
  OverloadGate gate;
  limiter.set_gate(&gate);
  for (int w = 0; w < 20; ++w) gate.on_window(1ms);
  ASSERT_EQ(gate.on_window(100ms), OverloadGate::Change::kLimited);  // at the floor: 0.5 per window
  std::vector<int> started;
  for (int i = 0; i < 4; ++i) limiter.acquire("AC1", [&, i] { started.push_back(i); });
  EXPECT_TRUE(started.empty());  // the first window's credit is 0.5
  EXPECT_EQ(limiter.waiting("AC1"), 4u);
  for (int w = 0; w < 8; ++w) {
    now += 20ms;
    gate.on_window(100ms);
    wheel.advance(now);
  }
  EXPECT_EQ(started, (std::vector<int>{0, 1, 2, 3}));  // one per two windows, in order
  EXPECT_EQ(limiter.waiting("AC1"), 0u);
}

}  // namespace
}  // namespace sb::calls
