#pragma once
// Resolving the URLs a TwiML document holds (action, Redirect body, statusCallback, ...), which
// may be relative to the URL the document was fetched from (twilio-voice-digest.md 3.1).

#include <string>
#include <string_view>

namespace sb::twiml {

// RFC 3986 5.2: `reference` resolved against the absolute URL `base`, dot segments removed.
// An absolute `reference` is returned normalised; when `base` has no scheme, `reference` is
// returned unchanged. No percent-decoding, no validation: the HTTP client checks the result.
//   resolve_url("https://a.example/app/voice.xml?x=1", "next")  → "https://a.example/app/next"
//   resolve_url("https://a.example/app/voice.xml", "/b?c=d")     → "https://a.example/b?c=d"
//   resolve_url("https://a.example/app/voice.xml", "?step=2")    → "https://a.example/app/voice.xml?step=2"
std::string resolve_url(std::string_view base, std::string_view reference);

}  // namespace sb::twiml
