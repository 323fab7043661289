#include "sip/registrar/location_service.hpp"

#include <gtest/gtest.h>

namespace sb::sip {
namespace {

using namespace std::chrono_literals;

const SystemTime kT0{std::chrono::seconds{1'700'000'000}};

RegisterRequest request(std::vector<std::string> contacts, std::optional<std::uint32_t> expires = std::nullopt,
                        std::string call_id = "call-1", std::uint32_t cseq = 1) {
  RegisterRequest r;
  r.contacts = std::move(contacts);
  r.expires = expires;
  r.call_id = std::move(call_id);
  r.cseq = cseq;
  r.transport = TransportKind::Udp;
  r.source = {"203.0.113.7", 40000};
  return r;
}

TEST(LocationService, RegistersAContactWithTheDefaultExpiryAndTheNatSource) {
  LocationService service;
  const auto out = service.update("aor", request({"<sip:alice@192.168.1.10:5060>"}), kT0);
  ASSERT_EQ(out.status, RegisterStatus::Ok);
  ASSERT_EQ(out.current.size(), 1u);
  EXPECT_EQ(out.current[0].contact_uri, "sip:alice@192.168.1.10:5060");
  EXPECT_EQ(out.current[0].expires_at, kT0 + 3600s);
  EXPECT_EQ(out.current[0].source, (Endpoint{"203.0.113.7", 40000}));
  EXPECT_EQ(out.saved.size(), 1u);
  EXPECT_EQ(service.lookup("aor", kT0 + 3599s).size(), 1u);
  EXPECT_TRUE(service.lookup("aor", kT0 + 3600s).empty());
}

TEST(LocationService, RefusesExpiryBelowTheMinimumAndCapsItAtTheMaximum) {
  LocationService service;
  EXPECT_EQ(service.update("aor", request({"<sip:a@h>"}, 599), kT0).status, RegisterStatus::IntervalTooBrief);
  EXPECT_EQ(service.update("aor", request({"<sip:a@h>;expires=60"}, 3600), kT0).status,
            RegisterStatus::IntervalTooBrief);
  EXPECT_EQ(service.binding_count(), 0u);
  const auto out = service.update("aor", request({"<sip:a@h>;expires=7200"}, 600), kT0);
  ASSERT_EQ(out.status, RegisterStatus::Ok);
  EXPECT_EQ(out.current.at(0).expires_at, kT0 + 3600s);
  // The parameter wins over the header.
  const auto both = service.update("aor", request({"<sip:a@h>;expires=900"}, 3000, "call-1", 2), kT0);
  EXPECT_EQ(both.current.at(0).expires_at, kT0 + 900s);
}

TEST(LocationService, SeveralContactsThenUnregisterOne) {
  LocationService service;
  const auto out = service.update("aor", request({"<sip:a@10.0.0.1>", "<sip:a@10.0.0.2>;expires=1200"}, 600), kT0);
  ASSERT_EQ(out.status, RegisterStatus::Ok);
  ASSERT_EQ(out.current.size(), 2u);
  EXPECT_EQ(out.current[0].expires_at, kT0 + 600s);
  EXPECT_EQ(out.current[1].expires_at, kT0 + 1200s);
  const auto removed = service.update("aor", request({"<sip:a@10.0.0.1>;expires=0"}, std::nullopt, "call-1", 2), kT0);
  ASSERT_EQ(removed.status, RegisterStatus::Ok);
  ASSERT_EQ(removed.current.size(), 1u);
  EXPECT_EQ(removed.current[0].contact_uri, "sip:a@10.0.0.2");
  EXPECT_EQ(removed.removed, std::vector<std::string>{"sip:a@10.0.0.1"});
}

TEST(LocationService, EquivalentUrisAreTheSameBinding) {
  LocationService service;
  service.update("aor", request({"<sip:a@Host.Example;transport=udp>"}), kT0);
  const auto out = service.update("aor", request({"<sip:a@host.example;transport=UDP>"}, 900, "call-1", 2), kT0);
  ASSERT_EQ(out.current.size(), 1u);
  EXPECT_EQ(out.current[0].contact_uri, "sip:a@Host.Example;transport=udp");  // the stored key stays
}

TEST(LocationService, WildcardRemovesEveryBindingOnlyWithExpiresZero) {
  LocationService service;
  service.update("aor", request({"<sip:a@10.0.0.1>", "<sip:a@10.0.0.2>"}), kT0);
  service.update("aor", request({"<sip:a@10.0.0.3>"}, std::nullopt, "other-call", 7), kT0);
  EXPECT_EQ(service.update("aor", request({"*"}, 600, "call-1", 2), kT0).status, RegisterStatus::BadRequest);
  EXPECT_EQ(service.update("aor", request({"*"}), kT0).status, RegisterStatus::BadRequest);
  EXPECT_EQ(service.update("aor", request({"*", "<sip:a@x>"}, 0, "call-1", 2), kT0).status,
            RegisterStatus::BadRequest);
  const auto out = service.update("aor", request({"*"}, 0, "call-1", 2), kT0);
  ASSERT_EQ(out.status, RegisterStatus::Ok);
  EXPECT_TRUE(out.current.empty());
  EXPECT_EQ(out.removed.size(), 3u);
  EXPECT_EQ(service.binding_count(), 0u);
}

TEST(LocationService, ARequestNotNewerThanTheBindingForItsCallIdFails) {
  LocationService service;
  service.update("aor", request({"<sip:a@h>"}, std::nullopt, "call-1", 5), kT0);
  EXPECT_EQ(service.update("aor", request({"<sip:a@h>"}, 0, "call-1", 5), kT0).status, RegisterStatus::OutOfOrder);
  EXPECT_EQ(service.update("aor", request({"<sip:a@h>"}, 0, "call-1", 4), kT0).status, RegisterStatus::OutOfOrder);
  EXPECT_EQ(service.update("aor", request({"*"}, 0, "call-1", 3), kT0).status, RegisterStatus::OutOfOrder);
  EXPECT_EQ(service.binding_count(), 1u);
  // Another Call-ID (a rebooted phone) may replace it whatever its CSeq.
  EXPECT_EQ(service.update("aor", request({"<sip:a@h>"}, 900, "call-2", 1), kT0).status, RegisterStatus::Ok);
  EXPECT_EQ(service.update("aor", request({"<sip:a@h>"}, 900, "call-2", 2), kT0).status, RegisterStatus::Ok);
}

TEST(LocationService, AtMostTenContactsPerAor) {
  LocationService service;
  for (int i = 0; i < 10; ++i) {
    const auto out =
        service.update("aor", request({"<sip:a@10.0.0." + std::to_string(i) + ">"}, 600, "c" + std::to_string(i)), kT0);
    ASSERT_EQ(out.status, RegisterStatus::Ok);
  }
  EXPECT_EQ(service.update("aor", request({"<sip:a@10.0.0.99>"}, 600, "c99"), kT0).status,
            RegisterStatus::TooManyContacts);
  EXPECT_EQ(service.lookup("aor", kT0).size(), 10u);
  // Refreshing an existing one is fine, and other AORs are not affected.
  EXPECT_EQ(service.update("aor", request({"<sip:a@10.0.0.3>"}, 600, "c3", 2), kT0).status, RegisterStatus::Ok);
  EXPECT_EQ(service.update("other", request({"<sip:a@10.0.0.99>"}, 600, "c99"), kT0).status, RegisterStatus::Ok);
  // Expired bindings do not count.
  EXPECT_EQ(service.update("aor", request({"<sip:a@10.0.0.99>"}, 600, "c99"), kT0 + 601s).status, RegisterStatus::Ok);
}

TEST(LocationService, OversizedContactListsAndBadContactsAreRefused) {
  LocationService service;
  std::vector<std::string> many;
  for (int i = 0; i < 11; ++i) many.push_back("<sip:a@10.0.0." + std::to_string(i) + ">");
  EXPECT_EQ(service.update("aor", request(many), kT0).status, RegisterStatus::TooManyContacts);
  EXPECT_EQ(service.update("aor", request({"<sip:a@" + std::string(600, 'h') + ">"}), kT0).status,
            RegisterStatus::BadRequest);
  EXPECT_EQ(service.update("aor", request({"<tel:+15551234567>"}), kT0).status, RegisterStatus::BadRequest);
  EXPECT_EQ(service.update("aor", request({"<sip:a@h"}), kT0).status, RegisterStatus::BadRequest);
  auto bad_expires = request({"<sip:a@h>"});
  bad_expires.has_bad_expires_header = true;
  EXPECT_EQ(service.update("aor", bad_expires, kT0).status, RegisterStatus::BadRequest);
  EXPECT_EQ(service.binding_count(), 0u);
}

TEST(LocationService, AQueryWithoutContactsListsTheBindings) {
  LocationService service;
  service.update("aor", request({"<sip:a@h>"}), kT0);
  const auto out = service.update("aor", request({}, std::nullopt, "q", 1), kT0 + 10s);
  ASSERT_EQ(out.status, RegisterStatus::Ok);
  EXPECT_EQ(out.current.size(), 1u);
  EXPECT_TRUE(out.saved.empty());
}

TEST(LocationService, SweepDropsExpiredBindingsAndRestoreSkipsThem) {
  LocationService service;
  service.update("a", request({"<sip:a@h>"}, 600), kT0);
  service.update("b", request({"<sip:b@h>"}, 1200), kT0);
  EXPECT_TRUE(service.sweep(kT0 + 599s).empty());
  const auto expired = service.sweep(kT0 + 600s);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].aor, "a");
  EXPECT_EQ(service.binding_count(), 1u);
  EXPECT_TRUE(service.sweep(kT0 + 601s).empty());

  Binding old{.contact_uri = "sip:c@h", .expires_at = kT0};
  EXPECT_FALSE(service.restore("c", old, kT0));
  old.expires_at = kT0 + 10s;
  EXPECT_TRUE(service.restore("c", old, kT0));
  EXPECT_EQ(service.lookup("c", kT0).size(), 1u);
}

TEST(LocationService, RemovesOneBindingFoundUnreachableWhenItStillMatches) {
  LocationService service;
  auto r = request({"<sip:a@10.0.0.1>", "<sip:a@10.0.0.2>"});
  r.flow = 7;
  ASSERT_EQ(service.update("aor", r, kT0).status, RegisterStatus::Ok);
  EXPECT_EQ(service.lookup("aor", kT0)[0].flow, 7u);
  EXPECT_FALSE(service.remove("aor", "sip:a@10.0.0.1", [](const Binding& b) { return b.flow == 8; }));
  EXPECT_TRUE(service.remove("aor", "sip:a@10.0.0.1", [](const Binding& b) { return b.flow == 7; }));
  EXPECT_FALSE(service.remove("aor", "sip:a@10.0.0.1"));
  EXPECT_FALSE(service.remove("other", "sip:a@10.0.0.2"));
  ASSERT_EQ(service.lookup("aor", kT0).size(), 1u);
  EXPECT_TRUE(service.remove("aor", "sip:a@10.0.0.2"));
  EXPECT_EQ(service.binding_count(), 0u);
}

}  // namespace
}  // namespace sb::sip
