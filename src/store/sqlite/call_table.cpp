#include "store/sqlite/tables.hpp"

namespace sb::store::sqlite {
namespace {

constexpr std::string_view kColumns =
    "id, sid, account_sid, parent_call_sid, to_address, from_address, to_formatted, from_formatted, "
    "status, direction, answered_by, caller_name, forwarded_from, phone_number_sid, trunk_sid, "
    "group_sid, start_time, end_time, duration, queue_time, price, price_unit, api_version, "
    "sip_call_id, sip_response_code, control, date_created, date_updated FROM calls";

Call read_call(const Statement& row) {
  const auto code = row.column_optional_int(24);
  return Call{
      .sid = row.column_text(1),
      .account_sid = row.column_text(2),
      .parent_call_sid = row.column_optional_text(3),
      .to = row.column_text(4),
      .from = row.column_text(5),
      .to_formatted = row.column_text(6),
      .from_formatted = row.column_text(7),
      .status = row.column_text(8),
      .direction = row.column_text(9),
      .answered_by = row.column_optional_text(10),
      .caller_name = row.column_optional_text(11),
      .forwarded_from = row.column_optional_text(12),
      .phone_number_sid = row.column_optional_text(13),
      .trunk_sid = row.column_optional_text(14),
      .group_sid = row.column_optional_text(15),
      .start_time = from_db(row.column_optional_int(16)),
      .end_time = from_db(row.column_optional_int(17)),
      .duration = row.column_optional_int(18),
      .queue_time = row.column_optional_int(19),
      .price = row.column_optional_text(20),
      .price_unit = row.column_text(21),
      .api_version = row.column_text(22),
      .sip_call_id = row.column_optional_text(23),
      .sip_response_code = code ? std::optional<int>(static_cast<int>(*code)) : std::nullopt,
      .control = row.column_text(25),
      .date_created = from_db(row.column_int(26)),
      .date_updated = from_db(row.column_int(27)),
  };
}

}  // namespace

std::optional<Call> CallTable::find(std::string_view account_sid, std::string_view sid) {
  auto stmt = reader_.prepare(fmt::format("SELECT {} WHERE sid = ?1 AND account_sid = ?2", kColumns));
  stmt.bind(1, sid).bind(2, account_sid);
  if (!stmt.step()) return std::nullopt;
  return read_call(stmt);
}

Page<Call> CallTable::list(const CallFilter& f, const PageQuery& page) {
  std::string sql = fmt::format("SELECT {} WHERE account_sid = ?1", kColumns);
  if (f.to) sql += " AND to_address = ?2";
  if (f.from) sql += " AND from_address = ?3";
  if (f.parent_call_sid) sql += " AND parent_call_sid = ?4";
  if (f.status) sql += " AND status = ?5";
  if (f.start_time_from) sql += " AND start_time >= ?6";
  if (f.start_time_before) sql += " AND start_time < ?7";
  if (f.end_time_from) sql += " AND end_time >= ?8";
  if (f.end_time_before) sql += " AND end_time < ?9";
  return read_page<Call>(
      reader_, std::move(sql), page,
      [&](Statement& stmt) {
        stmt.bind(1, f.account_sid);
        if (f.to) stmt.bind(2, *f.to);
        if (f.from) stmt.bind(3, *f.from);
        if (f.parent_call_sid) stmt.bind(4, *f.parent_call_sid);
        if (f.status) stmt.bind(5, *f.status);
        if (f.start_time_from) stmt.bind(6, to_db(*f.start_time_from));
        if (f.start_time_before) stmt.bind(7, to_db(*f.start_time_before));
        if (f.end_time_from) stmt.bind(8, to_db(*f.end_time_from));
        if (f.end_time_before) stmt.bind(9, to_db(*f.end_time_before));
      },
      read_call, Order::kNewestFirst);
}

void CallTable::save(const Call& c, Completion done) {
  writer_.submit(
      [c](Connection& db) {
        auto stmt = db.prepare(
            "INSERT INTO calls (sid, account_sid, parent_call_sid, to_address, from_address, "
            "to_formatted, from_formatted, status, direction, answered_by, caller_name, "
            "forwarded_from, phone_number_sid, trunk_sid, group_sid, start_time, end_time, duration, "
            "queue_time, price, price_unit, api_version, sip_call_id, sip_response_code, control, "
            "date_created, date_updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
            "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27) "
            "ON CONFLICT(sid) DO UPDATE SET status = ?8, answered_by = ?10, caller_name = ?11, "
            "forwarded_from = ?12, phone_number_sid = ?13, trunk_sid = ?14, group_sid = ?15, "
            "start_time = ?16, end_time = ?17, duration = ?18, queue_time = ?19, price = ?20, "
            "price_unit = ?21, sip_call_id = ?23, sip_response_code = ?24, control = ?25, "
            "date_updated = ?27");
        std::optional<std::int64_t> code;
        if (c.sip_response_code) code = *c.sip_response_code;
        // Without copies: `c` outlives the statement's use.
        stmt.bind_view(1, c.sid)
            .bind_view(2, c.account_sid)
            .bind_optional_view(3, c.parent_call_sid)
            .bind_view(4, c.to)
            .bind_view(5, c.from)
            .bind_view(6, c.to_formatted)
            .bind_view(7, c.from_formatted)
            .bind_view(8, c.status)
            .bind_view(9, c.direction)
            .bind_optional_view(10, c.answered_by)
            .bind_optional_view(11, c.caller_name)
            .bind_optional_view(12, c.forwarded_from)
            .bind_optional_view(13, c.phone_number_sid)
            .bind_optional_view(14, c.trunk_sid)
            .bind_optional_view(15, c.group_sid)
            .bind_optional(16, to_db(c.start_time))
            .bind_optional(17, to_db(c.end_time))
            .bind_optional(18, c.duration)
            .bind_optional(19, c.queue_time)
            .bind_optional_view(20, c.price)
            .bind_view(21, c.price_unit)
            .bind_view(22, c.api_version)
            .bind_optional_view(23, c.sip_call_id)
            .bind_optional(24, code)
            .bind_view(25, c.control)
            .bind(26, to_db(c.date_created))
            .bind(27, to_db(c.date_updated));
        return stmt.run();
      },
      std::move(done), c.sid);
}

void CallTable::remove(std::string_view sid, Completion done) {
  writer_.submit(
      [sid = std::string(sid)](Connection& db) {
        auto stmt = db.prepare("DELETE FROM calls WHERE sid = ?1");
        stmt.bind(1, sid);
        return stmt.run();
      },
      std::move(done));
}

}  // namespace sb::store::sqlite
