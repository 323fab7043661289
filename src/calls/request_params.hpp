#pragma once
// Reading typed request parameters the way Twilio validates them, shared by the Calls resource
// and the other REST resources (api/params.hpp wraps these). Each reader leaves `out` untouched
// when the parameter is absent and returns the error to answer when it is invalid.

#include "calls/outbound_request.hpp"
#include "http/form.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace sb::calls {

// An absolute http(s) URL with a host (else 400/21205); an empty value clears `out`.
std::optional<RequestError> read_url(const http::Form& form, std::string_view name, std::optional<std::string>& out);
// GET or POST, any case, stored upper case (else 400/20001).
std::optional<RequestError> read_method(const http::Form& form, std::string_view name, std::string& out);
// true or false, any case (else 400/20001).
std::optional<RequestError> read_bool(const http::Form& form, std::string_view name, bool& out);

}  // namespace sb::calls
