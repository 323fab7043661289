#include "store/sqlite/tables.hpp"

namespace sb::store::sqlite {
namespace {

constexpr std::string_view kColumns =
    "id, sid, account_sid, phone_number, friendly_name, api_version, voice_url, voice_method, "
    "voice_fallback_url, voice_fallback_method, status_callback, status_callback_method, "
    "voice_caller_id_lookup, voice_application_sid, trunk_sid, sms_url, sms_method, sms_fallback_url, "
    "sms_fallback_method, sms_application_sid, date_created, date_updated FROM incoming_phone_numbers";

IncomingPhoneNumber read_number(const Statement& row) {
  return IncomingPhoneNumber{
      .sid = row.column_text(1),
      .account_sid = row.column_text(2),
      .phone_number = row.column_text(3),
      .friendly_name = row.column_text(4),
      .api_version = row.column_text(5),
      .voice_url = row.column_optional_text(6),
      .voice_method = row.column_text(7),
      .voice_fallback_url = row.column_optional_text(8),
      .voice_fallback_method = row.column_text(9),
      .status_callback = row.column_optional_text(10),
      .status_callback_method = row.column_text(11),
      .voice_caller_id_lookup = row.column_int(12) != 0,
      .voice_application_sid = row.column_optional_text(13),
      .trunk_sid = row.column_optional_text(14),
      .sms_url = row.column_optional_text(15),
      .sms_method = row.column_text(16),
      .sms_fallback_url = row.column_optional_text(17),
      .sms_fallback_method = row.column_text(18),
      .sms_application_sid = row.column_optional_text(19),
      .date_created = from_db(row.column_int(20)),
      .date_updated = from_db(row.column_int(21)),
  };
}

// The LIKE pattern of a partial-number filter: digits stay, '*' is any one digit, a leading '+'
// anchors the match at the number's start. nullopt when nothing is left to match.
std::optional<std::string> phone_number_pattern(std::string_view filter) {
  std::string digits;
  for (char c : filter) {
    if (c >= '0' && c <= '9') digits += c;
    if (c == '*') digits += '_';
  }
  if (digits.empty()) return std::nullopt;
  const bool is_anchored = !filter.empty() && filter.front() == '+';
  return (is_anchored ? "+" : "%") + digits + "%";
}

}  // namespace

std::optional<IncomingPhoneNumber> IncomingPhoneNumberTable::find(std::string_view account_sid,
                                                                  std::string_view sid) {
  auto stmt = reader_.prepare(fmt::format("SELECT {} WHERE sid = ?1 AND account_sid = ?2", kColumns));
  stmt.bind(1, sid).bind(2, account_sid);
  if (!stmt.step()) return std::nullopt;
  return read_number(stmt);
}

std::optional<IncomingPhoneNumber> IncomingPhoneNumberTable::find_by_phone_number(std::string_view e164) {
  auto stmt = reader_.prepare(fmt::format("SELECT {} WHERE phone_number = ?1", kColumns));
  stmt.bind(1, e164);
  if (!stmt.step()) return std::nullopt;
  return read_number(stmt);
}

Page<IncomingPhoneNumber> IncomingPhoneNumberTable::list(const IncomingPhoneNumberFilter& filter,
                                                         const PageQuery& page) {
  std::optional<std::string> pattern;
  if (filter.phone_number) {
    pattern = phone_number_pattern(*filter.phone_number);
    if (!pattern) return {};
  }
  std::string sql = fmt::format("SELECT {} WHERE account_sid = ?1", kColumns);
  if (pattern) sql += " AND phone_number LIKE ?2";
  if (filter.friendly_name) sql += " AND friendly_name = ?3";
  return read_page<IncomingPhoneNumber>(
      reader_, std::move(sql), page,
      [&](Statement& stmt) {
        stmt.bind(1, filter.account_sid);
        if (pattern) stmt.bind(2, *pattern);
        if (filter.friendly_name) stmt.bind(3, *filter.friendly_name);
      },
      read_number);
}

void IncomingPhoneNumberTable::save(const IncomingPhoneNumber& n, Completion done) {
  writer_.submit(
      [n](Connection& db) {
        auto stmt = db.prepare(
            "INSERT INTO incoming_phone_numbers (sid, account_sid, phone_number, friendly_name, "
            "api_version, voice_url, voice_method, voice_fallback_url, voice_fallback_method, "
            "status_callback, status_callback_method, voice_caller_id_lookup, voice_application_sid, "
            "trunk_sid, sms_url, sms_method, sms_fallback_url, sms_fallback_method, sms_application_sid, "
            "date_created, date_updated) VALUES "
            "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21) "
            "ON CONFLICT(sid) DO UPDATE SET account_sid = ?2, friendly_name = ?4, api_version = ?5, "
            "voice_url = ?6, voice_method = ?7, voice_fallback_url = ?8, voice_fallback_method = ?9, "
            "status_callback = ?10, status_callback_method = ?11, voice_caller_id_lookup = ?12, "
            "voice_application_sid = ?13, trunk_sid = ?14, sms_url = ?15, sms_method = ?16, "
            "sms_fallback_url = ?17, sms_fallback_method = ?18, sms_application_sid = ?19, "
            "date_updated = ?21");
        stmt.bind(1, n.sid)
            .bind(2, n.account_sid)
            .bind(3, n.phone_number)
            .bind(4, n.friendly_name)
            .bind(5, n.api_version)
            .bind_optional(6, n.voice_url)
            .bind(7, n.voice_method)
            .bind_optional(8, n.voice_fallback_url)
            .bind(9, n.voice_fallback_method)
            .bind_optional(10, n.status_callback)
            .bind(11, n.status_callback_method)
            .bind(12, std::int64_t{n.voice_caller_id_lookup ? 1 : 0})
            .bind_optional(13, n.voice_application_sid)
            .bind_optional(14, n.trunk_sid)
            .bind_optional(15, n.sms_url)
            .bind(16, n.sms_method)
            .bind_optional(17, n.sms_fallback_url)
            .bind(18, n.sms_fallback_method)
            .bind_optional(19, n.sms_application_sid)
            .bind(20, to_db(n.date_created))
            .bind(21, to_db(n.date_updated));
        return unique_violation_as_exists(stmt.run());
      },
      std::move(done));
}

void IncomingPhoneNumberTable::remove(std::string_view sid, Completion done) {
  writer_.submit(
      [sid = std::string(sid)](Connection& db) {
        auto stmt = db.prepare("DELETE FROM incoming_phone_numbers WHERE sid = ?1");
        stmt.bind(1, sid);
        return stmt.run();
      },
      std::move(done));
}

}  // namespace sb::store::sqlite
