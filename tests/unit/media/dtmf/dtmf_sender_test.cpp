#include "media/dtmf/dtmf_sender.hpp"

#include "media/error.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sb::media {
namespace {

using std::chrono::milliseconds;

std::vector<DtmfPacket> drain(DtmfSender& sender) {
  std::vector<DtmfPacket> packets;
  while (auto p = sender.next()) packets.push_back(*p);
  return packets;
}

TEST(DtmfSender, ProducesUpdatesThenThreeEndPacketsPerDigit) {
  auto sender = DtmfSender::create("5", 1000);
  ASSERT_TRUE(sender);
  const auto packets = drain(*sender);
  ASSERT_EQ(packets.size(), 7u);  // 4 updates (160..640) + 3 end packets (800)
  const std::uint16_t durations[] = {160, 320, 480, 640, 800, 800, 800};
  for (std::size_t i = 0; i < packets.size(); ++i) {
    EXPECT_EQ(packets[i].timestamp, 1000u) << i;
    EXPECT_EQ(packets[i].marker, i == 0) << i;
    EXPECT_EQ(packets[i].event.event, 5) << i;
    EXPECT_EQ(packets[i].event.volume, 10) << i;
    EXPECT_EQ(packets[i].event.duration, durations[i]) << i;
    EXPECT_EQ(packets[i].event.is_end, i >= 4) << i;
    EXPECT_EQ(packets[i].send_offset, milliseconds(20 * static_cast<int>(i))) << i;
  }
  EXPECT_EQ(sender->total_duration(), milliseconds(200));
}

TEST(DtmfSender, SpacesDigitsAndPausesOnThe8kHzTimeline) {
  auto sender = DtmfSender::create("1w#W*", 0);
  ASSERT_TRUE(sender);
  const auto packets = drain(*sender);
  ASSERT_EQ(packets.size(), 21u);
  std::vector<std::pair<std::uint8_t, std::uint32_t>> starts;  // (event, timestamp) of marker packets
  for (const auto& p : packets)
    if (p.marker) starts.emplace_back(p.event.event, p.timestamp);
  ASSERT_EQ(starts.size(), 3u);
  EXPECT_EQ(starts[0], (std::pair<std::uint8_t, std::uint32_t>{1, 0}));
  EXPECT_EQ(starts[1], (std::pair<std::uint8_t, std::uint32_t>{11, 8 * 700}));    // 200 + 500 ms
  EXPECT_EQ(starts[2], (std::pair<std::uint8_t, std::uint32_t>{10, 8 * 1900}));   // 700 + 200 + 1000 ms
  EXPECT_EQ(packets[14].send_offset, milliseconds(1900));
  EXPECT_EQ(sender->total_duration(), milliseconds(2100));
  // Send offsets never go backwards.
  for (std::size_t i = 1; i < packets.size(); ++i) EXPECT_GE(packets[i].send_offset, packets[i - 1].send_offset);
}

TEST(DtmfSender, LeadingPausesDelayTheFirstDigitAndPausesAloneSendNothing) {
  auto sender = DtmfSender::create("ww9", 100);
  ASSERT_TRUE(sender);
  auto first = sender->next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->send_offset, milliseconds(1000));
  EXPECT_EQ(first->timestamp, 100u + 8000u);
  auto only_pauses = DtmfSender::create("wW", 0);
  ASSERT_TRUE(only_pauses);
  EXPECT_FALSE(only_pauses->next());
  EXPECT_EQ(only_pauses->total_duration(), milliseconds(1500));
  auto empty = DtmfSender::create("", 0);
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->next());
}

TEST(DtmfSender, HonoursCustomDurationsThatAreNotAMultipleOfThePacketInterval) {
  auto sender = DtmfSender::create("A", 0, {.tone_duration = milliseconds(250), .gap = milliseconds(60), .volume = 20});
  ASSERT_TRUE(sender);
  const auto packets = drain(*sender);
  ASSERT_EQ(packets.size(), 12u + 3u);  // ceil(250/20)=13 -> 12 updates, then 3 end packets
  EXPECT_EQ(packets[11].event.duration, 12 * 160);
  EXPECT_FALSE(packets[11].event.is_end);
  EXPECT_EQ(packets[12].event.duration, 2000);
  EXPECT_TRUE(packets[12].event.is_end);
  EXPECT_EQ(packets[12].event.volume, 20);
  EXPECT_EQ(packets[14].event.event, 12);
}

TEST(DtmfSender, RejectsInvalidDigitsAndOptions) {
  for (const char* bad : {"12x", "a", " 1", "1-2", "+1"})
    EXPECT_EQ(DtmfSender::create(bad, 0).error(), make_error_code(Errc::dtmf_invalid_digits)) << bad;
  EXPECT_TRUE(DtmfSender::create("0123456789*#ABCDwW", 0));
  const auto invalid = make_error_code(Errc::dtmf_invalid_options);
  EXPECT_EQ(DtmfSender::create("1", 0, {.tone_duration = milliseconds(0)}).error(), invalid);
  EXPECT_EQ(DtmfSender::create("1", 0, {.packet_interval = milliseconds(0)}).error(), invalid);
  EXPECT_EQ(DtmfSender::create("1", 0, {.tone_duration = milliseconds(9000)}).error(), invalid);
  EXPECT_EQ(DtmfSender::create("1", 0, {.gap = milliseconds(20)}).error(), invalid);  // end packets overlap
  EXPECT_EQ(DtmfSender::create("1", 0, {.end_packets = 0}).error(), invalid);
}

}  // namespace
}  // namespace sb::media
