#include "store/sqlite/tables.hpp"

namespace sb::store::sqlite {
namespace {

constexpr std::string_view kListColumns =
    "id, sid, account_sid, friendly_name, date_created, date_updated FROM sip_credential_lists";
constexpr std::string_view kCredentialColumns =
    "id, sid, account_sid, credential_list_sid, username, ha1_md5, ha1_sha256, date_created, date_updated "
    "FROM sip_credentials";

SipCredentialList read_list(const Statement& row) {
  return SipCredentialList{
      .sid = row.column_text(1),
      .account_sid = row.column_text(2),
      .friendly_name = row.column_text(3),
      .date_created = from_db(row.column_int(4)),
      .date_updated = from_db(row.column_int(5)),
  };
}

SipCredential read_credential(const Statement& row) {
  return SipCredential{
      .sid = row.column_text(1),
      .account_sid = row.column_text(2),
      .credential_list_sid = row.column_text(3),
      .username = row.column_text(4),
      .ha1_md5 = row.column_text(5),
      .ha1_sha256 = row.column_text(6),
      .date_created = from_db(row.column_int(7)),
      .date_updated = from_db(row.column_int(8)),
  };
}

}  // namespace

std::optional<SipCredentialList> SipCredentialListTable::find(std::string_view account_sid, std::string_view sid) {
  auto stmt = reader_.prepare(fmt::format("SELECT {} WHERE sid = ?1 AND account_sid = ?2", kListColumns));
  stmt.bind(1, sid).bind(2, account_sid);
  if (!stmt.step()) return std::nullopt;
  return read_list(stmt);
}

std::optional<SipCredentialList> SipCredentialListTable::find_by_friendly_name(std::string_view account_sid,
                                                                               std::string_view friendly_name) {
  auto stmt =
      reader_.prepare(fmt::format("SELECT {} WHERE account_sid = ?1 AND friendly_name = ?2", kListColumns));
  stmt.bind(1, account_sid).bind(2, friendly_name);
  if (!stmt.step()) return std::nullopt;
  return read_list(stmt);
}

Page<SipCredentialList> SipCredentialListTable::list(std::string_view account_sid, const PageQuery& page) {
  return read_page<SipCredentialList>(
      reader_, fmt::format("SELECT {} WHERE account_sid = ?1", kListColumns), page,
      [&](Statement& stmt) { stmt.bind(1, account_sid); }, read_list);
}

std::size_t SipCredentialListTable::count(std::string_view account_sid) {
  return count_rows(reader_, "SELECT COUNT(*) FROM sip_credential_lists WHERE account_sid = ?1",
                    [&](Statement& stmt) { stmt.bind(1, account_sid); });
}

bool SipCredentialListTable::is_mapped(std::string_view sid) {
  return count_rows(reader_, "SELECT COUNT(*) FROM sip_domain_credential_list_mappings WHERE credential_list_sid = ?1",
                    [&](Statement& stmt) { stmt.bind(1, sid); }) > 0;
}

void SipCredentialListTable::save(const SipCredentialList& l, Completion done) {
  writer_.submit(
      [l](Connection& db) {
        auto stmt = db.prepare(
            "INSERT INTO sip_credential_lists (sid, account_sid, friendly_name, date_created, date_updated) "
            "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(sid) DO UPDATE SET friendly_name = ?3, date_updated = ?5");
        stmt.bind(1, l.sid)
            .bind(2, l.account_sid)
            .bind(3, l.friendly_name)
            .bind(4, to_db(l.date_created))
            .bind(5, to_db(l.date_updated));
        return unique_violation_as_exists(stmt.run());
      },
      std::move(done));
}

void SipCredentialListTable::remove(std::string_view sid, Completion done) {
  writer_.submit(
      [sid = std::string(sid)](Connection& db) {
        auto stmt = db.prepare("DELETE FROM sip_credential_lists WHERE sid = ?1");
        stmt.bind(1, sid);
        return stmt.run();
      },
      std::move(done));
}

std::optional<SipCredential> SipCredentialListTable::find_credential(std::string_view credential_list_sid,
                                                                     std::string_view sid) {
  auto stmt = reader_.prepare(
      fmt::format("SELECT {} WHERE sid = ?1 AND credential_list_sid = ?2", kCredentialColumns));
  stmt.bind(1, sid).bind(2, credential_list_sid);
  if (!stmt.step()) return std::nullopt;
  return read_credential(stmt);
}

std::optional<SipCredential> SipCredentialListTable::find_credential_by_username(
    std::string_view credential_list_sid, std::string_view username) {
  auto stmt = reader_.prepare(
      fmt::format("SELECT {} WHERE credential_list_sid = ?1 AND username = ?2", kCredentialColumns));
  stmt.bind(1, credential_list_sid).bind(2, username);
  if (!stmt.step()) return std::nullopt;
  return read_credential(stmt);
}

Page<SipCredential> SipCredentialListTable::list_credentials(std::string_view credential_list_sid,
                                                             const PageQuery& page) {
  return read_page<SipCredential>(
      reader_, fmt::format("SELECT {} WHERE credential_list_sid = ?1", kCredentialColumns), page,
      [&](Statement& stmt) { stmt.bind(1, credential_list_sid); }, read_credential);
}

std::size_t SipCredentialListTable::count_credentials(std::string_view credential_list_sid) {
  return count_rows(reader_, "SELECT COUNT(*) FROM sip_credentials WHERE credential_list_sid = ?1",
                    [&](Statement& stmt) { stmt.bind(1, credential_list_sid); });
}

void SipCredentialListTable::save_credential(const SipCredential& c, Completion done) {
  writer_.submit(
      [c](Connection& db) {
        auto stmt = db.prepare(
            "INSERT INTO sip_credentials (sid, account_sid, credential_list_sid, username, ha1_md5, ha1_sha256, "
            "date_created, date_updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
            "ON CONFLICT(sid) DO UPDATE SET username = ?4, ha1_md5 = ?5, ha1_sha256 = ?6, date_updated = ?8");
        stmt.bind(1, c.sid)
            .bind(2, c.account_sid)
            .bind(3, c.credential_list_sid)
            .bind(4, c.username)
            .bind(5, c.ha1_md5)
            .bind(6, c.ha1_sha256)
            .bind(7, to_db(c.date_created))
            .bind(8, to_db(c.date_updated));
        return unique_violation_as_exists(stmt.run());
      },
      std::move(done));
}

void SipCredentialListTable::remove_credential(std::string_view sid, Completion done) {
  writer_.submit(
      [sid = std::string(sid)](Connection& db) {
        auto stmt = db.prepare("DELETE FROM sip_credentials WHERE sid = ?1");
        stmt.bind(1, sid);
        return stmt.run();
      },
      std::move(done));
}

}  // namespace sb::store::sqlite
