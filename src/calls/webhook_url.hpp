#pragma once
// What switchboard accepts as a webhook or callback URL: absolute http(s) with a host.

#include <string_view>

namespace sb::calls {

bool is_webhook_url(std::string_view url);

}  // namespace sb::calls
