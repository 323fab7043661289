#include "api/params.hpp"

#include "calls/request_params.hpp"

#include <fmt/format.h>

namespace sb::api {
namespace {

std::optional<ApiError> to_api(const std::optional<calls::RequestError>& error) {
  if (!error) return std::nullopt;
  return from_request_error(*error);
}

}  // namespace

ApiError from_request_error(const calls::RequestError& e) { return ApiError{e.status, e.code, e.message, ""}; }

std::optional<ApiError> read_url(const http::Form& form, std::string_view name, std::optional<std::string>& out) {
  return to_api(calls::read_url(form, name, out));
}

std::optional<ApiError> read_method(const http::Form& form, std::string_view name, std::string& out) {
  return to_api(calls::read_method(form, name, out));
}

std::optional<ApiError> read_bool(const http::Form& form, std::string_view name, bool& out) {
  return to_api(calls::read_bool(form, name, out));
}

std::optional<ApiError> read_text(const http::Form& form, std::string_view name, std::size_t max_length,
                                  std::string& out) {
  auto value = form.get(name);
  if (!value) return std::nullopt;
  if (value->size() > max_length) {
    return ApiError::invalid_parameter(name, fmt::format("must be at most {} characters", max_length));
  }
  out = std::move(*value);
  return std::nullopt;
}

std::optional<ApiError> read_date_filter(const http::Form& query, std::string_view name,
                                         std::optional<SystemTime>& from, std::optional<SystemTime>& before) {
  for (const std::string_view suffix : {"", "<", ">"}) {
    const std::string key = std::string(name) + std::string(suffix);
    const auto value = query.get(key);
    if (!value) continue;
    const auto t = parse_date_filter(*value);
    if (!t) return ApiError::invalid_parameter(key, "must be a date as YYYY-MM-DD");
    const auto end = value->size() == 10 ? *t + std::chrono::days{1} : *t + std::chrono::seconds{1};
    if (suffix != "<") from = *t;
    if (suffix != ">") before = end;
  }
  return std::nullopt;
}

}  // namespace sb::api
