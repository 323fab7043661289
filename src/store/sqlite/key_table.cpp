#include "store/sqlite/tables.hpp"

namespace sb::store::sqlite {
namespace {

constexpr std::string_view kColumns =
    "id, sid, account_sid, friendly_name, secret_sha256, is_main, date_created, date_updated "
    "FROM api_keys";

ApiKey read_key(const Statement& row) {
  return ApiKey{
      .sid = row.column_text(1),
      .account_sid = row.column_text(2),
      .friendly_name = row.column_text(3),
      .secret_sha256 = row.column_text(4),
      .is_main = row.column_int(5) != 0,
      .date_created = from_db(row.column_int(6)),
      .date_updated = from_db(row.column_int(7)),
  };
}

}  // namespace

std::optional<ApiKey> KeyTable::find(std::string_view sid) {
  auto stmt = reader_.prepare(fmt::format("SELECT {} WHERE sid = ?1", kColumns));
  stmt.bind(1, sid);
  if (!stmt.step()) return std::nullopt;
  return read_key(stmt);
}

Page<ApiKey> KeyTable::list(std::string_view account_sid, const PageQuery& page) {
  return read_page<ApiKey>(
      reader_, fmt::format("SELECT {} WHERE account_sid = ?1", kColumns), page,
      [&](Statement& stmt) { stmt.bind(1, account_sid); }, read_key);
}

void KeyTable::insert(const ApiKey& key, Completion done) {
  writer_.submit(
      [key](Connection& db) {
        auto stmt = db.prepare(
            "INSERT INTO api_keys (sid, account_sid, friendly_name, secret_sha256, is_main, "
            "date_created, date_updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        stmt.bind(1, key.sid)
            .bind(2, key.account_sid)
            .bind(3, key.friendly_name)
            .bind(4, key.secret_sha256)
            .bind(5, std::int64_t{key.is_main ? 1 : 0})
            .bind(6, to_db(key.date_created))
            .bind(7, to_db(key.date_updated));
        return stmt.run();
      },
      std::move(done));
}

void KeyTable::update(const ApiKey& key, Completion done) {
  writer_.submit(
      [key](Connection& db) {
        auto stmt =
            db.prepare("UPDATE api_keys SET friendly_name = ?2, date_updated = ?3 WHERE sid = ?1");
        stmt.bind(1, key.sid).bind(2, key.friendly_name).bind(3, to_db(key.date_updated));
        return stmt.run();
      },
      std::move(done));
}

void KeyTable::remove(std::string_view sid, Completion done) {
  writer_.submit(
      [sid = std::string(sid)](Connection& db) {
        auto stmt = db.prepare("DELETE FROM api_keys WHERE sid = ?1");
        stmt.bind(1, sid);
        return stmt.run();
      },
      std::move(done));
}

}  // namespace sb::store::sqlite
