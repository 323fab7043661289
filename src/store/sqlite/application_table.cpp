#include "store/sqlite/tables.hpp"

namespace sb::store::sqlite {
namespace {

constexpr std::string_view kColumns =
    "id, sid, account_sid, friendly_name, api_version, voice_url, voice_method, voice_fallback_url, "
    "voice_fallback_method, status_callback, status_callback_method, voice_caller_id_lookup, sms_url, "
    "sms_method, sms_fallback_url, sms_fallback_method, sms_status_callback, message_status_callback, "
    "public_application_connect_enabled, date_created, date_updated FROM applications";

Application read_application(const Statement& row) {
  return Application{
      .sid = row.column_text(1),
      .account_sid = row.column_text(2),
      .friendly_name = row.column_text(3),
      .api_version = row.column_text(4),
      .voice_url = row.column_optional_text(5),
      .voice_method = row.column_text(6),
      .voice_fallback_url = row.column_optional_text(7),
      .voice_fallback_method = row.column_text(8),
      .status_callback = row.column_optional_text(9),
      .status_callback_method = row.column_text(10),
      .voice_caller_id_lookup = row.column_int(11) != 0,
      .sms_url = row.column_optional_text(12),
      .sms_method = row.column_text(13),
      .sms_fallback_url = row.column_optional_text(14),
      .sms_fallback_method = row.column_text(15),
      .sms_status_callback = row.column_optional_text(16),
      .message_status_callback = row.column_optional_text(17),
      .public_application_connect_enabled = row.column_int(18) != 0,
      .date_created = from_db(row.column_int(19)),
      .date_updated = from_db(row.column_int(20)),
  };
}

}  // namespace

std::optional<Application> ApplicationTable::find(std::string_view account_sid, std::string_view sid) {
  auto stmt = reader_.prepare(fmt::format("SELECT {} WHERE sid = ?1 AND account_sid = ?2", kColumns));
  stmt.bind(1, sid).bind(2, account_sid);
  if (!stmt.step()) return std::nullopt;
  return read_application(stmt);
}

Page<Application> ApplicationTable::list(std::string_view account_sid,
                                         const std::optional<std::string>& friendly_name,
                                         const PageQuery& page) {
  std::string sql = fmt::format("SELECT {} WHERE account_sid = ?1", kColumns);
  if (friendly_name) sql += " AND friendly_name = ?2";
  return read_page<Application>(
      reader_, std::move(sql), page,
      [&](Statement& stmt) {
        stmt.bind(1, account_sid);
        if (friendly_name) stmt.bind(2, *friendly_name);
      },
      read_application);
}

void ApplicationTable::save(const Application& a, Completion done) {
  writer_.submit(
      [a](Connection& db) {
        auto stmt = db.prepare(
            "INSERT INTO applications (sid, account_sid, friendly_name, api_version, voice_url, "
            "voice_method, voice_fallback_url, voice_fallback_method, status_callback, "
            "status_callback_method, voice_caller_id_lookup, sms_url, sms_method, sms_fallback_url, "
            "sms_fallback_method, sms_status_callback, message_status_callback, "
            "public_application_connect_enabled, date_created, date_updated) VALUES "
            "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20) "
            "ON CONFLICT(sid) DO UPDATE SET friendly_name = ?3, api_version = ?4, voice_url = ?5, "
            "voice_method = ?6, voice_fallback_url = ?7, voice_fallback_method = ?8, "
            "status_callback = ?9, status_callback_method = ?10, voice_caller_id_lookup = ?11, "
            "sms_url = ?12, sms_method = ?13, sms_fallback_url = ?14, sms_fallback_method = ?15, "
            "sms_status_callback = ?16, message_status_callback = ?17, "
            "public_application_connect_enabled = ?18, date_updated = ?20");
        stmt.bind(1, a.sid)
            .bind(2, a.account_sid)
            .bind(3, a.friendly_name)
            .bind(4, a.api_version)
            .bind_optional(5, a.voice_url)
            .bind(6, a.voice_method)
            .bind_optional(7, a.voice_fallback_url)
            .bind(8, a.voice_fallback_method)
            .bind_optional(9, a.status_callback)
            .bind(10, a.status_callback_method)
            .bind(11, std::int64_t{a.voice_caller_id_lookup ? 1 : 0})
            .bind_optional(12, a.sms_url)
            .bind(13, a.sms_method)
            .bind_optional(14, a.sms_fallback_url)
            .bind(15, a.sms_fallback_method)
            .bind_optional(16, a.sms_status_callback)
            .bind_optional(17, a.message_status_callback)
            .bind(18, std::int64_t{a.public_application_connect_enabled ? 1 : 0})
            .bind(19, to_db(a.date_created))
            .bind(20, to_db(a.date_updated));
        return stmt.run();
      },
      std::move(done));
}

void ApplicationTable::remove(std::string_view sid, Completion done) {
  writer_.submit(
      [sid = std::string(sid)](Connection& db) {
        auto stmt = db.prepare("DELETE FROM applications WHERE sid = ?1");
        stmt.bind(1, sid);
        return stmt.run();
      },
      std::move(done));
}

}  // namespace sb::store::sqlite
