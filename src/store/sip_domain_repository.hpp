#pragma once
// SIP domains (SD...) and the credential lists and IP access control lists mapped to them, plus
// the lookups the SIP layer makes when a request arrives for a domain.

#include "store/account_repository.hpp"

#include <cstddef>
#include <vector>

namespace sb::store {

struct SipDomain {
  std::string sid;
  std::string account_sid;
  std::string domain_name;  // lower case, unique across all accounts
  std::string friendly_name;
  std::string api_version = "2010-04-01";
  std::optional<std::string> voice_url;
  std::string voice_method = "POST";
  std::optional<std::string> voice_fallback_url;
  std::string voice_fallback_method = "POST";
  std::optional<std::string> voice_status_callback_url;
  std::string voice_status_callback_method = "POST";
  bool sip_registration = false;
  bool emergency_calling_enabled = false;
  bool secure = false;
  std::optional<std::string> byoc_trunk_sid;
  std::optional<std::string> emergency_caller_sid;
  SystemTime date_created;
  SystemTime date_updated;
};

// What a credential-list mapping authenticates. Twilio's legacy /CredentialListMappings and
// /Auth/Calls/CredentialListMappings are the same kCalls mappings.
enum class SipAuthPurpose { kCalls, kRegistrations };

// A list mapped to a domain: a credential list (CL...) or an IP access control list (AL...).
struct SipDomainMapping {
  std::string domain_sid;
  std::string list_sid;
  std::string account_sid;
  std::string friendly_name;  // the mapped list's, read with the mapping (not written)
  SystemTime date_created;
  SystemTime date_updated;
};

// A credential found for a digest challenge: the HA1s to check the response against.
struct SipDigestCredential {
  std::string credential_sid;
  std::string credential_list_sid;
  std::string username;
  std::string ha1_md5;
  std::string ha1_sha256;
};

class SipDomainRepository {
 public:
  virtual ~SipDomainRepository() = default;

  virtual std::optional<SipDomain> find(std::string_view account_sid, std::string_view sid) = 0;
  // The domain of any account named `domain_name` (compared without case).
  virtual std::optional<SipDomain> find_by_name(std::string_view domain_name) = 0;
  virtual Page<SipDomain> list(std::string_view account_sid, const PageQuery& page) = 0;
  virtual std::size_t count(std::string_view account_sid) = 0;
  // True when another domain's name ends with "." + `domain_name`.
  virtual bool has_subdomains(std::string_view domain_name) = 0;
  // Inserts or replaces. `done` gets std::errc::file_exists when the domain name is taken.
  virtual void save(const SipDomain& domain, Completion done) = 0;
  // Removes the domain and its mappings.
  virtual void remove(std::string_view sid, Completion done) = 0;

  // Credential-list mappings; `list_sid` is the CL... sid.
  virtual std::optional<SipDomainMapping> find_credential_list_mapping(std::string_view domain_sid,
                                                                       SipAuthPurpose purpose,
                                                                       std::string_view list_sid) = 0;
  virtual Page<SipDomainMapping> list_credential_list_mappings(std::string_view domain_sid,
                                                               SipAuthPurpose purpose,
                                                               const PageQuery& page) = 0;
  virtual std::size_t count_credential_list_mappings(std::string_view domain_sid, SipAuthPurpose purpose) = 0;
  // `done` gets std::errc::file_exists when the list is already mapped for `purpose`.
  virtual void add_credential_list_mapping(const SipDomainMapping& mapping, SipAuthPurpose purpose,
                                           Completion done) = 0;
  virtual void remove_credential_list_mapping(std::string_view domain_sid, SipAuthPurpose purpose,
                                              std::string_view list_sid, Completion done) = 0;

  // IP access control list mappings (calls only); `list_sid` is the AL... sid.
  virtual std::optional<SipDomainMapping> find_ip_access_control_list_mapping(std::string_view domain_sid,
                                                                              std::string_view list_sid) = 0;
  virtual Page<SipDomainMapping> list_ip_access_control_list_mappings(std::string_view domain_sid,
                                                                      const PageQuery& page) = 0;
  // `done` gets std::errc::file_exists when the list is already mapped.
  virtual void add_ip_access_control_list_mapping(const SipDomainMapping& mapping, Completion done) = 0;
  virtual void remove_ip_access_control_list_mapping(std::string_view domain_sid, std::string_view list_sid,
                                                     Completion done) = 0;

  // Twilio's auth_type: "CREDENTIAL_LIST" and/or "IP_ACL" for the kinds of call mappings, in the
  // order they were first mapped, comma-separated; "" when the domain has no call mappings.
  virtual std::string auth_type(std::string_view domain_sid) = 0;

  // For the SIP layer. The credentials named `username` in the lists mapped to the domain for
  // `purpose`, oldest mapping first (a username may appear in more than one mapped list).
  virtual std::vector<SipDigestCredential> find_credentials(std::string_view domain_sid,
                                                            SipAuthPurpose purpose,
                                                            std::string_view username) = 0;
  // True when `source_address` (IPv4, or IPv4-mapped IPv6) lies in an entry of an IP access
  // control list mapped to the domain. False for any other address or when nothing is mapped.
  virtual bool is_ip_allowed(std::string_view domain_sid, std::string_view source_address) = 0;
};

}  // namespace sb::store
