#include "api/paging.hpp"

#include <charconv>

namespace sb::api {
namespace {

constexpr std::string_view kTokenPrefix = "PA";

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string page_uri(std::string_view path, const http::Form& filters, std::size_t page_size,
                     std::size_t page, std::optional<std::int64_t> token_key) {
  http::Form form = filters;
  form.add("PageSize", std::to_string(page_size));
  form.add("Page", std::to_string(page));
  if (token_key) form.add("PageToken", std::string(kTokenPrefix) + std::to_string(*token_key));
  return std::string(path) + "?" + form.encode();
}

}  // namespace

std::optional<ApiError> parse_paging(const http::Form& query, store::PageQuery& out) {
  out = store::PageQuery{.page_size = kDefaultPageSize, .page = 0, .after_key = std::nullopt};
  if (auto size = query.get("PageSize")) {
    const auto value = parse_int(*size);
    if (!value || *value < 1 || *value > static_cast<std::int64_t>(kMaxPageSize)) {
      return ApiError::invalid_parameter("PageSize", "must be an integer from 1 to 1000");
    }
    out.page_size = static_cast<std::size_t>(*value);
  }
  if (auto page = query.get("Page")) {
    const auto value = parse_int(*page);
    if (!value || *value < 0) return ApiError::invalid_parameter("Page", "must be an integer of 0 or more");
    out.page = static_cast<std::size_t>(*value);
  }
  if (auto token = query.get("PageToken")) {
    const std::string_view t = *token;
    const auto key = t.starts_with(kTokenPrefix) ? parse_int(t.substr(kTokenPrefix.size())) : std::nullopt;
    if (!key || *key < 0) return ApiError::invalid_parameter("PageToken", "is not a token this API issued");
    out.after_key = *key;
  }
  return std::nullopt;
}

boost::json::object page_envelope(std::string_view key, boost::json::array items, std::string_view path,
                                  const http::Form& query, const store::PageQuery& page_query,
                                  const PageResult& result) {
  http::Form filters;
  for (const auto& f : query.fields()) {
    if (f.name != "PageSize" && f.name != "Page" && f.name != "PageToken") filters.add(f.name, f.value);
  }
  const std::size_t start = page_query.page * page_query.page_size;
  boost::json::object envelope;
  envelope[key] = std::move(items);
  envelope["page"] = page_query.page;
  envelope["page_size"] = page_query.page_size;
  envelope["start"] = start;
  envelope["end"] = result.count == 0 ? 0 : start + result.count - 1;
  envelope["uri"] = page_uri(path, filters, page_query.page_size, page_query.page, page_query.after_key);
  envelope["first_page_uri"] = page_uri(path, filters, page_query.page_size, 0, std::nullopt);
  if (result.has_more) {
    envelope["next_page_uri"] =
        page_uri(path, filters, page_query.page_size, page_query.page + 1, result.last_key);
  } else {
    envelope["next_page_uri"] = nullptr;
  }
  if (page_query.page > 0) {
    envelope["previous_page_uri"] =
        page_uri(path, filters, page_query.page_size, page_query.page - 1, std::nullopt);
  } else {
    envelope["previous_page_uri"] = nullptr;
  }
  return envelope;
}

}  // namespace sb::api
