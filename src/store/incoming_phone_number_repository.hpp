#pragma once
// IncomingPhoneNumbers (PN...): the E.164 numbers an operator owns on its SIP trunks, each with the
// voice URLs (or application) that answer a call arriving from a trunk for that number. A number
// belongs to one account at a time, across every account.

#include "store/account_repository.hpp"

namespace sb::store {

struct IncomingPhoneNumber {
  std::string sid;
  std::string account_sid;
  std::string phone_number;  // E.164, unique across accounts
  std::string friendly_name;
  std::string api_version = "2010-04-01";
  std::optional<std::string> voice_url;
  std::string voice_method = "POST";
  std::optional<std::string> voice_fallback_url;
  std::string voice_fallback_method = "POST";
  std::optional<std::string> status_callback;
  std::string status_callback_method = "POST";
  bool voice_caller_id_lookup = false;
  // When set, the application's URLs answer calls instead of voice_url (Twilio's rule).
  std::optional<std::string> voice_application_sid;
  std::optional<std::string> trunk_sid;
  // Stored and rendered only: switchboard does not carry messages.
  std::optional<std::string> sms_url;
  std::string sms_method = "POST";
  std::optional<std::string> sms_fallback_url;
  std::string sms_fallback_method = "POST";
  std::optional<std::string> sms_application_sid;
  SystemTime date_created;
  SystemTime date_updated;
};

struct IncomingPhoneNumberFilter {
  std::string account_sid;
  // Twilio's partial match: the digits (and '*' for any one digit) found anywhere in the number,
  // or at its start when the filter begins with '+'. Other characters are ignored.
  std::optional<std::string> phone_number;
  std::optional<std::string> friendly_name;  // exact
};

class IncomingPhoneNumberRepository {
 public:
  virtual ~IncomingPhoneNumberRepository() = default;
  virtual std::optional<IncomingPhoneNumber> find(std::string_view account_sid, std::string_view sid) = 0;
  // The number's owner, whatever the account: how a call arriving from a trunk finds its
  // application. `e164` must be exactly the stored form ("+14155551212"). Indexed.
  virtual std::optional<IncomingPhoneNumber> find_by_phone_number(std::string_view e164) = 0;
  virtual Page<IncomingPhoneNumber> list(const IncomingPhoneNumberFilter& filter, const PageQuery& page) = 0;
  // Inserts, or replaces every field (the account included) of the number with the same sid.
  // std::errc::file_exists when another record already holds the phone number.
  virtual void save(const IncomingPhoneNumber& number, Completion done) = 0;
  virtual void remove(std::string_view sid, Completion done) = 0;
};

}  // namespace sb::store
