#include "store/sqlite/tables.hpp"

namespace sb::store::sqlite {
namespace {

constexpr std::string_view kColumns =
    "id, sid, account_sid, call_sid, log, error_code, message_text, more_info, request_method, "
    "request_url, request_variables, response_headers, response_body, message_date, date_created, "
    "date_updated FROM notifications";

Notification read_notification(const Statement& row) {
  return Notification{
      .sid = row.column_text(1),
      .account_sid = row.column_text(2),
      .call_sid = row.column_optional_text(3),
      .log = static_cast<int>(row.column_int(4)),
      .error_code = row.column_text(5),
      .message_text = row.column_text(6),
      .more_info = row.column_text(7),
      .request_method = row.column_optional_text(8),
      .request_url = row.column_optional_text(9),
      .request_variables = row.column_optional_text(10),
      .response_headers = row.column_optional_text(11),
      .response_body = row.column_optional_text(12),
      .message_date = from_db(row.column_int(13)),
      .date_created = from_db(row.column_int(14)),
      .date_updated = from_db(row.column_int(15)),
  };
}

}  // namespace

std::optional<Notification> NotificationTable::find(std::string_view account_sid,
                                                    std::string_view sid) {
  auto stmt =
      reader_.prepare(fmt::format("SELECT {} WHERE sid = ?1 AND account_sid = ?2", kColumns));
  stmt.bind(1, sid).bind(2, account_sid);
  if (!stmt.step()) return std::nullopt;
  return read_notification(stmt);
}

Page<Notification> NotificationTable::list(const NotificationFilter& filter, const PageQuery& page) {
  std::string sql = fmt::format("SELECT {} WHERE account_sid = ?1", kColumns);
  if (filter.call_sid) sql += " AND call_sid = ?2";
  if (filter.log) sql += " AND log = ?3";
  if (filter.message_date_on_or_after) sql += " AND message_date >= ?4";
  if (filter.message_date_before) sql += " AND message_date < ?5";
  return read_page<Notification>(
      reader_, std::move(sql), page,
      [&](Statement& stmt) {
        stmt.bind(1, filter.account_sid);
        if (filter.call_sid) stmt.bind(2, *filter.call_sid);
        if (filter.log) stmt.bind(3, std::int64_t{*filter.log});
        if (filter.message_date_on_or_after) stmt.bind(4, to_db(*filter.message_date_on_or_after));
        if (filter.message_date_before) stmt.bind(5, to_db(*filter.message_date_before));
      },
      read_notification);
}

void NotificationTable::insert(const Notification& n, Completion done) {
  writer_.submit(
      [n](Connection& db) {
        auto stmt = db.prepare(
            "INSERT INTO notifications (sid, account_sid, call_sid, log, error_code, message_text, "
            "more_info, request_method, request_url, request_variables, response_headers, "
            "response_body, message_date, date_created, date_updated) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
        stmt.bind(1, n.sid)
            .bind(2, n.account_sid)
            .bind_optional(3, n.call_sid)
            .bind(4, std::int64_t{n.log})
            .bind(5, n.error_code)
            .bind(6, n.message_text)
            .bind(7, n.more_info)
            .bind_optional(8, n.request_method)
            .bind_optional(9, n.request_url)
            .bind_optional(10, n.request_variables)
            .bind_optional(11, n.response_headers)
            .bind_optional(12, n.response_body)
            .bind(13, to_db(n.message_date))
            .bind(14, to_db(n.date_created))
            .bind(15, to_db(n.date_updated));
        return stmt.run();
      },
      std::move(done));
}

void NotificationTable::remove(std::string_view sid, Completion done) {
  writer_.submit(
      [sid = std::string(sid)](Connection& db) {
        auto stmt = db.prepare("DELETE FROM notifications WHERE sid = ?1");
        stmt.bind(1, sid);
        return stmt.run();
      },
      std::move(done));
}

}  // namespace sb::store::sqlite
