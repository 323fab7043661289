#include "calls/outbound_request.hpp"

#include <gtest/gtest.h>

namespace sb::calls {
namespace {

http::Form form(std::string_view encoded) { return http::Form::parse(encoded).value(); }

ParsedOutboundCall accept(std::string_view encoded) {
  auto result = parse_outbound_call(form(encoded));
  if (auto* e = std::get_if<RequestError>(&result)) {
    ADD_FAILURE() << "refused with " << e->code << ": " << e->message;
    return {};
  }
  return std::get<ParsedOutboundCall>(std::move(result));
}

int refusal(std::string_view encoded) {
  auto result = parse_outbound_call(form(encoded));
  if (auto* e = std::get_if<RequestError>(&result)) return e->code;
  return 0;
}

constexpr std::string_view kBase = "From=Jack&Url=https%3A%2F%2Fexample.com%2Fvoice&To=";

std::string with_to(std::string_view to) {
  return std::string(kBase) + http::percent_encode(to);
}

TEST(OutboundCall, AcceptsTheDocumentedSipCallWithDefaults) {
  const auto p = accept(with_to("sip:kate@example.com"));
  const auto& r = p.request;
  EXPECT_EQ(r.target.uri, "sip:kate@example.com");
  EXPECT_EQ(r.target.transport, SipTransport::kUdp);
  EXPECT_FALSE(r.target.is_secure);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.timeout, std::chrono::seconds{60});
  EXPECT_EQ(r.time_limit, std::chrono::seconds{14400});
  EXPECT_EQ(r.status_callback_events, std::vector<std::string>{"completed"});
  EXPECT_TRUE(p.warnings.empty());
  EXPECT_EQ(p.normalized.get("To"), "sip:kate@example.com");
}

TEST(OutboundCall, RequiresToFromAndInstructions) {
  EXPECT_EQ(refusal("From=Jack&Url=https%3A%2F%2Fexample.com%2F"), 21201);
  EXPECT_EQ(refusal("To=sip%3Aa%40b.com&Url=https%3A%2F%2Fexample.com%2F"), 21213);
  EXPECT_EQ(refusal("To=sip%3Aa%40b.com&From=Jack"), 21205);
  EXPECT_EQ(refusal("To=sip%3Aa%40b.com&From=Jack&Url=notaurl"), 21205);
}

TEST(OutboundCall, TransportSecureAndSipsParameters) {
  EXPECT_EQ(accept(with_to("sip:jack@example.com;transport=tcp")).request.target.transport, SipTransport::kTcp);
  const auto secure = accept(with_to("sip:jack@example.com;secure=true")).request.target;
  EXPECT_TRUE(secure.is_secure);
  EXPECT_EQ(secure.transport, SipTransport::kTls);
  EXPECT_EQ(secure.uri, "sip:jack@example.com");  // secure/region/edge are ours, not sent on
  EXPECT_EQ(accept(with_to("sip:jack@example.com:5070;Region=us2;transport=tcp;edge=dublin;x=1")).request.target.uri,
            "sip:jack@example.com:5070;transport=tcp;x=1");
  const auto sips = accept(with_to("sips:jack@example.com")).request.target;
  EXPECT_EQ(sips.transport, SipTransport::kTls);
  EXPECT_EQ(sips.uri, "sip:jack@example.com");
  EXPECT_EQ(accept(with_to("sip:jack@example.com;region=ie1")).request.target.region, "ie1");
  const auto odd = accept(with_to("sip:jack@example.com;transport=sctp;secure=maybe"));
  ASSERT_EQ(odd.warnings.size(), 2u);
  EXPECT_EQ(odd.warnings[0].code, 32114);
  EXPECT_EQ(odd.request.target.transport, SipTransport::kUdp);
}

TEST(OutboundCall, PassesOnlyAllowedHeadersDecoded) {
  const auto p = accept(with_to("sip:m@example.com?X-Custom=a%20b&User-to-User=56a3&Subject=no&X-Twilio-Foo=no"));
  const auto& h = p.request.target.headers;
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0], (std::pair<std::string, std::string>{"X-Custom", "a b"}));
  EXPECT_EQ(h[1].first, "User-to-User");
  ASSERT_EQ(p.warnings.size(), 2u);
  EXPECT_EQ(p.warnings[0].code, 32113);
  EXPECT_EQ(p.request.target.uri, "sip:m@example.com");
}

TEST(OutboundCall, EnforcesTwilioLimitsOnSipUris) {
  const std::string long_user(250, 'u');
  EXPECT_EQ(refusal(with_to("sip:" + long_user + "@example.com")), 21211);
  EXPECT_EQ(refusal(with_to("sip:a@example.com?X-Big=" + std::string(1030, 'v'))), 21227);
  EXPECT_EQ(refusal(with_to("sip:a@example.com?X-B%0Ad=1")), 21228);
  EXPECT_EQ(refusal(with_to("sip:a@example.com?X-Bad=%0D%0Ainjected")), 21229);
  EXPECT_EQ(refusal(with_to("sip:@")), 21211);
  EXPECT_EQ(refusal(with_to("client:alice")), 21211);
  EXPECT_EQ(refusal(with_to("+14155550100")), 21214);
}

TEST(OutboundCall, FromIsLimitedToAlphanumericsAndPlusMinusUnderscoreDot) {
  EXPECT_EQ(accept("To=sip%3Aa%40b.com&Url=https%3A%2F%2Fe.com%2F&From=%2B1_a-b.c").request.from, "+1_a-b.c");
  EXPECT_EQ(refusal("To=sip%3Aa%40b.com&Url=https%3A%2F%2Fe.com%2F&From=Jack%20Smith"), 21212);
  EXPECT_EQ(refusal("To=sip%3Aa%40b.com&Url=https%3A%2F%2Fe.com%2F&From=a%3Cb"), 21212);
}

TEST(OutboundCall, TwimlLimitAndUrlPrecedence) {
  const std::string base = "To=sip%3Aa%40b.com&From=J&Twiml=";
  EXPECT_EQ(refusal(base + std::string(4001, 'x')), 32018);
  const auto both = accept(base + "%3CResponse%2F%3E&Url=https%3A%2F%2Fe.com%2F");
  EXPECT_FALSE(both.request.twiml);
  ASSERT_EQ(both.warnings.size(), 1u);
  EXPECT_EQ(both.warnings[0].code, 32019);
  EXPECT_FALSE(both.normalized.has("Twiml"));
  EXPECT_EQ(accept(base + "%3CResponse%2F%3E").request.twiml, "<Response/>");
}

TEST(OutboundCall, StatusCallbackEventsRepeatedOrSpaceSeparated) {
  auto p = accept(with_to("sip:a@b.com") + "&StatusCallbackEvent=initiated&StatusCallbackEvent=answered%20completed");
  EXPECT_EQ(p.request.status_callback_events, (std::vector<std::string>{"initiated", "answered", "completed"}));
  EXPECT_EQ(refusal(with_to("sip:a@b.com") + "&StatusCallbackEvent=hungup"), 20001);
}

TEST(OutboundCall, DigitsTimeoutsAndSipCredentials) {
  EXPECT_EQ(accept(with_to("sip:a@b.com") + "&SendDigits=1234w%23").request.send_digits, "1234w#");
  EXPECT_EQ(refusal(with_to("sip:a@b.com") + "&SendDigits=12x"), 21206);
  EXPECT_EQ(refusal(with_to("sip:a@b.com") + "&SendDigits=" + std::string(33, '1')), 21206);
  EXPECT_EQ(accept(with_to("sip:a@b.com") + "&Timeout=900").request.timeout, std::chrono::seconds{600});
  EXPECT_EQ(refusal(with_to("sip:a@b.com") + "&Timeout=-1"), 20001);
  EXPECT_EQ(refusal(with_to("sip:a@b.com") + "&SipAuthUsername=alice"), 21225);
  EXPECT_EQ(refusal(with_to("sip:a@b.com") + "&SipAuthUsername=" + std::string(256, 'a') + "&SipAuthPassword=p"), 21221);
  EXPECT_EQ(refusal(with_to("sip:a@b.com") + "&SipAuthUsername=al%20ice&SipAuthPassword=p"), 21222);
  EXPECT_EQ(refusal(with_to("sip:a@b.com") + "&SipAuthUsername=alice&SipAuthPassword=" + std::string(256, 'p')), 21223);
  const auto creds = accept(with_to("sip:a@b.com") + "&SipAuthUsername=alice&SipAuthPassword=s3cret");
  EXPECT_EQ(creds.request.sip_auth_username, "alice");
  EXPECT_EQ(creds.request.sip_auth_password, "s3cret");
}

TEST(OutboundCall, MachineDetectionValuesAndRanges) {
  const auto p = accept(with_to("sip:a@b.com") + "&MachineDetection=DetectMessageEnd&MachineDetectionTimeout=10");
  ASSERT_TRUE(p.request.machine_detection);
  EXPECT_EQ(p.request.machine_detection->mode, "DetectMessageEnd");
  EXPECT_EQ(p.request.machine_detection->timeout, std::chrono::seconds{10});
  EXPECT_EQ(p.request.machine_detection->speech_threshold, std::chrono::milliseconds{2400});
  EXPECT_EQ(refusal(with_to("sip:a@b.com") + "&MachineDetection=Sometimes"), 21234);
  EXPECT_EQ(refusal(with_to("sip:a@b.com") + "&MachineDetection=Enable&MachineDetectionTimeout=2"), 21234);
  // SendDigits makes Twilio ignore MachineDetection.
  EXPECT_FALSE(accept(with_to("sip:a@b.com") + "&SendDigits=1&MachineDetection=Enable").request.machine_detection);
}

}  // namespace
}  // namespace sb::calls
