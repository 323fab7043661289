#pragma once
// Notifications: errors and warnings Twilio reports to an account (the 2010 debugger log).

#include "store/account_repository.hpp"

#include <cstdint>

namespace sb::store {

struct Notification {
  std::string sid;
  std::string account_sid;
  std::optional<std::string> call_sid;
  int log = 0;  // 0 error, 1 warning
  std::string error_code;
  std::string message_text;
  std::string more_info;
  std::optional<std::string> request_method;
  std::optional<std::string> request_url;
  std::optional<std::string> request_variables;
  std::optional<std::string> response_headers;
  std::optional<std::string> response_body;
  SystemTime message_date;
  SystemTime date_created;
  SystemTime date_updated;
};

struct NotificationFilter {
  std::string account_sid;
  std::optional<std::string> call_sid;
  std::optional<int> log;
  std::optional<SystemTime> message_date_on_or_after;
  std::optional<SystemTime> message_date_before;
};

class NotificationRepository {
 public:
  virtual ~NotificationRepository() = default;
  virtual std::optional<Notification> find(std::string_view account_sid, std::string_view sid) = 0;
  virtual Page<Notification> list(const NotificationFilter& filter, const PageQuery& page) = 0;
  virtual void insert(const Notification& notification, Completion done) = 0;
  virtual void remove(std::string_view sid, Completion done) = 0;
};

}  // namespace sb::store
