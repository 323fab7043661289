#include "store/ipv4.hpp"
#include "store/sqlite/tables.hpp"

namespace sb::store::sqlite {
namespace {

constexpr std::string_view kListColumns =
    "id, sid, account_sid, friendly_name, date_created, date_updated FROM sip_ip_access_control_lists";
constexpr std::string_view kAddressColumns =
    "id, sid, account_sid, ip_access_control_list_sid, friendly_name, ip_address, cidr_prefix_length, "
    "date_created, date_updated FROM sip_ip_addresses";

SipIpAccessControlList read_list(const Statement& row) {
  return SipIpAccessControlList{
      .sid = row.column_text(1),
      .account_sid = row.column_text(2),
      .friendly_name = row.column_text(3),
      .date_created = from_db(row.column_int(4)),
      .date_updated = from_db(row.column_int(5)),
  };
}

SipIpAddress read_address(const Statement& row) {
  return SipIpAddress{
      .sid = row.column_text(1),
      .account_sid = row.column_text(2),
      .ip_access_control_list_sid = row.column_text(3),
      .friendly_name = row.column_text(4),
      .ip_address = row.column_text(5),
      .cidr_prefix_length = static_cast<int>(row.column_int(6)),
      .date_created = from_db(row.column_int(7)),
      .date_updated = from_db(row.column_int(8)),
  };
}

}  // namespace

std::optional<SipIpAccessControlList> SipIpAccessControlListTable::find(std::string_view account_sid,
                                                                        std::string_view sid) {
  auto stmt = reader_.prepare(fmt::format("SELECT {} WHERE sid = ?1 AND account_sid = ?2", kListColumns));
  stmt.bind(1, sid).bind(2, account_sid);
  if (!stmt.step()) return std::nullopt;
  return read_list(stmt);
}

std::optional<SipIpAccessControlList> SipIpAccessControlListTable::find_by_friendly_name(
    std::string_view account_sid, std::string_view friendly_name) {
  auto stmt =
      reader_.prepare(fmt::format("SELECT {} WHERE account_sid = ?1 AND friendly_name = ?2", kListColumns));
  stmt.bind(1, account_sid).bind(2, friendly_name);
  if (!stmt.step()) return std::nullopt;
  return read_list(stmt);
}

Page<SipIpAccessControlList> SipIpAccessControlListTable::list(std::string_view account_sid,
                                                               const PageQuery& page) {
  return read_page<SipIpAccessControlList>(
      reader_, fmt::format("SELECT {} WHERE account_sid = ?1", kListColumns), page,
      [&](Statement& stmt) { stmt.bind(1, account_sid); }, read_list);
}

std::size_t SipIpAccessControlListTable::count(std::string_view account_sid) {
  return count_rows(reader_, "SELECT COUNT(*) FROM sip_ip_access_control_lists WHERE account_sid = ?1",
                    [&](Statement& stmt) { stmt.bind(1, account_sid); });
}

bool SipIpAccessControlListTable::is_mapped(std::string_view sid) {
  return count_rows(reader_,
                    "SELECT COUNT(*) FROM sip_domain_ip_access_control_list_mappings WHERE "
                    "ip_access_control_list_sid = ?1",
                    [&](Statement& stmt) { stmt.bind(1, sid); }) > 0;
}

void SipIpAccessControlListTable::save(const SipIpAccessControlList& l, Completion done) {
  writer_.submit(
      [l](Connection& db) {
        auto stmt = db.prepare(
            "INSERT INTO sip_ip_access_control_lists (sid, account_sid, friendly_name, date_created, "
            "date_updated) VALUES (?1, ?2, ?3, ?4, ?5) "
            "ON CONFLICT(sid) DO UPDATE SET friendly_name = ?3, date_updated = ?5");
        stmt.bind(1, l.sid)
            .bind(2, l.account_sid)
            .bind(3, l.friendly_name)
            .bind(4, to_db(l.date_created))
            .bind(5, to_db(l.date_updated));
        return unique_violation_as_exists(stmt.run());
      },
      std::move(done));
}

void SipIpAccessControlListTable::remove(std::string_view sid, Completion done) {
  writer_.submit(
      [sid = std::string(sid)](Connection& db) {
        auto stmt = db.prepare("DELETE FROM sip_ip_access_control_lists WHERE sid = ?1");
        stmt.bind(1, sid);
        return stmt.run();
      },
      std::move(done));
}

std::optional<SipIpAddress> SipIpAccessControlListTable::find_address(std::string_view ip_access_control_list_sid,
                                                                      std::string_view sid) {
  auto stmt = reader_.prepare(
      fmt::format("SELECT {} WHERE sid = ?1 AND ip_access_control_list_sid = ?2", kAddressColumns));
  stmt.bind(1, sid).bind(2, ip_access_control_list_sid);
  if (!stmt.step()) return std::nullopt;
  return read_address(stmt);
}

std::optional<SipIpAddress> SipIpAccessControlListTable::find_address_by_ip(
    std::string_view ip_access_control_list_sid, std::string_view ip_address) {
  auto stmt = reader_.prepare(
      fmt::format("SELECT {} WHERE ip_access_control_list_sid = ?1 AND ip_address = ?2", kAddressColumns));
  stmt.bind(1, ip_access_control_list_sid).bind(2, ip_address);
  if (!stmt.step()) return std::nullopt;
  return read_address(stmt);
}

Page<SipIpAddress> SipIpAccessControlListTable::list_addresses(std::string_view ip_access_control_list_sid,
                                                               const PageQuery& page) {
  return read_page<SipIpAddress>(
      reader_, fmt::format("SELECT {} WHERE ip_access_control_list_sid = ?1", kAddressColumns), page,
      [&](Statement& stmt) { stmt.bind(1, ip_access_control_list_sid); }, read_address);
}

std::size_t SipIpAccessControlListTable::count_addresses(std::string_view ip_access_control_list_sid) {
  return count_rows(reader_, "SELECT COUNT(*) FROM sip_ip_addresses WHERE ip_access_control_list_sid = ?1",
                    [&](Statement& stmt) { stmt.bind(1, ip_access_control_list_sid); });
}

void SipIpAccessControlListTable::save_address(const SipIpAddress& a, Completion done) {
  writer_.submit(
      [a](Connection& db) {
        const auto value = parse_ipv4(a.ip_address);
        if (!value) return std::make_error_code(std::errc::invalid_argument);
        auto stmt = db.prepare(
            "INSERT INTO sip_ip_addresses (sid, account_sid, ip_access_control_list_sid, friendly_name, "
            "ip_address, address_value, cidr_prefix_length, date_created, date_updated) VALUES "
            "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(sid) DO UPDATE SET friendly_name = ?4, "
            "ip_address = ?5, address_value = ?6, cidr_prefix_length = ?7, date_updated = ?9");
        stmt.bind(1, a.sid)
            .bind(2, a.account_sid)
            .bind(3, a.ip_access_control_list_sid)
            .bind(4, a.friendly_name)
            .bind(5, a.ip_address)
            .bind(6, static_cast<std::int64_t>(*value))
            .bind(7, static_cast<std::int64_t>(a.cidr_prefix_length))
            .bind(8, to_db(a.date_created))
            .bind(9, to_db(a.date_updated));
        return unique_violation_as_exists(stmt.run());
      },
      std::move(done));
}

void SipIpAccessControlListTable::remove_address(std::string_view sid, Completion done) {
  writer_.submit(
      [sid = std::string(sid)](Connection& db) {
        auto stmt = db.prepare("DELETE FROM sip_ip_addresses WHERE sid = ?1");
        stmt.bind(1, sid);
        return stmt.run();
      },
      std::move(done));
}

}  // namespace sb::store::sqlite
