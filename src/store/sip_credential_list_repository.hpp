#pragma once
// SIP credential lists (CL...) and their credentials (CR...): usernames with the HA1 hashes of
// their passwords (store/sip_digest.hpp), which domains map for call and registration auth.

#include "store/account_repository.hpp"

#include <cstddef>

namespace sb::store {

struct SipCredentialList {
  std::string sid;
  std::string account_sid;
  std::string friendly_name;  // unique within the account
  SystemTime date_created;
  SystemTime date_updated;
};

struct SipCredential {
  std::string sid;
  std::string account_sid;
  std::string credential_list_sid;
  std::string username;    // unique within the list
  std::string ha1_md5;     // MD5(username:kSipDigestRealm:password), lowercase hex
  std::string ha1_sha256;  // SHA-256 of the same, lowercase hex
  SystemTime date_created;
  SystemTime date_updated;
};

class SipCredentialListRepository {
 public:
  virtual ~SipCredentialListRepository() = default;

  virtual std::optional<SipCredentialList> find(std::string_view account_sid, std::string_view sid) = 0;
  virtual std::optional<SipCredentialList> find_by_friendly_name(std::string_view account_sid,
                                                                 std::string_view friendly_name) = 0;
  virtual Page<SipCredentialList> list(std::string_view account_sid, const PageQuery& page) = 0;
  virtual std::size_t count(std::string_view account_sid) = 0;
  // True while any domain maps the list (for calls or registrations).
  virtual bool is_mapped(std::string_view sid) = 0;
  // Inserts or replaces. `done` gets std::errc::file_exists when the friendly name is taken.
  virtual void save(const SipCredentialList& list, Completion done) = 0;
  // Removes the list with its credentials and mappings.
  virtual void remove(std::string_view sid, Completion done) = 0;

  virtual std::optional<SipCredential> find_credential(std::string_view credential_list_sid,
                                                       std::string_view sid) = 0;
  virtual std::optional<SipCredential> find_credential_by_username(std::string_view credential_list_sid,
                                                                   std::string_view username) = 0;
  virtual Page<SipCredential> list_credentials(std::string_view credential_list_sid, const PageQuery& page) = 0;
  virtual std::size_t count_credentials(std::string_view credential_list_sid) = 0;
  // Inserts or replaces. `done` gets std::errc::file_exists when the username is taken in the list.
  virtual void save_credential(const SipCredential& credential, Completion done) = 0;
  virtual void remove_credential(std::string_view sid, Completion done) = 0;
};

}  // namespace sb::store
