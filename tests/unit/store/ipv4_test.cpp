#include "store/ipv4.hpp"

#include "store/sip_digest.hpp"

#include <gtest/gtest.h>

namespace sb::store {
namespace {

TEST(Ipv4, ParsesDottedDecimal) {
  EXPECT_EQ(parse_ipv4("0.0.0.0"), 0u);
  EXPECT_EQ(parse_ipv4("192.168.1.20"), 0xC0A80114u);
  EXPECT_EQ(parse_ipv4("255.255.255.255"), 0xFFFFFFFFu);
}

TEST(Ipv4, RejectsWildcardsShortFormsLeadingZerosAndIpv6) {
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "1.2.3.*", "256.1.1.1", "01.2.3.4", "1.2.3.4 ",
                          " 1.2.3.4", "1..3.4", "1.2.3.", "::1", "1.2.3.1000", "a.b.c.d"}) {
    EXPECT_FALSE(parse_ipv4(bad)) << bad;
  }
}

TEST(Ipv4, SourceAddressAcceptsIpv4MappedIpv6Only) {
  EXPECT_EQ(parse_source_ipv4("::ffff:10.0.0.1"), 0x0A000001u);
  EXPECT_EQ(parse_source_ipv4("[::FFFF:10.0.0.1]"), 0x0A000001u);
  EXPECT_FALSE(parse_source_ipv4("2001:db8::1"));
}

TEST(Ipv4, NetworkMatchHonoursThePrefixLength) {
  const auto net = *parse_ipv4("10.1.0.0");
  EXPECT_TRUE(ipv4_in_network(*parse_ipv4("10.1.255.7"), net, 16));
  EXPECT_FALSE(ipv4_in_network(*parse_ipv4("10.2.0.1"), net, 16));
  EXPECT_TRUE(ipv4_in_network(net, net, 32));
  EXPECT_FALSE(ipv4_in_network(net + 1, net, 32));
  EXPECT_TRUE(ipv4_in_network(*parse_ipv4("200.1.1.1"), net, 0));
}

TEST(SipDigest, Ha1IsTheHashOfUserRealmAndPassword) {
  // RFC 2617's H(A1) over "user:realm:password", realm fixed to kSipDigestRealm.
  EXPECT_EQ(sip_ha1_md5("alice", "Secret123456"), crypto::md5_hex("alice:switchboard:Secret123456"));
  EXPECT_EQ(sip_ha1_sha256("alice", "Secret123456"), crypto::sha256_hex("alice:switchboard:Secret123456"));
  EXPECT_EQ(sip_ha1_md5("alice", "Secret123456").size(), 32u);
  EXPECT_EQ(sip_ha1_sha256("alice", "Secret123456").size(), 64u);
}

}  // namespace
}  // namespace sb::store
