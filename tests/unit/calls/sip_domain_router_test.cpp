#include "calls/sip_domain_router.hpp"

#include "core/sid.hpp"
#include "store/sqlite/sqlite_store.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>

namespace sb::calls {
namespace {

// Which hosts are local domains, on a real SQLite store whose domain lookups are cached: a host
// asked about before its domain existed (every <Dial><Sip> host is asked) must be found once the
// domain is created, in the plain and the regional form, and not after the domain is deleted.
class SipDomainRouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sb-router-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = store::sqlite::open_store(dir_ / "test.db", [this](std::function<void()> f) {
      std::lock_guard lock(mutex_);
      posted_.push_back(std::move(f));
    });
    const auto now = now_seconds();
    store::Account account{make_sid("AC"), "", "main", "active", "Full", "token", now, now};
    commit([&](store::Completion done) { store_->accounts().insert(account, std::move(done)); });
    account_sid_ = account.sid;
    router_ = std::make_unique<SipDomainRouter>(*store_, digest_, guard_, "switchboard.local");
  }
  void TearDown() override {
    router_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Submits a write, then runs the posted completions until its own has run.
  template <class Write>
  void commit(Write write) {
    bool is_done = false;
    write([&](std::error_code ec) {
      EXPECT_FALSE(ec) << ec.message();
      is_done = true;
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!is_done) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline);
      std::function<void()> f;
      {
        std::lock_guard lock(mutex_);
        if (!posted_.empty()) {
          f = std::move(posted_.front());
          posted_.pop_front();
        }
      }
      if (f) f();
    }
  }

  std::filesystem::path dir_;
  std::mutex mutex_;
  std::deque<std::function<void()>> posted_;
  std::unique_ptr<store::Store> store_;
  std::string account_sid_;
  sip::DigestServer digest_{"switchboard", "secret"};
  sip::FailureGuard guard_{{.max_failures = 3}};
  std::unique_ptr<SipDomainRouter> router_;
};

TEST_F(SipDomainRouterTest, AHostAskedAboutBeforeItsDomainExistedIsLocalOnceCreatedAndNotOnceDeleted) {
  EXPECT_FALSE(router_->is_local_domain("127.0.0.1"));
  EXPECT_FALSE(router_->is_local_domain("Acme.sip.switchboard.local"));
  EXPECT_FALSE(router_->is_local_domain("acme.sip.ie1.switchboard.local"));

  const auto now = now_seconds();
  store::SipDomain d{.sid = make_sid("SD"), .account_sid = account_sid_,
                     .domain_name = "acme.sip.switchboard.local", .date_created = now, .date_updated = now};
  commit([&](store::Completion done) { store_->sip_domains().save(d, std::move(done)); });
  EXPECT_TRUE(router_->is_local_domain("Acme.sip.switchboard.local"));
  EXPECT_TRUE(router_->is_local_domain("acme.sip.ie1.switchboard.local")) << "the regional form";
  EXPECT_FALSE(router_->is_local_domain("127.0.0.1"));

  commit([&](store::Completion done) { store_->sip_domains().remove(d.sid, std::move(done)); });
  EXPECT_FALSE(router_->is_local_domain("acme.sip.switchboard.local"));
  EXPECT_FALSE(router_->is_local_domain("acme.sip.ie1.switchboard.local"));
}

TEST_F(SipDomainRouterTest, ManyHostsThatAreNoDomainDoNotHideOneThatIs) {
  const auto now = now_seconds();
  store::SipDomain d{.sid = make_sid("SD"), .account_sid = account_sid_,
                     .domain_name = "acme.sip.switchboard.local", .date_created = now, .date_updated = now};
  commit([&](store::Completion done) { store_->sip_domains().save(d, std::move(done)); });
  for (int i = 0; i < 20000; ++i) {
    ASSERT_FALSE(router_->is_local_domain(fmt::format("host{}.example.com", i)));
  }
  EXPECT_TRUE(router_->is_local_domain("acme.sip.switchboard.local"));
}

}  // namespace
}  // namespace sb::calls
