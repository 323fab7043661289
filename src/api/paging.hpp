#pragma once
// Twilio's list envelope: PageSize (1-1000, default 50), Page, PageToken, and the
// page/page_size/start/end/uri/first_page_uri/next_page_uri/previous_page_uri fields.

#include "api/error.hpp"
#include "http/form.hpp"
#include "store/page.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string_view>

namespace sb::api {

inline constexpr std::size_t kDefaultPageSize = 50;
inline constexpr std::size_t kMaxPageSize = 1000;

// Reads the paging parameters of `query` into `out`; an error for an invalid value.
std::optional<ApiError> parse_paging(const http::Form& query, store::PageQuery& out);

struct PageResult {
  std::size_t count = 0;
  bool has_more = false;
  std::int64_t last_key = 0;
};

template <class T>
PageResult page_result(const store::Page<T>& page) {
  return {page.items.size(), page.has_more, page.last_key};
}

// The envelope for `items` (listed under `key`) of the list at `path` with `query`'s filters.
boost::json::object page_envelope(std::string_view key, boost::json::array items, std::string_view path,
                                  const http::Form& query, const store::PageQuery& page_query,
                                  const PageResult& result);

}  // namespace sb::api
