#pragma once
// Reading typed request parameters the way Twilio validates them, as ApiErrors. The URL, method
// and boolean readers are calls/request_params.hpp's. Each reader leaves `out` untouched when the
// parameter is absent and answers the error to send when it is invalid.

#include "api/error.hpp"
#include "calls/outbound_request.hpp"
#include "core/time.hpp"
#include "http/form.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace sb::api {

ApiError from_request_error(const calls::RequestError& error);

// An absolute http(s) URL with a host, or "" to clear it (stored as nullopt). Else 400/21205.
std::optional<ApiError> read_url(const http::Form& form, std::string_view name, std::optional<std::string>& out);
// GET or POST (any case; stored upper case). Else 400/20001.
std::optional<ApiError> read_method(const http::Form& form, std::string_view name, std::string& out);
// true or false (any case). Else 400/20001.
std::optional<ApiError> read_bool(const http::Form& form, std::string_view name, bool& out);
// Any text of at most `max_length` characters. Else 400/20001.
std::optional<ApiError> read_text(const http::Form& form, std::string_view name, std::size_t max_length,
                                  std::string& out);

// Twilio's date filters `name`, `name<` and `name>` (list queries: StartTime, MessageDate...):
// a YYYY-MM-DD value is that whole day (UTC), a "YYYY-MM-DD HH:MM:SS" value that second. Sets
// [from, before); 400 naming the parameter when a value is not a date.
std::optional<ApiError> read_date_filter(const http::Form& query, std::string_view name,
                                         std::optional<SystemTime>& from, std::optional<SystemTime>& before);

}  // namespace sb::api
