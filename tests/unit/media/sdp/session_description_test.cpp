#include "media/sdp/session_description.hpp"

#include "media/error.hpp"

#include <gtest/gtest.h>

namespace sb::media {
namespace {

constexpr const char* kOffer =
    "v=0\r\n"
    "o=alice 2890844526 2890844527 IN IP4 198.51.100.7\r\n"
    "s=A call\r\n"
    "c=IN IP4 198.51.100.7\r\n"
    "b=AS:80\r\n"
    "t=0 0\r\n"
    "a=sendrecv\r\n"
    "a=tool:baresip\r\n"
    "m=audio 49170 RTP/SAVP 0 8 101\r\n"
    "c=IN IP6 2001:db8::7\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000/1\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-16\r\n"
    "a=ptime:20\r\n"
    "a=maxptime:60\r\n"
    "a=rtcp:49171 IN IP4 198.51.100.8\r\n"
    "a=rtcp-mux\r\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4\r\n"
    "a=ssrc:1234 cname:x\r\n"
    "a=sendonly\r\n"
    "m=video 0 RTP/AVP 96\r\n";

TEST(SessionDescription, ParsesEveryModelledField) {
  auto sdp = SessionDescription::parse(kOffer);
  ASSERT_TRUE(sdp) << sdp.error().message();
  EXPECT_EQ(sdp->origin.username, "alice");
  EXPECT_EQ(sdp->origin.session_id, "2890844526");
  EXPECT_EQ(sdp->origin.session_version, "2890844527");
  EXPECT_EQ(sdp->origin.address, "198.51.100.7");
  EXPECT_EQ(sdp->session_name, "A call");
  ASSERT_TRUE(sdp->connection);
  EXPECT_EQ(sdp->connection->address, "198.51.100.7");
  EXPECT_EQ(sdp->direction, Direction::send_recv);
  ASSERT_EQ(sdp->attributes.size(), 1u);
  EXPECT_EQ(sdp->attributes[0].name, "tool");
  ASSERT_EQ(sdp->media.size(), 2u);
  const auto& m = sdp->media[0];
  EXPECT_EQ(m.media, "audio");
  EXPECT_EQ(m.port, 49170);
  EXPECT_EQ(m.protocol, "RTP/SAVP");
  EXPECT_EQ(m.formats, (std::vector<std::string>{"0", "8", "101"}));
  ASSERT_TRUE(m.connection);
  EXPECT_EQ(m.connection->address_type, AddressType::ip6);
  EXPECT_EQ(m.connection->address, "2001:db8::7");
  ASSERT_EQ(m.rtpmaps.size(), 3u);
  EXPECT_EQ(m.find_rtpmap(8)->channels, 1);
  EXPECT_EQ(m.find_rtpmap(101)->encoding_name, "telephone-event");
  EXPECT_EQ(m.find_rtpmap(101)->clock_rate, 8000u);
  EXPECT_EQ(m.find_fmtp(101)->parameters, "0-16");
  EXPECT_EQ(m.ptime, 20u);
  EXPECT_EQ(m.maxptime, 60u);
  ASSERT_TRUE(m.rtcp);
  EXPECT_EQ(m.rtcp->port, 49171);
  EXPECT_EQ(m.rtcp->connection->address, "198.51.100.8");
  EXPECT_TRUE(m.has_rtcp_mux);
  ASSERT_EQ(m.crypto.size(), 1u);
  EXPECT_EQ(m.crypto[0].keys[0].mki_length, 4);
  EXPECT_EQ(m.direction, Direction::send_only);
  EXPECT_EQ(sdp->direction_for(m), Direction::send_only);
  EXPECT_EQ(sdp->connection_for(m), &*m.connection);
  EXPECT_EQ(sdp->media[1].port, 0);
  EXPECT_EQ(sdp->direction_for(sdp->media[1]), Direction::send_recv);
}

TEST(SessionDescription, WritesWhatItReads) {
  auto sdp = SessionDescription::parse(kOffer);
  ASSERT_TRUE(sdp);
  const auto text = sdp->to_string();
  auto again = SessionDescription::parse(text);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->to_string(), text);
  EXPECT_NE(text.find("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4\r\n"),
            std::string::npos);
  EXPECT_NE(text.find("m=audio 49170 RTP/SAVP 0 8 101\r\nc=IN IP6 2001:db8::7\r\n"), std::string::npos);
}

TEST(SessionDescription, AcceptsMulticastTtlAndPortCounts) {
  auto sdp = SessionDescription::parse(
      "v=0\r\no=- 1 1 IN IP4 h.example.com\r\ns=-\r\nc=IN IP4 233.252.0.1/127\r\nt=0 0\r\nm=audio 49170/2 RTP/AVP 0\r\n");
  ASSERT_TRUE(sdp);
  EXPECT_EQ(sdp->connection->address, "233.252.0.1");
  EXPECT_EQ(sdp->media[0].port_count, 2);
  EXPECT_EQ(sdp->origin.address, "h.example.com");
}

TEST(SessionDescription, ReportsTheOffendingLineButNeverACryptoKey) {
  SdpParseError error;
  auto sdp = SessionDescription::parse("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nc=IN IP4 a\r\nt=0 0\r\nm=audio 1 RTP/AVP 0\r\na=ptime:x\r\n",
                                       &error);
  ASSERT_FALSE(sdp);
  EXPECT_EQ(sdp.error(), make_error_code(Errc::sdp_bad_attribute));
  EXPECT_EQ(error.line_number, 7u);
  EXPECT_EQ(error.line, "a=ptime:x");
  sdp = SessionDescription::parse(
      "v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nc=IN IP4 a\r\nt=0 0\r\nm=audio 1 RTP/SAVP 0\r\na=crypto:1 X inline:SECRET|zz\r\n",
      &error);
  ASSERT_FALSE(sdp);
  EXPECT_EQ(sdp.error(), make_error_code(Errc::sdp_bad_crypto));
  EXPECT_EQ(error.line.find("SECRET"), std::string::npos);
}

TEST(SessionDescription, RejectsMalformedInput) {
  struct Case {
    const char* text;
    Errc expected;
  };
  const std::string head = "v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nc=IN IP4 a\r\nt=0 0\r\n";
  const Case cases[] = {
      {"", Errc::sdp_bad_version},
      {"o=- 1 1 IN IP4 a\r\nv=0\r\n", Errc::sdp_bad_version},
      {"v=0\r\ns=-\r\n", Errc::sdp_bad_origin},
      {"v=0\r\no=- 1 1 IN IP4 a\r\nv=0\r\n", Errc::sdp_bad_version},
      {"v=0\r\no=- x 1 IN IP4 a\r\n", Errc::sdp_bad_origin},
      {"v=0\r\no=- 1 1 XX IP4 a\r\n", Errc::sdp_bad_origin},
      {"v=0\r\nO=- 1 1 IN IP4 a\r\n", Errc::sdp_malformed_line},
      {"v=0\r\no =- 1 1 IN IP4 a\r\n", Errc::sdp_malformed_line},
      {"v=0\r\no=- 1 1 IN IP4 a\r\nc=IN IP4\r\n", Errc::sdp_bad_connection},
      {"v=0\r\no=- 1 1 IN IP4 a\r\nc=IN IP4 /12\r\n", Errc::sdp_bad_connection},
  };
  for (const auto& c : cases) {
    auto sdp = SessionDescription::parse(c.text);
    ASSERT_FALSE(sdp) << c.text;
    EXPECT_EQ(sdp.error(), make_error_code(c.expected)) << c.text;
  }
  const Case media_cases[] = {
      {"m=audio x RTP/AVP 0\r\n", Errc::sdp_bad_media},
      {"m=audio 1/0x RTP/AVP 0\r\n", Errc::sdp_bad_media},
      {"m=audio 1\r\n", Errc::sdp_bad_media},
      {"m=audio 1 RTP/AVP 0\r\na=rtpmap:128 X/8000\r\n", Errc::sdp_bad_attribute},
      {"m=audio 1 RTP/AVP 0\r\na=rtpmap:0 PCMU/0\r\n", Errc::sdp_bad_attribute},
      {"m=audio 1 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000/0\r\n", Errc::sdp_bad_attribute},
      {"m=audio 1 RTP/AVP 0\r\na=rtpmap:0 /8000\r\n", Errc::sdp_bad_attribute},
      {"m=audio 1 RTP/AVP 0\r\na=fmtp:x 0-15\r\n", Errc::sdp_bad_attribute},
      {"m=audio 1 RTP/AVP 0\r\na=ptime:0\r\n", Errc::sdp_bad_attribute},
      {"m=audio 1 RTP/AVP 0\r\na=maxptime:-5\r\n", Errc::sdp_bad_attribute},
      {"m=audio 1 RTP/AVP 0\r\na=rtcp:99999\r\n", Errc::sdp_bad_attribute},
      {"m=audio 1 RTP/AVP 0\r\na=rtcp:5 IN IP4\r\n", Errc::sdp_bad_attribute},
  };
  for (const auto& c : media_cases) {
    auto sdp = SessionDescription::parse(head + c.text);
    ASSERT_FALSE(sdp) << c.text;
    EXPECT_EQ(sdp.error(), make_error_code(c.expected)) << c.text;
  }
}

TEST(SessionDescription, IsLenientWhereInteropNeedsIt) {
  // No s=, no t=, LF-only, a fractional ptime, unknown lines and attributes, fmtp without params.
  auto sdp = SessionDescription::parse(
      "v=0\no=- 1 1 IN IP4 a\nc=IN IP4 a\nz=0 -1h\nk=prompt\nm=audio 1 RTP/AVP 0 101\na=ptime:20.0\n"
      "a=fmtp:101\na=x-custom\na=rtpmap:101 telephone-event/8000\n\n");
  ASSERT_TRUE(sdp) << sdp.error().message();
  EXPECT_EQ(sdp->media[0].ptime, 20u);
  EXPECT_EQ(sdp->media[0].find_fmtp(101)->parameters, "");
  ASSERT_EQ(sdp->media[0].attributes.size(), 1u);
  EXPECT_EQ(sdp->media[0].attributes[0].name, "x-custom");
  EXPECT_FALSE(sdp->media[0].attributes[0].value);
  EXPECT_NE(sdp->to_string().find("a=x-custom\r\n"), std::string::npos);
}

TEST(SessionDescription, DisabledStreamNeedsNoConnection) {
  auto sdp = SessionDescription::parse("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n");
  ASSERT_TRUE(sdp);
  EXPECT_EQ(SessionDescription::parse("v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 5 RTP/AVP 0\r\n").error(),
            make_error_code(Errc::sdp_bad_connection));
}

TEST(SessionDescription, DirectionHelpers) {
  EXPECT_EQ(reverse(Direction::send_only), Direction::recv_only);
  EXPECT_EQ(reverse(Direction::recv_only), Direction::send_only);
  EXPECT_EQ(reverse(Direction::send_recv), Direction::send_recv);
  EXPECT_EQ(reverse(Direction::inactive), Direction::inactive);
  EXPECT_EQ(to_string(Direction::inactive), "inactive");
  EXPECT_TRUE((Connection{AddressType::ip4, "0.0.0.0"}.is_null()));
  EXPECT_TRUE((Connection{AddressType::ip6, "::"}.is_null()));
}

}  // namespace
}  // namespace sb::media
