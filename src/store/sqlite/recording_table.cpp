#include "store/sqlite/tables.hpp"

namespace sb::store::sqlite {
namespace {

constexpr std::string_view kColumns =
    "id, sid, account_sid, call_sid, status, source, track, channels, duration, error_code, file, "
    "start_time, date_created, date_updated FROM recordings";

Recording read_recording(const Statement& row) {
  const auto code = row.column_optional_int(9);
  return Recording{
      .sid = row.column_text(1),
      .account_sid = row.column_text(2),
      .call_sid = row.column_text(3),
      .status = row.column_text(4),
      .source = row.column_text(5),
      .track = row.column_text(6),
      .channels = static_cast<int>(row.column_int(7)),
      .duration = row.column_optional_int(8),
      .error_code = code ? std::optional<int>(static_cast<int>(*code)) : std::nullopt,
      .file = row.column_text(10),
      .start_time = from_db(row.column_int(11)),
      .date_created = from_db(row.column_int(12)),
      .date_updated = from_db(row.column_int(13)),
  };
}

}  // namespace

std::optional<Recording> RecordingTable::find(std::string_view account_sid, std::string_view sid) {
  auto stmt = reader_.prepare(fmt::format("SELECT {} WHERE sid = ?1 AND account_sid = ?2", kColumns));
  stmt.bind(1, sid).bind(2, account_sid);
  if (!stmt.step()) return std::nullopt;
  return read_recording(stmt);
}

Page<Recording> RecordingTable::list(const RecordingFilter& f, const PageQuery& page) {
  std::string sql = fmt::format("SELECT {} WHERE account_sid = ?1", kColumns);
  if (f.call_sid) sql += " AND call_sid = ?2";
  if (f.created_on_or_after) sql += " AND date_created >= ?3";
  if (f.created_before) sql += " AND date_created < ?4";
  return read_page<Recording>(
      reader_, std::move(sql), page,
      [&](Statement& stmt) {
        stmt.bind(1, f.account_sid);
        if (f.call_sid) stmt.bind(2, *f.call_sid);
        if (f.created_on_or_after) stmt.bind(3, to_db(*f.created_on_or_after));
        if (f.created_before) stmt.bind(4, to_db(*f.created_before));
      },
      read_recording, Order::kNewestFirst);
}

void RecordingTable::save(const Recording& r, Completion done) {
  writer_.submit(
      [r](Connection& db) {
        auto stmt = db.prepare(
            "INSERT INTO recordings (sid, account_sid, call_sid, status, source, track, channels, duration, "
            "error_code, file, start_time, date_created, date_updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
            "?9, ?10, ?11, ?12, ?13) ON CONFLICT(sid) DO UPDATE SET status = ?4, channels = ?7, duration = ?8, "
            "error_code = ?9, file = ?10, date_updated = ?13");
        std::optional<std::int64_t> code;
        if (r.error_code) code = *r.error_code;
        stmt.bind(1, r.sid)
            .bind(2, r.account_sid)
            .bind(3, r.call_sid)
            .bind(4, r.status)
            .bind(5, r.source)
            .bind(6, r.track)
            .bind(7, std::int64_t{r.channels})
            .bind_optional(8, r.duration)
            .bind_optional(9, code)
            .bind(10, r.file)
            .bind(11, to_db(r.start_time))
            .bind(12, to_db(r.date_created))
            .bind(13, to_db(r.date_updated));
        return stmt.run();
      },
      std::move(done));
}

void RecordingTable::remove(std::string_view sid, Completion done) {
  writer_.submit(
      [sid = std::string(sid)](Connection& db) {
        auto stmt = db.prepare("DELETE FROM recordings WHERE sid = ?1");
        stmt.bind(1, sid);
        return stmt.run();
      },
      std::move(done));
}

}  // namespace sb::store::sqlite
