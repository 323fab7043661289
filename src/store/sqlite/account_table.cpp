#include "store/sqlite/tables.hpp"

namespace sb::store::sqlite {
namespace {

constexpr std::string_view kColumns =
    "id, sid, owner_account_sid, friendly_name, status, type, auth_token, date_created, "
    "date_updated FROM accounts";

Account read_account(const Statement& row) {
  return Account{
      .sid = row.column_text(1),
      .owner_account_sid = row.column_optional_text(2).value_or(""),
      .friendly_name = row.column_text(3),
      .status = row.column_text(4),
      .type = row.column_text(5),
      .auth_token = row.column_text(6),
      .date_created = from_db(row.column_int(7)),
      .date_updated = from_db(row.column_int(8)),
  };
}

}  // namespace

std::optional<Account> AccountTable::find(std::string_view sid) {
  if (const auto* cached = by_sid_.find(sid)) return *cached;
  static const std::string sql = fmt::format("SELECT {} WHERE sid = ?1", kColumns);
  auto stmt = reader_.prepare(sql);
  stmt.bind(1, sid);
  std::optional<Account> account;
  if (stmt.step()) account = read_account(stmt);
  by_sid_.fill(sid, account);
  return account;
}

std::optional<Account> AccountTable::find_first_main() {
  auto stmt = reader_.prepare(
      fmt::format("SELECT {} WHERE owner_account_sid IS NULL ORDER BY id LIMIT 1", kColumns));
  if (!stmt.step()) return std::nullopt;
  return read_account(stmt);
}

Page<Account> AccountTable::list(const AccountFilter& filter, const PageQuery& page) {
  std::string sql = fmt::format("SELECT {} WHERE (sid = ?1 OR owner_account_sid = ?1)", kColumns);
  if (filter.friendly_name) sql += " AND friendly_name = ?2";
  if (filter.status) sql += " AND status = ?3";
  return read_page<Account>(
      reader_, std::move(sql), page,
      [&](Statement& stmt) {
        stmt.bind(1, filter.visible_to);
        if (filter.friendly_name) stmt.bind(2, *filter.friendly_name);
        if (filter.status) stmt.bind(3, *filter.status);
      },
      read_account);
}

void AccountTable::insert(const Account& account, Completion done) {
  // Visible to the next find(), unless the insert will fail (the SID is taken, the owner unknown).
  if (!by_sid_.is_bypassed() && !writer_.is_stopped() && !find(account.sid) &&
      (account.owner_account_sid.empty() || find(account.owner_account_sid))) {
    by_sid_.put(account.sid, account);
  }
  done = by_sid_.track(std::move(done));
  writer_.submit(
      [account](Connection& db) {
        auto stmt = db.prepare(
            "INSERT INTO accounts (sid, owner_account_sid, friendly_name, status, type, auth_token, "
            "date_created, date_updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        stmt.bind(1, account.sid);
        if (account.owner_account_sid.empty()) {
          stmt.bind_null(2);
        } else {
          stmt.bind(2, account.owner_account_sid);
        }
        stmt.bind(3, account.friendly_name)
            .bind(4, account.status)
            .bind(5, account.type)
            .bind(6, account.auth_token)
            .bind(7, to_db(account.date_created))
            .bind(8, to_db(account.date_updated));
        return stmt.run();
      },
      std::move(done));
}

void AccountTable::update(const Account& account, Completion done) {
  // Visible to the next find(): the stored row with the columns the UPDATE writes.
  if (!by_sid_.is_bypassed() && !writer_.is_stopped()) {
    if (auto updated = find(account.sid)) {
      updated->friendly_name = account.friendly_name;
      updated->status = account.status;
      updated->auth_token = account.auth_token;
      updated->date_updated = account.date_updated;
      by_sid_.put(account.sid, updated);
    }
  }
  done = by_sid_.track(std::move(done));
  writer_.submit(
      [account](Connection& db) {
        auto stmt = db.prepare(
            "UPDATE accounts SET friendly_name = ?2, status = ?3, auth_token = ?4, date_updated = ?5 "
            "WHERE sid = ?1");
        stmt.bind(1, account.sid)
            .bind(2, account.friendly_name)
            .bind(3, account.status)
            .bind(4, account.auth_token)
            .bind(5, to_db(account.date_updated));
        return stmt.run();
      },
      std::move(done));
}

}  // namespace sb::store::sqlite
