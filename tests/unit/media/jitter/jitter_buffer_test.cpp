#include "media/jitter/jitter_buffer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace sb::media {
namespace {

using namespace std::chrono_literals;
using Clock = JitterBuffer::Clock;

std::vector<std::int16_t> frame(std::int16_t value, std::size_t size = 160) { return std::vector<std::int16_t>(size, value); }

// A stream of 20 ms packets: packet n carries timestamp n * 160 and samples of value n.
struct Stream {
  JitterBuffer buffer;
  Clock::time_point t0 = Clock::time_point{} + 1000s;
  std::uint32_t ssrc = 0x1234;
  std::uint16_t first = 1000;
  std::vector<JitterBuffer::Frame> out;  // samples not kept: only what the frames say
  std::vector<std::int16_t> values;      // first sample of each frame released

  Clock::time_point at(double ms) const { return t0 + std::chrono::microseconds(static_cast<std::int64_t>(ms * 1000)); }
  JitterBuffer::Push push(int n, Clock::time_point arrival) {
    const auto samples = frame(static_cast<std::int16_t>(n));
    auto result = buffer.push(ssrc, static_cast<std::uint16_t>(first + n), static_cast<std::uint32_t>(n) * 160u, samples, arrival);
    if (result == JitterBuffer::Push::needs_drain) {
      while (auto f = buffer.drain()) keep(*f);
      result = buffer.push(ssrc, static_cast<std::uint16_t>(first + n), static_cast<std::uint32_t>(n) * 160u, samples, arrival);
    }
    pop(arrival);
    return result;
  }
  void pop(Clock::time_point now) {
    while (auto f = buffer.pop(now)) keep(*f);
  }
  void keep(const JitterBuffer::Frame& f) {
    out.push_back(f);
    values.push_back(f.samples.empty() ? std::int16_t{-1} : f.samples[0]);
  }
};

TEST(JitterBuffer, InOrderPacketsComeOutAtOnce) {
  Stream s;
  for (int n = 0; n < 5; ++n) {
    EXPECT_EQ(s.push(n, s.at(20.0 * n)), JitterBuffer::Push::accepted);
    ASSERT_EQ(s.values.size(), static_cast<std::size_t>(n + 1)) << "packet " << n << " was held back";
  }
  EXPECT_TRUE(s.out.front().is_restart);  // the first frame of a stream
  EXPECT_FALSE(s.out.back().is_restart);
  EXPECT_EQ(s.out.back().lost_before, 0);
  EXPECT_EQ(s.buffer.size(), 0u);
  EXPECT_EQ(s.buffer.target_wait(), JitterBuffer::kMinWait);  // no jitter measured
}

TEST(JitterBuffer, PutsReorderedPacketsBackInSequence) {
  Stream s;
  s.push(0, s.at(0));
  s.push(2, s.at(40));  // 1 is late
  s.push(3, s.at(50));
  EXPECT_EQ(s.values, (std::vector<std::int16_t>{0}));  // 2 and 3 wait for 1
  s.push(1, s.at(55));
  EXPECT_EQ(s.values, (std::vector<std::int16_t>{0, 1, 2, 3}));
  EXPECT_EQ(s.buffer.reordered_packets(), 1u);
  EXPECT_EQ(s.buffer.lost_packets(), 0u);
}

TEST(JitterBuffer, GivesUpALostPacketAfterTheTargetWaitAndSaysSo) {
  Stream s;
  s.push(0, s.at(0));
  s.push(2, s.at(40));  // 1 never comes
  const auto wait = s.buffer.target_wait();
  s.pop(s.at(40) + wait - 1ms);
  EXPECT_EQ(s.values.size(), 1u);  // still waiting
  s.pop(s.at(40) + wait);
  ASSERT_EQ(s.values, (std::vector<std::int16_t>{0, 2}));
  EXPECT_EQ(s.out.back().lost_before, 1);
  EXPECT_EQ(s.out.back().timestamp, 320u);
  EXPECT_EQ(s.buffer.lost_packets(), 1u);
  // The packet after the gap goes straight through.
  s.push(3, s.at(60));
  EXPECT_EQ(s.values.back(), 3);
  EXPECT_EQ(s.out.back().lost_before, 0);
}

TEST(JitterBuffer, AFullBufferGivesUpTheGapWithoutWaiting) {
  Stream s;
  s.push(0, s.at(0));
  // Packet 1 is lost and the next 15 arrive at once: the buffer holds 16 at most.
  for (int n = 2; n <= 16; ++n) s.push(n, s.at(21));
  EXPECT_EQ(s.values.size(), 1u);
  s.push(17, s.at(21));  // too far ahead with packets held: drained, then taken
  EXPECT_EQ(s.values.size(), 17u);
  EXPECT_EQ(s.out[1].lost_before, 1);
  EXPECT_EQ(s.values.back(), 17);
}

TEST(JitterBuffer, DropsDuplicatesAndPacketsThatComeAfterTheirGapWasGivenUp) {
  Stream s;
  s.push(0, s.at(0));
  s.push(1, s.at(20));
  EXPECT_EQ(s.push(1, s.at(21)), JitterBuffer::Push::duplicate);  // released already
  s.push(3, s.at(60));
  EXPECT_EQ(s.push(3, s.at(61)), JitterBuffer::Push::duplicate);  // still held
  s.pop(s.at(200));                                                // 2 given up
  EXPECT_EQ(s.push(2, s.at(210)), JitterBuffer::Push::late);
  EXPECT_EQ(s.values, (std::vector<std::int16_t>{0, 1, 3}));
  EXPECT_EQ(s.buffer.duplicate_packets(), 2u);
  EXPECT_EQ(s.buffer.late_packets(), 1u);
}

TEST(JitterBuffer, ALatePacketLengthensTheWait) {
  Stream s;
  s.push(0, s.at(0));
  s.push(2, s.at(40));
  s.pop(s.at(40) + JitterBuffer::kMinWait);  // 1 given up after the minimum wait
  const auto before = s.buffer.target_wait();
  s.push(1, s.at(70));  // ...and then it came
  EXPECT_GT(s.buffer.target_wait(), before);
  EXPECT_LE(s.buffer.target_wait(), JitterBuffer::kMaxWait);
}

TEST(JitterBuffer, WaitFollowsTheMeasuredJitterWithinItsBounds) {
  std::mt19937 random(7);
  // Moderate jitter: every other packet 19 ms late, still in order.
  Stream moderate;
  for (int n = 0; n < 500; ++n) moderate.push(n, moderate.at(20.0 * n + (n % 2) * 19.0));
  EXPECT_GT(moderate.buffer.target_wait(), JitterBuffer::kMinWait);
  EXPECT_LT(moderate.buffer.target_wait(), JitterBuffer::kMaxWait);
  EXPECT_EQ(moderate.values.size(), 500u);  // in order: nothing held back, nothing lost

  // Wild jitter (up to 400 ms, so packets overtake one another): the wait stops at its upper
  // bound.
  Stream wild;
  std::uniform_real_distribution<double> large(0, 400);
  std::vector<std::pair<double, int>> arrivals;
  for (int n = 0; n < 300; ++n) arrivals.emplace_back(20.0 * n + large(random), n);
  std::sort(arrivals.begin(), arrivals.end());
  for (const auto& [at, n] : arrivals) wild.push(n, wild.at(at));
  EXPECT_EQ(wild.buffer.target_wait(), JitterBuffer::kMaxWait);

  // Calm again: the wait comes back down to its lower bound.
  for (int n = 300; n < 1300; ++n) wild.push(n, wild.at(20.0 * n + 500));
  EXPECT_EQ(wild.buffer.target_wait(), JitterBuffer::kMinWait);
}

TEST(JitterBuffer, JitteredReorderedLossyStreamComesOutInOrderWithEveryLossReported) {
  // 1000 packets, each delayed 0-60 ms at random (so many overtake one another), 3 % lost.
  std::mt19937 random(11);
  std::uniform_real_distribution<double> delay(0, 60);
  std::bernoulli_distribution lost(0.03);
  struct Arrival {
    double at;
    int n;
  };
  std::vector<Arrival> arrivals;
  int dropped = 0;
  for (int n = 0; n < 1000; ++n) {
    if (n > 0 && n < 999 && lost(random)) {
      ++dropped;
      continue;
    }
    arrivals.push_back({20.0 * n + delay(random), n});
  }
  std::sort(arrivals.begin(), arrivals.end(), [](const Arrival& a, const Arrival& b) { return a.at < b.at; });
  Stream s;
  for (const auto& a : arrivals) s.push(a.n, s.at(a.at));
  while (auto f = s.buffer.drain()) s.keep(*f);

  // Strictly increasing, and every packet either released or reported lost exactly once.
  std::uint64_t reported_lost = 0;
  for (std::size_t i = 0; i < s.values.size(); ++i) {
    if (i > 0) {
      ASSERT_GT(s.values[i], s.values[i - 1]);
    }
    reported_lost += s.out[i].lost_before;
  }
  EXPECT_EQ(s.values.size() + reported_lost, 1000u);
  // The wait adapted to the reordering: few packets came after their gap was given up.
  EXPECT_EQ(reported_lost, static_cast<std::uint64_t>(dropped) + s.buffer.late_packets());
  EXPECT_LT(s.buffer.late_packets(), 20u);
  EXPECT_GT(s.buffer.target_wait(), JitterBuffer::kMinWait);
}

TEST(JitterBuffer, NewSsrcDrainsTheOldStreamFirstThenRestarts) {
  Stream s;
  s.push(0, s.at(0));
  s.push(2, s.at(40));  // held behind 1
  s.ssrc = 0x9999;
  s.first = 40000;  // the new source numbers its packets elsewhere
  EXPECT_EQ(s.push(0, s.at(60)), JitterBuffer::Push::accepted);
  // The old stream's 2 came out (drained, its gap given up) before the new stream's first frame.
  ASSERT_EQ(s.values, (std::vector<std::int16_t>{0, 2, 0}));
  EXPECT_EQ(s.out[1].lost_before, 1);
  EXPECT_TRUE(s.out[2].is_restart);
  EXPECT_EQ(s.out[2].lost_before, 0);
  EXPECT_EQ(s.buffer.restarts(), 1u);
  s.push(1, s.at(80));
  EXPECT_EQ(s.values.back(), 1);
}

TEST(JitterBuffer, SequenceResetNeedsTwoPacketsInARow) {
  Stream s;
  for (int n = 0; n < 3; ++n) s.push(n, s.at(20.0 * n));
  // A stray packet far from the expected number is dropped...
  EXPECT_EQ(s.buffer.push(s.ssrc, 30000, 999, frame(77), s.at(60)), JitterBuffer::Push::late);
  s.push(3, s.at(60));  // ...and the stream goes on.
  EXPECT_EQ(s.values.back(), 3);
  // Two in a row (the sender restarted its numbering): a new stream.
  EXPECT_EQ(s.buffer.push(s.ssrc, 5, 90000, frame(50), s.at(80)), JitterBuffer::Push::late);
  EXPECT_EQ(s.buffer.push(s.ssrc, 6, 90160, frame(51), s.at(100)), JitterBuffer::Push::accepted);
  s.pop(s.at(100));
  EXPECT_EQ(s.values.back(), 51);
  EXPECT_TRUE(s.out.back().is_restart);
  EXPECT_EQ(s.buffer.push(s.ssrc, 7, 90320, frame(52), s.at(120)), JitterBuffer::Push::accepted);
  s.pop(s.at(120));
  EXPECT_EQ(s.values.back(), 52);
}

TEST(JitterBuffer, FollowsASmallJumpAheadAsLoss) {
  Stream s;
  s.push(0, s.at(0));
  s.push(40, s.at(800));  // 39 packets lost in a burst: nothing waits, so no reason to hold
  EXPECT_EQ(s.values, (std::vector<std::int16_t>{0, 40}));
  EXPECT_EQ(s.out.back().lost_before, 39);
  EXPECT_FALSE(s.out.back().is_restart);
}

TEST(JitterBuffer, WrapsAroundTheSequenceNumberSpace) {
  Stream s;
  s.first = 65533;
  for (int n : {0, 1, 3, 2, 4, 5}) s.push(n, s.at(20.0 * n));  // 65533 .. 65535, 0, 1, 2
  EXPECT_EQ(s.values, (std::vector<std::int16_t>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(s.buffer.lost_packets(), 0u);
}

TEST(JitterBuffer, CutsOverlongFrames) {
  JitterBuffer buffer;
  buffer.push(1, 0, 0, frame(1, 2000), Clock::now());
  auto f = buffer.drain();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->samples.size(), JitterBuffer::kMaxFrameSamples);
}

}  // namespace
}  // namespace sb::media
