#include "http/twilio_signature.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <utility>

namespace sb::http {
namespace {

Form form(std::initializer_list<std::pair<const char*, const char*>> fields) {
  Form f;
  for (const auto& [name, value] : fields) f.add(name, value);
  return f;
}

const Form kVoiceParams = form({{"CallSid", "CA1234567890ABCDE"},
                                {"Caller", "+14158675309"},
                                {"Digits", "1234"},
                                {"From", "+14158675309"},
                                {"To", "+18005551212"}});

// Digest 5.1 test vectors (AuthToken 12345).
TEST(TwilioSignature, MatchesDigestVectorForPost) {
  EXPECT_EQ(twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", kVoiceParams),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
}

TEST(TwilioSignature, SignsTheUrlWithItsPortAsGiven) {
  EXPECT_EQ(twilio_signature("12345", "https://mycompany.com:443/myapp.php?foo=1&bar=2", kVoiceParams),
            "kvajT1Ptam85bY51eRf/AJRuM3w=");
}

TEST(TwilioSignature, DeduplicatesAndSortsRepeatedValues) {
  const auto params = form({{"Sid", "CA123"}, {"SidAccount", "AC123"}, {"Digits", "5678"},
                            {"Digits", "1234"}, {"Digits", "1234"}});
  EXPECT_EQ(twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params),
            "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
}

TEST(TwilioSignature, MatchesDigestVectorForJsonBodyUrl) {
  const std::string url =
      "https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256="
      "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
  EXPECT_EQ(twilio_signature("12345", url, Form{}), "a9nBmqA0ju/hNViExpshrM61xv4=");
}

TEST(TwilioSignature, IgnoresParameterOrder) {
  const auto reversed = form({{"To", "+18005551212"}, {"From", "+14158675309"}, {"Digits", "1234"},
                              {"Caller", "+14158675309"}, {"CallSid", "CA1234567890ABCDE"}});
  EXPECT_EQ(twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", reversed),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
}

TEST(TwilioSignature, DoesNotSignTheFragment) {
  EXPECT_EQ(twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2#ct=1000&rc=2",
                             kVoiceParams),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
}

// Expected values below came from twilio-node 5.13.1 (npm twilio@5), running
//   node -e "console.log(require('twilio').getExpectedTwilioSignature(token, url, params))"
// with the same token, URL and params (a repeated name passed as an array).
TEST(TwilioSignature, MatchesTwilioNodeForPost) {
  EXPECT_EQ(twilio_signature("token", "https://example.com/hook?x=1",
                             form({{"CallSid", "CA1"}, {"Digits", "1234"}})),
            "JLBK/w5GLQ3sZpViVoHgU3i2VAI=");
}

TEST(TwilioSignature, MatchesTwilioNodeForArrayValuesAndPort) {
  const auto params = form({{"CallSid", "CA2"}, {"StatusCallbackEvent", "ringing"},
                            {"StatusCallbackEvent", "answered"}, {"StatusCallbackEvent", "initiated"},
                            {"CallStatus", "in-progress"}, {"SipHeader_X_Route", "a;b=c d"}});
  EXPECT_EQ(twilio_signature("secret-token", "https://hooks.example.org:8443/voice/status", params),
            "W05OdaTARtsJ7DlCxZNpIWiw0M0=");
}

TEST(TwilioSignature, MatchesTwilioNodeForGetWithQuery) {
  EXPECT_EQ(twilio_signature("secret-token",
                             "http://127.0.0.1:3000/twiml?CallSid=CA3&From=%2B15551234567&To=sip%3A100%40acme.sip.twilio.com",
                             Form{}),
            "T52ymJ6Pdm4v0v7Kmau47Ikv1V0=");
}

TEST(TwilioSignature, MatchesTwilioNodeForCaseAndSpecialCharacters) {
  const auto params = form({{"Body", "hello world +1 & more=yes"}, {"From", "+15551234567"},
                            {"a", "lower"}, {"B", "upper"}});
  EXPECT_EQ(twilio_signature("secret-token", "https://example.com/sms", params),
            "k6r1/oLwQCfNg+paI43SwXMDnoY=");
}

TEST(TwilioSignature, SortsLikeJavaScriptByUtf16CodeUnits) {
  // U+1F600 is a surrogate pair in UTF-16 and sorts before U+FF5E and U+FFFD there, after them in
  // UTF-8 byte order.
  const auto params = form({{"X", "\xEF\xBD\x9E"}, {"X", "\xF0\x9F\x98\x80"}, {"X", "b"},
                            {"X", "\xC3\xA9"}, {"N\xC3\xA9", "v"}, {"N\xF0\x9F\x98\x80", "w"},
                            {"N\xEF\xBF\xBD", "u"}});
  EXPECT_EQ(twilio_signature("secret-token", "https://example.com/sort", params),
            "TWZj9esGCE1C+fhfjC9bgXGpSgE=");
}

// Behaviour of twilio-node's validateRequest(token, signature, url, params), observed with the
// same twilio-node run: it accepts the signature over the URL with or without its port.
TEST(TwilioSignature, ValidatesWithAndWithoutPortLikeTwilioNode) {
  const auto params = form({{"CallSid", "CA1"}, {"Digits", "1234"}});
  const auto sign = [&](std::string_view url) { return twilio_signature("token", url, params); };
  const auto valid = [&](std::string_view signed_url, std::string_view url) {
    return is_valid_twilio_signature("token", sign(signed_url), url, params);
  };
  EXPECT_TRUE(valid("https://example.com/hook", "https://example.com:443/hook"));
  EXPECT_TRUE(valid("https://example.com:443/hook", "https://example.com/hook"));
  EXPECT_TRUE(valid("https://example.com:8443/hook", "https://example.com:8443/hook"));
  EXPECT_TRUE(valid("https://example.com/hook", "https://example.com:8443/hook"));
  EXPECT_FALSE(valid("https://example.com:8443/hook", "https://example.com/hook"));
  EXPECT_FALSE(valid("https://example.com:443/hook", "https://example.com:8443/hook"));
  EXPECT_TRUE(valid("http://example.com:80/hook", "http://example.com/hook"));
}

TEST(TwilioSignature, RejectsWrongTokenParamsOrSignature) {
  const auto params = form({{"CallSid", "CA1"}, {"Digits", "1234"}});
  const auto signature = twilio_signature("token", "https://example.com/hook", params);
  EXPECT_TRUE(is_valid_twilio_signature("token", signature, "https://example.com/hook", params));
  EXPECT_FALSE(is_valid_twilio_signature("other", signature, "https://example.com/hook", params));
  EXPECT_FALSE(is_valid_twilio_signature("token", signature, "https://example.com/hook",
                                         form({{"CallSid", "CA1"}, {"Digits", "1235"}})));
  EXPECT_FALSE(is_valid_twilio_signature("token", signature, "https://example.com/hook2", params));
  EXPECT_FALSE(is_valid_twilio_signature("token", "", "https://example.com/hook", params));
}

}  // namespace
}  // namespace sb::http
