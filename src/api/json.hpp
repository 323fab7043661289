#pragma once
// Rendering helpers for Twilio's JSON conventions: RFC 2822 dates, nullable fields, resource URIs.

#include "core/time.hpp"

#include <boost/json/value.hpp>
#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>

namespace sb::api {

inline constexpr std::string_view kApiVersion = "2010-04-01";

inline boost::json::value json_date(SystemTime t) { return boost::json::value(format_rfc2822(t)); }

inline boost::json::value json_optional(const std::optional<std::string>& s) {
  return s ? boost::json::value(*s) : boost::json::value(nullptr);
}

// "/2010-04-01/Accounts/{account_sid}{rest}", e.g. rest = "/Keys/SK....json".
inline std::string account_uri(std::string_view account_sid, std::string_view rest) {
  return fmt::format("/2010-04-01/Accounts/{}{}", account_sid, rest);
}

}  // namespace sb::api
