#include "sip/transport/routing.hpp"

#include <gtest/gtest.h>

#include "sip/parser/parser.hpp"

namespace sb::sip {
namespace {

Message request_with_via(std::string_view via) {
  std::string text = "OPTIONS sip:bob@example.com SIP/2.0\r\nVia: " + std::string(via) +
                     "\r\nVia: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp\r\n"
                     "Max-Forwards: 70\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\n"
                     "Call-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
  auto r = parse_message(std::move(text));
  EXPECT_TRUE(r.ok());
  return std::move(r.message());
}

const Source kNat{TransportKind::Udp, {"198.51.100.7", 40123}, {"192.0.2.1", 5060}, 0};

TEST(Routing, RportSendsResponseToSourcePort) {
  const auto m = request_with_via("SIP/2.0/UDP 10.0.0.2:5062;rport;branch=z9hG4bKa");
  const auto d = response_destination(m, kNat);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->host, "198.51.100.7");
  EXPECT_EQ(d->port, 40123);
  EXPECT_EQ(*stamped_top_via(m, kNat), "SIP/2.0/UDP 10.0.0.2:5062;branch=z9hG4bKa;received=198.51.100.7;rport=40123");
}

TEST(Routing, WithoutRportResponseGoesToSentByPortAtSourceAddress) {
  const auto m = request_with_via("SIP/2.0/UDP 10.0.0.2:5062;branch=z9hG4bKa");
  const auto d = response_destination(m, kNat);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->host, "198.51.100.7");
  EXPECT_EQ(d->port, 5062);
  EXPECT_EQ(*stamped_top_via(m, kNat), "SIP/2.0/UDP 10.0.0.2:5062;branch=z9hG4bKa;received=198.51.100.7");
}

TEST(Routing, NoReceivedWhenSentByIsTheSource) {
  const auto m = request_with_via("SIP/2.0/UDP 198.51.100.7:40123;branch=z9hG4bKa");
  EXPECT_EQ(*stamped_top_via(m, kNat), "SIP/2.0/UDP 198.51.100.7:40123;branch=z9hG4bKa");
}

TEST(Routing, ReliableResponsesUseTheSameConnection) {
  const auto m = request_with_via("SIP/2.0/TCP 10.0.0.2:5062;branch=z9hG4bKa");
  Source tcp{TransportKind::Tcp, {"198.51.100.7", 40123}, {"192.0.2.1", 5060}, 42};
  const auto d = response_destination(m, tcp);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->flow, 42u);
  EXPECT_EQ(d->kind, TransportKind::Tcp);
}

TEST(Routing, ResponseKeepsEveryViaAndStampsTheTopOne) {
  const auto m = request_with_via("SIP/2.0/UDP 10.0.0.2:5062;rport;branch=z9hG4bKa");
  const auto text = make_response_from(m, kNat, 200, {}, "t1").to_string();
  EXPECT_NE(text.find("Via: SIP/2.0/UDP 10.0.0.2:5062;branch=z9hG4bKa;received=198.51.100.7;rport=40123\r\n"
                      "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp\r\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("To: <sip:bob@example.com>;tag=t1"), std::string::npos);
}

TEST(Routing, ResponseWritesOneViaPerValueWhereTheFirstViaWas) {
  auto r = parse_message(
      "OPTIONS sip:bob@example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 10.0.0.2:5062;rport;branch=z9hG4bKa, SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp\r\n"
      "From: <sip:a@example.com>;tag=1\r\nv: SIP/2.0/UDP third.example.com;branch=z9hG4bKq\r\n"
      "To: <sip:bob@example.com>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(make_response_from(r.message(), kNat, 200, {}, "t1").to_string(),
            "SIP/2.0 200 OK\r\n"
            "Via: SIP/2.0/UDP 10.0.0.2:5062;branch=z9hG4bKa;received=198.51.100.7;rport=40123\r\n"
            "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp\r\n"
            "Via: SIP/2.0/UDP third.example.com;branch=z9hG4bKq\r\n"
            "From: <sip:a@example.com>;tag=1\r\nTo: <sip:bob@example.com>;tag=t1\r\nCall-ID: c1\r\n"
            "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
}

TEST(Routing, LargeRequestsSwitchToTcpUnlessUdpWasExplicit) {
  EXPECT_EQ(choose_request_transport(TransportKind::Udp, 1301, false, true), TransportKind::Tcp);
  EXPECT_EQ(choose_request_transport(TransportKind::Udp, 1300, false, true), TransportKind::Udp);
  EXPECT_EQ(choose_request_transport(TransportKind::Udp, 5000, true, true), TransportKind::Udp);
  EXPECT_EQ(choose_request_transport(TransportKind::Udp, 5000, false, false), TransportKind::Udp);
}

TEST(Routing, DestinationFromUriParameters) {
  auto uri = parse_uri("sip:bob@[2001:db8::1]:5070;transport=tcp");
  ASSERT_TRUE(uri);
  auto d = destination_for_uri(*uri, TransportKind::Udp);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->host, "2001:db8::1");
  EXPECT_EQ(d->port, 5070);
  EXPECT_EQ(d->kind, TransportKind::Tcp);
  auto sips = parse_uri("sips:bob@example.com");
  EXPECT_EQ(destination_for_uri(*sips, TransportKind::Udp)->port, 5061);
}

}  // namespace
}  // namespace sb::sip
