#pragma once
// Why a TwiML document, or one of its elements, is refused or questionable: sb::twiml::Errc, an
// std::error_category. Each value knows the Twilio error code it is reported as (twilio_code), the
// number that goes into Notifications, the debugger and the fallback request's ErrorCode
// (twilio-voice-digest.md 7.1, 7.2).
//
// Where the digest gives no specific code for a fault, the value maps to 12200 (schema
// validation). Values marked "warning" normally land in Document::warnings and the element or
// attribute is skipped; values marked "error" refuse the document (ParseOptions::invalid_values
// can downgrade attribute-value errors to warnings).

#include <string_view>
#include <system_error>

namespace sb::twiml {

enum class Errc {
  // --- The document as a whole (always errors) --------------------------------------------
  // The body exceeds ParseOptions::max_document_size (64 KiB). Twilio: 11750.
  DocumentTooLarge = 1,
  // Not well-formed XML: pugixml's failure, no root element, several root elements, text or a
  // second element outside the root, whitespace before `<?xml`, a declaration that is not first,
  // duplicate attributes, a bare '&', '<' in an attribute value, invalid UTF-8, control
  // characters, NUL bytes, nesting deeper than ParseOptions::max_depth. Twilio: 12100.
  MalformedXml,
  // `<Response version="...">` names a version other than 2008-08-01 or 2010-04-01. 12101.
  InvalidVersion,
  // The root element is not `<Response>` (names are case-sensitive: `<response>` too). 12102.
  RootNotResponse,

  // --- Schema (12200) -----------------------------------------------------------------------
  UnknownElement,         // warning: an element TwiML does not know; skipped with its subtree
  UnknownAttribute,       // warning: an attribute the element does not know; ignored
  InvalidNesting,         // warning: a known element in a place it may not appear; skipped
  UnexpectedText,         // warning: non-blank text where the element takes none; ignored
  InvalidAttributeValue,  // error: a value outside its documented set, no specific code known
  MissingContent,         // error: a required body is empty (`<Play/>` without digits, ...);
                          // a warning for a `<Dial>` that names nothing
  // A URL attribute or body holds control characters or a scheme other than http/https.
  // Twilio: 11100 (Invalid URL format).
  InvalidUrl,

  // --- Specific codes (errors unless noted) ---------------------------------------------------
  ConferenceMixedWithOtherNouns,  // 13000: `<Conference>` beside `<Number>`, `<Client>`, `<Sip>`
  DialInScreeningDocument,        // 13201: `<Dial>` in TwiML run by `<Number url>`/`<Sip url>`
  DialInvalidMethod,              // 13210: method, referMethod, recordingStatusCallbackMethod
  DialInvalidTimeout,             // 13212: timeout not a positive integer (warning when clamped)
  DialInvalidHangupOnStar,        // 13213
  DialInvalidCallerId,            // 13214: characters outside [A-Za-z0-9+-_.] on a SIP-only Dial
  // 13215: an element `<Dial>` cannot hold (warning, skipped), more than 10 nouns or a second
  // `<Conference>` (error).
  DialInvalidNestedElement,
  DialInvalidTimeLimit,        // 13216 (warning when clamped to 86400)
  DialInvalidRecord,           // 13217
  DialInvalidSequential,       // 13218
  DialInvalidAnswerOnBridge,   // 13219
  DialInvalidRingTone,         // 13220
  NumberInvalidMethod,         // 13221: method or statusCallbackMethod of `<Number>`
  NumberInvalidSendDigits,     // 13222
  SipInvalidMethod,            // 13241: method or statusCallbackMethod of `<Sip>`
  SipInvalidUri,               // 13243: empty, blank inside, URI >= 255 or headers >= 1024 chars
  SipInvalidCredentials,       // 13249: username without password or the reverse
  SipTooManyUris,              // 13250: more than 10 `<Sip>` nouns in one `<Dial>`
  RecordingStatusCallbackInvalidUrl,  // 13256
  TranscribeCallbackInvalidUrl,       // 13257
  GatherInvalidFinishOnKey,    // 13310: not exactly one of 0-9 # * (or empty)
  GatherInvalidTimeout,        // 13313
  GatherInvalidNumDigits,      // 13314: not an integer >= 1
  GatherInvalidNestedVerb,     // 13320: warning; only Say, Play (no digits), Pause; skipped
  SayInvalidLoop,              // 13510 (warning when clamped to 1000)
  RedirectInvalid,             // 13710: invalid method or no URL
  RejectInvalidReason,         // 13810: reason other than rejected|busy
  PauseInvalidLength,          // 13910: not an integer >= 1
};

const std::error_category& twiml_category() noexcept;
std::error_code make_error_code(Errc e) noexcept;

// The Twilio error code Twilio reports for `e` (11100, 11750, 12100 ... 13910).
int twilio_code(Errc e) noexcept;
// The Twilio error code of an error_code of twiml_category(); 0 for any other category.
int twilio_code(const std::error_code& ec) noexcept;
// Short English description, also the category's message().
std::string_view describe(Errc e) noexcept;

}  // namespace sb::twiml

template <>
struct std::is_error_code_enum<sb::twiml::Errc> : std::true_type {};
