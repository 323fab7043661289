#include "api/sip_common.hpp"

#include <algorithm>
#include <charconv>

namespace sb::api {
namespace {

constexpr std::size_t kMaxDomainName = 253;
constexpr std::size_t kMaxLabel = 63;
constexpr std::size_t kMaxUsername = 32;
constexpr std::size_t kMinPassword = 12;
constexpr std::size_t kMaxPassword = 255;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool is_label(std::string_view label) {
  if (label.empty() || label.size() > kMaxLabel || label.front() == '-' || label.back() == '-') return false;
  return std::ranges::all_of(label, [](char c) { return is_alnum(c) || c == '-'; });
}

std::string suffix_of(std::string_view base_domain) {
  std::string suffix = ".sip.";
  for (char c : base_domain) suffix += lower(c);
  return suffix;
}

}  // namespace

std::optional<std::string> normalize_sip_domain_name(std::string_view name, std::string_view base_domain) {
  std::string normalized;
  normalized.reserve(name.size());
  for (char c : name) normalized += lower(c);
  const std::string suffix = suffix_of(base_domain);
  if (base_domain.empty() || normalized.size() > kMaxDomainName || normalized.size() <= suffix.size() ||
      !normalized.ends_with(suffix)) {
    return std::nullopt;
  }
  std::string_view labels = std::string_view(normalized).substr(0, normalized.size() - suffix.size());
  for (;;) {
    const auto dot = labels.find('.');
    if (!is_label(labels.substr(0, dot))) return std::nullopt;
    if (dot == std::string_view::npos) break;
    labels.remove_prefix(dot + 1);
  }
  return normalized;
}

std::optional<std::string> parent_sip_domain(std::string_view normalized_name, std::string_view base_domain) {
  const std::string suffix = suffix_of(base_domain);
  const std::string_view labels = normalized_name.substr(0, normalized_name.size() - suffix.size());
  const auto dot = labels.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  return std::string(normalized_name.substr(dot + 1));
}

std::string_view top_sip_domain_label(std::string_view normalized_name, std::string_view base_domain) {
  const std::string suffix = suffix_of(base_domain);
  std::string_view labels = normalized_name.substr(0, normalized_name.size() - suffix.size());
  const auto dot = labels.rfind('.');
  return dot == std::string_view::npos ? labels : labels.substr(dot + 1);
}

bool is_valid_sip_username(std::string_view username) {
  constexpr std::string_view kMarks = "-_.!~*'()&=+$,;?/";
  if (username.empty() || username.size() > kMaxUsername) return false;
  return std::ranges::all_of(username, [&](char c) { return is_alnum(c) || kMarks.find(c) != std::string_view::npos; });
}

bool is_valid_sip_password(std::string_view password) {
  if (password.size() < kMinPassword || password.size() > kMaxPassword) return false;
  const bool has_digit = std::ranges::any_of(password, is_digit);
  const bool has_lower = std::ranges::any_of(password, [](char c) { return c >= 'a' && c <= 'z'; });
  const bool has_upper = std::ranges::any_of(password, [](char c) { return c >= 'A' && c <= 'Z'; });
  return has_digit && has_lower && has_upper;
}

std::optional<int> parse_cidr_prefix_length(std::string_view text) {
  int value = -1;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size() || value < 0 || value > 32) {
    return std::nullopt;
  }
  return value == 0 ? 32 : value;
}

std::function<void(std::error_code)> save_completion(const ContextPtr& ctx, unsigned status,
                                                     boost::json::object body, ApiError duplicate) {
  return [ctx, status, body = std::move(body), duplicate = std::move(duplicate)](std::error_code ec) {
    if (ec == std::errc::file_exists) return ctx->fail(duplicate);
    if (ec) return ctx->fail(ApiError::internal());
    ctx->respond(status, body);
  };
}

}  // namespace sb::api
