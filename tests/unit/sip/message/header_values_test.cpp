#include "sip/message/header_values.hpp"

#include <gtest/gtest.h>

namespace sb::sip {
namespace {

TEST(Via, ParsesSentByAndParams) {
  auto v = parse_via("SIP/2.0/UDP pc33.atlanta.com:5066;branch=z9hG4bK776asdhds;received=192.0.2.1;rport=5070;maddr=224.2.0.1;ttl=16");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->protocol_name, "SIP");
  EXPECT_EQ(v->protocol_version, "2.0");
  EXPECT_EQ(v->transport, "UDP");
  EXPECT_EQ(v->host, "pc33.atlanta.com");
  EXPECT_EQ(v->port, 5066);
  EXPECT_EQ(v->branch, "z9hG4bK776asdhds");
  EXPECT_TRUE(v->has_rfc3261_branch());
  EXPECT_EQ(v->received, "192.0.2.1");
  EXPECT_TRUE(v->has_rport);
  EXPECT_EQ(v->rport, 5070);
  EXPECT_EQ(v->maddr, "224.2.0.1");
  EXPECT_EQ(v->ttl, 16);
}

TEST(Via, DistinguishesRportWithAndWithoutValue) {
  auto v = parse_via("SIP/2.0/TCP [2001:db8::1];rport;branch=z9hG4bKx");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->host_kind, HostKind::Ipv6);
  EXPECT_TRUE(v->has_rport);
  EXPECT_FALSE(v->rport);
  EXPECT_FALSE(v->port);
  v = parse_via("SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx");
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->has_rport);
}

TEST(Via, AcceptsLinearWhiteSpaceAroundSeparators) {
  auto v = parse_via("SIP  /   2.0  /UDP     192.0.2.2 : 5060 ;rport;branch  =   390skdjuw");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->transport, "UDP");
  EXPECT_EQ(v->port, 5060);
  EXPECT_EQ(v->branch, "390skdjuw");
  EXPECT_FALSE(v->has_rfc3261_branch());
}

TEST(Via, RejectsMalformedValues) {
  for (std::string_view bad : {"", "SIP/2.0/UDP", "SIP/2.0 192.0.2.1", "SIP/2.0/UDP 192.0.2.15;;", "SIP/2.0/UDP 192.0.2.15;",
                               "SIP/2.0/UDP host:99999", "SIP/2.0/UDP host;rport=x", "SIP/2.0/UDP host;ttl=300",
                               "SIP/2.0/UDP host;received=example.com", "SIP/2.0/UDP host;branch=\"q\"",
                               "SIP/2.0/UDP host junk", "SIP/2.0/UDPhost"}) {
    EXPECT_FALSE(parse_via(bad)) << bad;
  }
  auto v = parse_via("SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK");  // RFC 4475 badbranch: parses, not RFC 3261
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->has_rfc3261_branch());
}

TEST(CSeq, ParsesNumberAndMethod) {
  auto c = parse_cseq("0009   INVITE");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->number, 9u);
  EXPECT_EQ(c->method, "INVITE");
  EXPECT_TRUE(parse_cseq("2147483647 ACK"));
  EXPECT_FALSE(parse_cseq("2147483648 ACK"));
  EXPECT_FALSE(parse_cseq("36893488147419103232 REGISTER"));
  EXPECT_FALSE(parse_cseq("1INVITE"));
  EXPECT_FALSE(parse_cseq("1 INV ITE"));
  EXPECT_FALSE(parse_cseq("INVITE"));
}

TEST(ContentType, ParsesTypeSubtypeAndParams) {
  auto t = parse_content_type("multipart/mixed;boundary=7a9cbec02ceef655");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->is("Multipart", "MIXED"));
  EXPECT_EQ(t->params.find("boundary"), "7a9cbec02ceef655");
  EXPECT_FALSE(parse_content_type("application"));
  EXPECT_FALSE(parse_content_type("application/sdp;"));
}

TEST(Scalars, CheckRangesAndSyntax) {
  EXPECT_EQ(parse_max_forwards("0068"), 68);
  EXPECT_FALSE(parse_max_forwards("300"));
  EXPECT_FALSE(parse_max_forwards("-1"));
  EXPECT_EQ(parse_delta_seconds("4294967295"), 4294967295u);
  EXPECT_FALSE(parse_delta_seconds("4294967296"));
  EXPECT_TRUE(is_valid_call_id("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{"));
  EXPECT_FALSE(is_valid_call_id("a b"));
  EXPECT_FALSE(is_valid_call_id("a@"));
  EXPECT_FALSE(is_valid_call_id(""));
  EXPECT_TRUE(is_valid_sip_date("Sat, 13 Nov 2010 23:29:00 GMT"));
  EXPECT_FALSE(is_valid_sip_date("Fri, 01 Jan 2010 16:00:00 EST"));
}

}  // namespace
}  // namespace sb::sip
