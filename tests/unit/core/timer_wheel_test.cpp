#include "core/timer_wheel.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sb {
namespace {

using namespace std::chrono_literals;

class TimerWheelTest : public ::testing::Test {
 protected:
  TimerWheel::TimePoint t0{};
  TimerWheel wheel{10ms, 64, t0};
  std::vector<std::string> fired;
  auto note(std::string what) {
    return [this, what] { fired.push_back(what); };
  }
};

TEST_F(TimerWheelTest, NeverFiresEarlyAndAtMostOneResolutionLate) {
  wheel.schedule(500ms, note("T1"));
  wheel.advance(t0 + 499ms);
  EXPECT_TRUE(fired.empty());
  wheel.advance(t0 + 509ms);
  EXPECT_TRUE(fired.empty());
  wheel.advance(t0 + 510ms);
  EXPECT_EQ(fired, std::vector<std::string>{"T1"});
  EXPECT_EQ(wheel.size(), 0u);
}

TEST_F(TimerWheelTest, FiresInDeadlineOrderThenSchedulingOrder) {
  wheel.schedule(4s, note("later"));  // wraps the 64-slot wheel several times
  wheel.schedule(100ms, note("b1"));
  wheel.schedule(50ms, note("a"));
  wheel.schedule(100ms, note("b2"));
  EXPECT_EQ(wheel.advance(t0 + 1s), 3u);
  EXPECT_EQ(fired, (std::vector<std::string>{"a", "b1", "b2"}));
  wheel.advance(t0 + 4010ms);
  EXPECT_EQ(fired.back(), "later");
}

TEST_F(TimerWheelTest, CancelledTimersDoNotFireAndStaleIdsAreHarmless) {
  auto id = wheel.schedule(20ms, note("x"));
  EXPECT_TRUE(wheel.is_pending(id));
  EXPECT_TRUE(wheel.cancel(id));
  EXPECT_FALSE(wheel.cancel(id));
  auto reused = wheel.schedule(20ms, note("y"));  // reuses the slot of x
  EXPECT_FALSE(wheel.cancel(id));
  EXPECT_TRUE(wheel.is_pending(reused));
  wheel.advance(t0 + 1s);
  EXPECT_EQ(fired, std::vector<std::string>{"y"});
  EXPECT_FALSE(wheel.is_pending(reused));
}

TEST_F(TimerWheelTest, CallbacksMayScheduleAndCancel) {
  TimerWheel::TimerId victim;
  wheel.schedule(10ms, [&] {
    fired.push_back("first");
    wheel.cancel(victim);
    wheel.schedule(0ms, note("immediate"));
    wheel.schedule(30ms, note("retransmit"));
  });
  victim = wheel.schedule(20ms, note("victim"));
  wheel.advance(t0 + 20ms);
  EXPECT_EQ(fired, (std::vector<std::string>{"first", "immediate"}));
  wheel.advance(t0 + 100ms);
  EXPECT_EQ(fired, (std::vector<std::string>{"first", "immediate", "retransmit"}));
}

TEST_F(TimerWheelTest, RetransmissionScheduleLikeTimerA) {
  // RFC 3261 17.1.1.2: Timer A doubles from T1 until Timer B (64*T1) fires.
  std::vector<std::chrono::milliseconds> sent;
  auto now = t0;
  std::chrono::milliseconds interval = 500ms;
  std::function<void()> retransmit = [&] {
    sent.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(now - t0));
    interval *= 2;
    wheel.schedule(interval, retransmit);
  };
  wheel.schedule(interval, retransmit);
  bool timed_out = false;
  auto timer_b = wheel.schedule(32s, [&] { timed_out = true; });
  for (; !timed_out; now += 10ms) wheel.advance(now);
  ASSERT_EQ(sent.size(), 6u);  // 0.5 1.5 3.5 7.5 15.5 31.5 s
  EXPECT_NEAR(sent[0].count(), 500, 20);
  EXPECT_NEAR(sent[5].count(), 31500, 120);
  EXPECT_FALSE(wheel.is_pending(timer_b));
}

}  // namespace
}  // namespace sb
