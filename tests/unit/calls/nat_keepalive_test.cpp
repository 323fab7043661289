#include "calls/nat_keepalive.hpp"

#include <gtest/gtest.h>

#include <deque>

namespace sb::calls {
namespace {

using namespace std::chrono_literals;

// Pings go to a fake that records them; the test answers them (or not) by hand.
class NatKeepaliveTest : public ::testing::Test {
 protected:
  struct Sent {
    std::string contact_uri;
    sip::Endpoint destination;
    std::function<void(bool)> done;
  };
  NatKeepalive make(NatKeepaliveOptions options) {
    return NatKeepalive(
        options,
        [this](const std::string& uri, const sip::Endpoint& to, std::function<void(bool)> done) {
          sent_.push_back({uri, to, std::move(done)});
        },
        [this](const std::string& aor, const std::string& uri) { dead_.push_back(aor + " " + uri); });
  }
  // Answers (or times out) every ping outstanding.
  void answer_all(bool is_answered) {
    auto pending = std::move(sent_);
    sent_.clear();
    for (auto& s : pending) s.done(is_answered);
  }
  const NatKeepalive::Clock::time_point t0_ = NatKeepalive::Clock::time_point{} + 1000s;
  std::deque<Sent> sent_;
  std::vector<std::string> dead_;
};

TEST_F(NatKeepaliveTest, PingsTheReceivedAddressEveryIntervalWhileItAnswers) {
  auto keepalive = make({.interval = 30s, .max_failures = 3});
  keepalive.watch("SD1 alice", "sip:alice@192.168.1.20:5060", {"203.0.113.7", 40000}, t0_);
  keepalive.tick(t0_ + 29s);
  EXPECT_TRUE(sent_.empty());
  keepalive.tick(t0_ + 30s);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].contact_uri, "sip:alice@192.168.1.20:5060");
  EXPECT_EQ(sent_[0].destination, (sip::Endpoint{"203.0.113.7", 40000}));
  keepalive.tick(t0_ + 31s);
  EXPECT_EQ(sent_.size(), 1u) << "no second ping while one is outstanding";
  answer_all(true);
  keepalive.tick(t0_ + 60s);
  EXPECT_TRUE(sent_.empty()) << "an interval after the tick that saw the answer";
  keepalive.tick(t0_ + 61s);
  EXPECT_EQ(sent_.size(), 1u);
  EXPECT_EQ(keepalive.pings_sent(), 2u);
}

TEST_F(NatKeepaliveTest, AContactThatStopsAnsweringIsReportedDeadAfterMaxFailures) {
  auto keepalive = make({.interval = 10s, .max_failures = 3});
  keepalive.watch("SD1 alice", "sip:alice@192.168.1.20", {"203.0.113.7", 40000}, t0_);
  auto t = t0_;
  for (int i = 0; i < 3; ++i) {
    t += 10s;
    keepalive.tick(t);
    ASSERT_EQ(sent_.size(), 1u) << i;
    EXPECT_TRUE(dead_.empty());
    answer_all(false);
  }
  ASSERT_EQ(dead_.size(), 1u);
  EXPECT_EQ(dead_[0], "SD1 alice sip:alice@192.168.1.20");
  EXPECT_EQ(keepalive.watched(), 0u);
  EXPECT_EQ(keepalive.dropped(), 1u);
  keepalive.tick(t + 100s);
  EXPECT_TRUE(sent_.empty());
}

TEST_F(NatKeepaliveTest, OneAnswerResetsTheFailureCount) {
  auto keepalive = make({.interval = 10s, .max_failures = 2});
  keepalive.watch("SD1 bob", "sip:bob@10.0.0.2", {"203.0.113.8", 5060}, t0_);
  keepalive.tick(t0_ + 10s);
  answer_all(false);
  keepalive.tick(t0_ + 20s);
  answer_all(true);
  keepalive.tick(t0_ + 30s);
  answer_all(false);
  EXPECT_TRUE(dead_.empty());
  EXPECT_EQ(keepalive.watched(), 1u);
}

TEST_F(NatKeepaliveTest, ForgottenOrMovedBindingsIgnoreLateResults) {
  auto keepalive = make({.interval = 10s, .max_failures = 1});
  keepalive.watch("SD1 carol", "sip:carol@10.0.0.3", {"203.0.113.9", 5060}, t0_);
  keepalive.tick(t0_ + 10s);
  ASSERT_EQ(sent_.size(), 1u);
  // The phone re-registered from another port meanwhile: a new schedule, the old result is void.
  keepalive.watch("SD1 carol", "sip:carol@10.0.0.3", {"203.0.113.9", 6000}, t0_ + 11s);
  answer_all(false);
  EXPECT_TRUE(dead_.empty());
  EXPECT_EQ(keepalive.in_flight(), 0u);
  keepalive.tick(t0_ + 21s);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].destination.port, 6000);
  keepalive.forget("SD1 carol", "sip:carol@10.0.0.3");
  answer_all(false);
  EXPECT_TRUE(dead_.empty());
  // A refresh from the same address keeps the schedule (no ping storm from frequent REGISTERs).
  keepalive.watch("SD1 dave", "sip:dave@10.0.0.4", {"203.0.113.10", 5060}, t0_ + 30s);
  keepalive.watch("SD1 dave", "sip:dave@10.0.0.4", {"203.0.113.10", 5060}, t0_ + 39s);
  keepalive.tick(t0_ + 40s);
  EXPECT_EQ(sent_.size(), 1u);
}

TEST_F(NatKeepaliveTest, OutstandingPingsAreBounded) {
  auto keepalive = make({.interval = 10s, .max_failures = 3, .max_in_flight = 5});
  for (int i = 0; i < 12; ++i) {
    keepalive.watch("SD1 u" + std::to_string(i), "sip:u@10.0.0.1", {"203.0.113.1", static_cast<std::uint16_t>(1000 + i)},
                    t0_);
  }
  keepalive.tick(t0_ + 10s);
  EXPECT_EQ(sent_.size(), 5u);
  answer_all(true);
  keepalive.tick(t0_ + 11s);
  EXPECT_EQ(sent_.size(), 5u);
  answer_all(true);
  keepalive.tick(t0_ + 12s);
  EXPECT_EQ(sent_.size(), 2u);
}

TEST_F(NatKeepaliveTest, ResultsAfterDestructionAreDropped) {
  std::function<void(bool)> late;
  {
    auto keepalive = make({.interval = 1s});
    keepalive.watch("SD1 a", "sip:a@10.0.0.1", {"203.0.113.1", 5060}, t0_);
    keepalive.tick(t0_ + 1s);
    ASSERT_EQ(sent_.size(), 1u);
    late = sent_[0].done;
  }
  late(false);  // must not touch the destroyed object
  EXPECT_TRUE(dead_.empty());
}

TEST(NatKeepaliveNat, AContactIsBehindANatWhenItIsNotWhereTheRegisterCameFrom) {
  EXPECT_FALSE(NatKeepalive::is_behind_nat("sip:a@203.0.113.7:40000", {"203.0.113.7", 40000}));
  EXPECT_FALSE(NatKeepalive::is_behind_nat("sip:a@203.0.113.7", {"203.0.113.7", 5060}));
  EXPECT_FALSE(NatKeepalive::is_behind_nat("sip:a@[2001:db8::1]:5062", {"2001:db8::1", 5062}));
  EXPECT_TRUE(NatKeepalive::is_behind_nat("sip:a@192.168.1.20:5060", {"203.0.113.7", 5060}));
  EXPECT_TRUE(NatKeepalive::is_behind_nat("sip:a@203.0.113.7:5060", {"203.0.113.7", 40000}));
  EXPECT_TRUE(NatKeepalive::is_behind_nat("sip:a@phone.example.com", {"203.0.113.7", 5060}));
}

}  // namespace
}  // namespace sb::calls
