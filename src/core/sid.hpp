#pragma once
// Twilio resource identifiers: a two-letter prefix and 32 lowercase hex digits (34 characters).

#include <string>
#include <string_view>

namespace sb {

// Prefixes of the resources switchboard serves (twilio-voice-digest.md, section 0).
namespace sid_prefix {
inline constexpr std::string_view kAccount = "AC";
inline constexpr std::string_view kApiKey = "SK";
inline constexpr std::string_view kCall = "CA";
inline constexpr std::string_view kNotification = "NO";
inline constexpr std::string_view kRecording = "RE";
inline constexpr std::string_view kApplication = "AP";
inline constexpr std::string_view kSipDomain = "SD";
inline constexpr std::string_view kSipCredentialList = "CL";
inline constexpr std::string_view kSipCredential = "CR";
inline constexpr std::string_view kSipIpAccessControlList = "AL";
inline constexpr std::string_view kSipIpAddress = "IP";
inline constexpr std::string_view kByocTrunk = "BY";
inline constexpr std::string_view kPhoneNumber = "PN";
}  // namespace sid_prefix

inline constexpr std::size_t kSidLength = 34;

// A new SID with 128 bits from the CSPRNG.
std::string make_sid(std::string_view prefix);

// True when `text` is `prefix` followed by 32 hex digits (either case, as Twilio accepts).
bool is_sid(std::string_view text, std::string_view prefix);

}  // namespace sb
