#include "calls/request_params.hpp"

#include "calls/webhook_url.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace sb::calls {
namespace {

std::string with_case(std::string_view s, int (*convert)(int)) {
  std::string out(s);
  std::ranges::transform(out, out.begin(), [convert](unsigned char c) { return static_cast<char>(convert(c)); });
  return out;
}

RequestError bad(int code, std::string message) { return {400, code, std::move(message)}; }

}  // namespace

std::optional<RequestError> read_url(const http::Form& form, std::string_view name, std::optional<std::string>& out) {
  auto value = form.get(name);
  if (!value) return std::nullopt;
  if (value->empty()) {
    out.reset();
    return std::nullopt;
  }
  if (!is_webhook_url(*value)) return bad(21205, fmt::format("{} is not a valid URL: {}", name, *value));
  out = std::move(*value);
  return std::nullopt;
}

std::optional<RequestError> read_method(const http::Form& form, std::string_view name, std::string& out) {
  const auto value = form.get(name);
  if (!value) return std::nullopt;
  auto upper = with_case(*value, ::toupper);
  if (upper != "GET" && upper != "POST") return bad(20001, fmt::format("Invalid parameter {}: must be GET or POST", name));
  out = std::move(upper);
  return std::nullopt;
}

std::optional<RequestError> read_bool(const http::Form& form, std::string_view name, bool& out) {
  const auto value = form.get(name);
  if (!value) return std::nullopt;
  const auto l = with_case(*value, ::tolower);
  if (l != "true" && l != "false") return bad(20001, fmt::format("Invalid parameter {}: must be true or false", name));
  out = l == "true";
  return std::nullopt;
}

}  // namespace sb::calls
