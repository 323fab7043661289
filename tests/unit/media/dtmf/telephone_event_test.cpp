#include "media/dtmf/telephone_event.hpp"

#include "media/error.hpp"
#include "../bytes.hpp"

#include <gtest/gtest.h>

#include <array>

namespace sb::media {
namespace {

using test::hex;

TEST(TelephoneEvent, ParsesEventEndBitVolumeAndDuration) {
  auto ev = parse_telephone_event(hex("0b 8a 03 20"));
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->event, 11);
  EXPECT_TRUE(ev->is_end);
  EXPECT_EQ(ev->volume, 10);
  EXPECT_EQ(ev->duration, 800);
  // The reserved R bit is ignored.
  ev = parse_telephone_event(hex("05 7f ff ff"));
  ASSERT_TRUE(ev);
  EXPECT_FALSE(ev->is_end);
  EXPECT_EQ(ev->volume, 63);
  EXPECT_EQ(ev->duration, 0xFFFF);
}

TEST(TelephoneEvent, RejectsShortPayloads) {
  EXPECT_EQ(parse_telephone_event(hex("01 02 03")).error(), make_error_code(Errc::dtmf_truncated));
  EXPECT_TRUE(parse_telephone_event(hex("01 02 03 04 05 06 07 08")));  // redundancy after: first event
}

TEST(TelephoneEvent, WriteThenParseRoundTrips) {
  const TelephoneEvent ev{.event = 15, .is_end = true, .volume = 36, .duration = 1234};
  std::array<std::byte, 4> out{};
  write_telephone_event(ev, out);
  EXPECT_EQ(out[0], std::byte{0x0f});
  EXPECT_EQ(out[1], std::byte{0xa4});
  EXPECT_EQ(*parse_telephone_event(out), ev);
}

TEST(TelephoneEvent, MapsEventsToDigitsBothWays) {
  const std::string_view digits = "0123456789*#ABCD";
  for (std::uint8_t e = 0; e < 16; ++e) {
    EXPECT_EQ(dtmf_digit(e), digits[e]);
    EXPECT_EQ(dtmf_event(digits[e]), e);
  }
  EXPECT_FALSE(dtmf_digit(16));  // flash
  EXPECT_FALSE(dtmf_event('a'));
  EXPECT_FALSE(dtmf_event('w'));
  EXPECT_FALSE(dtmf_event('\0'));
}

}  // namespace
}  // namespace sb::media
