#pragma once
// The store: every repository behind one interface, so a second backend (PostgreSQL) replaces
// the implementation without touching callers. Owned by app/; used on the signalling loop.

#include "store/account_repository.hpp"
#include "store/application_repository.hpp"
#include "store/call_repository.hpp"
#include "store/incoming_phone_number_repository.hpp"
#include "store/key_repository.hpp"
#include "store/notification_repository.hpp"
#include "store/recording_repository.hpp"
#include "store/sip_credential_list_repository.hpp"
#include "store/sip_domain_repository.hpp"
#include "store/sip_ip_access_control_list_repository.hpp"
#include "store/sip_registration_repository.hpp"

#include <functional>

namespace sb::store {

class Store {
 public:
  virtual ~Store() = default;
  virtual AccountRepository& accounts() = 0;
  virtual ApplicationRepository& applications() = 0;
  virtual CallRepository& calls() = 0;
  virtual IncomingPhoneNumberRepository& incoming_phone_numbers() = 0;
  virtual KeyRepository& keys() = 0;
  virtual NotificationRepository& notifications() = 0;
  virtual RecordingRepository& recordings() = 0;
  virtual SipDomainRepository& sip_domains() = 0;
  virtual SipCredentialListRepository& sip_credential_lists() = 0;
  virtual SipIpAccessControlListRepository& sip_ip_access_control_lists() = 0;
  virtual SipRegistrationRepository& sip_registrations() = 0;
  // Runs `f` on the signalling loop once every write submitted before this call has committed (or
  // failed): what a webhook is about to announce is then readable through the API. At once (before
  // returning) when nothing is waiting to be written. After close() `f` never runs.
  virtual void after_writes(std::function<void()> f) = 0;
  // Finishes every queued write, then closes the database. Idempotent.
  virtual void close() = 0;
};

}  // namespace sb::store
