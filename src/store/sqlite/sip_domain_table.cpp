#include "store/ipv4.hpp"
#include "store/sqlite/tables.hpp"

#include <algorithm>

namespace sb::store::sqlite {
namespace {

constexpr std::string_view kColumns =
    "id, sid, account_sid, domain_name, friendly_name, api_version, voice_url, voice_method, "
    "voice_fallback_url, voice_fallback_method, voice_status_callback_url, voice_status_callback_method, "
    "sip_registration, emergency_calling_enabled, secure, byoc_trunk_sid, emergency_caller_sid, "
    "date_created, date_updated FROM sip_domains";

// Mapping rows with the mapped list's friendly name, as one relation whose columns read_page can
// filter and order by without ambiguity.
constexpr std::string_view kCredentialListMappings =
    "id, domain_sid, list_sid, account_sid, friendly_name, date_created, date_updated FROM ("
    "SELECT m.id AS id, m.domain_sid AS domain_sid, m.purpose AS purpose, m.credential_list_sid AS list_sid, "
    "m.account_sid AS account_sid, l.friendly_name AS friendly_name, m.date_created AS date_created, "
    "m.date_updated AS date_updated FROM sip_domain_credential_list_mappings m "
    "JOIN sip_credential_lists l ON l.sid = m.credential_list_sid)";

constexpr std::string_view kIpAccessControlListMappings =
    "id, domain_sid, list_sid, account_sid, friendly_name, date_created, date_updated FROM ("
    "SELECT m.id AS id, m.domain_sid AS domain_sid, m.ip_access_control_list_sid AS list_sid, "
    "m.account_sid AS account_sid, l.friendly_name AS friendly_name, m.date_created AS date_created, "
    "m.date_updated AS date_updated FROM sip_domain_ip_access_control_list_mappings m "
    "JOIN sip_ip_access_control_lists l ON l.sid = m.ip_access_control_list_sid)";

std::string_view purpose_text(SipAuthPurpose purpose) {
  return purpose == SipAuthPurpose::kCalls ? "calls" : "registrations";
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  return out;
}

SipDomain read_domain(const Statement& row) {
  return SipDomain{
      .sid = row.column_text(1),
      .account_sid = row.column_text(2),
      .domain_name = row.column_text(3),
      .friendly_name = row.column_text(4),
      .api_version = row.column_text(5),
      .voice_url = row.column_optional_text(6),
      .voice_method = row.column_text(7),
      .voice_fallback_url = row.column_optional_text(8),
      .voice_fallback_method = row.column_text(9),
      .voice_status_callback_url = row.column_optional_text(10),
      .voice_status_callback_method = row.column_text(11),
      .sip_registration = row.column_int(12) != 0,
      .emergency_calling_enabled = row.column_int(13) != 0,
      .secure = row.column_int(14) != 0,
      .byoc_trunk_sid = row.column_optional_text(15),
      .emergency_caller_sid = row.column_optional_text(16),
      .date_created = from_db(row.column_int(17)),
      .date_updated = from_db(row.column_int(18)),
  };
}

SipDomainMapping read_mapping(const Statement& row) {
  return SipDomainMapping{
      .domain_sid = row.column_text(1),
      .list_sid = row.column_text(2),
      .account_sid = row.column_text(3),
      .friendly_name = row.column_text(4),
      .date_created = from_db(row.column_int(5)),
      .date_updated = from_db(row.column_int(6)),
  };
}

}  // namespace

std::error_code unique_violation_as_exists(std::error_code ec) {
  if (ec.category() == sqlite_category() &&
      (ec.value() == SQLITE_CONSTRAINT_UNIQUE || ec.value() == SQLITE_CONSTRAINT_PRIMARYKEY)) {
    return std::make_error_code(std::errc::file_exists);
  }
  return ec;
}

std::optional<SipDomain> SipDomainTable::find(std::string_view account_sid, std::string_view sid) {
  auto stmt = reader_.prepare(fmt::format("SELECT {} WHERE sid = ?1 AND account_sid = ?2", kColumns));
  stmt.bind(1, sid).bind(2, account_sid);
  if (!stmt.step()) return std::nullopt;
  return read_domain(stmt);
}

std::optional<SipDomain> SipDomainTable::find_by_name(std::string_view domain_name) {
  const std::string name = lower(domain_name);
  if (const auto* cached = by_name_.find(name)) return *cached;
  auto domain = read_by_name(name);
  by_name_.fill(name, domain);
  return domain;
}

std::optional<SipDomain> SipDomainTable::read_by_name(std::string_view lower_name) {
  static const std::string sql = fmt::format("SELECT {} WHERE domain_name = ?1", kColumns);
  auto stmt = reader_.prepare(sql);
  stmt.bind(1, lower_name);
  if (!stmt.step()) return std::nullopt;
  return read_domain(stmt);
}

std::optional<SipDomain> SipDomainTable::read_by_sid(std::string_view sid) {
  static const std::string sql = fmt::format("SELECT {} WHERE sid = ?1", kColumns);
  auto stmt = reader_.prepare(sql);
  stmt.bind(1, sid);
  if (!stmt.step()) return std::nullopt;
  return read_domain(stmt);
}

std::optional<SipDomain> SipDomainTable::current_by_sid(std::string_view sid) {
  const SipDomain* cached = by_name_.find_if([&](const SipDomain& c) { return c.sid == sid; });
  return cached != nullptr ? std::optional<SipDomain>(*cached) : read_by_sid(sid);
}

void SipDomainTable::forget_name(const std::string& name, std::string_view sid) {
  const auto* cached = by_name_.find(name);
  if (cached != nullptr && *cached && (*cached)->sid != sid) return;  // a write in flight gave it away
  by_name_.put(name, std::nullopt);
}

Page<SipDomain> SipDomainTable::list(std::string_view account_sid, const PageQuery& page) {
  return read_page<SipDomain>(
      reader_, fmt::format("SELECT {} WHERE account_sid = ?1", kColumns), page,
      [&](Statement& stmt) { stmt.bind(1, account_sid); }, read_domain);
}

std::size_t SipDomainTable::count(std::string_view account_sid) {
  return count_rows(reader_, "SELECT COUNT(*) FROM sip_domains WHERE account_sid = ?1",
                    [&](Statement& stmt) { stmt.bind(1, account_sid); });
}

bool SipDomainTable::has_subdomains(std::string_view domain_name) {
  // A suffix test, not LIKE: '_' in LIKE is a wildcard and '-' names are common.
  const std::string suffix = "." + lower(domain_name);
  return count_rows(reader_,
                    "SELECT COUNT(*) FROM sip_domains WHERE length(domain_name) > length(?1) AND "
                    "substr(domain_name, -length(?1)) = ?1",
                    [&](Statement& stmt) { stmt.bind(1, suffix); }) > 0;
}

void SipDomainTable::save(const SipDomain& domain, Completion done) {
  SipDomain d = domain;
  d.domain_name = lower(d.domain_name);
  // Visible to the next find_by_name(), unless the save will fail (another domain has the name).
  if (!by_name_.is_bypassed() && !writer_.is_stopped()) {
    const auto current = current_by_sid(d.sid);
    const auto holder = find_by_name(d.domain_name);
    if (!holder || holder->sid == d.sid) {
      SipDomain saved = d;
      if (current) {
        // ON CONFLICT(sid) keeps these two columns.
        saved.account_sid = current->account_sid;
        saved.date_created = current->date_created;
        if (current->domain_name != d.domain_name) forget_name(current->domain_name, d.sid);
      }
      by_name_.put(d.domain_name, saved);
    }
  }
  done = by_name_.track(std::move(done));
  writer_.submit(
      [d](Connection& db) {
        auto stmt = db.prepare(
            "INSERT INTO sip_domains (sid, account_sid, domain_name, friendly_name, api_version, voice_url, "
            "voice_method, voice_fallback_url, voice_fallback_method, voice_status_callback_url, "
            "voice_status_callback_method, sip_registration, emergency_calling_enabled, secure, "
            "byoc_trunk_sid, emergency_caller_sid, date_created, date_updated) VALUES "
            "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18) "
            "ON CONFLICT(sid) DO UPDATE SET domain_name = ?3, friendly_name = ?4, api_version = ?5, "
            "voice_url = ?6, voice_method = ?7, voice_fallback_url = ?8, voice_fallback_method = ?9, "
            "voice_status_callback_url = ?10, voice_status_callback_method = ?11, sip_registration = ?12, "
            "emergency_calling_enabled = ?13, secure = ?14, byoc_trunk_sid = ?15, "
            "emergency_caller_sid = ?16, date_updated = ?18");
        stmt.bind(1, d.sid)
            .bind(2, d.account_sid)
            .bind(3, lower(d.domain_name))
            .bind(4, d.friendly_name)
            .bind(5, d.api_version)
            .bind_optional(6, d.voice_url)
            .bind(7, d.voice_method)
            .bind_optional(8, d.voice_fallback_url)
            .bind(9, d.voice_fallback_method)
            .bind_optional(10, d.voice_status_callback_url)
            .bind(11, d.voice_status_callback_method)
            .bind(12, std::int64_t{d.sip_registration ? 1 : 0})
            .bind(13, std::int64_t{d.emergency_calling_enabled ? 1 : 0})
            .bind(14, std::int64_t{d.secure ? 1 : 0})
            .bind_optional(15, d.byoc_trunk_sid)
            .bind_optional(16, d.emergency_caller_sid)
            .bind(17, to_db(d.date_created))
            .bind(18, to_db(d.date_updated));
        return unique_violation_as_exists(stmt.run());
      },
      std::move(done));
}

void SipDomainTable::remove(std::string_view sid, Completion done) {
  // Gone for the next find_by_name().
  if (!by_name_.is_bypassed() && !writer_.is_stopped()) {
    if (const auto current = current_by_sid(sid)) {
      forget_name(current->domain_name, sid);
    }
  }
  done = by_name_.track(std::move(done));
  writer_.submit(
      [sid = std::string(sid)](Connection& db) {
        auto stmt = db.prepare("DELETE FROM sip_domains WHERE sid = ?1");
        stmt.bind(1, sid);
        return stmt.run();
      },
      std::move(done));
}

std::optional<SipDomainMapping> SipDomainTable::find_credential_list_mapping(std::string_view domain_sid,
                                                                             SipAuthPurpose purpose,
                                                                             std::string_view list_sid) {
  auto stmt = reader_.prepare(fmt::format(
      "SELECT {} WHERE domain_sid = ?1 AND purpose = ?2 AND list_sid = ?3", kCredentialListMappings));
  stmt.bind(1, domain_sid).bind(2, purpose_text(purpose)).bind(3, list_sid);
  if (!stmt.step()) return std::nullopt;
  return read_mapping(stmt);
}

Page<SipDomainMapping> SipDomainTable::list_credential_list_mappings(std::string_view domain_sid,
                                                                     SipAuthPurpose purpose,
                                                                     const PageQuery& page) {
  return read_page<SipDomainMapping>(
      reader_, fmt::format("SELECT {} WHERE domain_sid = ?1 AND purpose = ?2", kCredentialListMappings), page,
      [&](Statement& stmt) { stmt.bind(1, domain_sid).bind(2, purpose_text(purpose)); }, read_mapping);
}

std::size_t SipDomainTable::count_credential_list_mappings(std::string_view domain_sid, SipAuthPurpose purpose) {
  return count_rows(reader_,
                    "SELECT COUNT(*) FROM sip_domain_credential_list_mappings WHERE domain_sid = ?1 AND purpose = ?2",
                    [&](Statement& stmt) { stmt.bind(1, domain_sid).bind(2, purpose_text(purpose)); });
}

void SipDomainTable::add_credential_list_mapping(const SipDomainMapping& m, SipAuthPurpose purpose,
                                                 Completion done) {
  writer_.submit(
      [m, purpose = std::string(purpose_text(purpose))](Connection& db) {
        auto stmt = db.prepare(
            "INSERT INTO sip_domain_credential_list_mappings (domain_sid, purpose, credential_list_sid, "
            "account_sid, date_created, date_updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        stmt.bind(1, m.domain_sid)
            .bind(2, purpose)
            .bind(3, m.list_sid)
            .bind(4, m.account_sid)
            .bind(5, to_db(m.date_created))
            .bind(6, to_db(m.date_updated));
        return unique_violation_as_exists(stmt.run());
      },
      std::move(done));
}

void SipDomainTable::remove_credential_list_mapping(std::string_view domain_sid, SipAuthPurpose purpose,
                                                    std::string_view list_sid, Completion done) {
  writer_.submit(
      [domain_sid = std::string(domain_sid), purpose = std::string(purpose_text(purpose)),
       list_sid = std::string(list_sid)](Connection& db) {
        auto stmt = db.prepare(
            "DELETE FROM sip_domain_credential_list_mappings WHERE domain_sid = ?1 AND purpose = ?2 AND "
            "credential_list_sid = ?3");
        stmt.bind(1, domain_sid).bind(2, purpose).bind(3, list_sid);
        return stmt.run();
      },
      std::move(done));
}

std::optional<SipDomainMapping> SipDomainTable::find_ip_access_control_list_mapping(std::string_view domain_sid,
                                                                                    std::string_view list_sid) {
  auto stmt = reader_.prepare(
      fmt::format("SELECT {} WHERE domain_sid = ?1 AND list_sid = ?2", kIpAccessControlListMappings));
  stmt.bind(1, domain_sid).bind(2, list_sid);
  if (!stmt.step()) return std::nullopt;
  return read_mapping(stmt);
}

Page<SipDomainMapping> SipDomainTable::list_ip_access_control_list_mappings(std::string_view domain_sid,
                                                                            const PageQuery& page) {
  return read_page<SipDomainMapping>(
      reader_, fmt::format("SELECT {} WHERE domain_sid = ?1", kIpAccessControlListMappings), page,
      [&](Statement& stmt) { stmt.bind(1, domain_sid); }, read_mapping);
}

void SipDomainTable::add_ip_access_control_list_mapping(const SipDomainMapping& m, Completion done) {
  writer_.submit(
      [m](Connection& db) {
        auto stmt = db.prepare(
            "INSERT INTO sip_domain_ip_access_control_list_mappings (domain_sid, ip_access_control_list_sid, "
            "account_sid, date_created, date_updated) VALUES (?1, ?2, ?3, ?4, ?5)");
        stmt.bind(1, m.domain_sid)
            .bind(2, m.list_sid)
            .bind(3, m.account_sid)
            .bind(4, to_db(m.date_created))
            .bind(5, to_db(m.date_updated));
        return unique_violation_as_exists(stmt.run());
      },
      std::move(done));
}

void SipDomainTable::remove_ip_access_control_list_mapping(std::string_view domain_sid, std::string_view list_sid,
                                                           Completion done) {
  writer_.submit(
      [domain_sid = std::string(domain_sid), list_sid = std::string(list_sid)](Connection& db) {
        auto stmt = db.prepare(
            "DELETE FROM sip_domain_ip_access_control_list_mappings WHERE domain_sid = ?1 AND "
            "ip_access_control_list_sid = ?2");
        stmt.bind(1, domain_sid).bind(2, list_sid);
        return stmt.run();
      },
      std::move(done));
}

std::string SipDomainTable::auth_type(std::string_view domain_sid) {
  // Ties (mapped in the same second) put CREDENTIAL_LIST first, as Twilio's examples show.
  auto stmt = reader_.prepare(
      "SELECT kind FROM ("
      "SELECT 'CREDENTIAL_LIST' AS kind, MIN(date_created) AS first FROM sip_domain_credential_list_mappings "
      "WHERE domain_sid = ?1 AND purpose = 'calls' "
      "UNION ALL "
      "SELECT 'IP_ACL' AS kind, MIN(date_created) AS first FROM sip_domain_ip_access_control_list_mappings "
      "WHERE domain_sid = ?1) WHERE first IS NOT NULL ORDER BY first, kind");
  stmt.bind(1, domain_sid);
  std::string result;
  while (stmt.step()) {
    if (!result.empty()) result += ',';
    result += stmt.column_text(0);
  }
  return result;
}

std::vector<SipDigestCredential> SipDomainTable::find_credentials(std::string_view domain_sid,
                                                                  SipAuthPurpose purpose,
                                                                  std::string_view username) {
  auto stmt = reader_.prepare(
      "SELECT c.sid, c.credential_list_sid, c.username, c.ha1_md5, c.ha1_sha256 "
      "FROM sip_domain_credential_list_mappings m "
      "JOIN sip_credentials c ON c.credential_list_sid = m.credential_list_sid "
      "WHERE m.domain_sid = ?1 AND m.purpose = ?2 AND c.username = ?3 ORDER BY m.id");
  stmt.bind(1, domain_sid).bind(2, purpose_text(purpose)).bind(3, username);
  std::vector<SipDigestCredential> result;
  while (stmt.step()) {
    result.push_back(SipDigestCredential{
        .credential_sid = stmt.column_text(0),
        .credential_list_sid = stmt.column_text(1),
        .username = stmt.column_text(2),
        .ha1_md5 = stmt.column_text(3),
        .ha1_sha256 = stmt.column_text(4),
    });
  }
  return result;
}

bool SipDomainTable::is_ip_allowed(std::string_view domain_sid, std::string_view source_address) {
  const auto address = parse_source_ipv4(source_address);
  if (!address) return false;
  // Addresses are 32-bit values in 64-bit integers, so shifting by 32 - prefix compares the
  // network parts for every prefix length from 1 to 32.
  auto stmt = reader_.prepare(
      "SELECT 1 FROM sip_domain_ip_access_control_list_mappings m "
      "JOIN sip_ip_addresses a ON a.ip_access_control_list_sid = m.ip_access_control_list_sid "
      "WHERE m.domain_sid = ?1 AND "
      "(a.address_value >> (32 - a.cidr_prefix_length)) = (?2 >> (32 - a.cidr_prefix_length)) LIMIT 1");
  stmt.bind(1, domain_sid).bind(2, static_cast<std::int64_t>(*address));
  return stmt.step();
}

}  // namespace sb::store::sqlite
