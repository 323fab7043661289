#include "media/rtp/receiver_statistics.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace sb::media {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

// Feeds packets paced at 20 ms (160 timestamp units at 8 kHz) unless told otherwise.
struct Feed {
  ReceiverStatistics stats;
  bool send(std::uint16_t sequence, std::uint32_t timestamp, milliseconds arrival) {
    return stats.on_packet(sequence, timestamp, arrival);
  }
};

TEST(ReceiverStatistics, NewSourceIsOnProbationForOnePacket) {
  ReceiverStatistics stats;
  EXPECT_FALSE(stats.on_packet(1000, 0, milliseconds(0)));
  EXPECT_FALSE(stats.is_valid());
  EXPECT_TRUE(stats.on_packet(1001, 160, milliseconds(20)));
  EXPECT_TRUE(stats.is_valid());
  EXPECT_EQ(stats.packets_received(), 1u);
  EXPECT_EQ(stats.extended_highest_sequence(), 1001u);
}

TEST(ReceiverStatistics, OutOfOrderPacketsRestartProbation) {
  ReceiverStatistics stats;
  EXPECT_FALSE(stats.on_packet(10, 0, milliseconds(0)));
  EXPECT_FALSE(stats.on_packet(12, 320, milliseconds(40)));  // not in sequence: probation again
  EXPECT_TRUE(stats.on_packet(13, 480, milliseconds(60)));
  EXPECT_TRUE(stats.is_valid());
}

TEST(ReceiverStatistics, CountsSequenceWrapAsACycle) {
  ReceiverStatistics stats;
  std::uint32_t ts = 0;
  for (std::uint32_t seq = 65530; seq < 65536 + 5; ++seq, ts += 160)
    stats.on_packet(static_cast<std::uint16_t>(seq), ts, milliseconds(ts / 8));
  EXPECT_EQ(stats.extended_highest_sequence(), 65536u + 4u);
  EXPECT_EQ(stats.cumulative_lost(), 0);
  const auto block = stats.make_report_block(Ssrc{5}, milliseconds(1000));
  EXPECT_EQ(block.extended_highest_sequence, 0x10004u);
  EXPECT_EQ(block.fraction_lost, 0);
  EXPECT_EQ(block.cumulative_lost, 0);
}

TEST(ReceiverStatistics, ReportsLossPerIntervalAndCumulatively) {
  ReceiverStatistics stats;
  // 0..99 with every fourth packet (after probation) missing.
  for (std::uint16_t seq = 0; seq < 100; ++seq)
    if (seq < 2 || seq % 4 != 0) stats.on_packet(seq, seq * 160u, milliseconds(seq * 20));
  // Base is 1 (the packet that ended probation); expected 1..99 = 99, 24 missing.
  EXPECT_EQ(stats.packets_expected(), 99u);
  EXPECT_EQ(stats.cumulative_lost(), 24);
  auto block = stats.make_report_block(Ssrc{1}, milliseconds(2000));
  EXPECT_EQ(block.cumulative_lost, 24);
  EXPECT_EQ(block.fraction_lost, (24 << 8) / 99);
  // Next interval: no loss.
  for (std::uint16_t seq = 100; seq < 150; ++seq) stats.on_packet(seq, seq * 160u, milliseconds(seq * 20));
  block = stats.make_report_block(Ssrc{1}, milliseconds(3000));
  EXPECT_EQ(block.fraction_lost, 0);
  EXPECT_EQ(block.cumulative_lost, 24);
  EXPECT_EQ(block.extended_highest_sequence, 149u);
}

TEST(ReceiverStatistics, DuplicatesMakeLossNegativeAndFractionZero) {
  ReceiverStatistics stats;
  for (std::uint16_t seq = 0; seq < 10; ++seq) stats.on_packet(seq, seq * 160u, milliseconds(seq * 20));
  stats.on_packet(5, 800, milliseconds(200));
  stats.on_packet(6, 960, milliseconds(200));
  const auto block = stats.make_report_block(Ssrc{1}, milliseconds(300));
  EXPECT_EQ(block.cumulative_lost, -2);
  EXPECT_EQ(block.fraction_lost, 0);
}

TEST(ReceiverStatistics, LargeJumpIsDroppedUnlessTheNextPacketConfirmsARestart) {
  ReceiverStatistics stats;
  for (std::uint16_t seq = 100; seq < 110; ++seq) stats.on_packet(seq, seq * 160u, milliseconds(seq * 20));
  EXPECT_FALSE(stats.on_packet(40000, 0, milliseconds(3000)));  // stray
  EXPECT_TRUE(stats.on_packet(110, 110 * 160u, milliseconds(3000)));
  EXPECT_FALSE(stats.on_packet(50000, 0, milliseconds(3020)));
  EXPECT_TRUE(stats.on_packet(50001, 160, milliseconds(3040)));  // sender restarted
  EXPECT_EQ(stats.packets_received(), 1u);
  EXPECT_EQ(stats.extended_highest_sequence(), 50001u);
}

TEST(ReceiverStatistics, JitterIsZeroForPerfectPacing) {
  ReceiverStatistics stats;
  for (std::uint16_t seq = 0; seq < 50; ++seq) stats.on_packet(seq, 1234 + seq * 160u, milliseconds(5000 + seq * 20));
  EXPECT_EQ(stats.jitter(), 0u);
}

TEST(ReceiverStatistics, JitterFollowsTheA8Estimator) {
  ReceiverStatistics stats;
  // Arrivals alternate 10 ms early/late: |D| = 20 ms = 160 units each packet after the second.
  double expected = 0;
  for (std::uint16_t seq = 0; seq < 200; ++seq) {
    const int offset = seq % 2 == 0 ? 0 : 20;
    stats.on_packet(seq, seq * 160u, milliseconds(seq * 20 + offset));
    if (seq >= 2) expected += (160.0 - expected) / 16.0;  // first counted packet (seq 1) has no D
  }
  EXPECT_NEAR(static_cast<double>(stats.jitter()), expected, 1.0);
  EXPECT_NEAR(static_cast<double>(stats.jitter()), 160.0, 2.0);
}

TEST(ReceiverStatistics, ReportBlockCarriesLsrAndDlsr) {
  ReceiverStatistics stats;
  stats.on_packet(1, 0, milliseconds(0));
  stats.on_packet(2, 160, milliseconds(20));
  stats.on_sender_report(0xAAAABBBBCCCCDDDDull, milliseconds(1000));
  const auto block = stats.make_report_block(Ssrc{9}, milliseconds(1500));
  EXPECT_EQ(block.ssrc, Ssrc{9});
  EXPECT_EQ(block.last_sr, 0xBBBBCCCCu);
  EXPECT_EQ(block.delay_since_last_sr, 32768u);  // 0.5 s in 1/65536 s
}

TEST(ReceiverStatistics, ArrivalTimesFarFromTheEpochDoNotOverflow) {
  ReceiverStatistics stats;
  const nanoseconds base = std::chrono::hours(24 * 365 * 20);
  for (std::uint16_t seq = 0; seq < 20; ++seq) stats.on_packet(seq, seq * 160u, base + milliseconds(seq * 20));
  EXPECT_EQ(stats.jitter(), 0u);
}

}  // namespace
}  // namespace sb::media
