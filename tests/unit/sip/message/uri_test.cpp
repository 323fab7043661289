#include "sip/message/uri.hpp"

#include <gtest/gtest.h>

#include <string>

#include "sip/message/errc.hpp"
#include "sip/message/syntax.hpp"

namespace sb::sip {
namespace {

Uri parse_ok(std::string_view text) {
  auto uri = parse_uri(text);
  EXPECT_TRUE(uri) << text;
  return uri ? *uri : Uri{};
}

bool same(std::string_view a, std::string_view b) { return equivalent(parse_ok(a), parse_ok(b)); }

// RFC 3261 19.1.3 examples.
TEST(Uri, ParsesRfc3261Examples) {
  auto u = parse_ok("sip:alice@atlanta.com");
  EXPECT_EQ(u.scheme, UriScheme::Sip);
  EXPECT_EQ(u.user, "alice");
  EXPECT_EQ(u.host, "atlanta.com");
  EXPECT_EQ(u.host_kind, HostKind::Name);
  EXPECT_FALSE(u.port);

  u = parse_ok("sip:alice:secretword@atlanta.com;transport=tcp");
  EXPECT_EQ(u.user, "alice");
  EXPECT_TRUE(u.has_password);
  EXPECT_EQ(u.password, "secretword");
  EXPECT_EQ(u.transport(), "tcp");

  u = parse_ok("sips:alice@atlanta.com?subject=project%20x&priority=urgent");
  EXPECT_EQ(u.scheme, UriScheme::Sips);
  EXPECT_TRUE(u.has_headers);
  EXPECT_EQ(u.headers, "subject=project%20x&priority=urgent");

  u = parse_ok("sip:+1-212-555-1212:1234@gateway.com;user=phone");
  EXPECT_EQ(u.user, "+1-212-555-1212");
  EXPECT_EQ(u.password, "1234");
  EXPECT_EQ(u.user_param(), "phone");

  u = parse_ok("sips:1212@gateway.com");
  EXPECT_EQ(u.user, "1212");

  u = parse_ok("sip:alice@192.0.2.4");
  EXPECT_EQ(u.host_kind, HostKind::Ipv4);

  u = parse_ok("sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com");
  EXPECT_TRUE(u.user.empty());
  EXPECT_EQ(u.method(), "REGISTER");
  EXPECT_EQ(u.headers, "to=alice%40atlanta.com");

  u = parse_ok("sip:alice;day=tuesday@atlanta.com");
  EXPECT_EQ(u.user, "alice;day=tuesday");
  EXPECT_TRUE(u.params.empty());
}

TEST(Uri, ParsesPortsIpv6AndWellKnownParams) {
  auto u = parse_ok("sip:bob@[2001:db8::10]:5070;transport=udp;maddr=239.255.255.1;ttl=15;lr;x-custom=Abc");
  EXPECT_EQ(u.host_kind, HostKind::Ipv6);
  EXPECT_EQ(u.host, "[2001:db8::10]");
  EXPECT_EQ(u.host_address(), "2001:db8::10");
  ASSERT_TRUE(u.port);
  EXPECT_EQ(*u.port, 5070);
  EXPECT_EQ(u.maddr(), "239.255.255.1");
  EXPECT_EQ(u.ttl(), 15);
  EXPECT_TRUE(u.has_lr());
  EXPECT_EQ(u.param("X-CUSTOM"), "Abc");
  EXPECT_FALSE(u.param("nope"));
}

TEST(Uri, ParsesTelAndOtherSchemes) {
  auto u = parse_ok("tel:+1-201-555-0123;phone-context=example.com");
  EXPECT_EQ(u.scheme, UriScheme::Tel);
  EXPECT_EQ(u.user, "+1-201-555-0123");
  EXPECT_EQ(u.param("phone-context"), "example.com");
  EXPECT_TRUE(parse_uri("tel:7042;phone-context=+1-201"));
  EXPECT_FALSE(parse_uri("tel:"));
  EXPECT_FALSE(parse_uri("tel:+1-abc"));

  u = parse_ok("http://www.example.com/path?q=1");
  EXPECT_EQ(u.scheme, UriScheme::Other);
  EXPECT_EQ(u.scheme_text, "http");
  EXPECT_EQ(u.opaque, "//www.example.com/path?q=1");
  EXPECT_TRUE(parse_uri("isbn:2983792873"));
}

TEST(Uri, RejectsMalformedUris) {
  for (std::string_view bad : {"", "sip:", "sip:@host.com", "sip:user@", "sip:user@host.com:", "sip:user@host.com:65536",
                               "sip:user@host.com:5o60", "sip:user@ho st.com", "sip:user@host.com;", "sip:user@host.com;=x",
                               "sip:user@host.com;a=", "sip:user@host.com?", "sip:user@host.com?a", "sip:us%4ger@host.com",
                               "sip:user@host.com%", "sip:user@[::1", "sip:user@[zz::1]", "sip:user@256.1.1.1",
                               "sip:user@-bad.com", "sip:user@example.123", "<sip:user@host.com>", "1sip:x", "sip user@host",
                               "http:", "mailto:a b"}) {
    EXPECT_FALSE(parse_uri(bad)) << bad;
  }
}

TEST(Uri, EnforcesLengthLimit) {
  const std::string long_uri = "sip:" + std::string(5000, 'a') + "@example.com";
  auto r = parse_uri(long_uri);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Errc::UriTooLong);
  EXPECT_TRUE(parse_uri(long_uri, 8192));
}

TEST(Uri, EscapingRoundTrips) {
  EXPECT_EQ(syntax::unescape("I%20have%20spaces"), "I have spaces");
  EXPECT_EQ(syntax::unescape("null-%00-null"), std::string("null-\0-null", 11));
  EXPECT_EQ(syntax::unescape("100%"), "100%");
  EXPECT_EQ(syntax::unescape("%Z%45"), "%ZE");
  const std::string raw = "a b@c;d\x01";
  const auto escaped = syntax::escape(raw, syntax::kUnreserved);
  EXPECT_EQ(escaped, "a%20b%40c%3Bd%01");
  EXPECT_EQ(syntax::unescape(escaped), raw);
  EXPECT_TRUE(parse_uri("sip:" + escaped + "@example.com"));
}

// RFC 3261 19.1.4: URIs that are equivalent.
TEST(Uri, ComparesEquivalentUrisPerRfc3261) {
  EXPECT_TRUE(same("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp"));
  EXPECT_TRUE(same("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"));
  EXPECT_TRUE(same("sip:carol@chicago.com", "sip:carol@chicago.com;security=on"));
  EXPECT_TRUE(same("sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on"));
  EXPECT_TRUE(same("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
                   "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"));
  EXPECT_TRUE(same("sip:alice@atlanta.com?subject=project%20x&priority=urgent",
                   "sip:alice@atlanta.com?priority=urgent&subject=project%20x"));
  EXPECT_TRUE(same("sip:cal%6Cer@host5.example.net;%6C%72", "sip:caller@host5.example.net;lr"));
  EXPECT_TRUE(same("tel:+1-201-555-0123", "tel:+12015550123"));
}

// RFC 3261 19.1.4: URIs that are not equivalent.
TEST(Uri, ComparesDifferentUrisPerRfc3261) {
  EXPECT_FALSE(same("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"));
  EXPECT_FALSE(same("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"));
  EXPECT_FALSE(same("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"));
  EXPECT_FALSE(same("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp"));
  EXPECT_FALSE(same("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"));
  EXPECT_FALSE(same("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"));
  EXPECT_FALSE(same("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off"));
  EXPECT_FALSE(same("sip:alice@atlanta.com", "sips:alice@atlanta.com"));
  EXPECT_FALSE(same("sip:alice:pw@atlanta.com", "sip:alice@atlanta.com"));
}

// Fuzz reproducer fuzz/corpus/sip_parser/crash-uri-repeated-param-equivalence.
TEST(Uri, EquivalenceIsReflexiveWithRepeatedParams) {
  const auto u = parse_ok("tel:+1-201-555-0123;phone-context=example.co1-555-0123;phone-context=example.com");
  EXPECT_TRUE(equivalent(u, u));
  EXPECT_TRUE(same("sip:a@b.com;x=1;x=2", "sip:a@b.com;x=2;x=1"));
  EXPECT_FALSE(same("sip:a@b.com;x=1;x=2", "sip:a@b.com;x=3"));
}

TEST(Uri, ParsesTortureRequestUris) {
  // RFC 4475 esc01 and semiuri.
  auto u = parse_ok("sip:sips%3Auser%40example.com@example.net");
  EXPECT_EQ(syntax::unescape(u.user), "sips:user@example.com");
  EXPECT_EQ(u.host, "example.net");
  u = parse_ok("sip:user;par=u%40example.net@example.com");
  EXPECT_EQ(u.user, "user;par=u%40example.net");
  EXPECT_EQ(u.host, "example.com");
  // RFC 4475 intmeth: every user-unreserved and password character.
  u = parse_ok("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com");
  EXPECT_EQ(u.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  EXPECT_EQ(u.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
}

}  // namespace
}  // namespace sb::sip
