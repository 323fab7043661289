#pragma once
// Wall-clock helpers: Twilio's RFC 2822 dates ("Tue, 31 Aug 2010 20:36:28 +0000").

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sb {

using SystemTime = std::chrono::sys_seconds;

// Now, truncated to whole seconds (the resolution of every Twilio date field).
SystemTime now_seconds();

// RFC 2822 in UTC: "Tue, 31 Aug 2010 20:36:28 +0000".
std::string format_rfc2822(SystemTime t);

// Parses "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" (UTC), as Twilio's list filters accept; nullopt otherwise.
std::optional<SystemTime> parse_date_filter(std::string_view text);

}  // namespace sb
