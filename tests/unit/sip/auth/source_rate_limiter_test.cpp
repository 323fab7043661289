#include "sip/auth/source_rate_limiter.hpp"

#include <gtest/gtest.h>

namespace sb::sip {
namespace {

using namespace std::chrono_literals;

TEST(SourceRateLimiter, AdmitsABurstThenTheRateAndRefusesTheRestWithRetryAfter) {
  SourceRateLimiter limiter({.rate = 5, .burst = 10});
  const auto t0 = SourceRateLimiter::Clock::time_point{} + 1000s;
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.admit("192.0.2.1", t0).is_allowed) << i;
  const auto refused = limiter.admit("192.0.2.1", t0);
  EXPECT_FALSE(refused.is_allowed);
  EXPECT_TRUE(refused.is_first_refusal);
  EXPECT_EQ(refused.retry_after, 1s);
  EXPECT_FALSE(limiter.admit("192.0.2.1", t0 + 10ms).is_first_refusal);  // logged once per episode
  EXPECT_TRUE(limiter.admit("198.51.100.7", t0).is_allowed);              // others are untouched
  // 5 per second: after 1 s, five more; the sixth is refused.
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.admit("192.0.2.1", t0 + 1s).is_allowed) << i;
  EXPECT_FALSE(limiter.admit("192.0.2.1", t0 + 1s).is_allowed);
  // An idle source is back to a full burst.
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.admit("192.0.2.1", t0 + 60s).is_allowed) << i;
}

TEST(SourceRateLimiter, ZeroRateDisablesIt) {
  SourceRateLimiter limiter({.rate = 0});
  const auto t0 = SourceRateLimiter::Clock::time_point{} + 1000s;
  for (int i = 0; i < 100000; ++i) ASSERT_TRUE(limiter.admit("192.0.2.1", t0).is_allowed);
  EXPECT_EQ(limiter.tracked(), 0u);
}

TEST(SourceRateLimiter, MemoryIsBoundedUnderAFloodOfSources) {
  SourceRateLimiter limiter({.rate = 1, .burst = 1, .max_sources = 100});
  const auto t0 = SourceRateLimiter::Clock::time_point{} + 1000s;
  for (int i = 0; i < 1000; ++i) limiter.admit("10.0.0." + std::to_string(i), t0 + std::chrono::milliseconds{i});
  EXPECT_LE(limiter.tracked(), 100u);
  // A busy source survives a sweep that only idle ones leave.
  SourceRateLimiter busy({.rate = 1, .burst = 1, .max_sources = 3});
  EXPECT_TRUE(busy.admit("busy", t0).is_allowed);
  busy.admit("a", t0 - 10s);
  busy.admit("b", t0 - 10s);
  busy.admit("c", t0 + 100ms);  // full: the idle a and b go
  EXPECT_FALSE(busy.admit("busy", t0 + 200ms).is_allowed);
}

}  // namespace
}  // namespace sb::sip
