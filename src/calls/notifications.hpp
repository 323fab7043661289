#pragma once
// Records what Twilio reports to an account (the Notifications resource: errors and warnings
// with Twilio's codes) and logs it once. Signalling loop.

#include "store/store.hpp"

#include <optional>
#include <string>

namespace sb::calls {

struct NotificationInput {
  std::string account_sid;
  std::optional<std::string> call_sid;
  int log = 0;  // 0 error, 1 warning
  int error_code = 0;
  std::string message;
  std::optional<std::string> request_method;
  std::optional<std::string> request_url;
  std::optional<std::string> request_variables;
  std::optional<std::string> response_headers;
  std::optional<std::string> response_body;
};

void record_notification(store::Store& store, NotificationInput input);

}  // namespace sb::calls
