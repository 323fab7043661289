#include "store/sqlite/tables.hpp"

namespace sb::store::sqlite {

std::vector<SipRegistration> SipRegistrationTable::list_all() {
  auto stmt = reader_.prepare(
      "SELECT domain_sid, aor_user, contact_uri, call_id, cseq, expires_at, source_address, source_port, "
      "transport, user_agent, date_created, date_updated FROM sip_registrations ORDER BY date_created");
  std::vector<SipRegistration> out;
  while (stmt.step()) {
    out.push_back(SipRegistration{
        .domain_sid = stmt.column_text(0),
        .aor_user = stmt.column_text(1),
        .contact_uri = stmt.column_text(2),
        .call_id = stmt.column_text(3),
        .cseq = stmt.column_int(4),
        .expires_at = from_db(stmt.column_int(5)),
        .source_address = stmt.column_text(6),
        .source_port = static_cast<std::uint16_t>(stmt.column_int(7)),
        .transport = stmt.column_text(8),
        .user_agent = stmt.column_text(9),
        .date_created = from_db(stmt.column_int(10)),
        .date_updated = from_db(stmt.column_int(11)),
    });
  }
  return out;
}

void SipRegistrationTable::save(const SipRegistration& r, Completion done) {
  writer_.submit(
      [r](Connection& db) {
        auto stmt = db.prepare(
            "INSERT INTO sip_registrations (domain_sid, aor_user, contact_uri, call_id, cseq, expires_at, "
            "source_address, source_port, transport, user_agent, date_created, date_updated) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
            "ON CONFLICT(domain_sid, aor_user, contact_uri) DO UPDATE SET call_id = ?4, cseq = ?5, "
            "expires_at = ?6, source_address = ?7, source_port = ?8, transport = ?9, user_agent = ?10, "
            "date_updated = ?12");
        stmt.bind(1, r.domain_sid)
            .bind(2, r.aor_user)
            .bind(3, r.contact_uri)
            .bind(4, r.call_id)
            .bind(5, r.cseq)
            .bind(6, to_db(r.expires_at))
            .bind(7, r.source_address)
            .bind(8, std::int64_t{r.source_port})
            .bind(9, r.transport)
            .bind(10, r.user_agent)
            .bind(11, to_db(r.date_created))
            .bind(12, to_db(r.date_updated));
        return stmt.run();
      },
      std::move(done));
}

void SipRegistrationTable::remove(std::string_view domain_sid, std::string_view aor_user,
                                  std::string_view contact_uri, Completion done) {
  writer_.submit(
      [d = std::string(domain_sid), u = std::string(aor_user), c = std::string(contact_uri)](Connection& db) {
        auto stmt = db.prepare(
            "DELETE FROM sip_registrations WHERE domain_sid = ?1 AND aor_user = ?2 AND contact_uri = ?3");
        stmt.bind(1, d).bind(2, u).bind(3, c);
        return stmt.run();
      },
      std::move(done));
}

void SipRegistrationTable::remove_expired(SystemTime now, Completion done) {
  writer_.submit(
      [t = to_db(now)](Connection& db) {
        auto stmt = db.prepare("DELETE FROM sip_registrations WHERE expires_at <= ?1");
        stmt.bind(1, t);
        return stmt.run();
      },
      std::move(done));
}

}  // namespace sb::store::sqlite
