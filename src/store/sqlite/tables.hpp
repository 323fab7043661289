#pragma once
// The SQLite repositories. Each reads through the loop's connection and writes through the Writer.

#include "store/sqlite/connection.hpp"
#include "store/sqlite/row_cache.hpp"
#include "store/sqlite/writer.hpp"
#include "store/store.hpp"

#include <fmt/format.h>

#include <string>

namespace sb::store::sqlite {

// Reads a list query: appends LIMIT/OFFSET or the keyset condition and maps rows with `read_row`.
// `sql` must select the row id first and end with a WHERE clause (use "WHERE 1" when unfiltered).
enum class Order { kOldestFirst, kNewestFirst };

template <class T, class Bind, class ReadRow>
Page<T> read_page(Connection& connection, std::string sql, const PageQuery& page, Bind bind,
                  ReadRow read_row, Order order = Order::kOldestFirst);

// What every table reads through (the loop's connection) and writes through (the writer).
class TableAccess {
 public:
  TableAccess(Connection& reader, Writer& writer) : reader_(reader), writer_(writer) {}

 protected:
  Connection& reader_;
  Writer& writer_;
};

class AccountTable final : public AccountRepository, private TableAccess {
 public:
  using TableAccess::TableAccess;
  std::optional<Account> find(std::string_view sid) override;
  std::optional<Account> find_first_main() override;
  Page<Account> list(const AccountFilter& filter, const PageQuery& page) override;
  void insert(const Account& account, Completion done) override;
  void update(const Account& account, Completion done) override;

 private:
  // By SID: every REST request and every call looks its account up (row_cache.hpp).
  RowCache<Account> by_sid_;
};

class ApplicationTable final : public ApplicationRepository, private TableAccess {
 public:
  using TableAccess::TableAccess;
  std::optional<Application> find(std::string_view account_sid, std::string_view sid) override;
  Page<Application> list(std::string_view account_sid, const std::optional<std::string>& friendly_name,
                         const PageQuery& page) override;
  void save(const Application& application, Completion done) override;
  void remove(std::string_view sid, Completion done) override;
};

class IncomingPhoneNumberTable final : public IncomingPhoneNumberRepository, private TableAccess {
 public:
  using TableAccess::TableAccess;
  std::optional<IncomingPhoneNumber> find(std::string_view account_sid, std::string_view sid) override;
  std::optional<IncomingPhoneNumber> find_by_phone_number(std::string_view e164) override;
  Page<IncomingPhoneNumber> list(const IncomingPhoneNumberFilter& filter, const PageQuery& page) override;
  void save(const IncomingPhoneNumber& number, Completion done) override;
  void remove(std::string_view sid, Completion done) override;
};

class CallTable final : public CallRepository, private TableAccess {
 public:
  using TableAccess::TableAccess;
  std::optional<Call> find(std::string_view account_sid, std::string_view sid) override;
  Page<Call> list(const CallFilter& filter, const PageQuery& page) override;
  void save(const Call& call, Completion done) override;
  void remove(std::string_view sid, Completion done) override;
};

class RecordingTable final : public RecordingRepository, private TableAccess {
 public:
  using TableAccess::TableAccess;
  std::optional<Recording> find(std::string_view account_sid, std::string_view sid) override;
  Page<Recording> list(const RecordingFilter& filter, const PageQuery& page) override;
  void save(const Recording& recording, Completion done) override;
  void remove(std::string_view sid, Completion done) override;
};

class KeyTable final : public KeyRepository, private TableAccess {
 public:
  using TableAccess::TableAccess;
  std::optional<ApiKey> find(std::string_view sid) override;
  Page<ApiKey> list(std::string_view account_sid, const PageQuery& page) override;
  void insert(const ApiKey& key, Completion done) override;
  void update(const ApiKey& key, Completion done) override;
  void remove(std::string_view sid, Completion done) override;
};

class NotificationTable final : public NotificationRepository, private TableAccess {
 public:
  using TableAccess::TableAccess;
  std::optional<Notification> find(std::string_view account_sid, std::string_view sid) override;
  Page<Notification> list(const NotificationFilter& filter, const PageQuery& page) override;
  void insert(const Notification& notification, Completion done) override;
  void remove(std::string_view sid, Completion done) override;
};

class SipDomainTable final : public SipDomainRepository, private TableAccess {
 public:
  using TableAccess::TableAccess;
  std::optional<SipDomain> find(std::string_view account_sid, std::string_view sid) override;
  std::optional<SipDomain> find_by_name(std::string_view domain_name) override;
  Page<SipDomain> list(std::string_view account_sid, const PageQuery& page) override;
  std::size_t count(std::string_view account_sid) override;
  bool has_subdomains(std::string_view domain_name) override;
  void save(const SipDomain& domain, Completion done) override;
  void remove(std::string_view sid, Completion done) override;
  std::optional<SipDomainMapping> find_credential_list_mapping(std::string_view domain_sid, SipAuthPurpose purpose,
                                                               std::string_view list_sid) override;
  Page<SipDomainMapping> list_credential_list_mappings(std::string_view domain_sid, SipAuthPurpose purpose,
                                                       const PageQuery& page) override;
  std::size_t count_credential_list_mappings(std::string_view domain_sid, SipAuthPurpose purpose) override;
  void add_credential_list_mapping(const SipDomainMapping& mapping, SipAuthPurpose purpose,
                                   Completion done) override;
  void remove_credential_list_mapping(std::string_view domain_sid, SipAuthPurpose purpose,
                                      std::string_view list_sid, Completion done) override;
  std::optional<SipDomainMapping> find_ip_access_control_list_mapping(std::string_view domain_sid,
                                                                      std::string_view list_sid) override;
  Page<SipDomainMapping> list_ip_access_control_list_mappings(std::string_view domain_sid,
                                                              const PageQuery& page) override;
  void add_ip_access_control_list_mapping(const SipDomainMapping& mapping, Completion done) override;
  void remove_ip_access_control_list_mapping(std::string_view domain_sid, std::string_view list_sid,
                                             Completion done) override;
  std::string auth_type(std::string_view domain_sid) override;
  std::vector<SipDigestCredential> find_credentials(std::string_view domain_sid, SipAuthPurpose purpose,
                                                    std::string_view username) override;
  bool is_ip_allowed(std::string_view domain_sid, std::string_view source_address) override;

 private:
  // The domain as it is in the database (not through the cache): for writes.
  std::optional<SipDomain> read_by_sid(std::string_view sid);
  std::optional<SipDomain> read_by_name(std::string_view lower_name);
  // The domain as it is now: in the cache if a write in flight changed it, else as stored.
  std::optional<SipDomain> current_by_sid(std::string_view sid);
  // Records that `name` no longer names the domain `sid`, unless another domain took it.
  void forget_name(const std::string& name, std::string_view sid);

  // By lower-case name: every INVITE and every <Dial><Sip> target asks whether its host is a
  // domain (row_cache.hpp).
  RowCache<SipDomain> by_name_;
};

class SipCredentialListTable final : public SipCredentialListRepository, private TableAccess {
 public:
  using TableAccess::TableAccess;
  std::optional<SipCredentialList> find(std::string_view account_sid, std::string_view sid) override;
  std::optional<SipCredentialList> find_by_friendly_name(std::string_view account_sid,
                                                         std::string_view friendly_name) override;
  Page<SipCredentialList> list(std::string_view account_sid, const PageQuery& page) override;
  std::size_t count(std::string_view account_sid) override;
  bool is_mapped(std::string_view sid) override;
  void save(const SipCredentialList& list, Completion done) override;
  void remove(std::string_view sid, Completion done) override;
  std::optional<SipCredential> find_credential(std::string_view credential_list_sid, std::string_view sid) override;
  std::optional<SipCredential> find_credential_by_username(std::string_view credential_list_sid,
                                                           std::string_view username) override;
  Page<SipCredential> list_credentials(std::string_view credential_list_sid, const PageQuery& page) override;
  std::size_t count_credentials(std::string_view credential_list_sid) override;
  void save_credential(const SipCredential& credential, Completion done) override;
  void remove_credential(std::string_view sid, Completion done) override;
};

class SipIpAccessControlListTable final : public SipIpAccessControlListRepository, private TableAccess {
 public:
  using TableAccess::TableAccess;
  std::optional<SipIpAccessControlList> find(std::string_view account_sid, std::string_view sid) override;
  std::optional<SipIpAccessControlList> find_by_friendly_name(std::string_view account_sid,
                                                              std::string_view friendly_name) override;
  Page<SipIpAccessControlList> list(std::string_view account_sid, const PageQuery& page) override;
  std::size_t count(std::string_view account_sid) override;
  bool is_mapped(std::string_view sid) override;
  void save(const SipIpAccessControlList& list, Completion done) override;
  void remove(std::string_view sid, Completion done) override;
  std::optional<SipIpAddress> find_address(std::string_view ip_access_control_list_sid,
                                           std::string_view sid) override;
  std::optional<SipIpAddress> find_address_by_ip(std::string_view ip_access_control_list_sid,
                                                 std::string_view ip_address) override;
  Page<SipIpAddress> list_addresses(std::string_view ip_access_control_list_sid, const PageQuery& page) override;
  std::size_t count_addresses(std::string_view ip_access_control_list_sid) override;
  void save_address(const SipIpAddress& address, Completion done) override;
  void remove_address(std::string_view sid, Completion done) override;
};

class SipRegistrationTable final : public SipRegistrationRepository, private TableAccess {
 public:
  using TableAccess::TableAccess;
  std::vector<SipRegistration> list_all() override;
  void save(const SipRegistration& registration, Completion done) override;
  void remove(std::string_view domain_sid, std::string_view aor_user, std::string_view contact_uri,
              Completion done) override;
  void remove_expired(SystemTime now, Completion done) override;
};

// A unique constraint failed: the write would duplicate a name (std::errc::file_exists).
std::error_code unique_violation_as_exists(std::error_code ec);

// A COUNT(*) query with its parameters bound by `bind`.
template <class Bind>
std::size_t count_rows(Connection& connection, std::string_view sql, Bind bind) {
  auto stmt = connection.prepare(sql);
  bind(stmt);
  return stmt.step() ? static_cast<std::size_t>(stmt.column_int(0)) : 0;
}

template <class T, class Bind, class ReadRow>
Page<T> read_page(Connection& connection, std::string sql, const PageQuery& page, Bind bind,
                  ReadRow read_row, Order order) {
  const bool newest_first = order == Order::kNewestFirst;
  if (page.after_key) sql += newest_first ? " AND id < ?99" : " AND id > ?99";
  sql += newest_first ? " ORDER BY id DESC" : " ORDER BY id";
  sql += " LIMIT ?97 OFFSET ?98";
  auto stmt = connection.prepare(sql);
  bind(stmt);
  if (page.after_key) stmt.bind(99, *page.after_key);
  stmt.bind(97, static_cast<std::int64_t>(page.page_size + 1));
  stmt.bind(98, page.after_key ? std::int64_t{0}
                               : static_cast<std::int64_t>(page.page * page.page_size));
  Page<T> result;
  while (stmt.step()) {
    if (result.items.size() == page.page_size) {
      result.has_more = true;
      break;
    }
    result.last_key = stmt.column_int(0);
    result.items.push_back(read_row(stmt));
  }
  return result;
}

// Seconds since the epoch, the stored form of every date.
inline std::int64_t to_db(SystemTime t) { return t.time_since_epoch().count(); }
inline SystemTime from_db(std::int64_t s) { return SystemTime{std::chrono::seconds{s}}; }
inline std::optional<std::int64_t> to_db(const std::optional<SystemTime>& t) {
  return t ? std::optional<std::int64_t>(to_db(*t)) : std::nullopt;
}
inline std::optional<SystemTime> from_db(const std::optional<std::int64_t>& s) {
  return s ? std::optional<SystemTime>(from_db(*s)) : std::nullopt;
}

}  // namespace sb::store::sqlite
