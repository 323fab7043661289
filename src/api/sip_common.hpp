#pragma once
// What the SIP resources (SIP/Domains, SIP/CredentialLists, SIP/IpAccessControlLists) share:
// Twilio's validation rules for their names and secrets, and the completion of their writes.
// Pure functions, except save_completion, which answers on the signalling loop.

#include "api/context.hpp"
#include "api/error.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace sb::api {

// The lower-case form of `name` when it is a valid SIP domain name under `base_domain`:
// one or more DNS labels (letters, digits, '-', not at either end, at most 63 characters each)
// followed by ".sip." and `base_domain`, 253 characters at most. nullopt otherwise.
std::optional<std::string> normalize_sip_domain_name(std::string_view name, std::string_view base_domain);

// "b.sip.base" for "a.b.sip.base"; nullopt for a top-level domain "a.sip.base".
std::optional<std::string> parent_sip_domain(std::string_view normalized_name, std::string_view base_domain);

// The label just before ".sip.{base}": "b" for "a.b.sip.base".
std::string_view top_sip_domain_label(std::string_view normalized_name, std::string_view base_domain);

// Twilio's credential usernames: 1-32 characters, which switchboard restricts to those a SIP URI
// carries unescaped as a user (RFC 3261 unreserved and user-unreserved), since a registered
// device's AOR is username@domain.
bool is_valid_sip_username(std::string_view username);

// Twilio's password rules: at least 12 characters with a digit, a lower-case and an upper-case
// letter (switchboard also caps it at 255 characters).
bool is_valid_sip_password(std::string_view password);

// CidrPrefixLength: an integer from 0 to 32; 0 means the whole address (32), as Twilio's
// "by default the entire IP address is used". nullopt when invalid.
std::optional<int> parse_cidr_prefix_length(std::string_view text);

// The completion of a store write whose answer is `body` with `status`; a unique-name conflict
// (std::errc::file_exists) answers `duplicate` instead.
std::function<void(std::error_code)> save_completion(const ContextPtr& ctx, unsigned status,
                                                     boost::json::object body, ApiError duplicate);

// 400 with a Twilio code of the 212xx family.
inline ApiError sip_error(int code, std::string message) { return ApiError{400, code, std::move(message), ""}; }

}  // namespace sb::api
