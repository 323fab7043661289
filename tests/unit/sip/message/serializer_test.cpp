#include "sip/message/serializer.hpp"

#include <gtest/gtest.h>

#include "sip/parser/parser.hpp"
#include "test_data.hpp"

namespace sb::sip {
namespace {

TEST(Serializer, WritesCanonicalNamesOneLineEachAndContentLength) {
  auto r = parse_message(
      "INVITE sip:bob@biloxi.com SIP/2.0\r\n"
      "v: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8\r\n"
      "t:Bob <sip:bob@biloxi.com>\r\n"
      "f: Alice <sip:alice@atlanta.com>;tag=19\r\n"
      "i: a84b4c76e66710\r\n"
      "cseq: 314159\r\n  INVITE\r\n"
      "X-Odd-Name: kept\r\n"
      "l: 4\r\n"
      "Max-Forwards: 70\r\n"
      "\r\n"
      "v=0\nEXTRA");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(serialize(r.message()),
            "INVITE sip:bob@biloxi.com SIP/2.0\r\n"
            "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8\r\n"
            "To: Bob <sip:bob@biloxi.com>\r\n"
            "From: Alice <sip:alice@atlanta.com>;tag=19\r\n"
            "Call-ID: a84b4c76e66710\r\n"
            "CSeq: 314159    INVITE\r\n"
            "X-Odd-Name: kept\r\n"
            "Max-Forwards: 70\r\n"
            "Content-Length: 4\r\n"
            "\r\n"
            "v=0\n");
}

TEST(Serializer, WritesStatusLine) {
  auto r = parse_message(test::load_torture("noreason"));
  ASSERT_TRUE(r.ok());
  const auto text = serialize(r.message());
  EXPECT_EQ(text.substr(0, 14), "SIP/2.0 100 \r\n");
}

// Serializing, parsing and serializing again gives the same bytes and the same values.
TEST(Serializer, RoundTripsTortureMessages) {
  for (const char* name : {"wsinv", "intmeth", "esc01", "escnull", "esc02", "lwsdisp", "longreq", "semiuri", "transports",
                           "mpart01", "unreason", "noreason", "inv2543", "regescrt"}) {
    auto first = parse_message(test::load_torture(name));
    ASSERT_TRUE(first.ok()) << name;
    const std::string once = serialize(first.message());
    auto second = parse_message(once);
    ASSERT_TRUE(second.ok()) << name << ": " << second.error().message();
    EXPECT_EQ(serialize(second.message()), once) << name;
    EXPECT_EQ(second.message().body(), first.message().body()) << name;
    EXPECT_EQ(second.message().header_count(), first.message().header_count() + (first.message().header(HeaderId::ContentLength) ? 0 : 1)) << name;
    EXPECT_EQ(second.message().call_id().value(), first.message().call_id().value()) << name;
  }
}

}  // namespace
}  // namespace sb::sip
