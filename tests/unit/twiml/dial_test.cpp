// <Dial> and its nouns (<Number>, <Sip>, <Client>, <Conference>), the <Sip> page's examples, and
// <Refer>.

#include "twiml/parser.hpp"

#include <gtest/gtest.h>

#include "twiml_test_support.hpp"

namespace sb::twiml {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using test::has_warning;
using test::only_verb;
using test::parse_error;
using test::parse_ok;
using test::read_data;
using test::response;

int error_code_of(std::string_view body) { return parse_error(response(body)).twilio_code(); }

Dial dial_of(std::string_view body) { return only_verb<Dial>(parse_ok(response(body))); }

Sip only_sip(const Dial& dial) {
  if (dial.targets.size() != 1 || !std::holds_alternative<Sip>(dial.targets[0])) {
    ADD_FAILURE() << "expected one <Sip>";
    return {};
  }
  return std::get<Sip>(dial.targets[0]);
}

Dial golden_dial(std::string_view file) {
  const auto document = parse_ok(read_data(file));
  EXPECT_TRUE(document.warnings.empty()) << file << ": " << document.warnings[0].message;
  return only_verb<Dial>(document);
}

// --- <Dial> attributes ---------------------------------------------------------------------------

TEST(TwimlDial, HasTwilioDefaults) {
  const auto dial = dial_of("<Dial>+15551234567</Dial>");
  EXPECT_FALSE(dial.action.has_value());
  EXPECT_EQ(dial.method, Method::Post);
  EXPECT_EQ(dial.timeout, seconds(30));
  EXPECT_FALSE(dial.hangup_on_star);
  EXPECT_EQ(dial.time_limit, seconds(14400));
  EXPECT_FALSE(dial.caller_id.has_value());
  EXPECT_EQ(dial.record, DialRecord::DoNotRecord);
  EXPECT_EQ(dial.trim, Trim::DoNotTrim);
  EXPECT_FALSE(dial.recording_status_callback.has_value());
  EXPECT_EQ(dial.recording_status_callback_method, Method::Post);
  EXPECT_EQ(dial.recording_status_callback_event, RecordingStatusEvents{});
  EXPECT_EQ(dial.recording_track, RecordingTrack::Both);
  EXPECT_FALSE(dial.answer_on_bridge);
  EXPECT_FALSE(dial.ring_tone.has_value());
  EXPECT_FALSE(dial.sequential);
  EXPECT_FALSE(dial.refer_url.has_value());
  EXPECT_EQ(dial.refer_method, Method::Post);
  EXPECT_FALSE(dial.call_reason.has_value());
  // A plain-text body is one <Number> with default attributes.
  ASSERT_EQ(dial.targets.size(), 1u);
  const auto& number = std::get<Number>(dial.targets[0]);
  EXPECT_EQ(number.phone_number, "+15551234567");
  EXPECT_FALSE(number.send_digits.has_value());
  EXPECT_FALSE(number.status_callback.url.has_value());
}

TEST(TwimlDial, ReadsExplicitAttributes) {
  const auto document = parse_ok(response(
      "<Dial action=\"/after\" method=\"GET\" timeout=\"12\" hangupOnStar=\"true\" timeLimit=\"600\" "
      "callerId=\"+15557654321\" record=\"record-from-ringing-dual\" trim=\"trim-silence\" "
      "recordingStatusCallback=\"/rec\" recordingStatusCallbackMethod=\"GET\" "
      "recordingStatusCallbackEvent=\"in-progress completed\" recordingTrack=\"inbound\" answerOnBridge=\"true\" "
      "ringTone=\"uk\" sequential=\"true\" referUrl=\"/refer\" referMethod=\"GET\" callReason=\"Delivery\" "
      "recordingConfigurationId=\"JZ1\">+15551234567</Dial>"));
  EXPECT_TRUE(document.warnings.empty()) << document.warnings[0].message;
  const auto dial = only_verb<Dial>(document);
  EXPECT_EQ(dial.action, "/after");
  EXPECT_EQ(dial.method, Method::Get);
  EXPECT_EQ(dial.timeout, seconds(12));
  EXPECT_TRUE(dial.hangup_on_star);
  EXPECT_EQ(dial.time_limit, seconds(600));
  EXPECT_EQ(dial.caller_id, "+15557654321");
  EXPECT_EQ(dial.record, DialRecord::RecordFromRingingDual);
  EXPECT_EQ(dial.trim, Trim::TrimSilence);
  EXPECT_EQ(dial.recording_status_callback, "/rec");
  EXPECT_EQ(dial.recording_status_callback_method, Method::Get);
  EXPECT_EQ(dial.recording_status_callback_event, (RecordingStatusEvents{true, true, false}));
  EXPECT_EQ(dial.recording_track, RecordingTrack::Inbound);
  EXPECT_TRUE(dial.answer_on_bridge);
  EXPECT_EQ(dial.ring_tone, "uk");
  EXPECT_TRUE(dial.sequential);
  EXPECT_EQ(dial.refer_url, "/refer");
  EXPECT_EQ(dial.refer_method, Method::Get);
  EXPECT_EQ(dial.call_reason, "Delivery");
  EXPECT_EQ(dial.recording_configuration_id, "JZ1");
}

TEST(TwimlDial, RecordAcceptsEveryFormAndBooleans) {
  EXPECT_EQ(dial_of("<Dial record=\"record-from-answer\">1</Dial>").record, DialRecord::RecordFromAnswer);
  EXPECT_EQ(dial_of("<Dial record=\"record-from-ringing\">1</Dial>").record, DialRecord::RecordFromRinging);
  EXPECT_EQ(dial_of("<Dial record=\"record-from-answer-dual\">1</Dial>").record, DialRecord::RecordFromAnswerDual);
  EXPECT_EQ(dial_of("<Dial record=\"do-not-record\">1</Dial>").record, DialRecord::DoNotRecord);
  EXPECT_EQ(dial_of("<Dial record=\"true\">1</Dial>").record, DialRecord::RecordFromAnswer);
  EXPECT_EQ(dial_of("<Dial record=\"false\">1</Dial>").record, DialRecord::DoNotRecord);
}

TEST(TwimlDial, ClampsTimeoutAndTimeLimitWithAWarning) {
  const auto low = parse_ok(response("<Dial timeout=\"2\">1</Dial>"));
  EXPECT_EQ(only_verb<Dial>(low).timeout, seconds(5));
  EXPECT_TRUE(has_warning(low, Errc::DialInvalidTimeout));
  EXPECT_EQ(dial_of("<Dial timeout=\"9000\">1</Dial>").timeout, seconds(600));
  const auto long_call = parse_ok(response("<Dial timeLimit=\"100000\">1</Dial>"));
  EXPECT_EQ(only_verb<Dial>(long_call).time_limit, seconds(86400));
  EXPECT_TRUE(has_warning(long_call, Errc::DialInvalidTimeLimit));
}

TEST(TwimlDial, InvalidAttributesHaveDialCodes) {
  EXPECT_EQ(error_code_of("<Dial method=\"PATCH\">1</Dial>"), 13210);
  EXPECT_EQ(error_code_of("<Dial referMethod=\"PATCH\">1</Dial>"), 13210);
  EXPECT_EQ(error_code_of("<Dial recordingStatusCallbackMethod=\"x\">1</Dial>"), 13210);
  EXPECT_EQ(error_code_of("<Dial timeout=\"0\">1</Dial>"), 13212);
  EXPECT_EQ(error_code_of("<Dial timeout=\"abc\">1</Dial>"), 13212);
  EXPECT_EQ(error_code_of("<Dial hangupOnStar=\"yes\">1</Dial>"), 13213);
  EXPECT_EQ(error_code_of("<Dial callerId=\"bob smith\">1</Dial>"), 13214);
  EXPECT_EQ(error_code_of("<Dial timeLimit=\"-5\">1</Dial>"), 13216);
  EXPECT_EQ(error_code_of("<Dial record=\"always\">1</Dial>"), 13217);
  EXPECT_EQ(error_code_of("<Dial sequential=\"1\">1</Dial>"), 13218);
  EXPECT_EQ(error_code_of("<Dial answerOnBridge=\"on\">1</Dial>"), 13219);
  EXPECT_EQ(error_code_of("<Dial ringTone=\"xx\">1</Dial>"), 13220);
  EXPECT_EQ(error_code_of("<Dial recordingStatusCallback=\"file:///etc/passwd\">1</Dial>"), 13256);
  EXPECT_EQ(error_code_of("<Dial trim=\"maybe\">1</Dial>"), 12200);
  EXPECT_EQ(error_code_of("<Dial recordingTrack=\"left\">1</Dial>"), 12200);
  EXPECT_EQ(error_code_of("<Dial action=\"javascript:alert(1)\">1</Dial>"), 11100);
}

TEST(TwimlDial, SipCallerIdAllowsOnlyTheDocumentedCharacters) {
  EXPECT_EQ(dial_of("<Dial callerId=\"bob.smith_1+2-3\"><Sip>sip:a@example.com</Sip></Dial>").caller_id,
            "bob.smith_1+2-3");
  EXPECT_EQ(error_code_of("<Dial callerId=\"bob@home\"><Sip>sip:a@example.com</Sip></Dial>"), 13214);
  // With numbers or clients the format is checked at dial time, against the account.
  EXPECT_EQ(dial_of("<Dial callerId=\"client:alice\"><Client>bob</Client></Dial>").caller_id, "client:alice");
}

TEST(TwimlDial, EmptyDialIsKeptWithAWarning) {
  const auto document = parse_ok(response("<Dial/>"));
  EXPECT_TRUE(only_verb<Dial>(document).targets.empty());
  EXPECT_TRUE(has_warning(document, Errc::MissingContent));
}

TEST(TwimlDial, TextBesideNounsIsIgnored) {
  const auto document = parse_ok(response("<Dial>+15550000000<Number>+15551111111</Number></Dial>"));
  const auto dial = only_verb<Dial>(document);
  ASSERT_EQ(dial.targets.size(), 1u);
  EXPECT_EQ(std::get<Number>(dial.targets[0]).phone_number, "+15551111111");
  EXPECT_TRUE(has_warning(document, Errc::UnexpectedText));
}

TEST(TwimlDial, InvalidNestedElementIsSkippedWith13215) {
  const auto document = parse_ok(response("<Dial><Say>hi</Say><Sip>sip:a@example.com</Sip><Bogus/></Dial>"));
  EXPECT_EQ(only_sip(only_verb<Dial>(document)).uri, "sip:a@example.com");
  ASSERT_EQ(document.warnings.size(), 2u);
  EXPECT_EQ(document.warnings[0].twilio_code(), 13215);
  EXPECT_EQ(document.warnings[1].code, Errc::UnknownElement);
}

TEST(TwimlDial, AtMostTenNouns) {
  std::string numbers;
  for (int i = 0; i < 11; ++i) numbers += "<Number>+1555000000" + std::to_string(i % 10) + "</Number>";
  EXPECT_EQ(error_code_of("<Dial>" + numbers + "</Dial>"), 13215);
  std::string sips;
  for (int i = 0; i < 11; ++i) sips += "<Sip>sip:agent" + std::to_string(i) + "@example.com</Sip>";
  EXPECT_EQ(error_code_of("<Dial>" + sips + "</Dial>"), 13250);

  std::string ten;
  for (int i = 0; i < 10; ++i) ten += "<Sip>sip:agent" + std::to_string(i) + "@example.com</Sip>";
  EXPECT_EQ(dial_of("<Dial>" + ten + "</Dial>").targets.size(), 10u);

  const ParseOptions lenient{.invalid_values = InvalidValuePolicy::WarnAndUseDefault};
  const auto kept = parse_ok(response("<Dial>" + sips + "</Dial>"), lenient);
  EXPECT_EQ(only_verb<Dial>(kept).targets.size(), 10u);
  EXPECT_TRUE(has_warning(kept, Errc::SipTooManyUris));
}

TEST(TwimlDial, ConferenceCannotBeMixedWithOtherNouns) {
  EXPECT_EQ(error_code_of("<Dial><Conference>room</Conference><Number>+15551234567</Number></Dial>"), 13000);
  EXPECT_EQ(error_code_of("<Dial><Conference>a</Conference><Conference>b</Conference></Dial>"), 13215);
}

// --- <Number> ------------------------------------------------------------------------------------

TEST(TwimlNumber, HasTwilioDefaults) {
  const auto dial = dial_of("<Dial><Number> +14155550100 </Number></Dial>");
  const auto& number = std::get<Number>(dial.targets.at(0));
  EXPECT_EQ(number.phone_number, "+14155550100");
  EXPECT_FALSE(number.send_digits.has_value());
  EXPECT_FALSE(number.url.has_value());
  EXPECT_EQ(number.method, Method::Post);
  EXPECT_FALSE(number.status_callback.url.has_value());
  EXPECT_EQ(number.status_callback.method, Method::Post);
  EXPECT_TRUE(number.status_callback.events.empty());
  EXPECT_FALSE(number.byoc.has_value());
  EXPECT_FALSE(number.machine_detection.mode.has_value());
  EXPECT_EQ(number.machine_detection.timeout, seconds(30));
  EXPECT_EQ(number.machine_detection.speech_threshold, milliseconds(2400));
  EXPECT_EQ(number.machine_detection.speech_end_threshold, milliseconds(1200));
  EXPECT_EQ(number.machine_detection.silence_timeout, milliseconds(5000));
  EXPECT_FALSE(number.machine_detection.status_callback.has_value());
  EXPECT_EQ(number.machine_detection.status_callback_method, Method::Post);
}

TEST(TwimlNumber, ReadsExplicitAttributes) {
  const auto document = parse_ok(response(
      "<Dial><Number sendDigits=\"wwww1928\" url=\"/screen\" method=\"GET\" statusCallback=\"/status\" "
      "statusCallbackMethod=\"GET\" statusCallbackEvent=\"initiated ringing answered completed\" byoc=\"BY123\" "
      "machineDetection=\"DetectMessageEnd\" machineDetectionTimeout=\"10\" machineDetectionSpeechThreshold=\"3000\" "
      "machineDetectionSpeechEndThreshold=\"1500\" machineDetectionSilenceTimeout=\"4000\" "
      "amdStatusCallback=\"/amd\" amdStatusCallbackMethod=\"GET\">+14155550100</Number></Dial>"));
  EXPECT_TRUE(document.warnings.empty()) << document.warnings[0].message;
  const auto dial = only_verb<Dial>(document);
  const auto& number = std::get<Number>(dial.targets.at(0));
  EXPECT_EQ(number.send_digits, "wwww1928");
  EXPECT_EQ(number.url, "/screen");
  EXPECT_EQ(number.method, Method::Get);
  EXPECT_EQ(number.status_callback.url, "/status");
  EXPECT_EQ(number.status_callback.method, Method::Get);
  EXPECT_EQ(number.status_callback.events, (CallProgressEvents{true, true, true, true}));
  EXPECT_EQ(number.byoc, "BY123");
  EXPECT_EQ(number.machine_detection.mode, MachineDetectionMode::DetectMessageEnd);
  EXPECT_EQ(number.machine_detection.timeout, seconds(10));
  EXPECT_EQ(number.machine_detection.speech_threshold, milliseconds(3000));
  EXPECT_EQ(number.machine_detection.speech_end_threshold, milliseconds(1500));
  EXPECT_EQ(number.machine_detection.silence_timeout, milliseconds(4000));
  EXPECT_EQ(number.machine_detection.status_callback, "/amd");
  EXPECT_EQ(number.machine_detection.status_callback_method, Method::Get);
}

TEST(TwimlNumber, StatusCallbackAloneSubscribesToCompleted) {
  const auto dial = dial_of("<Dial><Number statusCallback=\"/s\">+1</Number></Dial>");
  EXPECT_EQ(std::get<Number>(dial.targets.at(0)).status_callback.events, (CallProgressEvents{.completed = true}));
  const auto comma = dial_of("<Dial><Number statusCallback=\"/s\" statusCallbackEvent=\"ringing,answered\">+1</Number></Dial>");
  EXPECT_EQ(std::get<Number>(comma.targets.at(0)).status_callback.events,
            (CallProgressEvents{.ringing = true, .answered = true}));
}

TEST(TwimlNumber, InvalidValues) {
  EXPECT_EQ(error_code_of("<Dial><Number method=\"PUT\">+1</Number></Dial>"), 13221);
  EXPECT_EQ(error_code_of("<Dial><Number statusCallbackMethod=\"PUT\">+1</Number></Dial>"), 13221);
  EXPECT_EQ(error_code_of("<Dial><Number sendDigits=\"12E\">+1</Number></Dial>"), 13222);
  EXPECT_EQ(error_code_of("<Dial><Number statusCallbackEvent=\"started\">+1</Number></Dial>"), 12200);
  EXPECT_EQ(error_code_of("<Dial><Number machineDetection=\"Maybe\">+1</Number></Dial>"), 12200);
  EXPECT_EQ(error_code_of("<Dial><Number machineDetectionTimeout=\"x\">+1</Number></Dial>"), 12200);
  EXPECT_EQ(error_code_of("<Dial><Number></Number></Dial>"), 12200);
}

TEST(TwimlNumber, ClampsAmdThresholdsToTheirRanges) {
  const auto document = parse_ok(response(
      "<Dial><Number machineDetection=\"Enable\" machineDetectionTimeout=\"1\" machineDetectionSpeechThreshold=\"9000\" "
      "machineDetectionSpeechEndThreshold=\"100\" machineDetectionSilenceTimeout=\"20000\">+1</Number></Dial>"));
  const auto dial = only_verb<Dial>(document);
  const auto& amd = std::get<Number>(dial.targets.at(0)).machine_detection;
  EXPECT_EQ(amd.mode, MachineDetectionMode::Enable);
  EXPECT_EQ(amd.timeout, seconds(3));
  EXPECT_EQ(amd.speech_threshold, milliseconds(6000));
  EXPECT_EQ(amd.speech_end_threshold, milliseconds(500));
  EXPECT_EQ(amd.silence_timeout, milliseconds(10000));
  EXPECT_EQ(document.warnings.size(), 4u);
}

// --- <Sip>: every attribute --------------------------------------------------------------------------

TEST(TwimlSip, HasTwilioDefaults) {
  const auto sip = only_sip(dial_of("<Dial><Sip>sip:alice@example.com</Sip></Dial>"));
  EXPECT_EQ(sip.uri, "sip:alice@example.com");
  EXPECT_FALSE(sip.username.has_value());
  EXPECT_FALSE(sip.password.has_value());
  EXPECT_FALSE(sip.url.has_value());
  EXPECT_EQ(sip.method, Method::Post);
  EXPECT_FALSE(sip.status_callback.url.has_value());
  EXPECT_EQ(sip.status_callback.method, Method::Post);
  EXPECT_TRUE(sip.status_callback.events.empty());
  EXPECT_FALSE(sip.machine_detection.mode.has_value());
  EXPECT_EQ(sip.machine_detection.timeout, seconds(30));
  EXPECT_EQ(sip.machine_detection.speech_threshold, milliseconds(2400));
  EXPECT_EQ(sip.machine_detection.speech_end_threshold, milliseconds(1200));
  EXPECT_EQ(sip.machine_detection.silence_timeout, milliseconds(5000));
  EXPECT_FALSE(sip.machine_detection.status_callback.has_value());
  EXPECT_EQ(sip.machine_detection.status_callback_method, Method::Post);
}

TEST(TwimlSip, ReadsEveryAttribute) {
  const auto document = parse_ok(response(
      "<Dial><Sip username=\"admin\" password=\"p a s s\" url=\"/screen\" method=\"GET\" "
      "statusCallbackEvent=\"ringing completed\" statusCallback=\"https://myapp.com/events\" "
      "statusCallbackMethod=\"GET\" machineDetection=\"Enable\" machineDetectionTimeout=\"45\" "
      "machineDetectionSpeechThreshold=\"2000\" machineDetectionSpeechEndThreshold=\"800\" "
      "machineDetectionSilenceTimeout=\"3000\" amdStatusCallback=\"/amd\" amdStatusCallbackMethod=\"GET\">"
      "sip:kate@example.com;transport=tls</Sip></Dial>"));
  EXPECT_TRUE(document.warnings.empty()) << document.warnings[0].message;
  const auto sip = only_sip(only_verb<Dial>(document));
  EXPECT_EQ(sip.uri, "sip:kate@example.com;transport=tls");
  EXPECT_EQ(sip.username, "admin");
  EXPECT_EQ(sip.password, "p a s s");
  EXPECT_EQ(sip.url, "/screen");
  EXPECT_EQ(sip.method, Method::Get);
  EXPECT_EQ(sip.status_callback.events, (CallProgressEvents{.ringing = true, .completed = true}));
  EXPECT_EQ(sip.status_callback.url, "https://myapp.com/events");
  EXPECT_EQ(sip.status_callback.method, Method::Get);
  EXPECT_EQ(sip.machine_detection.mode, MachineDetectionMode::Enable);
  EXPECT_EQ(sip.machine_detection.timeout, seconds(45));
  EXPECT_EQ(sip.machine_detection.speech_threshold, milliseconds(2000));
  EXPECT_EQ(sip.machine_detection.speech_end_threshold, milliseconds(800));
  EXPECT_EQ(sip.machine_detection.silence_timeout, milliseconds(3000));
  EXPECT_EQ(sip.machine_detection.status_callback, "/amd");
  EXPECT_EQ(sip.machine_detection.status_callback_method, Method::Get);
}

TEST(TwimlSip, InvalidValues) {
  EXPECT_EQ(error_code_of("<Dial><Sip method=\"PUT\">sip:a@b</Sip></Dial>"), 13241);
  EXPECT_EQ(error_code_of("<Dial><Sip statusCallbackMethod=\"PUT\">sip:a@b</Sip></Dial>"), 13241);
  EXPECT_EQ(error_code_of("<Dial><Sip amdStatusCallbackMethod=\"PUT\">sip:a@b</Sip></Dial>"), 13241);
  EXPECT_EQ(error_code_of("<Dial><Sip></Sip></Dial>"), 13243);
  EXPECT_EQ(error_code_of("<Dial><Sip>sip:a b@example.com</Sip></Dial>"), 13243);
  EXPECT_EQ(error_code_of("<Dial><Sip>sip:" + std::string(251, 'a') + "@b</Sip></Dial>"), 13243);
  EXPECT_EQ(error_code_of("<Dial><Sip>sip:a@b?X-Long=" + std::string(1020, 'v') + "</Sip></Dial>"), 13243);
  EXPECT_EQ(error_code_of("<Dial><Sip username=\"admin\">sip:a@b</Sip></Dial>"), 13249);
  EXPECT_EQ(error_code_of("<Dial><Sip password=\"1234\">sip:a@b</Sip></Dial>"), 13249);
  EXPECT_EQ(error_code_of("<Dial><Sip statusCallbackEvent=\"hungup\">sip:a@b</Sip></Dial>"), 12200);
  EXPECT_EQ(error_code_of("<Dial><Sip url=\"sip:screen@example.com\">sip:a@b</Sip></Dial>"), 11100);
}

TEST(TwimlSip, UriLimitsAreUnder255AndHeadersUnder1024) {
  const std::string uri = "sip:" + std::string(245, 'a') + "@b.co";  // 254 characters
  ASSERT_EQ(uri.size(), 254u);
  EXPECT_EQ(only_sip(dial_of("<Dial><Sip>" + uri + "?X-H=" + std::string(1019, 'v') + "</Sip></Dial>")).uri.size(),
            254u + 1 + 1023);
}

TEST(TwimlSip, UnknownChildrenAreSkipped) {
  const auto document = parse_ok(response(
      "<Dial><Sip><Uri priority=\"1\">sip:a@example.com</Uri>sip:b@example.com</Sip></Dial>"));
  EXPECT_EQ(only_sip(only_verb<Dial>(document)).uri, "sip:b@example.com");
  EXPECT_TRUE(has_warning(document, Errc::UnknownElement));
}

// --- The examples of Twilio's <Sip> noun page ----------------------------------------------------------

TEST(TwimlSipPage, RegionParameterStaysInTheUri) {
  EXPECT_EQ(only_sip(golden_dial("sip_region.xml")).uri, "sip:alice@example.com;region=ie1");
}

TEST(TwimlSipPage, BodyOnItsOwnLinesIsTrimmed) {
  EXPECT_EQ(only_sip(golden_dial("sip_noun.xml")).uri, "sip:jack@example.com");
}

TEST(TwimlSipPage, Authentication) {
  const auto sip = only_sip(golden_dial("sip_authentication.xml"));
  EXPECT_EQ(sip.uri, "sip:kate@example.com");
  EXPECT_EQ(sip.username, "admin");
  EXPECT_EQ(sip.password, "1234");
}

TEST(TwimlSipPage, CustomHeadersAreUnescaped) {
  EXPECT_EQ(only_sip(golden_dial("sip_custom_headers.xml")).uri,
            "sip:jack@example.com?x-mycustomheader=foo&x-myotherheader=bar");
  EXPECT_EQ(only_sip(golden_dial("sip_header_with_parameters.xml")).uri,
            "sip:jack@example.com?x-customname=Madhu%2CMathiyalagan%3BTitle%3DManager&x-myotherheader=bar");
  EXPECT_EQ(only_sip(golden_dial("sip_user_to_user.xml")).uri,
            "sip:jack@example.com?User-to-User=123456789%3Bencoding%3Dhex&x-myotherheader=bar");
  EXPECT_EQ(only_sip(golden_dial("sip_standard_headers.xml")).uri,
            "sip:bob@example.com?x-foo%3Dbar&User-To-User=foobar&Remote-Party-ID=%3Csip%3Afoo%40example.com%3E%3Bparty"
            "%3Dcalling&P-Preferred-Identity=%3Csip%3Afoo%40example.com%3E&P-Called-Party-ID=%3Csip%3Afoo%40example.com%3E");
}

TEST(TwimlSipPage, TransportParameters) {
  EXPECT_EQ(only_sip(golden_dial("sip_transport_tcp.xml")).uri, "sip:jack@example.com;transport=tcp");
  EXPECT_EQ(only_sip(golden_dial("sip_transport_tls.xml")).uri, "sip:jack@example.com;transport=tls");
}

TEST(TwimlSipPage, Example1UriWithoutSchemeIsKeptAsWritten) {
  EXPECT_EQ(only_sip(golden_dial("sip_example1_dial_endpoint.xml")).uri, "kate@example.com");
}

TEST(TwimlSipPage, Example2Authentication) {
  const auto sip = only_sip(golden_dial("sip_example2_authentication.xml"));
  EXPECT_EQ(sip.uri, "kate@example.com");
  EXPECT_EQ(sip.username, "admin");
  EXPECT_EQ(sip.password, "1234");
}

TEST(TwimlSipPage, Example3Headers) {
  EXPECT_EQ(only_sip(golden_dial("sip_example3_headers.xml")).uri,
            "sip:kate@example.com?x-mycustomheader=foo&x-myotherheader=bar");
}

TEST(TwimlSipPage, Example4DialAttributesAndScreening) {
  const auto dial = golden_dial("sip_example4_dial_attributes.xml");
  EXPECT_EQ(dial.record, DialRecord::RecordFromAnswer);
  EXPECT_EQ(dial.timeout, seconds(10));
  EXPECT_TRUE(dial.hangup_on_star);
  EXPECT_EQ(dial.caller_id, "bob");
  EXPECT_EQ(dial.method, Method::Post);
  EXPECT_EQ(dial.action, "/handle_post_dial");
  const auto sip = only_sip(dial);
  EXPECT_EQ(sip.method, Method::Post);
  EXPECT_EQ(sip.url, "/handle_screening_on_answer");
  EXPECT_EQ(sip.uri, "sip:kate@example.com?x-customheader=foo");
}

TEST(TwimlSipPage, Example5CallProgressEvents) {
  const auto sip = only_sip(golden_dial("sip_example5_call_progress_events.xml"));
  EXPECT_EQ(sip.status_callback.events, (CallProgressEvents{true, true, true, true}));
  EXPECT_EQ(sip.status_callback.url, "https://myapp.com/calls/events");
  EXPECT_EQ(sip.status_callback.method, Method::Post);
  EXPECT_EQ(sip.uri, "sip:kate@example.com");
}

TEST(TwimlSipPage, Example6ParallelDialingMixesNouns) {
  const auto dial = golden_dial("sip_example6_parallel.xml");
  EXPECT_FALSE(dial.sequential);
  ASSERT_EQ(dial.targets.size(), 4u);
  EXPECT_EQ(std::get<Number>(dial.targets[0]).phone_number, "+12143211432");
  EXPECT_EQ(std::get<Sip>(dial.targets[1]).uri, "sip:alice-soft-phone@example.com");
  EXPECT_EQ(std::get<Sip>(dial.targets[2]).uri, "sip:alice-desk-phone@example.com");
  EXPECT_EQ(std::get<Sip>(dial.targets[3]).uri, "sip:alice-mobile-client@example.com");
  EXPECT_EQ(element_name(dial.targets[1]), "Sip");
}

TEST(TwimlSipPage, Example7SequentialDialing) {
  const auto dial = golden_dial("sip_example7_sequential.xml");
  EXPECT_TRUE(dial.sequential);
  ASSERT_EQ(dial.targets.size(), 3u);
  EXPECT_EQ(std::get<Sip>(dial.targets[0]).uri, "sip:alice@example.com");
  EXPECT_EQ(std::get<Sip>(dial.targets[1]).uri, "sip:bob@example.com");
  EXPECT_EQ(std::get<Sip>(dial.targets[2]).uri, "sip:charlie@example.com");
}

// --- <Client>, <Conference>, unsupported nouns ---------------------------------------------------------

TEST(TwimlClient, ReadsIdentityFromBodyOrChild) {
  const auto simple = dial_of("<Dial><Client statusCallback=\"/s\">alice</Client></Dial>");
  const auto& client = std::get<Client>(simple.targets.at(0));
  EXPECT_EQ(client.identity, "alice");
  EXPECT_EQ(client.status_callback.events, (CallProgressEvents{.completed = true}));

  const auto document = parse_ok(response(
      "<Dial><Client url=\"/screen\" method=\"GET\"><Identity>bob</Identity>"
      "<Parameter name=\"FirstName\" value=\"Bob\"/></Client></Dial>"));
  EXPECT_TRUE(document.warnings.empty());
  const auto dial = only_verb<Dial>(document);
  const auto& rich = std::get<Client>(dial.targets.at(0));
  EXPECT_EQ(rich.identity, "bob");
  EXPECT_EQ(rich.url, "/screen");
  EXPECT_EQ(rich.method, Method::Get);
  EXPECT_EQ(rich.parameters, (std::vector<Parameter>{{"FirstName", "Bob"}}));
  EXPECT_EQ(error_code_of("<Dial><Client/></Dial>"), 12200);
}

TEST(TwimlConference, KeepsNameAndRawAttributes) {
  const auto dial = dial_of("<Dial><Conference muted=\"true\" beep=\"false\">Room 1234</Conference></Dial>");
  const auto& conference = std::get<Conference>(dial.targets.at(0));
  EXPECT_EQ(conference.name, "Room 1234");
  EXPECT_EQ(conference.attributes, (std::vector<Parameter>{{"muted", "true"}, {"beep", "false"}}));
}

TEST(TwimlDial, KeepsUnsupportedNouns) {
  const auto document = parse_ok(response("<Dial><Queue>support</Queue></Dial>"));
  const auto dial = only_verb<Dial>(document);
  ASSERT_EQ(dial.targets.size(), 1u);
  EXPECT_EQ(std::get<UnsupportedNoun>(dial.targets[0]).name, "Queue");
  EXPECT_EQ(element_name(dial.targets[0]), "Queue");
  EXPECT_TRUE(document.warnings.empty());
}

// --- <Refer> ------------------------------------------------------------------------------------------

TEST(TwimlRefer, ReadsActionMethodAndTarget) {
  const auto document = parse_ok(response(
      "<Refer action=\"/refer-done\" method=\"GET\"><Sip>sip:alice@example.com?User-to-User=123%3Bencoding%3Dhex"
      "&amp;X-Custom=1</Sip></Refer>"));
  EXPECT_TRUE(document.warnings.empty());
  const auto refer = only_verb<Refer>(document);
  EXPECT_EQ(refer.action, "/refer-done");
  EXPECT_EQ(refer.method, Method::Get);
  EXPECT_EQ(refer.target.uri, "sip:alice@example.com?User-to-User=123%3Bencoding%3Dhex&X-Custom=1");
  const auto plain = only_verb<Refer>(parse_ok(response("<Refer><Sip>sip:b@example.com</Sip></Refer>")));
  EXPECT_FALSE(plain.action.has_value());
  EXPECT_EQ(plain.method, Method::Post);
}

TEST(TwimlRefer, NeedsExactlyOneSip) {
  EXPECT_EQ(error_code_of("<Refer/>"), 12200);
  EXPECT_EQ(error_code_of("<Refer><Sip>sip:a@x</Sip><Sip>sip:b@x</Sip></Refer>"), 12200);
  EXPECT_EQ(error_code_of("<Refer><Sip></Sip></Refer>"), 13243);
  const auto document = parse_ok(response("<Refer><Number>+1555</Number><Sip>sip:a@x</Sip></Refer>"));
  EXPECT_EQ(only_verb<Refer>(document).target.uri, "sip:a@x");
  EXPECT_TRUE(has_warning(document, Errc::InvalidNesting));
}

}  // namespace
}  // namespace sb::twiml
