#pragma once
// Twilio's REST errors: an HTTP status, a Twilio error code and a message, rendered as
// {"code", "message", "more_info", "status"}.

#include "http/message.hpp"

#include <string>
#include <string_view>

namespace sb::api {

struct ApiError {
  unsigned status = 400;
  int code = 0;  // Twilio error code (twilio-voice-digest.md section 7); 0 renders as null
  std::string message;
  std::string detail;  // optional longer explanation

  static ApiError unauthorized();                          // 401, 20003
  static ApiError account_not_active(std::string_view sid);  // 401, 20005
  static ApiError forbidden(std::string message);          // 403, 20403
  static ApiError not_found(std::string_view path);        // 404, 20404
  static ApiError method_not_allowed(std::string_view method, std::string_view path);  // 405, 20004
  static ApiError invalid_parameter(std::string_view name, std::string_view why);      // 400, 20001
  static ApiError missing_parameter(std::string_view name);                           // 400, 20001
  static ApiError internal();                              // 500, 20500
};

http::Response render(const ApiError& error);

}  // namespace sb::api
