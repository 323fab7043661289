#pragma once
// Accounts: the main account and its subaccounts. Implemented by sqlite/, later PostgreSQL.
// Reads are cheap indexed queries on the signalling loop; writes complete asynchronously there.

#include "core/time.hpp"
#include "store/page.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace sb::store {

using Completion = std::function<void(std::error_code)>;

struct Account {
  std::string sid;
  std::string owner_account_sid;  // empty for a main account
  std::string friendly_name;
  std::string status;  // active | suspended | closed
  std::string type;    // Full
  std::string auth_token;
  SystemTime date_created;
  SystemTime date_updated;
  bool is_main() const { return owner_account_sid.empty(); }
};

struct AccountFilter {
  std::string visible_to;  // the account itself and the accounts it owns
  std::optional<std::string> friendly_name;
  std::optional<std::string> status;
};

class AccountRepository {
 public:
  virtual ~AccountRepository() = default;
  virtual std::optional<Account> find(std::string_view sid) = 0;
  // The oldest main account (the operator's), if any.
  virtual std::optional<Account> find_first_main() = 0;
  virtual Page<Account> list(const AccountFilter& filter, const PageQuery& page) = 0;
  virtual void insert(const Account& account, Completion done) = 0;
  // Writes friendly_name, status, auth_token and date_updated of `account.sid`.
  virtual void update(const Account& account, Completion done) = 0;
};

}  // namespace sb::store
