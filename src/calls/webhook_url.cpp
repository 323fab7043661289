#include "calls/webhook_url.hpp"

#include <boost/url/parse.hpp>

namespace sb::calls {

bool is_webhook_url(std::string_view url) {
  const auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return false;
  const auto scheme = parsed->scheme_id();
  return (scheme == boost::urls::scheme::http || scheme == boost::urls::scheme::https) &&
         !parsed->encoded_host().empty();
}

}  // namespace sb::calls
