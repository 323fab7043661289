#include "api/params.hpp"

#include "calls/webhook_url.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace sb::api {

std::optional<ApiError> read_url(const http::Form& form, std::string_view name, std::optional<std::string>& out) {
  auto value = form.get(name);
  if (!value) return std::nullopt;
  if (value->empty()) {
    out.reset();
    return std::nullopt;
  }
  if (!calls::is_webhook_url(*value)) {
    return ApiError{400, 21205, fmt::format("{} is not a valid URL: {}", name, *value), ""};
  }
  out = std::move(*value);
  return std::nullopt;
}

std::optional<ApiError> read_method(const http::Form& form, std::string_view name, std::string& out) {
  auto value = form.get(name);
  if (!value) return std::nullopt;
  std::string upper = *value;
  std::ranges::transform(upper, upper.begin(), [](unsigned char c) { return std::toupper(c); });
  if (upper != "GET" && upper != "POST") return ApiError::invalid_parameter(name, "must be GET or POST");
  out = std::move(upper);
  return std::nullopt;
}

std::optional<ApiError> read_bool(const http::Form& form, std::string_view name, bool& out) {
  auto value = form.get(name);
  if (!value) return std::nullopt;
  std::string lower = *value;
  std::ranges::transform(lower, lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower != "true" && lower != "false") return ApiError::invalid_parameter(name, "must be true or false");
  out = lower == "true";
  return std::nullopt;
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

}  // namespace sb::api
