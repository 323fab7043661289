#include "api/error.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

namespace sb::api {

ApiError ApiError::unauthorized() {
  return {401, 20003, "Authenticate",
          "Your AccountSid or AuthToken was incorrect, or they may not access this account."};
}

ApiError ApiError::account_not_active(std::string_view sid) {
  return {401, 20005, fmt::format("Account {} is not active", sid), ""};
}

ApiError ApiError::forbidden(std::string message) { return {403, 20403, std::move(message), ""}; }

ApiError ApiError::not_found(std::string_view path) {
  return {404, 20404, fmt::format("The requested resource {} was not found", path), ""};
}

ApiError ApiError::method_not_allowed(std::string_view method, std::string_view path) {
  return {405, 20004, fmt::format("Method {} is not allowed on {}", method, path), ""};
}

ApiError ApiError::invalid_parameter(std::string_view name, std::string_view why) {
  return {400, 20001, fmt::format("Invalid parameter {}: {}", name, why), ""};
}

ApiError ApiError::missing_parameter(std::string_view name) {
  return {400, 20001, fmt::format("Missing required parameter {} in the post body", name), ""};
}

ApiError ApiError::internal() { return {500, 20500, "Internal server error", ""}; }

http::Response render(const ApiError& error) {
  boost::json::object body;
  if (error.code != 0) {
    body["code"] = error.code;
  } else {
    body["code"] = nullptr;
  }
  body["message"] = error.message;
  if (!error.detail.empty()) body["detail"] = error.detail;
  if (error.code != 0) {
    body["more_info"] = fmt::format("https://www.twilio.com/docs/errors/{}", error.code);
  } else {
    body["more_info"] = nullptr;
  }
  body["status"] = error.status;
  http::Response response;
  response.status = error.status;
  response.set("Content-Type", "application/json");
  if (error.status == 401) response.set("WWW-Authenticate", "Basic realm=\"Twilio API\"");
  response.body = boost::json::serialize(body);
  return response;
}

}  // namespace sb::api
