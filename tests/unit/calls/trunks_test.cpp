#include "calls/trunks.hpp"

#include <gtest/gtest.h>

namespace sb::calls {
namespace {

TEST(Trunks, NumbersAreNormalizedAsTwilioAcceptsThem) {
  EXPECT_EQ(normalize_phone_number("+14155551212"), "+14155551212");
  EXPECT_EQ(normalize_phone_number("(415) 555-1212"), "+14155551212");
  EXPECT_EQ(normalize_phone_number("415-555-1212"), "+14155551212");
  EXPECT_EQ(normalize_phone_number("1 415 555 1212"), "+14155551212");
  EXPECT_EQ(normalize_phone_number("+44 20 7946 0958"), "+442079460958");
  EXPECT_FALSE(normalize_phone_number("555-1212"));
  EXPECT_FALSE(normalize_phone_number("+0123"));
  EXPECT_FALSE(normalize_phone_number("+1234567890123456"));  // 16 digits: longer than E.164
  EXPECT_FALSE(normalize_phone_number("alice"));
  EXPECT_FALSE(normalize_phone_number("415+5551212"));
}

TEST(Trunks, TheLongestPrefixWinsAndATrunkWithoutPrefixesTakesTheRest) {
  TrunkTable table({
      Trunk{.name = "default", .host = "10.0.0.1"},
      Trunk{.name = "nanp", .host = "nanp.example.net", .port = 5070, .transport = SipTransport::kTcp,
            .username = "u", .password = "p", .number_format = NumberFormat::kDigits, .prefixes = {"+1"}},
      Trunk{.name = "nyc", .host = "::1", .prefixes = {"+1212", "+1646"}},
  });
  auto nanp = table.route("+14155551212");
  ASSERT_TRUE(nanp);
  EXPECT_EQ(nanp->trunk, "nanp");
  EXPECT_EQ(nanp->target.uri, "sip:14155551212@nanp.example.net:5070;transport=tcp");
  EXPECT_EQ(nanp->target.transport, SipTransport::kTcp);
  EXPECT_EQ(nanp->username, "u");
  auto nyc = table.route("+12125550100");
  ASSERT_TRUE(nyc);
  EXPECT_EQ(nyc->trunk, "nyc");
  EXPECT_EQ(nyc->target.uri, "sip:+12125550100@[::1]");
  auto uk = table.route("+442079460958");
  ASSERT_TRUE(uk);
  EXPECT_EQ(uk->trunk, "default");
  EXPECT_EQ(uk->target.uri, "sip:+442079460958@10.0.0.1");
  EXPECT_FALSE(TrunkTable({Trunk{.name = "us", .host = "h", .prefixes = {"+1"}}}).route("+44123456"));
  EXPECT_FALSE(TrunkTable().route("+14155551212"));
}

TEST(Trunks, AnE164ToLeavesThroughItsTrunkWithTheTrunksCredentials) {
  TrunkTable table({Trunk{.name = "carrier", .host = "127.0.0.1", .port = 5090, .username = "acct", .password = "pw"}});
  http::Form form;
  form.add("To", "+14155551212");
  form.add("From", "+15005550006");
  form.add("Url", "http://127.0.0.1/voice");
  auto without = parse_outbound_call(form);
  ASSERT_TRUE(std::holds_alternative<RequestError>(without));
  EXPECT_EQ(std::get<RequestError>(without).code, 21214);
  auto with = parse_outbound_call(form, &table);
  ASSERT_TRUE(std::holds_alternative<ParsedOutboundCall>(with));
  const auto& r = std::get<ParsedOutboundCall>(with).request;
  EXPECT_EQ(r.target.uri, "sip:+14155551212@127.0.0.1:5090");
  EXPECT_EQ(r.sip_auth_username, "acct");
  EXPECT_EQ(r.sip_auth_password, "pw");
}

TEST(Trunks, InboundCallsAreMatchedToTheirTrunkBySourceAddress) {
  TrunkTable table({
      Trunk{.name = "by-host", .host = "198.51.100.7"},
      Trunk{.name = "by-range", .host = "sbc.example.net", .inbound_addresses = {"203.0.113.0/24", "2001:db8::5"}},
  });
  ASSERT_NE(table.from_address("198.51.100.7"), nullptr);
  EXPECT_EQ(table.from_address("198.51.100.7")->name, "by-host");
  EXPECT_EQ(table.from_address("203.0.113.200")->name, "by-range");
  EXPECT_EQ(table.from_address("::ffff:203.0.113.9")->name, "by-range");  // IPv4-mapped
  EXPECT_EQ(table.from_address("2001:db8::5")->name, "by-range");
  EXPECT_EQ(table.from_address("203.0.114.1"), nullptr);
  EXPECT_EQ(table.from_address("198.51.100.8"), nullptr);
  EXPECT_NE(validate_trunk(Trunk{.name = "t", .host = "h", .inbound_addresses = {"203.0.113.0/33"}}), "");
  EXPECT_NE(validate_trunk(Trunk{.name = "t", .host = "h", .inbound_addresses = {"not-an-address"}}), "");
  EXPECT_EQ(validate_trunk(Trunk{.name = "t", .host = "h", .inbound_addresses = {"10.0.0.0/8"}}), "");
}

}  // namespace
}  // namespace sb::calls
