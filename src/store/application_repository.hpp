#pragma once
// Applications (AP...): a reusable set of voice URLs and callbacks that calls and phone numbers
// refer to by ApplicationSid.

#include "store/account_repository.hpp"

namespace sb::store {

struct Application {
  std::string sid;
  std::string account_sid;
  std::string friendly_name;
  std::string api_version = "2010-04-01";
  std::optional<std::string> voice_url;
  std::string voice_method = "POST";
  std::optional<std::string> voice_fallback_url;
  std::string voice_fallback_method = "POST";
  std::optional<std::string> status_callback;
  std::string status_callback_method = "POST";
  bool voice_caller_id_lookup = false;
  std::optional<std::string> sms_url;
  std::string sms_method = "POST";
  std::optional<std::string> sms_fallback_url;
  std::string sms_fallback_method = "POST";
  std::optional<std::string> sms_status_callback;
  std::optional<std::string> message_status_callback;
  bool public_application_connect_enabled = true;
  SystemTime date_created;
  SystemTime date_updated;
};

class ApplicationRepository {
 public:
  virtual ~ApplicationRepository() = default;
  virtual std::optional<Application> find(std::string_view account_sid, std::string_view sid) = 0;
  virtual Page<Application> list(std::string_view account_sid,
                                 const std::optional<std::string>& friendly_name,
                                 const PageQuery& page) = 0;
  // Inserts, or replaces every field of the application with the same sid.
  virtual void save(const Application& application, Completion done) = 0;
  virtual void remove(std::string_view sid, Completion done) = 0;
};

}  // namespace sb::store
