// Say, Play, Pause, Gather, Record, Hangup, Reject, Redirect: defaults, explicit values, errors.

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
using test::response;

int error_code_of(std::string_view body) { return parse_error(response(body)).twilio_code(); }

// --- <Say> ---------------------------------------------------------------------------------------

TEST(TwimlSay, HasTwilioDefaults) {
  const auto say = only_verb<Say>(parse_ok(response("<Say>Hello world</Say>")));
  EXPECT_EQ(say.text, "Hello world");
  EXPECT_FALSE(say.voice.has_value());
  EXPECT_EQ(say.language, "en-US");
  EXPECT_EQ(say.loop, 1);
  EXPECT_FALSE(say.ssml.has_value());
}

TEST(TwimlSay, ReadsExplicitAttributes) {
  const auto say = only_verb<Say>(parse_ok(response("<Say voice=\"Polly.Amy-Neural\" language=\"en-GB\" loop=\"0\">Hi</Say>")));
  EXPECT_EQ(say.voice, "Polly.Amy-Neural");
  EXPECT_EQ(say.language, "en-GB");
  EXPECT_EQ(say.loop, 0);
  EXPECT_EQ(only_verb<Say>(parse_ok(response("<Say voice=\"woman\" loop=\"3\">x</Say>"))).voice, "woman");
}

TEST(TwimlSay, TrimsAndCollapsesBlanks) {
  EXPECT_EQ(only_verb<Say>(parse_ok(response("<Say>\n   Hello \t\n  there   </Say>"))).text, "Hello there");
  EXPECT_EQ(only_verb<Say>(parse_ok(response("<Say/>"))).text, "");
}

TEST(TwimlSay, FlattensSsmlAndKeepsIt) {
  const auto say = only_verb<Say>(parse_ok(response(
      "<Say voice=\"Polly.Joanna\">Hello <emphasis level=\"strong\">big</emphasis> <break time=\"1s\"/>"
      "<sub alias=\"World Wide Web\">WWW</sub> <say-as interpret-as=\"digits\">123</say-as></Say>")));
  EXPECT_EQ(say.text, "Hello big World Wide Web 123");
  ASSERT_TRUE(say.ssml.has_value());
  EXPECT_NE(say.ssml->find("<emphasis level=\"strong\">big</emphasis>"), std::string::npos) << *say.ssml;
  EXPECT_NE(say.ssml->find("<break time=\"1s\"/>"), std::string::npos) << *say.ssml;
}

TEST(TwimlSay, SkipsNonSsmlChildrenWithAWarning) {
  const auto document = parse_ok(response("<Say>a<Play>x.mp3</Play>b<blink>c</blink></Say>"));
  EXPECT_EQ(only_verb<Say>(document).text, "ab");
  ASSERT_EQ(document.warnings.size(), 2u);
  EXPECT_EQ(document.warnings[0].code, Errc::InvalidNesting);
  EXPECT_EQ(document.warnings[1].code, Errc::UnknownElement);
}

TEST(TwimlSay, InvalidLoopIs13510) {
  EXPECT_EQ(error_code_of("<Say loop=\"-1\">x</Say>"), 13510);
  EXPECT_EQ(error_code_of("<Say loop=\"twice\">x</Say>"), 13510);
  EXPECT_EQ(error_code_of("<Say loop=\"1.5\">x</Say>"), 13510);
  // Above the documented maximum: clamped with a warning.
  const auto document = parse_ok(response("<Say loop=\"5000\">x</Say>"));
  EXPECT_EQ(only_verb<Say>(document).loop, kMaxLoop);
  EXPECT_TRUE(has_warning(document, Errc::SayInvalidLoop));
}

// --- <Play> --------------------------------------------------------------------------------------

TEST(TwimlPlay, HasTwilioDefaults) {
  const auto play = only_verb<Play>(parse_ok(response("<Play> https://api.twilio.com/cowbell.mp3 </Play>")));
  EXPECT_EQ(play.url, "https://api.twilio.com/cowbell.mp3");
  EXPECT_EQ(play.loop, 1);
  EXPECT_FALSE(play.digits.has_value());
}

TEST(TwimlPlay, ReadsLoopAndDigits) {
  const auto play = only_verb<Play>(parse_ok(response("<Play loop=\"0\">/audio/hold.wav</Play>")));
  EXPECT_EQ(play.loop, 0);
  EXPECT_EQ(play.url, "/audio/hold.wav");
  const auto digits = only_verb<Play>(parse_ok(response("<Play digits=\"wwww3#*ABCDW\"></Play>")));
  EXPECT_EQ(digits.digits, "wwww3#*ABCDW");
  EXPECT_TRUE(digits.url.empty());
}

TEST(TwimlPlay, InvalidValuesAre12200) {
  EXPECT_EQ(error_code_of("<Play digits=\"12x\"/>"), 12200);
  EXPECT_EQ(error_code_of("<Play loop=\"-2\">a.mp3</Play>"), 12200);
  EXPECT_EQ(error_code_of("<Play/>"), 12200);
  EXPECT_EQ(error_code_of("<Play>   </Play>"), 12200);
}

// --- <Pause> -------------------------------------------------------------------------------------

TEST(TwimlPause, DefaultsToOneSecond) {
  EXPECT_EQ(only_verb<Pause>(parse_ok(response("<Pause/>"))).length, seconds(1));
  EXPECT_EQ(only_verb<Pause>(parse_ok(response("<Pause length=\"10\"/>"))).length, seconds(10));
  EXPECT_EQ(only_verb<Pause>(parse_ok(response("<Pause length=\" 7 \"/>"))).length, seconds(7));
}

TEST(TwimlPause, InvalidLengthIs13910) {
  for (const char* length : {"0", "-1", "", "abc", "2s", "1e3"}) {
    EXPECT_EQ(error_code_of(std::string("<Pause length=\"") + length + "\"/>"), 13910) << length;
  }
}

TEST(TwimlPause, ClampsHugeLengthsToADay) {
  const auto document = parse_ok(response("<Pause length=\"99999999999999999999999\"/>"));
  EXPECT_EQ(only_verb<Pause>(document).length, seconds(86400));
  EXPECT_TRUE(has_warning(document, Errc::PauseInvalidLength));
}

TEST(TwimlPause, TextInsideIsAWarning) {
  const auto document = parse_ok(response("<Pause>5</Pause>"));
  EXPECT_EQ(only_verb<Pause>(document).length, seconds(1));
  EXPECT_TRUE(has_warning(document, Errc::UnexpectedText));
}

// --- <Gather> ------------------------------------------------------------------------------------

TEST(TwimlGather, HasTwilioDefaults) {
  const auto gather = only_verb<Gather>(parse_ok(response("<Gather/>")));
  EXPECT_FALSE(gather.action.has_value());
  EXPECT_EQ(gather.method, Method::Post);
  EXPECT_EQ(gather.input, (GatherInput{.dtmf = true, .speech = false}));
  EXPECT_EQ(gather.timeout, seconds(5));
  EXPECT_EQ(gather.finish_on_key, '#');
  EXPECT_FALSE(gather.num_digits.has_value());
  EXPECT_FALSE(gather.action_on_empty_result);
  EXPECT_FALSE(gather.speech_timeout.has_value());
  EXPECT_FALSE(gather.is_speech_timeout_auto);
  EXPECT_EQ(gather.speech_model, "default");
  EXPECT_EQ(gather.language, "en-US");
  EXPECT_FALSE(gather.hints.has_value());
  EXPECT_TRUE(gather.profanity_filter);
  EXPECT_FALSE(gather.partial_result_callback.has_value());
  EXPECT_EQ(gather.partial_result_callback_method, Method::Post);
  EXPECT_FALSE(gather.enhanced);
  EXPECT_FALSE(gather.max_speech_time.has_value());
  EXPECT_TRUE(gather.barge_in);
  EXPECT_FALSE(gather.debug);
  EXPECT_TRUE(gather.children.empty());
}

TEST(TwimlGather, ReadsExplicitAttributes) {
  const auto document = parse_ok(response(
      "<Gather action=\"/menu\" method=\"get\" input=\"dtmf speech\" timeout=\"3\" finishOnKey=\"\" numDigits=\"4\" "
      "actionOnEmptyResult=\"true\" speechTimeout=\"auto\" speechModel=\"phone_call\" language=\"fr-FR\" "
      "hints=\"sales, support\" profanityFilter=\"false\" partialResultCallback=\"https://x.example/partial\" "
      "partialResultCallbackMethod=\"GET\" enhanced=\"true\" maxSpeechTime=\"30\" bargeIn=\"false\" debug=\"true\"/>"));
  EXPECT_TRUE(document.warnings.empty()) << document.warnings[0].message;
  const auto gather = only_verb<Gather>(document);
  EXPECT_EQ(gather.action, "/menu");
  EXPECT_EQ(gather.method, Method::Get);
  EXPECT_EQ(gather.input, (GatherInput{.dtmf = true, .speech = true}));
  EXPECT_EQ(gather.timeout, seconds(3));
  EXPECT_FALSE(gather.finish_on_key.has_value());
  EXPECT_EQ(gather.num_digits, 4);
  EXPECT_TRUE(gather.action_on_empty_result);
  EXPECT_TRUE(gather.is_speech_timeout_auto);
  EXPECT_EQ(gather.speech_model, "phone_call");
  EXPECT_EQ(gather.language, "fr-FR");
  EXPECT_EQ(gather.hints, "sales, support");
  EXPECT_FALSE(gather.profanity_filter);
  EXPECT_EQ(gather.partial_result_callback, "https://x.example/partial");
  EXPECT_EQ(gather.partial_result_callback_method, Method::Get);
  EXPECT_TRUE(gather.enhanced);
  EXPECT_EQ(gather.max_speech_time, seconds(30));
  EXPECT_FALSE(gather.barge_in);
  EXPECT_TRUE(gather.debug);

  const auto speech = only_verb<Gather>(parse_ok(response("<Gather input=\"speech\" speechTimeout=\"2\" finishOnKey=\"*\"/>")));
  EXPECT_EQ(speech.input, (GatherInput{.dtmf = false, .speech = true}));
  EXPECT_EQ(speech.speech_timeout, seconds(2));
  EXPECT_EQ(speech.finish_on_key, '*');
}

TEST(TwimlGather, InvalidValuesHaveGatherCodes) {
  EXPECT_EQ(error_code_of("<Gather finishOnKey=\"##\"/>"), 13310);
  EXPECT_EQ(error_code_of("<Gather finishOnKey=\"A\"/>"), 13310);
  EXPECT_EQ(error_code_of("<Gather timeout=\"-1\"/>"), 13313);
  EXPECT_EQ(error_code_of("<Gather timeout=\"five\"/>"), 13313);
  EXPECT_EQ(error_code_of("<Gather numDigits=\"0\"/>"), 13314);
  EXPECT_EQ(error_code_of("<Gather numDigits=\"x\"/>"), 13314);
  EXPECT_EQ(error_code_of("<Gather method=\"PUT\"/>"), 12200);
  EXPECT_EQ(error_code_of("<Gather input=\"dtmf video\"/>"), 12200);
  EXPECT_EQ(error_code_of("<Gather actionOnEmptyResult=\"yes\"/>"), 12200);
  EXPECT_EQ(error_code_of("<Gather speechTimeout=\"soon\"/>"), 12200);
  EXPECT_EQ(error_code_of("<Gather action=\"ftp://x.example/menu\"/>"), 11100);
}

TEST(TwimlGather, NestsOnlySayPlayAndPause) {
  const auto document = parse_ok(response(
      "<Gather numDigits=\"1\"><Say>Press 1</Say><Dial>+15551234567</Dial><Play digits=\"1\"/>"
      "<Pause length=\"2\"/><Record/><Play>beep.wav</Play><Gather/><Whisper/>text</Gather>"));
  const auto gather = only_verb<Gather>(document);
  ASSERT_EQ(gather.children.size(), 3u);
  EXPECT_TRUE(std::holds_alternative<Say>(gather.children[0]));
  EXPECT_TRUE(std::holds_alternative<Pause>(gather.children[1]));
  EXPECT_EQ(std::get<Play>(gather.children[2]).url, "beep.wav");
  ASSERT_EQ(document.warnings.size(), 6u);
  EXPECT_EQ(document.warnings[0].twilio_code(), 13320);  // Dial
  EXPECT_EQ(document.warnings[1].twilio_code(), 13320);  // Play digits
  EXPECT_EQ(document.warnings[2].twilio_code(), 13320);  // Record
  EXPECT_EQ(document.warnings[3].twilio_code(), 13320);  // Gather
  EXPECT_EQ(document.warnings[4].code, Errc::UnknownElement);
  EXPECT_EQ(document.warnings[5].code, Errc::UnexpectedText);
}

TEST(TwimlGather, NestedVerbErrorsRefuseTheDocument) {
  EXPECT_EQ(error_code_of("<Gather><Say loop=\"x\">a</Say></Gather>"), 13510);
}

// --- <Record> ------------------------------------------------------------------------------------

TEST(TwimlRecord, HasTwilioDefaults) {
  const auto record = only_verb<Record>(parse_ok(response("<Record/>")));
  EXPECT_FALSE(record.action.has_value());
  EXPECT_EQ(record.method, Method::Post);
  EXPECT_EQ(record.timeout, seconds(5));
  EXPECT_EQ(record.finish_on_key, "1234567890*#");
  EXPECT_EQ(record.max_length, seconds(3600));
  EXPECT_TRUE(record.play_beep);
  EXPECT_EQ(record.trim, Trim::TrimSilence);
  EXPECT_FALSE(record.recording_status_callback.has_value());
  EXPECT_EQ(record.recording_status_callback_method, Method::Post);
  EXPECT_EQ(record.recording_status_callback_event, RecordingStatusEvents{});
  EXPECT_TRUE(record.recording_status_callback_event.completed);
  EXPECT_FALSE(record.transcribe);
  EXPECT_FALSE(record.transcribe_callback.has_value());
}

TEST(TwimlRecord, ReadsExplicitAttributes) {
  const auto document = parse_ok(response(
      "<Record action=\"/done\" method=\"GET\" timeout=\"0\" finishOnKey=\"#*\" maxLength=\"20\" playBeep=\"false\" "
      "trim=\"do-not-trim\" recordingStatusCallback=\"https://x.example/rec\" recordingStatusCallbackMethod=\"GET\" "
      "recordingStatusCallbackEvent=\"in-progress completed absent\" transcribe=\"true\" "
      "transcribeCallback=\"/transcribed\" recordingConfigurationId=\"JZ123\"/>"));
  EXPECT_TRUE(document.warnings.empty());
  const auto record = only_verb<Record>(document);
  EXPECT_EQ(record.action, "/done");
  EXPECT_EQ(record.method, Method::Get);
  EXPECT_EQ(record.timeout, seconds(0));
  EXPECT_EQ(record.finish_on_key, "#*");
  EXPECT_EQ(record.max_length, seconds(20));
  EXPECT_FALSE(record.play_beep);
  EXPECT_EQ(record.trim, Trim::DoNotTrim);
  EXPECT_EQ(record.recording_status_callback, "https://x.example/rec");
  EXPECT_EQ(record.recording_status_callback_method, Method::Get);
  EXPECT_EQ(record.recording_status_callback_event, (RecordingStatusEvents{true, true, true}));
  EXPECT_TRUE(record.transcribe);
  EXPECT_EQ(record.transcribe_callback, "/transcribed");
  EXPECT_EQ(record.recording_configuration_id, "JZ123");
}

TEST(TwimlRecord, TranscribingShortensTheDefaultMaxLength) {
  EXPECT_EQ(only_verb<Record>(parse_ok(response("<Record transcribe=\"true\"/>"))).max_length, seconds(120));
  EXPECT_EQ(only_verb<Record>(parse_ok(response("<Record transcribe=\"true\" maxLength=\"300\"/>"))).max_length,
            seconds(300));
  EXPECT_EQ(only_verb<Record>(parse_ok(response("<Record finishOnKey=\"\"/>"))).finish_on_key, "");
  const auto only_absent = only_verb<Record>(parse_ok(response("<Record recordingStatusCallbackEvent=\"absent\"/>")));
  EXPECT_EQ(only_absent.recording_status_callback_event, (RecordingStatusEvents{false, false, true}));
}

TEST(TwimlRecord, InvalidValues) {
  EXPECT_EQ(error_code_of("<Record finishOnKey=\"x\"/>"), 12200);
  EXPECT_EQ(error_code_of("<Record maxLength=\"0\"/>"), 12200);
  EXPECT_EQ(error_code_of("<Record trim=\"yes\"/>"), 12200);
  EXPECT_EQ(error_code_of("<Record playBeep=\"maybe\"/>"), 12200);
  EXPECT_EQ(error_code_of("<Record recordingStatusCallbackEvent=\"started\"/>"), 12200);
  EXPECT_EQ(error_code_of("<Record recordingStatusCallback=\"mailto:x@example.com\"/>"), 13256);
  EXPECT_EQ(error_code_of("<Record transcribeCallback=\"ftp://x\"/>"), 13257);
  EXPECT_EQ(error_code_of("<Record action=\"/a&#10;b\"/>"), 11100);
}

TEST(TwimlRecord, NothingNests) {
  const auto document = parse_ok(response("<Record><Say>x</Say></Record>"));
  EXPECT_TRUE(has_warning(document, Errc::InvalidNesting));
}

// --- <Hangup>, <Reject>, <Redirect> ------------------------------------------------------------------

TEST(TwimlHangup, HasNoAttributesAndKeepsParameters) {
  EXPECT_TRUE(only_verb<Hangup>(parse_ok(response("<Hangup/>"))).parameters.empty());
  const auto document = parse_ok(response("<Hangup><Parameter name=\"reason\" value=\"done\"/></Hangup>"));
  EXPECT_TRUE(document.warnings.empty());
  EXPECT_EQ(only_verb<Hangup>(document).parameters, (std::vector<Parameter>{{"reason", "done"}}));
  EXPECT_TRUE(has_warning(parse_ok(response("<Hangup reason=\"x\"/>")), Errc::UnknownAttribute));
}

TEST(TwimlReject, DefaultsToRejected) {
  EXPECT_EQ(only_verb<Reject>(parse_ok(response("<Reject/>"))).reason, RejectReason::Rejected);
  EXPECT_EQ(only_verb<Reject>(parse_ok(response("<Reject reason=\"busy\"/>"))).reason, RejectReason::Busy);
  EXPECT_EQ(only_verb<Reject>(parse_ok(response("<Reject reason=\"rejected\"/>"))).reason, RejectReason::Rejected);
}

TEST(TwimlReject, InvalidReasonIs13810) {
  EXPECT_EQ(error_code_of("<Reject reason=\"congestion\"/>"), 13810);
  EXPECT_EQ(error_code_of("<Reject reason=\"\"/>"), 13810);
}

TEST(TwimlRedirect, ReadsUrlAndMethod) {
  const auto redirect = only_verb<Redirect>(parse_ok(response("<Redirect>\n  ../next.xml\n</Redirect>")));
  EXPECT_EQ(redirect.url, "../next.xml");
  EXPECT_EQ(redirect.method, Method::Post);
  EXPECT_EQ(only_verb<Redirect>(parse_ok(response("<Redirect method=\"GET\">/x</Redirect>"))).method, Method::Get);
}

TEST(TwimlRedirect, MissingUrlOrBadMethodIs13710) {
  EXPECT_EQ(error_code_of("<Redirect/>"), 13710);
  EXPECT_EQ(error_code_of("<Redirect method=\"DELETE\">/x</Redirect>"), 13710);
}

// --- Shared value types ------------------------------------------------------------------------

TEST(TwimlValues, MethodsAndBooleansIgnoreCase) {
  EXPECT_EQ(only_verb<Redirect>(parse_ok(response("<Redirect method=\"get\">/x</Redirect>"))).method, Method::Get);
  EXPECT_FALSE(only_verb<Record>(parse_ok(response("<Record playBeep=\"FALSE\"/>"))).play_beep);
}

TEST(TwimlValues, EmptyUrlAttributeCountsAsAbsent) {
  EXPECT_FALSE(only_verb<Gather>(parse_ok(response("<Gather action=\"\"/>"))).action.has_value());
  EXPECT_FALSE(only_verb<Gather>(parse_ok(response("<Gather action=\"  \"/>"))).action.has_value());
}

TEST(TwimlValues, NamesAsWrittenInTwiml) {
  EXPECT_EQ(to_string(Method::Get), "GET");
  EXPECT_EQ(to_string(Trim::DoNotTrim), "do-not-trim");
  EXPECT_EQ(to_string(RejectReason::Busy), "busy");
  EXPECT_EQ(to_string(DialRecord::RecordFromRingingDual), "record-from-ringing-dual");
  EXPECT_EQ(to_string(RecordingTrack::Inbound), "inbound");
  EXPECT_EQ(to_string(MachineDetectionMode::DetectMessageEnd), "DetectMessageEnd");
}

}  // namespace
}  // namespace sb::twiml
