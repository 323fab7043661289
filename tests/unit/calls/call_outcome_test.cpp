#include "calls/call_outcome.hpp"

#include "calls/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace sb::calls {
namespace {

using namespace std::chrono_literals;

TEST(DialOutcome, MapsFinalResponsesAsTwilioDoes) {
  EXPECT_EQ(dial_outcome(DialEnd::kFinalResponse, 200).status, "completed");
  for (int code : {486, 600, 603}) EXPECT_EQ(dial_outcome(DialEnd::kFinalResponse, code).status, "busy") << code;
  for (int code : {408, 480, 487}) EXPECT_EQ(dial_outcome(DialEnd::kFinalResponse, code).status, "no-answer") << code;
  for (int code : {302, 403, 404, 488, 500, 503}) EXPECT_EQ(dial_outcome(DialEnd::kFinalResponse, code).status, "failed") << code;
  EXPECT_EQ(dial_outcome(DialEnd::kFinalResponse, 503).sip_response_code, 503);
}

TEST(DialOutcome, OurOwnEndingsReportTwiliosCodes) {
  EXPECT_EQ(dial_outcome(DialEnd::kRingTimeout).status, "no-answer");
  EXPECT_EQ(dial_outcome(DialEnd::kRingTimeout).sip_response_code, 487);
  EXPECT_EQ(dial_outcome(DialEnd::kUnreachable).status, "failed");
  EXPECT_EQ(dial_outcome(DialEnd::kUnreachable).sip_response_code, 404);
  EXPECT_EQ(dial_outcome(DialEnd::kCanceledByApi).status, "canceled");
}

TEST(RateLimiter, QueuesBeyondTheRateInOrderAndPerAccount) {
  TimerWheel::TimePoint now{};
  TimerWheel wheel(10ms, 64, now);
  RateLimiter limiter(wheel, 2.0, [&] { return now; });  // one start every 500 ms
  std::vector<std::string> started;
  for (int i = 0; i < 3; ++i) limiter.acquire("AC1", [&, i] { started.push_back("a" + std::to_string(i)); });
  limiter.acquire("AC2", [&] { started.push_back("b0"); });
  EXPECT_EQ(started, (std::vector<std::string>{"a0", "b0"}));  // accounts do not wait for each other
  EXPECT_EQ(limiter.waiting("AC1"), 2u);
  for (; now < TimerWheel::TimePoint{} + 490ms; now += 10ms) wheel.advance(now);
  EXPECT_EQ(started.size(), 2u);
  for (; now <= TimerWheel::TimePoint{} + 530ms; now += 10ms) wheel.advance(now);
  EXPECT_EQ(started.back(), "a1");
  for (; now <= TimerWheel::TimePoint{} + 1030ms; now += 10ms) wheel.advance(now);
  EXPECT_EQ(started.back(), "a2");
  EXPECT_EQ(limiter.waiting("AC1"), 0u);
}

}  // namespace
}  // namespace sb::calls

namespace sb::calls {
namespace {

TEST(RateLimiter, HighRatesAreNotCappedByTheWheelResolution) {
  TimerWheel::TimePoint now{};
  TimerWheel wheel(std::chrono::milliseconds{20}, 64, now);
  RateLimiter limiter(wheel, 1000.0, [&] { return now; });  // one start per millisecond
  int started = 0;
  for (int i = 0; i < 1000; ++i) limiter.acquire("AC1", [&] { ++started; });
  for (int tick = 0; tick < 50; ++tick) {  // one second of 20 ms ticks
    now += std::chrono::milliseconds{20};
    wheel.advance(now);
  }
  EXPECT_GE(started, 990);  // about 1000 in a second, not 50
  EXPECT_LE(started, 1000);
}

}  // namespace
}  // namespace sb::calls
