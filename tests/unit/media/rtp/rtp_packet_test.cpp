#include "media/rtp/rtp_packet.hpp"

#include "media/error.hpp"
#include "../bytes.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace sb::media {
namespace {

using test::hex;

TEST(RtpPacket, ParsesFixedHeaderAndPayload) {
  const auto bytes = hex("80 80 12 34 00 00 03 20 de ad be ef ff 7f 00");
  auto packet = parse_rtp(bytes);
  ASSERT_TRUE(packet) << packet.error().message();
  const auto& h = packet->header;
  EXPECT_TRUE(h.marker);
  EXPECT_FALSE(h.has_extension);
  EXPECT_EQ(h.payload_type, 0);
  EXPECT_EQ(h.sequence_number, 0x1234);
  EXPECT_EQ(h.timestamp, 800u);
  EXPECT_EQ(h.ssrc, Ssrc{0xdeadbeef});
  EXPECT_EQ(h.csrc_count, 0);
  EXPECT_EQ(packet->header_size, 12u);
  ASSERT_EQ(packet->payload.size(), 3u);
  EXPECT_EQ(packet->payload[0], std::byte{0xff});
}

TEST(RtpPacket, ParsesCsrcsSkipsExtensionAndRemovesPadding) {
  // V=2 P=1 X=1 CC=2, PT 8; 2 CSRCs; extension profile 0xBEDE, 1 word; payload 2 bytes; 3 padding.
  const auto bytes = hex("b2 08 00 01 00 00 00 a0 00 00 00 01  11 11 11 11 22 22 22 22"
                         " be de 00 01 10 aa 00 00  d5 d5  00 00 03");
  auto packet = parse_rtp(bytes);
  ASSERT_TRUE(packet) << packet.error().message();
  const auto& h = packet->header;
  EXPECT_EQ(h.payload_type, 8);
  EXPECT_FALSE(h.marker);
  ASSERT_EQ(h.csrc_count, 2);
  EXPECT_EQ(h.csrcs[0], 0x11111111u);
  EXPECT_EQ(h.csrcs[1], 0x22222222u);
  EXPECT_TRUE(h.has_extension);
  EXPECT_EQ(h.extension_profile, 0xBEDE);
  EXPECT_EQ(h.extension.size(), 4u);
  EXPECT_EQ(packet->header_size, 12u + 8u + 8u);
  EXPECT_EQ(packet->padding_size, 3u);
  ASSERT_EQ(packet->payload.size(), 2u);
  EXPECT_EQ(packet->payload[1], std::byte{0xd5});
}

TEST(RtpPacket, AcceptsEmptyPayload) {
  auto packet = parse_rtp(hex("80 00 00 01 00 00 00 00 00 00 00 01"));
  ASSERT_TRUE(packet);
  EXPECT_TRUE(packet->payload.empty());
}

TEST(RtpPacket, RejectsMalformedPacketsWithoutReadingPastTheEnd) {
  struct Case {
    const char* name;
    const char* bytes;
    Errc expected;
  };
  const Case cases[] = {
      {"empty", "", Errc::rtp_truncated},
      {"short fixed header", "80 00 00 01 00 00 00 00 00 00 00", Errc::rtp_truncated},
      {"version 0", "00 00 00 01 00 00 00 00 00 00 00 01", Errc::rtp_bad_version},
      {"version 3", "c0 00 00 01 00 00 00 00 00 00 00 01", Errc::rtp_bad_version},
      {"csrc list cut", "83 00 00 01 00 00 00 00 00 00 00 01 11 11 11 11 22 22 22 22", Errc::rtp_truncated},
      {"extension header cut", "90 00 00 01 00 00 00 00 00 00 00 01 be de", Errc::rtp_truncated},
      {"extension data cut", "90 00 00 01 00 00 00 00 00 00 00 01 be de 00 02 00 00 00 00", Errc::rtp_truncated},
      {"zero padding count", "a0 00 00 01 00 00 00 00 00 00 00 01 ff ff 00", Errc::rtp_bad_padding},
      {"padding beyond payload", "a0 00 00 01 00 00 00 00 00 00 00 01 ff 05", Errc::rtp_bad_padding},
      {"padding with only the header", "a0 00 00 01 00 00 00 00 00 00 00 01", Errc::rtp_bad_padding},
  };
  for (const auto& c : cases) {
    // Copy into an exactly-sized heap buffer so ASan catches any overread.
    const auto data = hex(c.bytes);
    std::vector<std::byte> exact(data.begin(), data.end());
    auto packet = parse_rtp(exact);
    ASSERT_FALSE(packet) << c.name;
    EXPECT_EQ(packet.error(), make_error_code(c.expected)) << c.name << ": " << packet.error().message();
  }
}

TEST(RtpPacket, PaddingInsideTheHeaderIsRejected) {
  // P set, padding count 1 but the datagram has no payload room: the header alone fills it.
  auto packet = parse_rtp(hex("a0 00 00 01 00 00 00 00 00 00 00 01 01"));
  ASSERT_TRUE(packet);  // one padding byte after the header is fine
  EXPECT_TRUE(packet->payload.empty());
  auto bad = parse_rtp(hex("a1 00 00 01 00 00 00 00 00 00 00 01 00 00 00 02"));
  ASSERT_FALSE(bad);  // CSRC eats the 4 bytes, count 2 would reach back into the header
  EXPECT_EQ(bad.error(), make_error_code(Errc::rtp_bad_padding));
}

TEST(RtpPacket, RejectsOversizePackets) {
  std::vector<std::byte> big(kMaxRtpPacketSize + 1);
  big[0] = std::byte{0x80};
  auto packet = parse_rtp(big);
  ASSERT_FALSE(packet);
  EXPECT_EQ(packet.error(), make_error_code(Errc::rtp_too_large));
  big.resize(kMaxRtpPacketSize);
  EXPECT_TRUE(parse_rtp(big));
}

TEST(RtpPacket, EveryPrefixOfAValidPacketIsHandled) {
  const auto full = hex("b2 08 00 01 00 00 00 a0 00 00 00 01 11 11 11 11 22 22 22 22"
                        " be de 00 01 10 aa 00 00 d5 d5 00 00 03");
  for (std::size_t n = 0; n < full.size(); ++n) {
    std::vector<std::byte> prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    auto packet = parse_rtp(prefix);
    if (packet) {
      EXPECT_LE(packet->header_size + packet->payload.size() + packet->padding_size, n);
    }
  }
}

TEST(RtpPacket, WriteThenParseRoundTrips) {
  RtpHeader h;
  h.marker = true;
  h.payload_type = 101;
  h.sequence_number = 65535;
  h.timestamp = 0xFFFFFF00;
  h.ssrc = Ssrc{0x01020304};
  h.csrc_count = 1;
  h.csrcs[0] = 0xCAFEBABE;
  const auto extension = hex("01 02 03 04 05 06 07 08");
  h.has_extension = true;
  h.extension_profile = 0x1000;
  h.extension = extension;
  const auto payload = hex("00 0a 00 a0");
  std::array<std::byte, 128> buffer{};
  auto size = write_rtp(h, payload, buffer, 4);
  ASSERT_TRUE(size);
  EXPECT_EQ(*size, 12u + 4u + 12u + 4u + 4u);
  EXPECT_EQ(rtp_header_size(h), 28u);
  auto packet = parse_rtp(std::span(buffer).first(*size));
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->header.marker, true);
  EXPECT_EQ(packet->header.payload_type, 101);
  EXPECT_EQ(packet->header.sequence_number, 65535);
  EXPECT_EQ(packet->header.timestamp, 0xFFFFFF00u);
  EXPECT_EQ(packet->header.ssrc, Ssrc{0x01020304});
  EXPECT_EQ(packet->header.csrcs[0], 0xCAFEBABEu);
  EXPECT_EQ(packet->header.extension_profile, 0x1000);
  EXPECT_TRUE(std::equal(packet->header.extension.begin(), packet->header.extension.end(), extension.begin()));
  EXPECT_EQ(packet->padding_size, 4u);
  EXPECT_TRUE(std::equal(packet->payload.begin(), packet->payload.end(), payload.begin(), payload.end()));
}

TEST(RtpPacket, WriteRejectsInvalidHeadersAndSmallBuffers) {
  std::array<std::byte, 64> buffer{};
  RtpHeader h;
  h.payload_type = 128;
  EXPECT_EQ(write_rtp_header(h, buffer).error(), make_error_code(Errc::rtp_bad_header));
  h.payload_type = 0;
  h.csrc_count = 16;
  EXPECT_EQ(write_rtp_header(h, buffer).error(), make_error_code(Errc::rtp_bad_header));
  h.csrc_count = 0;
  const auto odd = hex("01 02 03");
  h.has_extension = true;
  h.extension = odd;
  EXPECT_EQ(write_rtp_header(h, buffer).error(), make_error_code(Errc::rtp_bad_header));
  h.has_extension = false;
  EXPECT_EQ(write_rtp_header(h, std::span(buffer).first(11)).error(), make_error_code(Errc::buffer_too_small));
  EXPECT_EQ(*write_rtp_header(h, buffer), 12u);
  const std::vector<std::byte> payload(60);
  EXPECT_EQ(write_rtp(h, payload, buffer).error(), make_error_code(Errc::buffer_too_small));
}

TEST(RtpPacket, RewriteChangesOnlySsrcSequenceAndTimestamp) {
  auto bytes = hex("90 88 00 01 00 00 00 a0 00 00 00 01 be de 00 00 ff ff");
  const auto before = bytes;
  ASSERT_TRUE(rewrite_rtp_header(bytes, Ssrc{0xAABBCCDD}, 0x4321, 0x11223344));
  auto packet = parse_rtp(bytes);
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->header.ssrc, Ssrc{0xAABBCCDD});
  EXPECT_EQ(packet->header.sequence_number, 0x4321);
  EXPECT_EQ(packet->header.timestamp, 0x11223344u);
  EXPECT_EQ(packet->header.payload_type, 8);
  EXPECT_TRUE(packet->header.marker);
  for (std::size_t i : {0u, 1u, 12u, 13u, 14u, 15u, 16u, 17u}) EXPECT_EQ(bytes[i], before[i]) << i;
  std::vector<std::byte> short_packet(11);
  EXPECT_FALSE(rewrite_rtp_header(short_packet, Ssrc{1}, 1, 1));
}

TEST(RtpPacket, DemultiplexesRtcpByPayloadTypeRange) {
  EXPECT_TRUE(is_rtcp(hex("80 c8")));   // SR
  EXPECT_TRUE(is_rtcp(hex("81 c9")));   // RR
  EXPECT_FALSE(is_rtcp(hex("80 00")));  // PCMU
  EXPECT_FALSE(is_rtcp(hex("80 e5")));  // PT 101 with marker
  EXPECT_FALSE(is_rtcp(hex("80")));
}

}  // namespace
}  // namespace sb::media
