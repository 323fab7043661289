#include "sip/message/message.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sip/parser/parser.hpp"

namespace sb::sip {
namespace {

Message parse_ok(std::string text) {
  auto r = parse_message(std::move(text));
  EXPECT_TRUE(r.ok()) << r.error().message();
  return r.has_message() ? std::move(r.message()) : Message{};
}

std::vector<std::string> all(const Message& m, HeaderId id) {
  std::vector<std::string> out;
  for (std::string_view v : m.values(id)) out.emplace_back(v);
  return out;
}

constexpr std::string_view kCompact =
    "INVITE sip:bob@biloxi.com SIP/2.0\r\n"
    "v: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8\r\n"
    "t: Bob <sip:bob@biloxi.com>\r\n"
    "f: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n"
    "i: a84b4c76e66710@pc33.atlanta.com\r\n"
    "CSEQ: 314159 INVITE\r\n"
    "max-forwards: 70\r\n"
    "m: <sip:alice@pc33.atlanta.com>\r\n"
    "k: 100rel, timer\r\n"
    "c: application/sdp\r\n"
    "l: 4\r\n"
    "\r\n"
    "v=0\n";

TEST(Message, MapsCompactFormsAndAnyCaseToFullNames) {
  const auto m = parse_ok(std::string(kCompact));
  EXPECT_EQ(m.header(HeaderId::CallId), "a84b4c76e66710@pc33.atlanta.com");
  EXPECT_EQ(m.header("Call-ID"), m.header("i"));
  EXPECT_EQ(m.header("CALL-id"), m.header("I"));
  EXPECT_EQ(m.header_at(0).name, "v");
  EXPECT_EQ(m.header_at(0).id, HeaderId::Via);
  EXPECT_EQ(m.header_at(4).id, HeaderId::CSeq);
  EXPECT_EQ(m.cseq()->number, 314159u);
  EXPECT_EQ(*m.max_forwards(), 70);
  EXPECT_EQ(m.to()->uri.user, "bob");
  EXPECT_EQ(m.from()->tag(), "1928301774");
  EXPECT_EQ(m.content_type()->subtype, "sdp");
  EXPECT_EQ(m.body(), "v=0\n");
  EXPECT_EQ(all(m, HeaderId::Supported), (std::vector<std::string>{"100rel", "timer"}));
  EXPECT_EQ(m.method_id(), Method::Invite);
  EXPECT_EQ(m.request_uri()->host, "biloxi.com");
}

TEST(Message, SplitsListValuesButNotInsideQuotesOrBrackets) {
  const auto m = parse_ok(
      "REGISTER sip:example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com:5061;branch=z9hG4bK2\r\n"
      "Via: SIP/2.0/UDP c.example.com;branch=z9hG4bK3\r\n"
      "From: <sip:a@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\nCall-ID: x\r\nCSeq: 1 REGISTER\r\n"
      "Contact: \"Doe, John\" <sip:john@a.example.com>;q=0.5;x=\"1,2\", <sip:jo,hn@b.example.com>;expires=60\r\n"
      "Record-Route: <sip:p1.example.com;lr>,<sip:p2.example.com;lr>\r\n"
      "Date: Sat, 13 Nov 2010 23:29:00 GMT\r\n"
      "Content-Length: 0\r\n\r\n");
  const auto vias = m.vias();
  ASSERT_TRUE(vias);
  ASSERT_EQ(vias->size(), 3u);
  EXPECT_EQ((*vias)[1].host, "b.example.com");
  EXPECT_EQ((*vias)[1].port, 5061);
  EXPECT_EQ((*vias)[2].branch, "z9hG4bK3");
  EXPECT_EQ(m.top_via()->branch, "z9hG4bK1");
  const auto contacts = m.contacts();
  ASSERT_TRUE(contacts) << contacts.error().message();
  ASSERT_EQ(contacts->size(), 2u);
  EXPECT_EQ((*contacts)[0].address.display_name, "\"Doe, John\"");
  EXPECT_EQ((*contacts)[0].q, 500);
  EXPECT_EQ((*contacts)[1].expires, 60u);
  const auto rr = m.record_routes();
  ASSERT_TRUE(rr);
  ASSERT_EQ(rr->size(), 2u);
  EXPECT_TRUE((*rr)[1].uri.has_lr());
  // Date is not a list: its comma stays.
  EXPECT_EQ(all(m, HeaderId::Date), (std::vector<std::string>{"Sat, 13 Nov 2010 23:29:00 GMT"}));
  EXPECT_TRUE(m.routes()->empty());
  EXPECT_EQ(m.expires().error(), Errc::HeaderAbsent);
}

TEST(Message, UnfoldsContinuationLines) {
  const auto m = parse_ok(
      "OPTIONS sip:a@example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP\r\n  a.example.com\r\n\t;branch=z9hG4bK1\r\n"
      "Subject: first\r\n second\r\n"
      "From: <sip:b@example.com>;tag=2\r\nTo: <sip:a@example.com>\r\nCall-ID: y\r\n"
      "CSeq:\r\n 7 OPTIONS\r\n"
      "Content-Length: 0\r\n\r\n");
  EXPECT_EQ(m.header(HeaderId::Subject), "first   second");
  EXPECT_EQ(m.top_via()->host, "a.example.com");
  EXPECT_EQ(m.cseq()->number, 7u);
  EXPECT_EQ(m.header(HeaderId::Via)->find('\r'), std::string_view::npos);
}

TEST(Message, KeepsUnknownHeadersByName) {
  const auto m = parse_ok(
      "OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:b@example.com>;tag=2\r\n"
      "To: <sip:a@example.com>\r\nCall-ID: y\r\nCSeq: 1 OPTIONS\r\nX-Custom: one, two\r\nC%6Fntact: <sip:c@d.com>\r\n"
      "x-custom: three\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(m.header("x-CUSTOM"), "one, two");
  EXPECT_EQ(m.header("C%6Fntact"), "<sip:c@d.com>");
  EXPECT_EQ(m.count(HeaderId::Contact), 0u);
  EXPECT_EQ(m.count(HeaderId::Other), 3u);
  EXPECT_EQ(all(m, HeaderId::Other), (std::vector<std::string>{"one, two", "<sip:c@d.com>", "three"}));
}

TEST(Message, ReportsMissingMandatoryHeadersFromAccessors) {
  ParseOptions options;
  options.validate = false;
  auto r = parse_message("OPTIONS sip:a@example.com SIP/2.0\r\nContent-Length: 0\r\n\r\n", options);
  ASSERT_TRUE(r.ok());
  const auto& m = r.message();
  EXPECT_EQ(m.top_via().error(), Errc::MissingVia);
  EXPECT_EQ(m.from().error(), Errc::MissingFrom);
  EXPECT_EQ(m.to().error(), Errc::MissingTo);
  EXPECT_EQ(m.call_id().error(), Errc::MissingCallId);
  EXPECT_EQ(m.cseq().error(), Errc::MissingCSeq);
  EXPECT_EQ(m.max_forwards().error(), Errc::HeaderAbsent);
  EXPECT_EQ(m.content_type().error(), Errc::HeaderAbsent);
  EXPECT_TRUE(m.values(HeaderId::Via).empty());
}

TEST(Message, StaysValidWhenMoved) {
  auto m = parse_ok(std::string(kCompact));
  std::vector<Message> v;
  v.push_back(std::move(m));
  v.reserve(10);
  EXPECT_EQ(v[0].call_id().value(), "a84b4c76e66710@pc33.atlanta.com");
  Message copy = v[0];
  EXPECT_EQ(copy.top_via()->host, "pc33.atlanta.com");
}

}  // namespace
}  // namespace sb::sip
