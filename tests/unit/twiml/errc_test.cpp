#include "twiml/errc.hpp"

#include <gtest/gtest.h>

namespace sb::twiml {
namespace {

TEST(TwimlErrc, MapsToTwilioCodes) {
  EXPECT_EQ(twilio_code(Errc::DocumentTooLarge), 11750);
  EXPECT_EQ(twilio_code(Errc::MalformedXml), 12100);
  EXPECT_EQ(twilio_code(Errc::InvalidVersion), 12101);
  EXPECT_EQ(twilio_code(Errc::RootNotResponse), 12102);
  EXPECT_EQ(twilio_code(Errc::UnknownElement), 12200);
  EXPECT_EQ(twilio_code(Errc::UnknownAttribute), 12200);
  EXPECT_EQ(twilio_code(Errc::InvalidNesting), 12200);
  EXPECT_EQ(twilio_code(Errc::InvalidAttributeValue), 12200);
  EXPECT_EQ(twilio_code(Errc::InvalidUrl), 11100);
  EXPECT_EQ(twilio_code(Errc::ConferenceMixedWithOtherNouns), 13000);
  EXPECT_EQ(twilio_code(Errc::DialInScreeningDocument), 13201);
  EXPECT_EQ(twilio_code(Errc::DialInvalidMethod), 13210);
  EXPECT_EQ(twilio_code(Errc::DialInvalidTimeout), 13212);
  EXPECT_EQ(twilio_code(Errc::DialInvalidHangupOnStar), 13213);
  EXPECT_EQ(twilio_code(Errc::DialInvalidCallerId), 13214);
  EXPECT_EQ(twilio_code(Errc::DialInvalidNestedElement), 13215);
  EXPECT_EQ(twilio_code(Errc::DialInvalidTimeLimit), 13216);
  EXPECT_EQ(twilio_code(Errc::DialInvalidRecord), 13217);
  EXPECT_EQ(twilio_code(Errc::DialInvalidSequential), 13218);
  EXPECT_EQ(twilio_code(Errc::DialInvalidAnswerOnBridge), 13219);
  EXPECT_EQ(twilio_code(Errc::DialInvalidRingTone), 13220);
  EXPECT_EQ(twilio_code(Errc::NumberInvalidMethod), 13221);
  EXPECT_EQ(twilio_code(Errc::NumberInvalidSendDigits), 13222);
  EXPECT_EQ(twilio_code(Errc::SipInvalidMethod), 13241);
  EXPECT_EQ(twilio_code(Errc::SipInvalidUri), 13243);
  EXPECT_EQ(twilio_code(Errc::SipInvalidCredentials), 13249);
  EXPECT_EQ(twilio_code(Errc::SipTooManyUris), 13250);
  EXPECT_EQ(twilio_code(Errc::RecordingStatusCallbackInvalidUrl), 13256);
  EXPECT_EQ(twilio_code(Errc::TranscribeCallbackInvalidUrl), 13257);
  EXPECT_EQ(twilio_code(Errc::GatherInvalidFinishOnKey), 13310);
  EXPECT_EQ(twilio_code(Errc::GatherInvalidTimeout), 13313);
  EXPECT_EQ(twilio_code(Errc::GatherInvalidNumDigits), 13314);
  EXPECT_EQ(twilio_code(Errc::GatherInvalidNestedVerb), 13320);
  EXPECT_EQ(twilio_code(Errc::SayInvalidLoop), 13510);
  EXPECT_EQ(twilio_code(Errc::RedirectInvalid), 13710);
  EXPECT_EQ(twilio_code(Errc::RejectInvalidReason), 13810);
  EXPECT_EQ(twilio_code(Errc::PauseInvalidLength), 13910);
}

TEST(TwimlErrc, IsAnErrorCodeOfItsOwnCategory) {
  const std::error_code ec = Errc::RootNotResponse;
  EXPECT_EQ(ec.category(), twiml_category());
  EXPECT_STREQ(ec.category().name(), "twiml");
  EXPECT_EQ(ec.message(), "Root element must be <Response>");
  EXPECT_EQ(twilio_code(ec), 12102);
  EXPECT_EQ(twilio_code(std::make_error_code(std::errc::invalid_argument)), 0);
}

TEST(TwimlErrc, EveryValueHasADescriptionAndACode) {
  for (int v = static_cast<int>(Errc::DocumentTooLarge); v <= static_cast<int>(Errc::PauseInvalidLength); ++v) {
    const auto e = static_cast<Errc>(v);
    EXPECT_FALSE(describe(e).empty()) << v;
    EXPECT_GE(twilio_code(e), 11100) << v;
  }
  EXPECT_EQ(make_error_code(static_cast<Errc>(999)).message(), "unknown twiml error");
}

}  // namespace
}  // namespace sb::twiml
