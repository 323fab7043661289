#pragma once
// X-Twilio-Signature (digest 5.1): the HMAC-SHA1 that Twilio puts on every webhook request and that
// the helper libraries verify. Pure functions; any thread.

#include "http/form.hpp"

#include <string>
#include <string_view>

namespace sb::http {

// The X-Twilio-Signature value of a request to `url` (the full URL as requested: scheme, host,
// port if any, path and query; a GET's parameters are already in its query) carrying the POST form
// `params` (empty for GET). A #fragment is not signed (Twilio's connection overrides live there).
// Equals twilio-node's getExpectedTwilioSignature(auth_token, url, params) where a repeated name is
// an array: names sorted, each name's values de-duplicated and sorted, "name" + "value" appended
// per value, in UTF-16 code-unit order like JavaScript's sort (byte order for ASCII).
std::string twilio_signature(std::string_view auth_token, std::string_view url, const Form& params);

// Verifies `signature` like twilio-node's validateRequest: accepted when it matches the URL
// without a port, or with its port (the scheme's default port inserted when none is given),
// because Twilio signs the URL as configured. Compares in constant time. Unlike twilio-node it does
// not normalise the URL (WHATWG parsing) nor try the legacy query-string re-encoding.
bool is_valid_twilio_signature(std::string_view auth_token, std::string_view signature,
                               std::string_view url, const Form& params);

}  // namespace sb::http
