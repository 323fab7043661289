#pragma once
// API keys (SK...): a secret shown once at creation and stored only as its SHA-256.

#include "store/account_repository.hpp"

namespace sb::store {

struct ApiKey {
  std::string sid;
  std::string account_sid;
  std::string friendly_name;
  std::string secret_sha256;  // lowercase hex
  bool is_main = false;       // main keys may manage Accounts and Keys; standard keys may not
  SystemTime date_created;
  SystemTime date_updated;
};

class KeyRepository {
 public:
  virtual ~KeyRepository() = default;
  virtual std::optional<ApiKey> find(std::string_view sid) = 0;
  virtual Page<ApiKey> list(std::string_view account_sid, const PageQuery& page) = 0;
  virtual void insert(const ApiKey& key, Completion done) = 0;
  virtual void update(const ApiKey& key, Completion done) = 0;  // friendly_name, date_updated
  virtual void remove(std::string_view sid, Completion done) = 0;
};

}  // namespace sb::store
