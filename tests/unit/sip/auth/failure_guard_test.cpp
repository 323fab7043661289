#include "sip/auth/failure_guard.hpp"

#include <gtest/gtest.h>

namespace sb::sip {
namespace {

using namespace std::chrono_literals;

TEST(FailureGuard, BansASourceAfterTooManyFailuresInTheWindowThenForgives) {
  FailureGuard guard({.max_failures = 3, .window = 60s, .ban = 600s});
  const auto t0 = FailureGuard::Clock::time_point{} + 1000s;
  EXPECT_FALSE(guard.record_failure("192.0.2.1", t0));
  EXPECT_FALSE(guard.record_failure("192.0.2.1", t0 + 1s));
  EXPECT_FALSE(guard.is_banned("192.0.2.1", t0 + 2s));
  EXPECT_TRUE(guard.record_failure("192.0.2.1", t0 + 2s));  // the third: banned, reported once
  EXPECT_TRUE(guard.is_banned("192.0.2.1", t0 + 3s));
  EXPECT_FALSE(guard.record_failure("192.0.2.1", t0 + 4s));
  EXPECT_FALSE(guard.is_banned("198.51.100.7", t0 + 3s));  // others are untouched
  EXPECT_EQ(guard.banned_count(t0 + 3s), 1u);
  EXPECT_FALSE(guard.is_banned("192.0.2.1", t0 + 603s));   // the ban ends
}

TEST(FailureGuard, FailuresSpreadBeyondTheWindowDoNotBan) {
  FailureGuard guard({.max_failures = 3, .window = 60s, .ban = 600s});
  const auto t0 = FailureGuard::Clock::time_point{} + 1000s;
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(guard.record_failure("192.0.2.1", t0 + i * 31s));
  EXPECT_FALSE(guard.is_banned("192.0.2.1", t0 + 400s));
}

TEST(FailureGuard, MemoryIsBoundedUnderAFloodOfSources) {
  FailureGuard guard({.max_failures = 2, .window = 60s, .ban = 600s, .max_sources = 100});
  const auto t0 = FailureGuard::Clock::time_point{} + 1000s;
  guard.record_failure("banned", t0);
  guard.record_failure("banned", t0);
  for (int i = 0; i < 1000; ++i) guard.record_failure("10.0.0." + std::to_string(i), t0 + 1s);
  EXPECT_TRUE(guard.is_banned("banned", t0 + 2s));  // bans survive the sweep while sources are few
}

}  // namespace
}  // namespace sb::sip
