#include "api/auth.hpp"

#include "core/crypto.hpp"
#include "core/sid.hpp"
#include "store/sqlite/sqlite_store.hpp"

#include "../store_on_disk.hpp"

#include <gtest/gtest.h>

#include <functional>

namespace sb::api {
namespace {

// Basic authentication against a real SQLite store, whose account lookups are cached: every
// change to an account must be seen by the next request, before and after the write commits.
class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    main_ = account("");
    sub_ = account(main_.sid);
  }

  store::Account account(const std::string& owner) {
    const auto now = now_seconds();
    store::Account a{make_sid("AC"), owner, "name", "active", "Full", crypto::random_hex(16), now, now};
    disk_.commit([&](store::Completion done) { store_->accounts().insert(a, std::move(done)); });
    return a;
  }

  // Submits an update and returns before it commits; commit() runs its completion.
  void submit_update(const store::Account& a) {
    ++pending_;
    store_->accounts().update(a, [this](std::error_code ec) {
      EXPECT_FALSE(ec);
      --pending_;
    });
  }
  void commit() {
    disk_.run_until([&] { return pending_ == 0; });
  }

  // 0 when authenticated as `a`, else the Twilio error code.
  int code_for(const store::Account& a, const std::string& token) {
    const auto result = authenticate(*store_, "Basic " + crypto::base64_encode(a.sid + ":" + token));
    if (const auto* error = std::get_if<ApiError>(&result)) return error->code;
    EXPECT_EQ(std::get<Principal>(result).account.sid, a.sid);
    return 0;
  }

  test::StoreOnDisk disk_{"sb-auth-"};
  store::Store* store_ = &disk_.store();
  store::Account main_;
  store::Account sub_;
  int pending_ = 0;
};

TEST_F(AuthTest, AChangedAuthTokenRejectsTheOldOne) {
  ASSERT_EQ(code_for(sub_, sub_.auth_token), 0);
  const auto old_token = sub_.auth_token;
  auto changed = sub_;
  changed.auth_token = crypto::random_hex(16);
  submit_update(changed);
  EXPECT_EQ(code_for(sub_, old_token), 20003) << "before the commit";
  EXPECT_EQ(code_for(sub_, changed.auth_token), 0);
  commit();
  EXPECT_EQ(code_for(sub_, old_token), 20003) << "after the commit";
  EXPECT_EQ(code_for(sub_, changed.auth_token), 0);
}

TEST_F(AuthTest, ASuspendedOrClosedSubaccountIsNotActive) {
  ASSERT_EQ(code_for(sub_, sub_.auth_token), 0);
  auto changed = sub_;
  changed.status = "suspended";
  submit_update(changed);
  EXPECT_EQ(code_for(sub_, sub_.auth_token), 20005);
  commit();
  EXPECT_EQ(code_for(sub_, sub_.auth_token), 20005);
  changed.status = "active";
  submit_update(changed);
  commit();
  EXPECT_EQ(code_for(sub_, sub_.auth_token), 0) << "reactivated";
  changed.status = "closed";
  submit_update(changed);
  EXPECT_EQ(code_for(sub_, sub_.auth_token), 20005);
  commit();
  EXPECT_EQ(code_for(sub_, sub_.auth_token), 20005);
}

TEST_F(AuthTest, ASuspendedOwnerMakesItsSubaccountsInactive) {
  ASSERT_EQ(code_for(sub_, sub_.auth_token), 0);
  ASSERT_EQ(effective_status(*store_, sub_), "active");
  auto owner = main_;
  owner.status = "suspended";
  submit_update(owner);
  EXPECT_EQ(code_for(sub_, sub_.auth_token), 20005);
  EXPECT_EQ(effective_status(*store_, sub_), "suspended");
  commit();
  EXPECT_EQ(code_for(sub_, sub_.auth_token), 20005);
  EXPECT_EQ(code_for(main_, main_.auth_token), 20005);
}

TEST_F(AuthTest, AnUnknownAccountIsAcceptedOnceCreated) {
  const auto now = now_seconds();
  store::Account later{make_sid("AC"), main_.sid, "later", "active", "Full", "token", now, now};
  EXPECT_EQ(code_for(later, "token"), 20003);  // cached as unknown
  bool is_done = false;
  store_->accounts().insert(later, [&](std::error_code) { is_done = true; });
  EXPECT_EQ(code_for(later, "token"), 0) << "before the commit";
  disk_.run_until([&] { return is_done; });
  EXPECT_EQ(code_for(later, "token"), 0);
}

}  // namespace
}  // namespace sb::api
