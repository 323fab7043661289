#include "sip/parser/message_builder.hpp"

#include <gtest/gtest.h>

#include "test_data.hpp"

namespace sb::sip {
namespace {

constexpr std::string_view kInvite =
    "INVITE sip:bob@biloxi.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP proxy.atlanta.com;branch=z9hG4bK2d4790.1, SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK74bf9\r\n"
    "Via: SIP/2.0/UDP origin.atlanta.com;branch=z9hG4bK00\r\n"
    "Max-Forwards: 69\r\n"
    "Record-Route: <sip:proxy.atlanta.com;lr>\r\n"
    "To: Bob <sip:bob@biloxi.com>\r\n"
    "From: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Timestamp: 54\r\n"
    "Contact: <sip:alice@pc33.atlanta.com>\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 4\r\n"
    "\r\n"
    "v=0\n";

Message invite() {
  auto r = parse_message(std::string(kInvite));
  EXPECT_TRUE(r.ok()) << r.error().message();
  return std::move(r.message());
}

TEST(MessageBuilder, ResponseCopiesRfc3261Headers) {
  const auto request = invite();
  auto b = make_response(request, 200, {}, "a6c85cf");
  b.add(HeaderId::Contact, "<sip:bob@192.0.2.4>").add(HeaderId::ContentType, "application/sdp").body("v=0\r\n");
  auto response = b.build();
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(validate(*response), std::error_code{});
  EXPECT_EQ(response->status_code(), 200);
  EXPECT_EQ(response->reason_phrase(), "OK");
  const auto vias = response->vias();
  ASSERT_TRUE(vias);
  ASSERT_EQ(vias->size(), 3u);
  EXPECT_EQ((*vias)[0].host, "proxy.atlanta.com");
  EXPECT_EQ((*vias)[2].host, "origin.atlanta.com");
  EXPECT_EQ(response->to()->tag(), "a6c85cf");
  EXPECT_EQ(response->from()->tag(), "1928301774");
  EXPECT_EQ(response->call_id().value(), "a84b4c76e66710@pc33.atlanta.com");
  EXPECT_EQ(response->cseq()->number, 314159u);
  EXPECT_EQ(response->cseq()->method, "INVITE");
  EXPECT_EQ(response->record_routes()->size(), 1u);
  EXPECT_FALSE(response->header(HeaderId::Timestamp));
  EXPECT_FALSE(response->header(HeaderId::MaxForwards));
  EXPECT_EQ(response->body(), "v=0\r\n");
  EXPECT_EQ(response->header(HeaderId::ContentLength), "5");
}

TEST(MessageBuilder, TryingKeepsTimestampAndAddsNoTag) {
  auto response = make_response(invite(), 100, {}, "a6c85cf").build();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->reason_phrase(), "Trying");
  EXPECT_FALSE(response->to()->has_tag());
  EXPECT_EQ(response->header(HeaderId::Timestamp), "54");
  EXPECT_FALSE(response->header(HeaderId::RecordRoute));
}

TEST(MessageBuilder, KeepsAnExistingToTag) {
  std::string text(kInvite);
  text.replace(text.find("To: Bob <sip:bob@biloxi.com>"), 28, "To: Bob <sip:bob@biloxi.com>;tag=old");
  auto r = parse_message(text);
  ASSERT_TRUE(r.ok());
  auto response = make_response(r.message(), 486, {}, "new").build();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->to()->tag(), "old");
  EXPECT_EQ(response->reason_phrase(), "Busy Here");
}

TEST(MessageBuilder, BuildsRequestsAndNeutralisesLineBreaks) {
  auto b = MessageBuilder::request("OPTIONS", "sip:carol@chicago.com");
  b.add(HeaderId::Via, "SIP/2.0/TCP host.example.com;branch=z9hG4bKx")
      .add(HeaderId::MaxForwards, "70")
      .add(HeaderId::From, "<sip:a@example.com>;tag=1")
      .add(HeaderId::To, "<sip:carol@chicago.com>")
      .add(HeaderId::CallId, "abc")
      .add(HeaderId::CSeq, "1 OPTIONS")
      .add("Subject", "evil\r\nInjected: yes")
      .add(HeaderId::ContentLength, "999");
  const auto text = b.to_string();
  EXPECT_EQ(text.find("\r\nInjected"), std::string::npos);
  EXPECT_NE(text.find("Content-Length: 0\r\n\r\n"), std::string::npos);
  auto m = b.build();
  ASSERT_TRUE(m);
  EXPECT_EQ(validate(*m), std::error_code{});
  EXPECT_EQ(m->header(HeaderId::Subject), "evil  Injected: yes");
  EXPECT_EQ(m->count(HeaderId::ContentLength), 1u);
}

TEST(MessageBuilder, AnswersBadRequestsWithTheFault) {
  auto r = parse_message(test::load_torture("insuf"));
  ASSERT_TRUE(r.can_answer());
  auto b = make_error_response(r, "t1");
  ASSERT_TRUE(b);
  auto response = b->build();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 400);
  EXPECT_EQ(response->reason_phrase(), "Bad Request - Missing From");
  EXPECT_EQ(response->top_via()->branch, "z9hG4bKkdj.insuf");
  EXPECT_EQ(response->cseq()->number, 193942u);

  auto vers = parse_message(test::load_torture("badvers"));
  auto b505 = make_error_response(vers);
  ASSERT_TRUE(b505);
  EXPECT_EQ(b505->build()->reason_phrase(), "Version Not Supported");

  EXPECT_FALSE(make_error_response(parse_message(test::load_torture("bigcode"))));
  EXPECT_FALSE(make_error_response(parse_message(test::load_torture("wsinv"))));
}

}  // namespace
}  // namespace sb::sip
