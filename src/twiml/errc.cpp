#include "twiml/errc.hpp"

#include <string>

namespace sb::twiml {
namespace {

class TwimlCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "twiml"; }
  std::string message(int value) const override {
    const auto text = describe(static_cast<Errc>(value));
    return text.empty() ? "unknown twiml error" : std::string(text);
  }
};

}  // namespace

const std::error_category& twiml_category() noexcept {
  static const TwimlCategory category;
  return category;
}

std::error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), twiml_category()}; }

int twilio_code(Errc e) noexcept {
  switch (e) {
    case Errc::DocumentTooLarge: return 11750;
    case Errc::MalformedXml: return 12100;
    case Errc::InvalidVersion: return 12101;
    case Errc::RootNotResponse: return 12102;
    case Errc::UnknownElement:
    case Errc::UnknownAttribute:
    case Errc::InvalidNesting:
    case Errc::UnexpectedText:
    case Errc::InvalidAttributeValue:
    case Errc::MissingContent: return 12200;
    case Errc::InvalidUrl: return 11100;
    case Errc::ConferenceMixedWithOtherNouns: return 13000;
    case Errc::DialInScreeningDocument: return 13201;
    case Errc::DialInvalidMethod: return 13210;
    case Errc::DialInvalidTimeout: return 13212;
    case Errc::DialInvalidHangupOnStar: return 13213;
    case Errc::DialInvalidCallerId: return 13214;
    case Errc::DialInvalidNestedElement: return 13215;
    case Errc::DialInvalidTimeLimit: return 13216;
    case Errc::DialInvalidRecord: return 13217;
    case Errc::DialInvalidSequential: return 13218;
    case Errc::DialInvalidAnswerOnBridge: return 13219;
    case Errc::DialInvalidRingTone: return 13220;
    case Errc::NumberInvalidMethod: return 13221;
    case Errc::NumberInvalidSendDigits: return 13222;
    case Errc::SipInvalidMethod: return 13241;
    case Errc::SipInvalidUri: return 13243;
    case Errc::SipInvalidCredentials: return 13249;
    case Errc::SipTooManyUris: return 13250;
    case Errc::RecordingStatusCallbackInvalidUrl: return 13256;
    case Errc::TranscribeCallbackInvalidUrl: return 13257;
    case Errc::GatherInvalidFinishOnKey: return 13310;
    case Errc::GatherInvalidTimeout: return 13313;
    case Errc::GatherInvalidNumDigits: return 13314;
    case Errc::GatherInvalidNestedVerb: return 13320;
    case Errc::SayInvalidLoop: return 13510;
    case Errc::RedirectInvalid: return 13710;
    case Errc::RejectInvalidReason: return 13810;
    case Errc::PauseInvalidLength: return 13910;
  }
  return 0;
}

int twilio_code(const std::error_code& ec) noexcept {
  return ec.category() == twiml_category() ? twilio_code(static_cast<Errc>(ec.value())) : 0;
}

std::string_view describe(Errc e) noexcept {
  switch (e) {
    case Errc::DocumentTooLarge: return "TwiML document too large";
    case Errc::MalformedXml: return "Document parse failure";
    case Errc::InvalidVersion: return "Invalid version attribute on <Response>";
    case Errc::RootNotResponse: return "Root element must be <Response>";
    case Errc::UnknownElement: return "Unknown TwiML element";
    case Errc::UnknownAttribute: return "Unknown TwiML attribute";
    case Errc::InvalidNesting: return "Element not allowed here";
    case Errc::UnexpectedText: return "Text not allowed here";
    case Errc::InvalidAttributeValue: return "Invalid attribute value";
    case Errc::MissingContent: return "Required element content missing";
    case Errc::InvalidUrl: return "Invalid URL format";
    case Errc::ConferenceMixedWithOtherNouns: return "Conference noun cannot be mixed with other nouns";
    case Errc::DialInScreeningDocument: return "Cannot Dial from a Dial call segment";
    case Errc::DialInvalidMethod: return "Dial: Invalid method value";
    case Errc::DialInvalidTimeout: return "Dial: Invalid timeout value";
    case Errc::DialInvalidHangupOnStar: return "Dial: Invalid hangupOnStar value";
    case Errc::DialInvalidCallerId: return "Dial: Invalid callerId value";
    case Errc::DialInvalidNestedElement: return "Dial: Invalid nested element";
    case Errc::DialInvalidTimeLimit: return "Dial: Invalid timeLimit value";
    case Errc::DialInvalidRecord: return "Dial: Invalid record value";
    case Errc::DialInvalidSequential: return "Dial: Invalid sequential value";
    case Errc::DialInvalidAnswerOnBridge: return "Dial: Invalid answerOnBridge value";
    case Errc::DialInvalidRingTone: return "Dial: Invalid ringTone value";
    case Errc::NumberInvalidMethod: return "Dial->Number: Invalid method value";
    case Errc::NumberInvalidSendDigits: return "Dial->Number: Invalid sendDigits value";
    case Errc::SipInvalidMethod: return "Dial->Sip: Invalid method value";
    case Errc::SipInvalidUri: return "Dial->Sip: Invalid SIP URI";
    case Errc::SipInvalidCredentials: return "Dial->Sip: Invalid username or password attribute";
    case Errc::SipTooManyUris: return "Dial->Sip: Too many SIP URIs";
    case Errc::RecordingStatusCallbackInvalidUrl: return "Invalid recordingStatusCallback URL";
    case Errc::TranscribeCallbackInvalidUrl: return "Invalid transcribeCallback URL";
    case Errc::GatherInvalidFinishOnKey: return "Gather: Invalid finishOnKey value";
    case Errc::GatherInvalidTimeout: return "Gather: Invalid timeout value";
    case Errc::GatherInvalidNumDigits: return "Gather: Invalid numDigits value";
    case Errc::GatherInvalidNestedVerb: return "Gather: Invalid nested verb";
    case Errc::SayInvalidLoop: return "Say: Invalid loop value";
    case Errc::RedirectInvalid: return "Redirect: Invalid method value or missing URL";
    case Errc::RejectInvalidReason: return "Reject: Invalid reason value";
    case Errc::PauseInvalidLength: return "Pause: Invalid length value";
  }
  return {};
}

}  // namespace sb::twiml
