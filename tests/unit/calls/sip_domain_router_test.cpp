#include "calls/sip_domain_router.hpp"

#include "core/sid.hpp"
#include "store/sqlite/sqlite_store.hpp"

#include "../store_on_disk.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <functional>

namespace sb::calls {
namespace {

// Which hosts are local domains, on a real SQLite store whose domain lookups are cached: a host
// asked about before its domain existed (every <Dial><Sip> host is asked) must be found once the
// domain is created, in the plain and the regional form, and not after the domain is deleted.
class SipDomainRouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto now = now_seconds();
    store::Account account{make_sid("AC"), "", "main", "active", "Full", "token", now, now};
    disk_.commit([&](store::Completion done) { store_->accounts().insert(account, std::move(done)); });
    account_sid_ = account.sid;
    router_ = std::make_unique<SipDomainRouter>(*store_, digest_, guard_, "switchboard.local");
  }

  template <class Write>
  void commit(Write write) {
    disk_.commit(std::move(write));
  }

  test::StoreOnDisk disk_{"sb-router-"};
  store::Store* store_ = &disk_.store();
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
