#include "calls/notifications.hpp"

#include "core/log.hpp"
#include "core/sid.hpp"

#include <fmt/format.h>

namespace sb::calls {

void record_notification(store::Store& store, NotificationInput in) {
  const auto now = now_seconds();
  store::Notification n{
      .sid = make_sid(sid_prefix::kNotification),
      .account_sid = std::move(in.account_sid),
      .call_sid = std::move(in.call_sid),
      .log = in.log,
      .error_code = std::to_string(in.error_code),
      .message_text = std::move(in.message),
      .more_info = fmt::format("https://www.twilio.com/docs/errors/{}", in.error_code),
      .request_method = std::move(in.request_method),
      .request_url = std::move(in.request_url),
      .request_variables = std::move(in.request_variables),
      .response_headers = std::move(in.response_headers),
      .response_body = std::move(in.response_body),
      .message_date = now,
      .date_created = now,
      .date_updated = now,
  };
  spdlog::log(n.log == 0 ? spdlog::level::err : spdlog::level::warn, "{} {}{}: {}", in.error_code,
              n.account_sid, n.call_sid ? " " + *n.call_sid : "", n.message_text);
  store.notifications().insert(n, [sid = n.sid](std::error_code ec) {
    if (ec) spdlog::error("store: notification {} not saved: {}", sid, ec.message());
  });
}

}  // namespace sb::calls
