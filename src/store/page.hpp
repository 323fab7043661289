#pragma once
// Paging of list queries: offset paging (Page * PageSize) or a keyset cursor (Twilio's PageToken).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace sb::store {

struct PageQuery {
  std::size_t page_size = 50;
  std::size_t page = 0;
  // Continue after the row with this key (from a PageToken); otherwise start at page * page_size.
  std::optional<std::int64_t> after_key;
};

template <class T>
struct Page {
  std::vector<T> items;
  bool has_more = false;
  std::int64_t last_key = 0;  // key of the last item, for the next PageToken
};

}  // namespace sb::store
