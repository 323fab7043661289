#include "media/rtp/rtcp_packet.hpp"

#include "media/error.hpp"
#include "../bytes.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace sb::media {
namespace {

using test::hex;

// SR from 0x11223344 with one report block about 0xAABBCCDD: 25% lost, cumulative -3 (more
// duplicates than losses), then an SDES CNAME packet.
const char* const kSrAndSdes =
    "81 c8 00 0c 11 22 33 44"
    " e8 00 00 00 80 00 00 00  00 00 1f 40  00 00 00 64  00 00 3e 80"
    " aa bb cc dd 40 ff ff fd  00 01 00 10  00 00 00 20  12 34 56 78  00 01 80 00"
    " 81 ca 00 03 11 22 33 44 01 04 61 62 63 64";  // SDES: CNAME "abcd"

TEST(RtcpPacket, WalksACompoundPacketAndParsesTheSenderReport) {
  auto bytes = hex(kSrAndSdes);
  bytes.resize(bytes.size() + 2);  // SDES item list ends with a zero octet, padded to a word
  auto compound = RtcpCompound::parse(bytes);
  ASSERT_TRUE(compound) << compound.error().message();
  std::vector<RtcpPacketView> packets(compound->begin(), compound->end());
  ASSERT_EQ(packets.size(), 2u);
  EXPECT_EQ(packets[0].packet_type, 200);
  EXPECT_EQ(packets[1].packet_type, 202);
  EXPECT_EQ(packets[1].count, 1);
  EXPECT_EQ(packets[1].bytes.size(), 16u);

  auto report = parse_rtcp_report(packets[0]);
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_TRUE(report->has_sender_info);
  EXPECT_EQ(report->ssrc, Ssrc{0x11223344});
  EXPECT_EQ(report->sender_info.ntp_timestamp, 0xe800000080000000ull);
  EXPECT_EQ(report->sender_info.rtp_timestamp, 8000u);
  EXPECT_EQ(report->sender_info.packet_count, 100u);
  EXPECT_EQ(report->sender_info.octet_count, 16000u);
  ASSERT_EQ(report->blocks().size(), 1u);
  const auto& block = report->blocks()[0];
  EXPECT_EQ(block.ssrc, Ssrc{0xAABBCCDD});
  EXPECT_EQ(block.fraction_lost, 0x40);
  EXPECT_EQ(block.cumulative_lost, -3);
  EXPECT_EQ(block.extended_highest_sequence, 0x00010010u);
  EXPECT_EQ(block.jitter, 32u);
  EXPECT_EQ(block.last_sr, 0x12345678u);
  EXPECT_EQ(block.delay_since_last_sr, 0x18000u);

  EXPECT_EQ(parse_rtcp_report(packets[1]).error(), make_error_code(Errc::rtcp_wrong_type));
}

TEST(RtcpPacket, ReportsRoundTripThroughWriteAndParse) {
  for (bool is_sender : {true, false}) {
    RtcpReport report;
    report.ssrc = Ssrc{7};
    report.has_sender_info = is_sender;
    report.sender_info = {.ntp_timestamp = 0x0102030405060708, .rtp_timestamp = 9, .packet_count = 10, .octet_count = 11};
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(report.add_block({.ssrc = Ssrc{static_cast<std::uint32_t>(100 + i)},
                                    .fraction_lost = static_cast<std::uint8_t>(i),
                                    .cumulative_lost = i == 1 ? -8388608 : 8388607,
                                    .extended_highest_sequence = 0x20000u + static_cast<std::uint32_t>(i),
                                    .jitter = 12,
                                    .last_sr = 13,
                                    .delay_since_last_sr = 14}));
    }
    std::array<std::byte, 256> buffer{};
    auto size = write_rtcp_report(report, buffer);
    ASSERT_TRUE(size);
    EXPECT_EQ(*size, (is_sender ? 28u : 8u) + 3u * 24u);
    auto compound = RtcpCompound::parse(std::span(buffer).first(*size));
    ASSERT_TRUE(compound);
    auto parsed = parse_rtcp_report(*compound->begin());
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->has_sender_info, is_sender);
    EXPECT_EQ(parsed->ssrc, Ssrc{7});
    if (is_sender) {
      EXPECT_EQ(parsed->sender_info, report.sender_info);
    }
    ASSERT_EQ(parsed->blocks().size(), 3u);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(parsed->blocks()[i], report.blocks()[i]) << i;
  }
}

TEST(RtcpPacket, CumulativeLostIsClampedTo24Bits) {
  RtcpReport report;
  report.add_block({.ssrc = Ssrc{1}, .cumulative_lost = 20'000'000});
  report.add_block({.ssrc = Ssrc{2}, .cumulative_lost = -20'000'000});
  std::array<std::byte, 64> buffer{};
  auto size = write_rtcp_report(report, buffer);
  ASSERT_TRUE(size);
  auto parsed = parse_rtcp_report(*RtcpCompound::parse(std::span(buffer).first(*size))->begin());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->blocks()[0].cumulative_lost, 0x7FFFFF);
  EXPECT_EQ(parsed->blocks()[1].cumulative_lost, -0x800000);
}

TEST(RtcpPacket, AddBlockStopsAt31) {
  RtcpReport report;
  for (int i = 0; i < 31; ++i) EXPECT_TRUE(report.add_block({}));
  EXPECT_FALSE(report.add_block({}));
  std::array<std::byte, 8 + 31 * 24> buffer{};
  EXPECT_TRUE(write_rtcp_report(report, buffer));
  EXPECT_EQ(write_rtcp_report(report, std::span(buffer).first(100)).error(), make_error_code(Errc::buffer_too_small));
}

TEST(RtcpPacket, RejectsMalformedCompounds) {
  struct Case {
    const char* name;
    const char* bytes;
    Errc expected;
  };
  const Case cases[] = {
      {"empty", "", Errc::rtcp_truncated},
      {"short header", "80 c9 00", Errc::rtcp_truncated},
      {"version 1", "40 c9 00 01 00 00 00 01", Errc::rtcp_bad_version},
      {"length beyond datagram", "80 c9 00 02 00 00 00 01", Errc::rtcp_truncated},
      {"trailing garbage", "80 c9 00 01 00 00 00 01 00", Errc::rtcp_truncated},
      {"second packet bad version", "80 c9 00 01 00 00 00 01 00 cb 00 00", Errc::rtcp_bad_version},
      {"padding not on last", "a0 c9 00 01 00 00 00 01 80 cb 00 00", Errc::rtcp_bad_padding},
      {"zero padding count", "a0 c9 00 01 00 00 00 00", Errc::rtcp_bad_padding},
      {"padding into header", "a0 cb 00 00", Errc::rtcp_bad_padding},
  };
  for (const auto& c : cases) {
    const auto bytes = hex(c.bytes);
    auto compound = RtcpCompound::parse(bytes);
    ASSERT_FALSE(compound) << c.name;
    EXPECT_EQ(compound.error(), make_error_code(c.expected)) << c.name << ": " << compound.error().message();
  }
}

TEST(RtcpPacket, ReportCountBeyondThePacketIsTruncated) {
  // RR claiming 2 blocks with room for one.
  auto bytes = hex("82 c9 00 07 00 00 00 01" + std::string(48, '0'));
  auto compound = RtcpCompound::parse(bytes);
  ASSERT_TRUE(compound);
  EXPECT_EQ(parse_rtcp_report(*compound->begin()).error(), make_error_code(Errc::rtcp_truncated));
}

TEST(RtcpPacket, PaddingOnTheLastPacketIsExcludedFromItsBytes) {
  auto bytes = hex("80 c9 00 01 00 00 00 01  a0 cb 00 02 00 00 00 01 00 00 00 04");
  auto compound = RtcpCompound::parse(bytes);
  ASSERT_TRUE(compound) << compound.error().message();
  std::vector<RtcpPacketView> packets(compound->begin(), compound->end());
  ASSERT_EQ(packets.size(), 2u);
  EXPECT_EQ(packets[1].packet_type, 203);
  EXPECT_EQ(packets[1].bytes.size(), 8u);
  auto rr = parse_rtcp_report(packets[0]);
  ASSERT_TRUE(rr);
  EXPECT_FALSE(rr->has_sender_info);
  EXPECT_EQ(rr->report_count, 0);
}

}  // namespace
}  // namespace sb::media
