#include "store/sqlite/tables.hpp"

#include "core/sid.hpp"
#include "store/sip_digest.hpp"
#include "store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>

namespace sb::store::sqlite {
namespace {

// Runs the completions the writer posts, standing in for the signalling loop.
class Completions {
 public:
  Poster poster() {
    return [this](std::function<void()> f) {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(f));
      ready_.notify_all();
    };
  }
  void run_one() {
    std::function<void()> f;
    {
      std::unique_lock lock(mutex_);
      ASSERT_TRUE(ready_.wait_for(lock, std::chrono::seconds(10), [&] { return !queue_.empty(); }));
      f = std::move(queue_.front());
      queue_.pop_front();
    }
    f();
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
};

class SipTablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sb-sip-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = open_store(dir_ / "test.db", loop_.poster());
    account_ = make_account();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Runs a write and waits for its completion.
  template <class Write>
  std::error_code wait(Write write) {
    std::error_code result = std::make_error_code(std::errc::interrupted);
    write([&](std::error_code ec) { result = ec; });
    loop_.run_one();
    return result;
  }

  std::string make_account() {
    const auto now = now_seconds();
    Account a{make_sid("AC"), "", "name", "active", "Full", "token", now, now};
    EXPECT_FALSE(wait([&](Completion done) { store_->accounts().insert(a, std::move(done)); }));
    return a.sid;
  }

  SipDomain domain(std::string name) {
    const auto now = now_seconds();
    SipDomain d;
    d.sid = make_sid("SD");
    d.account_sid = account_;
    d.domain_name = std::move(name);
    d.date_created = now;
    d.date_updated = now;
    EXPECT_FALSE(wait([&](Completion done) { store_->sip_domains().save(d, std::move(done)); }));
    return d;
  }

  SipCredentialList credential_list(std::string name) {
    const auto now = now_seconds();
    SipCredentialList l{make_sid("CL"), account_, std::move(name), now, now};
    EXPECT_FALSE(wait([&](Completion done) { store_->sip_credential_lists().save(l, std::move(done)); }));
    return l;
  }

  SipCredential credential(const SipCredentialList& list, std::string username, std::string_view password) {
    const auto now = now_seconds();
    SipCredential c{make_sid("CR"), account_, list.sid, username, sip_ha1_md5(username, password),
                    sip_ha1_sha256(username, password), now, now};
    EXPECT_FALSE(wait([&](Completion done) { store_->sip_credential_lists().save_credential(c, std::move(done)); }));
    return c;
  }

  SipIpAccessControlList acl(std::string name) {
    const auto now = now_seconds();
    SipIpAccessControlList l{make_sid("AL"), account_, std::move(name), now, now};
    EXPECT_FALSE(wait([&](Completion done) { store_->sip_ip_access_control_lists().save(l, std::move(done)); }));
    return l;
  }

  std::error_code address(const SipIpAccessControlList& list, std::string ip, int prefix) {
    const auto now = now_seconds();
    SipIpAddress a{make_sid("IP"), account_, list.sid, "office", std::move(ip), prefix, now, now};
    return wait([&](Completion done) { store_->sip_ip_access_control_lists().save_address(a, std::move(done)); });
  }

  std::error_code map_credentials(const SipDomain& d, const SipCredentialList& l, SipAuthPurpose purpose) {
    const auto now = now_seconds();
    SipDomainMapping m{d.sid, l.sid, account_, "", now, now};
    return wait([&](Completion done) {
      store_->sip_domains().add_credential_list_mapping(m, purpose, std::move(done));
    });
  }

  std::error_code map_acl(const SipDomain& d, const SipIpAccessControlList& l) {
    const auto now = now_seconds();
    SipDomainMapping m{d.sid, l.sid, account_, "", now, now};
    return wait([&](Completion done) { store_->sip_domains().add_ip_access_control_list_mapping(m, std::move(done)); });
  }

  std::filesystem::path dir_;
  Completions loop_;
  std::unique_ptr<Store> store_;
  std::string account_;
};

TEST_F(SipTablesTest, DomainIsFoundByNameWithoutCaseAndNamesAreUniqueAcrossAccounts) {
  const auto d = domain("Office.sip.switchboard.local");
  auto found = store_->sip_domains().find_by_name("office.SIP.switchboard.local");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->sid, d.sid);
  EXPECT_EQ(found->domain_name, "office.sip.switchboard.local");
  EXPECT_FALSE(store_->sip_domains().find_by_name("other.sip.switchboard.local"));

  account_ = make_account();
  const auto now = now_seconds();
  SipDomain twin{.sid = make_sid("SD"), .account_sid = account_, .domain_name = "office.sip.switchboard.local",
                 .date_created = now, .date_updated = now};
  EXPECT_EQ(wait([&](Completion done) { store_->sip_domains().save(twin, std::move(done)); }),
            std::errc::file_exists);
  EXPECT_EQ(store_->sip_domains().count(account_), 0u);
  EXPECT_FALSE(store_->sip_domains().find(account_, d.sid)) << "another account's domain is unknown";
}

// find_by_name is cached (row_cache.hpp): each case reads before the write commits (what the
// next INVITE on the loop sees), after it, and from a new store on the same file.
TEST_F(SipTablesTest, AnAbsentNameIsFoundOnceADomainTakesIt) {
  auto& domains = store_->sip_domains();
  EXPECT_FALSE(domains.find_by_name("late.sip.switchboard.local"));  // cached as absent
  EXPECT_FALSE(domains.find_by_name("LATE.sip.switchboard.local"));
  const auto now = now_seconds();
  SipDomain d{.sid = make_sid("SD"), .account_sid = account_, .domain_name = "Late.sip.switchboard.local",
              .date_created = now, .date_updated = now};
  std::error_code ec = std::make_error_code(std::errc::interrupted);
  domains.save(d, [&](std::error_code e) { ec = e; });
  auto found = domains.find_by_name("late.SIP.switchboard.local");
  ASSERT_TRUE(found) << "seen before the commit";
  EXPECT_EQ(found->sid, d.sid);
  EXPECT_EQ(found->domain_name, "late.sip.switchboard.local");
  loop_.run_one();
  ASSERT_FALSE(ec);
  EXPECT_EQ(domains.find_by_name("late.sip.switchboard.local")->sid, d.sid);
  store_.reset();
  store_ = open_store(dir_ / "test.db", loop_.poster());
  EXPECT_EQ(store_->sip_domains().find_by_name("late.sip.switchboard.local")->sid, d.sid);
}

TEST_F(SipTablesTest, AnUpdatedDomainIsSeenAndARenameFreesTheOldName) {
  auto d = domain("old.sip.switchboard.local");
  auto& domains = store_->sip_domains();
  ASSERT_TRUE(domains.find_by_name("old.sip.switchboard.local"));  // cached
  EXPECT_FALSE(domains.find_by_name("new.sip.switchboard.local"));  // cached as absent
  const auto created = d.date_created;
  d.voice_url = "https://example.com/voice";
  d.domain_name = "New.sip.switchboard.local";
  d.date_created = created + std::chrono::seconds(100);  // not written by an update: the stored one stays
  std::error_code ec = std::make_error_code(std::errc::interrupted);
  domains.save(d, [&](std::error_code e) { ec = e; });
  EXPECT_FALSE(domains.find_by_name("old.sip.switchboard.local")) << "seen before the commit";
  auto found = domains.find_by_name("new.sip.switchboard.local");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->voice_url, "https://example.com/voice");
  EXPECT_EQ(found->date_created, created);
  loop_.run_one();
  ASSERT_FALSE(ec);
  EXPECT_FALSE(domains.find_by_name("old.sip.switchboard.local"));
  found = domains.find_by_name("new.sip.switchboard.local");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->voice_url, "https://example.com/voice");
  EXPECT_EQ(found->date_created, created);
  EXPECT_EQ(found->account_sid, account_);

  // The old name is free for another domain.
  const auto other = domain("old.sip.switchboard.local");
  EXPECT_EQ(domains.find_by_name("old.sip.switchboard.local")->sid, other.sid);
  EXPECT_EQ(domains.find_by_name("new.sip.switchboard.local")->sid, d.sid);
}

TEST_F(SipTablesTest, ARemovedDomainIsNotFound) {
  const auto d = domain("gone.sip.switchboard.local");
  auto& domains = store_->sip_domains();
  ASSERT_TRUE(domains.find_by_name("gone.sip.switchboard.local"));  // cached
  std::error_code ec = std::make_error_code(std::errc::interrupted);
  domains.remove(d.sid, [&](std::error_code e) { ec = e; });
  EXPECT_FALSE(domains.find_by_name("gone.sip.switchboard.local")) << "seen before the commit";
  loop_.run_one();
  ASSERT_FALSE(ec);
  EXPECT_FALSE(domains.find_by_name("gone.sip.switchboard.local"));
  // Removing a domain that was never looked up (not cached) hides it too.
  const auto cold = domain("cold.sip.switchboard.local");
  store_.reset();
  store_ = open_store(dir_ / "test.db", loop_.poster());
  store_->sip_domains().remove(cold.sid, [&](std::error_code e) { ec = e; });
  EXPECT_FALSE(store_->sip_domains().find_by_name("cold.sip.switchboard.local"));
  loop_.run_one();
  ASSERT_FALSE(ec);
  EXPECT_FALSE(store_->sip_domains().find_by_name("cold.sip.switchboard.local"));
  EXPECT_FALSE(store_->sip_domains().find_by_name("gone.sip.switchboard.local"));
}

TEST_F(SipTablesTest, ASaveThatWouldTakeAnotherDomainsNameChangesNothing) {
  const auto d = domain("taken.sip.switchboard.local");
  const auto other = domain("other.sip.switchboard.local");
  auto& domains = store_->sip_domains();
  auto renamed = other;
  renamed.domain_name = "taken.sip.switchboard.local";
  std::error_code ec = std::make_error_code(std::errc::interrupted);
  domains.save(renamed, [&](std::error_code e) { ec = e; });
  EXPECT_EQ(domains.find_by_name("taken.sip.switchboard.local")->sid, d.sid);
  EXPECT_EQ(domains.find_by_name("other.sip.switchboard.local")->sid, other.sid);
  loop_.run_one();
  EXPECT_EQ(ec, std::errc::file_exists);
  EXPECT_EQ(domains.find_by_name("taken.sip.switchboard.local")->sid, d.sid);
  EXPECT_EQ(domains.find_by_name("other.sip.switchboard.local")->sid, other.sid);
}

TEST_F(SipTablesTest, SubdomainsAreFoundBySuffixOnly) {
  domain("acme.sip.switchboard.local");
  EXPECT_FALSE(store_->sip_domains().has_subdomains("acme.sip.switchboard.local"));
  domain("xacme.sip.switchboard.local");
  EXPECT_FALSE(store_->sip_domains().has_subdomains("acme.sip.switchboard.local"));
  domain("east.acme.sip.switchboard.local");
  EXPECT_TRUE(store_->sip_domains().has_subdomains("acme.sip.switchboard.local"));
}

TEST_F(SipTablesTest, CredentialsAreFoundThroughCallAndRegistrationMappingsSeparately) {
  const auto d = domain("office.sip.switchboard.local");
  const auto staff = credential_list("staff");
  const auto phones = credential_list("phones");
  const auto alice = credential(staff, "alice", "Secret123456");
  credential(phones, "bob", "Secret654321");
  ASSERT_FALSE(map_credentials(d, staff, SipAuthPurpose::kCalls));
  ASSERT_FALSE(map_credentials(d, phones, SipAuthPurpose::kRegistrations));

  auto calls = store_->sip_domains().find_credentials(d.sid, SipAuthPurpose::kCalls, "alice");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].credential_sid, alice.sid);
  EXPECT_EQ(calls[0].ha1_md5, crypto::md5_hex("alice:switchboard:Secret123456"));
  EXPECT_EQ(calls[0].ha1_sha256, crypto::sha256_hex("alice:switchboard:Secret123456"));
  EXPECT_TRUE(store_->sip_domains().find_credentials(d.sid, SipAuthPurpose::kCalls, "bob").empty());
  EXPECT_TRUE(store_->sip_domains().find_credentials(d.sid, SipAuthPurpose::kRegistrations, "alice").empty());
  EXPECT_EQ(store_->sip_domains().find_credentials(d.sid, SipAuthPurpose::kRegistrations, "bob").size(), 1u);
  EXPECT_TRUE(store_->sip_domains().find_credentials(d.sid, SipAuthPurpose::kCalls, "ALICE").empty());

  EXPECT_EQ(map_credentials(d, staff, SipAuthPurpose::kCalls), std::errc::file_exists);
  EXPECT_FALSE(map_credentials(d, staff, SipAuthPurpose::kRegistrations)) << "purposes are independent";
  EXPECT_EQ(store_->sip_domains().count_credential_list_mappings(d.sid, SipAuthPurpose::kRegistrations), 2u);
  auto mapping = store_->sip_domains().find_credential_list_mapping(d.sid, SipAuthPurpose::kCalls, staff.sid);
  ASSERT_TRUE(mapping);
  EXPECT_EQ(mapping->friendly_name, "staff");
  EXPECT_TRUE(store_->sip_credential_lists().is_mapped(staff.sid));
}

TEST_F(SipTablesTest, UsernamesAreUniqueWithinAList) {
  const auto staff = credential_list("staff");
  credential(staff, "alice", "Secret123456");
  const auto now = now_seconds();
  SipCredential twin{make_sid("CR"), account_, staff.sid, "alice", "x", "y", now, now};
  EXPECT_EQ(wait([&](Completion done) { store_->sip_credential_lists().save_credential(twin, std::move(done)); }),
            std::errc::file_exists);
  EXPECT_EQ(store_->sip_credential_lists().count_credentials(staff.sid), 1u);
  SipCredentialList same_name{make_sid("CL"), account_, "staff", now, now};
  EXPECT_EQ(wait([&](Completion done) { store_->sip_credential_lists().save(same_name, std::move(done)); }),
            std::errc::file_exists);
}

TEST_F(SipTablesTest, IpIsAllowedOnlyInsideAMappedNetwork) {
  const auto d = domain("office.sip.switchboard.local");
  const auto office = acl("office");
  ASSERT_FALSE(address(office, "192.168.10.0", 24));
  ASSERT_FALSE(address(office, "203.0.113.7", 32));
  EXPECT_FALSE(store_->sip_domains().is_ip_allowed(d.sid, "192.168.10.20")) << "not mapped yet";
  ASSERT_FALSE(map_acl(d, office));

  EXPECT_TRUE(store_->sip_domains().is_ip_allowed(d.sid, "192.168.10.20"));
  EXPECT_TRUE(store_->sip_domains().is_ip_allowed(d.sid, "192.168.10.255"));
  EXPECT_FALSE(store_->sip_domains().is_ip_allowed(d.sid, "192.168.11.1"));
  EXPECT_TRUE(store_->sip_domains().is_ip_allowed(d.sid, "203.0.113.7"));
  EXPECT_TRUE(store_->sip_domains().is_ip_allowed(d.sid, "::ffff:203.0.113.7"));
  EXPECT_FALSE(store_->sip_domains().is_ip_allowed(d.sid, "203.0.113.8"));
  EXPECT_FALSE(store_->sip_domains().is_ip_allowed(d.sid, "2001:db8::1"));
  EXPECT_FALSE(store_->sip_domains().is_ip_allowed(d.sid, "garbage"));

  const auto everyone = acl("everyone");
  ASSERT_FALSE(address(everyone, "0.0.0.0", 1));
  ASSERT_FALSE(address(everyone, "128.0.0.0", 1));
  ASSERT_FALSE(map_acl(d, everyone));
  EXPECT_TRUE(store_->sip_domains().is_ip_allowed(d.sid, "8.8.8.8"));
  EXPECT_TRUE(store_->sip_domains().is_ip_allowed(d.sid, "255.255.255.254"));
}

TEST_F(SipTablesTest, DuplicateAndInvalidAddressesAreRefused) {
  const auto office = acl("office");
  ASSERT_FALSE(address(office, "10.0.0.1", 32));
  EXPECT_EQ(address(office, "10.0.0.1", 24), std::errc::file_exists);
  EXPECT_EQ(address(office, "10.0.0.*", 32), std::errc::invalid_argument);
  EXPECT_EQ(store_->sip_ip_access_control_lists().count_addresses(office.sid), 1u);
  EXPECT_TRUE(store_->sip_ip_access_control_lists().find_address_by_ip(office.sid, "10.0.0.1"));
}

TEST_F(SipTablesTest, AuthTypeFollowsTheCallMappings) {
  const auto d = domain("office.sip.switchboard.local");
  EXPECT_EQ(store_->sip_domains().auth_type(d.sid), "");
  const auto staff = credential_list("staff");
  ASSERT_FALSE(map_credentials(d, staff, SipAuthPurpose::kRegistrations));
  EXPECT_EQ(store_->sip_domains().auth_type(d.sid), "") << "registration mappings are not call auth";
  const auto office = acl("office");
  ASSERT_FALSE(map_acl(d, office));
  EXPECT_EQ(store_->sip_domains().auth_type(d.sid), "IP_ACL");
  ASSERT_FALSE(map_credentials(d, staff, SipAuthPurpose::kCalls));
  EXPECT_EQ(store_->sip_domains().auth_type(d.sid), "CREDENTIAL_LIST,IP_ACL");
}

TEST_F(SipTablesTest, DeletingListsAndDomainsCascadesToEntriesAndMappings) {
  const auto d = domain("office.sip.switchboard.local");
  const auto staff = credential_list("staff");
  credential(staff, "alice", "Secret123456");
  const auto office = acl("office");
  ASSERT_FALSE(address(office, "10.0.0.1", 32));
  ASSERT_FALSE(map_credentials(d, staff, SipAuthPurpose::kCalls));
  ASSERT_FALSE(map_acl(d, office));

  ASSERT_FALSE(wait([&](Completion done) { store_->sip_credential_lists().remove(staff.sid, std::move(done)); }));
  EXPECT_EQ(store_->sip_credential_lists().count_credentials(staff.sid), 0u);
  EXPECT_FALSE(store_->sip_domains().find_credential_list_mapping(d.sid, SipAuthPurpose::kCalls, staff.sid));

  ASSERT_FALSE(wait([&](Completion done) { store_->sip_domains().remove(d.sid, std::move(done)); }));
  EXPECT_FALSE(store_->sip_ip_access_control_lists().is_mapped(office.sid));
  EXPECT_EQ(store_->sip_ip_access_control_lists().count_addresses(office.sid), 1u) << "the ACL outlives the domain";
  ASSERT_FALSE(wait([&](Completion done) { store_->sip_ip_access_control_lists().remove(office.sid, std::move(done)); }));
  EXPECT_EQ(store_->sip_ip_access_control_lists().count_addresses(office.sid), 0u);
}

TEST_F(SipTablesTest, ListsPageAndStayWithinTheAccount) {
  for (int i = 0; i < 3; ++i) domain(fmt::format("d{}.sip.switchboard.local", i));
  const auto page = store_->sip_domains().list(account_, PageQuery{.page_size = 2, .page = 0, .after_key = {}});
  EXPECT_EQ(page.items.size(), 2u);
  EXPECT_TRUE(page.has_more);
  const auto next =
      store_->sip_domains().list(account_, PageQuery{.page_size = 2, .page = 1, .after_key = page.last_key});
  ASSERT_EQ(next.items.size(), 1u);
  EXPECT_EQ(next.items[0].domain_name, "d2.sip.switchboard.local");
  EXPECT_EQ(store_->sip_domains().list(make_sid("AC"), PageQuery{}).items.size(), 0u);
}

TEST_F(SipTablesTest, RegistrationsAreSavedReplacedRemovedAndExpired) {
  const auto d = domain("reg.sip.switchboard.local");
  const auto now = now_seconds();
  SipRegistration r{.domain_sid = d.sid,
                    .aor_user = "alice",
                    .contact_uri = "sip:alice@192.168.1.5:5060",
                    .call_id = "c1",
                    .cseq = 1,
                    .expires_at = now + std::chrono::seconds{600},
                    .source_address = "203.0.113.9",
                    .source_port = 40123,
                    .transport = "UDP",
                    .user_agent = "phone",
                    .date_created = now,
                    .date_updated = now};
  auto& regs = store_->sip_registrations();
  EXPECT_FALSE(wait([&](Completion done) { regs.save(r, std::move(done)); }));
  r.cseq = 2;  // a refresh replaces the row with the same key
  r.source_port = 40200;
  EXPECT_FALSE(wait([&](Completion done) { regs.save(r, std::move(done)); }));
  auto old = r;
  old.contact_uri = "sip:alice@192.168.1.6";
  old.expires_at = now - std::chrono::seconds{1};
  EXPECT_FALSE(wait([&](Completion done) { regs.save(old, std::move(done)); }));
  auto all = regs.list_all();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].cseq, 2);
  EXPECT_EQ(all[0].source_port, 40200);
  EXPECT_EQ(all[0].source_address, "203.0.113.9");
  EXPECT_EQ(all[0].expires_at, r.expires_at);

  EXPECT_FALSE(wait([&](Completion done) { regs.remove_expired(now, std::move(done)); }));
  ASSERT_EQ(regs.list_all().size(), 1u);
  EXPECT_FALSE(wait([&](Completion done) { regs.remove(d.sid, "alice", r.contact_uri, std::move(done)); }));
  EXPECT_TRUE(regs.list_all().empty());

  // Deleting the domain deletes its bindings.
  EXPECT_FALSE(wait([&](Completion done) { regs.save(r, std::move(done)); }));
  EXPECT_FALSE(wait([&](Completion done) { store_->sip_domains().remove(d.sid, std::move(done)); }));
  EXPECT_TRUE(regs.list_all().empty());
}

}  // namespace
}  // namespace sb::store::sqlite
