#pragma once
// SIP IP access control lists (AL...) and their entries (IP...): IPv4 networks that domains map
// to admit calls by source address.

#include "store/account_repository.hpp"

#include <cstddef>

namespace sb::store {

struct SipIpAccessControlList {
  std::string sid;
  std::string account_sid;
  std::string friendly_name;  // unique within the account
  SystemTime date_created;
  SystemTime date_updated;
};

struct SipIpAddress {
  std::string sid;
  std::string account_sid;
  std::string ip_access_control_list_sid;
  std::string friendly_name;
  std::string ip_address;      // IPv4 dotted decimal (store/ipv4.hpp), unique within the list
  int cidr_prefix_length = 32;  // 1-32
  SystemTime date_created;
  SystemTime date_updated;
};

class SipIpAccessControlListRepository {
 public:
  virtual ~SipIpAccessControlListRepository() = default;

  virtual std::optional<SipIpAccessControlList> find(std::string_view account_sid, std::string_view sid) = 0;
  virtual std::optional<SipIpAccessControlList> find_by_friendly_name(std::string_view account_sid,
                                                                      std::string_view friendly_name) = 0;
  virtual Page<SipIpAccessControlList> list(std::string_view account_sid, const PageQuery& page) = 0;
  virtual std::size_t count(std::string_view account_sid) = 0;
  // True while any domain maps the list.
  virtual bool is_mapped(std::string_view sid) = 0;
  // Inserts or replaces. `done` gets std::errc::file_exists when the friendly name is taken.
  virtual void save(const SipIpAccessControlList& list, Completion done) = 0;
  // Removes the list with its entries and mappings.
  virtual void remove(std::string_view sid, Completion done) = 0;

  virtual std::optional<SipIpAddress> find_address(std::string_view ip_access_control_list_sid,
                                                   std::string_view sid) = 0;
  virtual std::optional<SipIpAddress> find_address_by_ip(std::string_view ip_access_control_list_sid,
                                                         std::string_view ip_address) = 0;
  virtual Page<SipIpAddress> list_addresses(std::string_view ip_access_control_list_sid,
                                            const PageQuery& page) = 0;
  virtual std::size_t count_addresses(std::string_view ip_access_control_list_sid) = 0;
  // Inserts or replaces. `done` gets std::errc::file_exists when the address is already listed;
  // std::errc::invalid_argument when `ip_address` is not IPv4 dotted decimal.
  virtual void save_address(const SipIpAddress& address, Completion done) = 0;
  virtual void remove_address(std::string_view sid, Completion done) = 0;
};

}  // namespace sb::store
