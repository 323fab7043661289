#include "media/dtmf/dtmf_receiver.hpp"

#include "media/dtmf/dtmf_sender.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace sb::media {
namespace {

using std::chrono::milliseconds;

std::array<std::byte, 4> payload(std::uint8_t event, bool is_end, std::uint16_t duration, std::uint8_t volume = 10) {
  std::array<std::byte, 4> out{};
  write_telephone_event({.event = event, .is_end = is_end, .volume = volume, .duration = duration}, out);
  return out;
}

std::string collect(DtmfReceiver& receiver, std::uint32_t ts, std::uint8_t event, bool is_end, std::uint16_t duration) {
  std::string digits;
  for (const auto& d : receiver.on_packet(ts, payload(event, is_end, duration))) digits += d.digit;
  return digits;
}

TEST(DtmfReceiver, ReportsOneDigitPerEventDespiteThreeEndPackets) {
  DtmfReceiver receiver;
  EXPECT_EQ(collect(receiver, 1000, 5, false, 160), "");
  EXPECT_TRUE(receiver.is_in_event());
  EXPECT_EQ(collect(receiver, 1000, 5, false, 320), "");
  auto digits = receiver.on_packet(1000, payload(5, true, 800, 7));
  ASSERT_EQ(digits.size(), 1u);
  EXPECT_EQ(digits.begin()->digit, '5');
  EXPECT_EQ(digits.begin()->duration, milliseconds(100));
  EXPECT_EQ(digits.begin()->volume, 7);
  EXPECT_EQ(digits.begin()->timestamp, 1000u);
  EXPECT_EQ(collect(receiver, 1000, 5, true, 800), "");
  EXPECT_EQ(collect(receiver, 1000, 5, true, 800), "");
  EXPECT_FALSE(receiver.is_in_event());
  EXPECT_FALSE(receiver.flush());
}

TEST(DtmfReceiver, SameDigitTwiceIsTwoEventsByTimestamp) {
  DtmfReceiver receiver;
  std::string digits;
  for (std::uint32_t ts : {1000u, 2600u}) {
    digits += collect(receiver, ts, 1, false, 160);
    for (int i = 0; i < 3; ++i) digits += collect(receiver, ts, 1, true, 800);
  }
  EXPECT_EQ(digits, "11");
}

TEST(DtmfReceiver, ToleratesLostStartPackets) {
  DtmfReceiver receiver;
  // Only the end packets of '#' arrive.
  EXPECT_EQ(collect(receiver, 5000, 11, true, 960), "#");
  EXPECT_EQ(collect(receiver, 5000, 11, true, 960), "");
  // Only a middle packet and the end of '9'.
  EXPECT_EQ(collect(receiver, 7000, 9, false, 480), "");
  EXPECT_EQ(collect(receiver, 7000, 9, true, 800), "9");
}

TEST(DtmfReceiver, LostEndPacketsAreReportedWhenTheNextEventStarts) {
  DtmfReceiver receiver;
  EXPECT_EQ(collect(receiver, 100, 2, false, 160), "");
  EXPECT_EQ(collect(receiver, 100, 2, false, 480), "");
  auto digits = receiver.on_packet(2000, payload(3, true, 800));  // 3's only surviving packet
  ASSERT_EQ(digits.size(), 2u);
  EXPECT_EQ(digits.items[0].digit, '2');
  EXPECT_EQ(digits.items[0].duration, milliseconds(60));
  EXPECT_EQ(digits.items[1].digit, '3');
}

TEST(DtmfReceiver, FlushReportsAnEventThatNeverEnded) {
  DtmfReceiver receiver;
  EXPECT_FALSE(receiver.flush());
  EXPECT_EQ(collect(receiver, 100, 0, false, 320), "");
  auto digit = receiver.flush();
  ASSERT_TRUE(digit);
  EXPECT_EQ(digit->digit, '0');
  EXPECT_EQ(digit->duration, milliseconds(40));
  EXPECT_FALSE(receiver.flush());
  EXPECT_EQ(collect(receiver, 100, 0, true, 800), "");  // its late end packet is not a new digit
}

TEST(DtmfReceiver, IgnoresLatePacketsOfEarlierEventsAndNonDtmfEvents) {
  DtmfReceiver receiver;
  EXPECT_EQ(collect(receiver, 1000, 4, true, 800), "4");
  EXPECT_EQ(collect(receiver, 3000, 6, false, 160), "");
  EXPECT_EQ(collect(receiver, 1000, 4, true, 800), "");  // reordered end of '4'
  EXPECT_EQ(collect(receiver, 4000, 16, true, 800), "");  // flash: not a digit
  EXPECT_EQ(collect(receiver, 3000, 6, true, 800), "6");
  EXPECT_TRUE(receiver.on_packet(5000, std::array<std::byte, 2>{}).empty());  // truncated
}

TEST(DtmfReceiver, HandlesTimestampWrap) {
  DtmfReceiver receiver;
  EXPECT_EQ(collect(receiver, 0xFFFFFF00u, 7, true, 800), "7");
  EXPECT_EQ(collect(receiver, 0x00000400u, 8, true, 800), "8");
}

TEST(DtmfReceiver, JoinsTheSegmentsOfAnEventLongerThanTheDurationField) {
  DtmfReceiver receiver;
  EXPECT_EQ(collect(receiver, 0, 1, false, 0xFFFF), "");
  EXPECT_EQ(collect(receiver, 0xFFFF, 1, false, 8000), "");
  auto digits = receiver.on_packet(0xFFFF, payload(1, true, 16000));
  ASSERT_EQ(digits.size(), 1u);
  EXPECT_EQ(digits.begin()->duration, milliseconds((0xFFFF + 16000) * 1000 / 8000));
  EXPECT_EQ(digits.begin()->timestamp, 0u);
}

TEST(DtmfReceiver, DecodesEverythingTheSenderProducesEvenWithLoss) {
  const std::string digits = "0123456789*#ABCD";
  for (int drop_every : {0, 2, 3}) {
    auto sender = DtmfSender::create(digits + "w1W2", 42);
    ASSERT_TRUE(sender);
    DtmfReceiver receiver;
    std::string received;
    int n = 0;
    while (auto packet = sender->next()) {
      ++n;
      if (drop_every != 0 && n % drop_every == 0) continue;
      std::array<std::byte, 4> bytes{};
      write_telephone_event(packet->event, bytes);
      for (const auto& d : receiver.on_packet(packet->timestamp, bytes)) received += d.digit;
    }
    if (auto last = receiver.flush()) received += last->digit;
    EXPECT_EQ(received, digits + "12") << "dropping every " << drop_every;
  }
}

}  // namespace
}  // namespace sb::media
