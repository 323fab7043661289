#pragma once
// The SQLite repositories. Each reads through the loop's connection and writes through the Writer.

#include "store/sqlite/connection.hpp"
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
