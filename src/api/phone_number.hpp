#pragma once
// Phone numbers as the IncomingPhoneNumbers resource takes and shows them.

#include <string>
#include <string_view>

namespace sb::api {

// True for E.164 as Twilio stores numbers: '+', a country code not starting with 0, and at most
// 15 digits in all ("+14155551212"). No spaces or punctuation.
bool is_e164(std::string_view text);

// The friendly name Twilio gives a number by default: "(415) 555-1212" for a North American
// number (+1 and ten digits), the E.164 text itself otherwise. `e164` must satisfy is_e164.
std::string default_friendly_name(std::string_view e164);

}  // namespace sb::api
