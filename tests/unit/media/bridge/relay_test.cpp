#include "media/bridge/relay.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sb::media {
namespace {

std::vector<std::byte> packet(const RtpHeader& header, std::vector<std::byte> payload) {
  std::vector<std::byte> out(12 + payload.size());
  out.resize(*write_rtp(header, payload, out));
  return out;
}

TEST(Relay, SameCodecRewritesHeaderOnly) {
  OutgoingStream out(Ssrc{0xBBBB}, 500, 90000);
  auto datagram = packet({.payload_type = 0, .sequence_number = 7, .timestamp = 1234, .ssrc = Ssrc{0xAAAA}},
                         std::vector<std::byte>(160, std::byte{0x55}));
  auto parsed = *parse_rtp(datagram);
  const RelayLeg leg{G711Law::ulaw, 0, 101};
  EXPECT_EQ(relay_packet(datagram, parsed, false, leg, leg, out), RelayResult::rewritten);
  auto result = *parse_rtp(datagram);
  EXPECT_EQ(result.header.ssrc, Ssrc{0xBBBB});
  EXPECT_EQ(result.header.sequence_number, 500);
  EXPECT_EQ(result.header.timestamp, 90000u);
  EXPECT_TRUE(result.header.marker);  // a new source starts a talkspurt
  EXPECT_EQ(result.payload[0], std::byte{0x55});
}

TEST(Relay, TranscodesAndSetsTheOtherPayloadType) {
  OutgoingStream out(Ssrc{1}, 0, 0);
  std::vector<std::byte> ulaw(160, std::byte{0x12});
  auto datagram = packet({.payload_type = 0, .sequence_number = 1, .timestamp = 0, .ssrc = Ssrc{2}}, ulaw);
  auto parsed = *parse_rtp(datagram);
  EXPECT_EQ(relay_packet(datagram, parsed, false, {G711Law::ulaw, 0, {}}, {G711Law::alaw, 8, {}}, out),
            RelayResult::transcoded);
  auto result = *parse_rtp(datagram);
  EXPECT_EQ(result.header.payload_type, 8);
  EXPECT_EQ(std::to_integer<std::uint8_t>(result.payload[0]), ulaw_to_alaw(0x12));
}

TEST(Relay, EventsNeedTelephoneEventOnTheOtherLeg) {
  OutgoingStream out(Ssrc{1}, 0, 0);
  auto datagram = packet({.payload_type = 101, .sequence_number = 1, .timestamp = 0, .ssrc = Ssrc{2}},
                         std::vector<std::byte>(4, std::byte{0}));
  auto parsed = *parse_rtp(datagram);
  EXPECT_EQ(relay_packet(datagram, parsed, true, {G711Law::ulaw, 0, 101}, {G711Law::ulaw, 0, {}}, out),
            RelayResult::dropped);
  EXPECT_EQ(relay_packet(datagram, parsed, true, {G711Law::ulaw, 0, 101}, {G711Law::ulaw, 0, 96}, out),
            RelayResult::rewritten);
  EXPECT_EQ(parse_rtp(datagram)->header.payload_type, 96);
}

TEST(OutgoingStream, ContinuesAcrossSourceChanges) {
  OutgoingStream out(Ssrc{1}, 65535, 1000);
  auto a = out.relay(Ssrc{10}, 50000, 160, false);
  auto b = out.relay(Ssrc{10}, 50160, 160, false);
  EXPECT_EQ(a.timestamp, 1000u);
  EXPECT_EQ(b.sequence_number, 0);  // wraps
  EXPECT_EQ(b.timestamp, 1160u);
  EXPECT_FALSE(b.marker);
  out.advance_clock(160);
  auto c = out.relay(Ssrc{20}, 7, 160, false);  // new source: anchored at our clock, marked
  EXPECT_EQ(c.sequence_number, 1);
  EXPECT_TRUE(c.marker);
  EXPECT_GE(c.timestamp, 1320u);
  auto d = out.next_local(160);  // back to local audio: no step backwards
  EXPECT_TRUE(d.marker);
  EXPECT_GE(d.timestamp, c.timestamp + 160);
}

}  // namespace
}  // namespace sb::media
