#include "calls/sip_registrar.hpp"

#include "core/sid.hpp"
#include "sip/auth/digest.hpp"
#include "store/sip_digest.hpp"
#include "store/sqlite/sqlite_store.hpp"

#include "../store_on_disk.hpp"

#include <gtest/gtest.h>

namespace sb::calls {
namespace {

using namespace std::chrono_literals;

// The registrar on a real SQLite store: digest, the RegisteredContacts lookup (NAT source),
// persistence across a new registrar, and the domain switch.
class SipRegistrarTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto now = now_seconds();
    store::Account account{make_sid("AC"), "", "main", "active", "Full", "token", now, now};
    wait([&](store::Completion done) { store_->accounts().insert(account, std::move(done)); });
    domain_.sid = make_sid("SD");
    domain_.account_sid = account.sid;
    domain_.domain_name = "acme.sip.switchboard.local";
    domain_.sip_registration = true;
    domain_.date_created = domain_.date_updated = now;
    wait([&](store::Completion done) { store_->sip_domains().save(domain_, std::move(done)); });
    store::SipCredentialList list{make_sid("CL"), account.sid, "phones", now, now};
    wait([&](store::Completion done) { store_->sip_credential_lists().save(list, std::move(done)); });
    for (std::string user : {"alice", "bob"}) {
      store::SipCredential c{make_sid("CR"), account.sid, list.sid, user, store::sip_ha1_md5(user, kPassword),
                             store::sip_ha1_sha256(user, kPassword), now, now};
      wait([&](store::Completion done) { store_->sip_credential_lists().save_credential(c, std::move(done)); });
    }
    store::SipDomainMapping mapping{domain_.sid, list.sid, account.sid, "", now, now};
    wait([&](store::Completion done) {
      store_->sip_domains().add_credential_list_mapping(mapping, store::SipAuthPurpose::kRegistrations, std::move(done));
    });
    router_ = std::make_unique<SipDomainRouter>(*store_, digest_, guard_, "switchboard.local");
  }

  // Runs one write, and the completions the writer posts back until its own has run (the writer
  // runs jobs in order, so every write queued before it is committed too).
  template <class Write>
  void wait(Write write) {
    disk_.commit(std::move(write));
  }
  void drain() {
    wait([&](store::Completion done) { store_->sip_registrations().remove("", "", "", std::move(done)); });
  }

  sip::SipRequestInfo register_request(std::string user, std::string contact, std::uint32_t cseq,
                                       std::string authorization = {}) {
    sip::SipRequestInfo r;
    r.method = "REGISTER";
    r.request_uri = "sip:acme.sip.switchboard.local";
    r.to = "<sip:" + user + "@acme.sip.switchboard.local>";
    r.from = r.to + ";tag=1";
    r.call_id = "call-" + user;
    r.headers = {{"Contact", contact}, {"CSeq", std::to_string(cseq) + " REGISTER"}, {"Expires", "1200"}};
    if (!authorization.empty()) r.headers.push_back({"Authorization", authorization});
    r.transport = sip::TransportKind::Udp;
    r.source = {"203.0.113.7", 40000};
    return r;
  }

  // REGISTER, the 401, REGISTER with credentials of `auth_user`: the final reply.
  RegisterReply register_with_digest(SipRegistrar& registrar, std::string user, std::string auth_user,
                                     std::string contact, std::uint32_t cseq = 1) {
    const auto challenged = registrar.handle(register_request(user, contact, cseq));
    EXPECT_EQ(challenged.status, 401);
    const auto challenge = sip::parse_digest_challenge(challenged.headers.at(0).value);
    EXPECT_TRUE(challenge);
    const auto authorization = sip::make_digest_authorization(*challenge, auth_user, kPassword, "REGISTER",
                                                              "sip:acme.sip.switchboard.local");
    return registrar.handle(register_request(user, contact, cseq + 1, authorization));
  }

  static constexpr std::string_view kPassword = "Correct-Horse-42";
  test::StoreOnDisk disk_{"sb-registrar-"};
  store::Store* store_ = &disk_.store();
  store::SipDomain domain_;
  sip::DigestServer digest_{"switchboard", "secret"};
  sip::FailureGuard guard_{{.max_failures = 3}};
  std::unique_ptr<SipDomainRouter> router_;
};

TEST_F(SipRegistrarTest, RegistersWithDigestAndTheLookupGivesTheNatSource) {
  SipRegistrar registrar(*store_, digest_, guard_, *router_);
  const auto reply = register_with_digest(registrar, "alice", "alice", "<sip:alice@192.168.1.20:5060>");
  ASSERT_EQ(reply.status, 200);
  ASSERT_EQ(reply.headers.size(), 2u);
  EXPECT_EQ(reply.headers[0].value, "<sip:alice@192.168.1.20:5060>;expires=1200");
  EXPECT_EQ(reply.headers[1].name, "Date");

  for (const auto* name : {"acme.sip.switchboard.local", "ACME.sip.us1.switchboard.local"}) {
    const auto contacts = registrar.contacts(name, "alice");
    ASSERT_EQ(contacts.size(), 1u) << name;
    EXPECT_EQ(contacts[0].contact_uri, "sip:alice@192.168.1.20:5060");
    EXPECT_EQ(contacts[0].destination_host, "203.0.113.7");
    EXPECT_EQ(contacts[0].destination_port, 40000);
    EXPECT_EQ(contacts[0].transport, sip::TransportKind::Udp);
    EXPECT_FALSE(contacts[0].is_tls);
    EXPECT_EQ(contacts[0].domain_sid, domain_.sid);
  }
  EXPECT_EQ(registrar.contacts(domain_.sid, "alice").size(), 1u);
  EXPECT_TRUE(registrar.contacts(domain_.sid, "bob").empty());
  EXPECT_TRUE(registrar.contacts("other.sip.switchboard.local", "alice").empty());
}

TEST_F(SipRegistrarTest, TheDigestUserMustBeTheAorUserAndFailuresCount) {
  SipRegistrar registrar(*store_, digest_, guard_, *router_);
  const auto reply = register_with_digest(registrar, "alice", "bob", "<sip:alice@192.168.1.20>");
  EXPECT_EQ(reply.status, 403);
  EXPECT_EQ(reply.headers.at(0).value.substr(0, 5), "32212");
  EXPECT_TRUE(registrar.contacts(domain_.sid, "alice").empty());
  register_with_digest(registrar, "alice", "bob", "<sip:alice@192.168.1.20>", 3);
  register_with_digest(registrar, "alice", "bob", "<sip:alice@192.168.1.20>", 5);
  // Banned: refused before any challenge, even with the right credentials.
  const auto banned = registrar.handle(register_request("alice", "<sip:alice@192.168.1.20>", 7));
  EXPECT_EQ(banned.status, 403);
  EXPECT_EQ(banned.headers.at(0).value.substr(0, 5), "32216");
}

TEST_F(SipRegistrarTest, BindingsSurviveANewRegistrarThroughTheStore) {
  {
    SipRegistrar registrar(*store_, digest_, guard_, *router_);
    ASSERT_EQ(register_with_digest(registrar, "alice", "alice", "<sip:alice@192.168.1.20>").status, 200);
    ASSERT_EQ(register_with_digest(registrar, "bob", "bob", "<sip:bob@192.168.1.21>").status, 200);
    registrar.flush();
    drain();
  }
  SipRegistrar restarted(*store_, digest_, guard_, *router_);
  EXPECT_EQ(restarted.load(), 2u);
  const auto contacts = restarted.contacts("acme.sip.switchboard.local", "alice");
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0].destination_host, "203.0.113.7");
  // Expired by the time of a later start: dropped, and deleted from the store.
  SipRegistrar late(*store_, digest_, guard_, *router_);
  EXPECT_EQ(late.load(now_seconds() + 1201s), 0u);
  drain();
  EXPECT_TRUE(store_->sip_registrations().list_all().empty());
}

TEST_F(SipRegistrarTest, RegistrationMustBeEnabledOnTheDomain) {
  SipRegistrar registrar(*store_, digest_, guard_, *router_);
  ASSERT_EQ(register_with_digest(registrar, "alice", "alice", "<sip:alice@192.168.1.20>").status, 200);
  domain_.sip_registration = false;
  wait([&](store::Completion done) { store_->sip_domains().save(domain_, std::move(done)); });
  registrar.flush();  // forgets the cached domain
  const auto reply = registrar.handle(register_request("alice", "<sip:alice@192.168.1.20>", 9));
  EXPECT_EQ(reply.status, 403);
  EXPECT_EQ(reply.headers.at(0).value.substr(0, 5), "32210");
  EXPECT_TRUE(registrar.contacts("acme.sip.switchboard.local", "alice").empty());
}

TEST_F(SipRegistrarTest, RegistersOverTheRateLimitOfASourceAre503With32008WhileOthersPass) {
  SipRegistrar registrar(*store_, digest_, guard_, *router_, {.register_rate_limit = 2});  // bursts of 4
  for (int i = 0; i < 4; ++i) EXPECT_EQ(registrar.handle(register_request("alice", "<sip:alice@10.0.0.1>", 1)).status, 401);
  const auto limited = registrar.handle(register_request("alice", "<sip:alice@10.0.0.1>", 1));
  EXPECT_EQ(limited.status, 503);
  ASSERT_EQ(limited.headers.size(), 2u);
  EXPECT_EQ(limited.headers[0].name, "Retry-After");
  EXPECT_EQ(limited.headers[0].value, "1");
  EXPECT_EQ(limited.headers[1].value.substr(0, 5), "32008");
  EXPECT_EQ(registrar.refusals().at(32008), 1u);
  auto other = register_request("bob", "<sip:bob@10.0.0.2>", 1);
  other.source = {"203.0.113.99", 5060};
  EXPECT_EQ(registrar.handle(other).status, 401);
  EXPECT_FALSE(guard_.is_banned("203.0.113.7")) << "over the rate is not an authentication failure";
}

TEST_F(SipRegistrarTest, NatedUdpContactsAreKeptAliveAndDroppedWhenTheyStopAnswering) {
  struct Ping {
    std::string uri;
    sip::Endpoint to;
    std::function<void(bool)> done;
  };
  std::vector<Ping> pings;
  SipRegistrar registrar(*store_, digest_, guard_, *router_, {.keepalive = {.interval = 5s, .max_failures = 2}},
                         {.ping = [&](const std::string& uri, const sip::Endpoint& to, std::function<void(bool)> done) {
                           pings.push_back({uri, to, std::move(done)});
                         }});
  // alice writes a private address in Contact (behind a NAT); bob's Contact is where he sends from.
  ASSERT_EQ(register_with_digest(registrar, "alice", "alice", "<sip:alice@192.168.1.20:5060>").status, 200);
  ASSERT_EQ(register_with_digest(registrar, "bob", "bob", "<sip:bob@203.0.113.7:40000>").status, 200);
  EXPECT_EQ(registrar.keepalive_watched(), 1u);
  const auto t = NatKeepalive::Clock::now();
  registrar.tick_keepalive(t + 6s);
  ASSERT_EQ(pings.size(), 1u);
  EXPECT_EQ(pings[0].uri, "sip:alice@192.168.1.20:5060");
  EXPECT_EQ(pings[0].to, (sip::Endpoint{"203.0.113.7", 40000}));
  pings[0].done(false);
  registrar.tick_keepalive(t + 12s);
  ASSERT_EQ(pings.size(), 2u);
  EXPECT_EQ(registrar.contacts(domain_.sid, "alice").size(), 1u);
  pings[1].done(false);  // the second in a row: dropped
  EXPECT_TRUE(registrar.contacts(domain_.sid, "alice").empty());
  EXPECT_EQ(registrar.contacts(domain_.sid, "bob").size(), 1u);
  EXPECT_EQ(registrar.keepalive_drops(), 1u);
  registrar.flush();
  drain();
  const auto rows = store_->sip_registrations().list_all();
  ASSERT_EQ(rows.size(), 1u) << "the dropped binding is deleted from the store too";
  EXPECT_EQ(rows[0].aor_user, "bob");
}

TEST_F(SipRegistrarTest, BindingsOfAClosedConnectionAreDropped) {
  std::vector<std::pair<std::uint64_t, std::chrono::seconds>> kept;
  SipRegistrar registrar(*store_, digest_, guard_, *router_, {},
                         {.keep_connection_open = [&](std::uint64_t flow, std::chrono::seconds d) {
                           kept.emplace_back(flow, d);
                         }});
  auto over_tcp = [&](std::string user, std::uint64_t flow, std::uint32_t cseq) {
    auto first = register_request(user, "<sip:" + user + "@10.0.0.5:5060;transport=tcp>", cseq);
    first.transport = sip::TransportKind::Tcp;
    first.flow = flow;
    const auto challenged = registrar.handle(first);
    const auto challenge = sip::parse_digest_challenge(challenged.headers.at(0).value);
    auto second = first;
    second.headers[1].value = std::to_string(cseq + 1) + " REGISTER";
    second.headers.push_back({"Authorization", sip::make_digest_authorization(*challenge, user, kPassword, "REGISTER",
                                                                              "sip:acme.sip.switchboard.local")});
    return registrar.handle(second).status;
  };
  ASSERT_EQ(over_tcp("alice", 7, 1), 200);
  ASSERT_EQ(over_tcp("bob", 8, 1), 200);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].first, 7u);
  EXPECT_GE(kept[0].second, 1200s) << "held open while the binding lives";
  EXPECT_EQ(registrar.on_connection_closed(7), 1u);
  EXPECT_TRUE(registrar.contacts(domain_.sid, "alice").empty());
  EXPECT_EQ(registrar.contacts(domain_.sid, "bob").size(), 1u);
  // bob refreshes over a new connection: the old one closing later leaves his binding alone.
  ASSERT_EQ(over_tcp("bob", 9, 3), 200);
  EXPECT_EQ(registrar.on_connection_closed(8), 0u);
  EXPECT_EQ(registrar.contacts(domain_.sid, "bob").size(), 1u);
  EXPECT_EQ(registrar.on_connection_closed(9), 1u);
  EXPECT_TRUE(registrar.contacts(domain_.sid, "bob").empty());
  EXPECT_EQ(registrar.connection_drops(), 2u);
}

}  // namespace
}  // namespace sb::calls
