#include "sip/dns/target_resolver.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <optional>

#include "dns/fake_dns_server.hpp"
#include "sip/dns/dns_errc.hpp"
#include "sip/message/uri.hpp"

namespace sb::sip {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;

class TargetResolverTest : public ::testing::Test {
 protected:
  TargetResolverTest() {
    ResolverConfig c;
    c.nameserver = dns.address();
    c.timeout = 1000ms;  // generous: a loaded machine (sanitizers, parallel tests) is slow to answer
    c.tries = 2;
    resolver.emplace(io, c);
  }

  // Resolves `uri` with `policy` (every transport by default), running the loop until done.
  Result<std::vector<Target>> resolve(std::string_view uri, TargetPolicy policy = {}) {
    auto parsed = parse_uri(uri);
    EXPECT_TRUE(parsed) << uri;
    auto hop = next_hop_for(*parsed);
    EXPECT_TRUE(hop) << uri;
    TargetResolver targets(*resolver, std::move(policy));
    std::optional<Result<std::vector<Target>>> result;
    targets.resolve(*hop, [&](Result<std::vector<Target>> r) { result = std::move(r); });
    for (int i = 0; i < 800 && !result; ++i) io.run_for(10ms);
    EXPECT_TRUE(result) << "no answer for " << uri;
    return result ? std::move(*result) : Result<std::vector<Target>>(make_error_code(DnsErrc::Cancelled));
  }

  bool was_asked(std::string_view question) const {
    return std::ranges::find(dns.questions, question) != dns.questions.end();
  }

  asio::io_context io;
  test::FakeDnsServer dns{io};
  std::optional<Resolver> resolver;
};

TargetPolicy without_tls() {
  TargetPolicy p;
  p.supports = [](TransportKind k) { return k != TransportKind::Tls; };
  return p;
}

TEST_F(TargetResolverTest, FollowsNaptrThenSrvThenAddressesInNaptrOrder) {
  dns.add_naptr("example.test", 20, 10, "s", "SIPS+D2T", "_sips._tcp.example.test");
  dns.add_naptr("example.test", 10, 20, "s", "SIP+D2U", "_sip._udp.example.test");
  dns.add_naptr("example.test", 10, 10, "S", "SIP+D2T", "_sip._tcp.example.test");
  dns.add_naptr("example.test", 5, 10, "s", "SIP+D2S", "_sip._sctp.example.test");  // SCTP: not ours
  dns.add_srv("_sip._tcp.example.test", 10, 0, 5070, "tcp.example.test");
  dns.add_srv("_sip._udp.example.test", 10, 0, 5080, "udp.example.test");
  dns.add_srv("_sips._tcp.example.test", 10, 0, 5081, "tls.example.test");
  dns.add_a("tcp.example.test", "192.0.2.1");
  dns.add_a("udp.example.test", "192.0.2.2");
  dns.add_a("tls.example.test", "192.0.2.3");
  const auto r = resolve("sip:alice@example.test");
  ASSERT_TRUE(r) << r.error().message();
  const std::vector<Target> expected{{TransportKind::Tcp, "192.0.2.1", 5070},
                                     {TransportKind::Udp, "192.0.2.2", 5080},
                                     {TransportKind::Tls, "192.0.2.3", 5081}};
  EXPECT_EQ(*r, expected);
  EXPECT_FALSE(was_asked("SRV _sip._sctp.example.test"));
}

TEST_F(TargetResolverTest, NaptrRecordsOfTransportsWeLackAreSkipped) {
  dns.add_naptr("example.test", 10, 10, "s", "SIPS+D2T", "_sips._tcp.example.test");
  dns.add_naptr("example.test", 20, 10, "s", "SIP+D2U", "_sip._udp.example.test");
  dns.add_srv("_sips._tcp.example.test", 10, 0, 5081, "tls.example.test");
  dns.add_srv("_sip._udp.example.test", 10, 0, 5080, "udp.example.test");
  dns.add_a("tls.example.test", "192.0.2.3");
  dns.add_a("udp.example.test", "192.0.2.2");
  const auto r = resolve("sip:example.test", without_tls());
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->front(), (Target{TransportKind::Udp, "192.0.2.2", 5080}));
  EXPECT_FALSE(was_asked("SRV _sips._tcp.example.test"));
}

TEST_F(TargetResolverTest, WithoutNaptrAsksSrvOfEachTransportAndOrdersByPriority) {
  dns.add_name("example.test");
  dns.add_srv("_sip._udp.example.test", 20, 0, 5062, "c.example.test");
  dns.add_srv("_sip._udp.example.test", 10, 10, 5060, "a.example.test");
  dns.add_srv("_sip._udp.example.test", 10, 90, 5061, "b.example.test");
  dns.add_a("a.example.test", "192.0.2.10");
  dns.add_a("b.example.test", "192.0.2.11");
  dns.add_a("c.example.test", "192.0.2.12");
  auto policy = without_tls();
  policy.random = [](std::uint32_t max) { return max; };  // the heaviest wins each draw
  const auto r = resolve("sip:example.test", policy);
  ASSERT_TRUE(r) << r.error().message();
  const std::vector<Target> expected{{TransportKind::Udp, "192.0.2.11", 5061},
                                     {TransportKind::Udp, "192.0.2.10", 5060},
                                     {TransportKind::Udp, "192.0.2.12", 5062}};
  EXPECT_EQ(*r, expected);
  EXPECT_TRUE(was_asked("NAPTR example.test"));
  EXPECT_TRUE(was_asked("SRV _sip._udp.example.test"));
  EXPECT_TRUE(was_asked("SRV _sip._tcp.example.test"));
  EXPECT_FALSE(was_asked("SRV _sips._tcp.example.test"));  // no TLS listener
}

TEST_F(TargetResolverTest, ExplicitPortSkipsNaptrAndSrv) {
  dns.add_naptr("example.test", 10, 10, "s", "SIP+D2U", "_sip._udp.example.test");
  dns.add_srv("_sip._udp.example.test", 10, 0, 5080, "udp.example.test");
  dns.add_a("example.test", "192.0.2.1");
  const auto r = resolve("sip:example.test:5099;transport=tcp");
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->front(), (Target{TransportKind::Tcp, "192.0.2.1", 5099}));
  EXPECT_FALSE(was_asked("NAPTR example.test"));
  EXPECT_FALSE(was_asked("SRV _sip._udp.example.test"));
  EXPECT_TRUE(was_asked("A example.test"));
}

TEST_F(TargetResolverTest, ExplicitTransportSkipsNaptrAndAsksItsSrv) {
  dns.add_naptr("example.test", 10, 10, "s", "SIP+D2U", "_sip._udp.example.test");
  dns.add_srv("_sip._tcp.example.test", 10, 0, 5070, "tcp.example.test");
  dns.add_a("tcp.example.test", "192.0.2.4");
  const auto r = resolve("sip:example.test;transport=TCP");
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->front(), (Target{TransportKind::Tcp, "192.0.2.4", 5070}));
  EXPECT_FALSE(was_asked("NAPTR example.test"));
}

TEST_F(TargetResolverTest, SipsUsesOnlyTls) {
  dns.add_naptr("example.test", 10, 10, "s", "SIP+D2U", "_sip._udp.example.test");
  dns.add_naptr("example.test", 20, 10, "s", "SIPS+D2T", "_sips._tcp.example.test");
  dns.add_srv("_sip._udp.example.test", 10, 0, 5080, "udp.example.test");
  dns.add_srv("_sips._tcp.example.test", 10, 0, 5081, "tls.example.test");
  dns.add_a("udp.example.test", "192.0.2.2");
  dns.add_a("tls.example.test", "192.0.2.3");
  const auto r = resolve("sips:bob@example.test");
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->front(), (Target{TransportKind::Tls, "192.0.2.3", 5081}));
}

TEST_F(TargetResolverTest, SipsWithoutNaptrOrSrvIsTlsOnPort5061) {
  dns.add_a("example.test", "192.0.2.1");
  const auto r = resolve("sips:example.test");
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->front(), (Target{TransportKind::Tls, "192.0.2.1", 5061}));
  EXPECT_TRUE(was_asked("SRV _sips._tcp.example.test"));
  EXPECT_FALSE(was_asked("SRV _sip._udp.example.test"));
}

TEST_F(TargetResolverTest, NoNaptrNoSrvFallsBackToAddressesOnUdp5060) {
  dns.add_a("example.test", "192.0.2.1");
  dns.add_aaaa("example.test", "2001:db8::1");
  TargetPolicy policy;
  policy.has_ipv6 = false;  // an IPv4 listener cannot use the AAAA
  const auto r = resolve("sip:example.test", policy);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->front(), (Target{TransportKind::Udp, "192.0.2.1", 5060}));
}

TEST_F(TargetResolverTest, NxdomainIsAnErrorAtOnce) {
  const auto r = resolve("sip:nowhere.test");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), DnsErrc::NotFound);
  EXPECT_EQ(dns.questions, std::vector<std::string>{"NAPTR nowhere.test"});
}

TEST_F(TargetResolverTest, NameWithoutAddressesIsAnError) {
  dns.add_name("example.test");
  const auto r = resolve("sip:example.test");
  EXPECT_FALSE(r);
}

TEST_F(TargetResolverTest, SilentServerTimesOutWithinTheTriesBound) {
  dns.is_silent = true;
  const auto start = std::chrono::steady_clock::now();
  const auto r = resolve("sip:example.test");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), DnsErrc::Timeout);
  EXPECT_LT(elapsed, 5s);  // two tries of 1 s (the second may back off to 2 s), not the system default
  EXPECT_GE(dns.questions.size(), 2u);  // the question was tried again
}

TEST_F(TargetResolverTest, NumericHostNeedsNoDns) {
  const auto hop = next_hop_for(*parse_uri("sips:[2001:db8::5]"));
  ASSERT_TRUE(hop);
  TargetResolver targets(*resolver, {});
  EXPECT_EQ(targets.numeric_target(*hop), (Target{TransportKind::Tls, "2001:db8::5", 5061}));
  const auto udp = next_hop_for(*parse_uri("sip:192.0.2.9;maddr=192.0.2.8"));
  EXPECT_EQ(targets.numeric_target(*udp), (Target{TransportKind::Udp, "192.0.2.8", 5060}));
  EXPECT_FALSE(targets.numeric_target(*next_hop_for(*parse_uri("sip:example.test"))));
  const auto r = resolve("sip:192.0.2.7:5070;transport=tcp");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->front(), (Target{TransportKind::Tcp, "192.0.2.7", 5070}));
  EXPECT_TRUE(dns.questions.empty());
}

TEST(OrderSrv, SortsByPriorityThenWeightedDraws) {
  std::vector<SrvRecord> records{{20, 0, 1, "c"}, {10, 50, 2, "a"}, {10, 0, 3, "zero"}, {10, 50, 4, "b"}, {5, 0, 5, "."}};
  TargetPolicy lowest;
  lowest.random = [](std::uint32_t) { return 0u; };
  auto names = [](const std::vector<SrvRecord>& v) {
    std::vector<std::string> out;
    for (const auto& r : v) out.push_back(r.target);
    return out;
  };
  // A draw of 0 takes the zero-weight record first, then the first in the running sum.
  EXPECT_EQ(names(order_srv(records, lowest)), (std::vector<std::string>{"zero", "a", "b", "c"}));
  TargetPolicy highest;
  highest.random = [](std::uint32_t max) { return max; };
  EXPECT_EQ(names(order_srv(records, highest)), (std::vector<std::string>{"b", "a", "zero", "c"}));
  // With real draws, the 90-weight record comes first about 90% of the time.
  std::vector<SrvRecord> weighted{{10, 10, 1, "light"}, {10, 90, 2, "heavy"}};
  int heavy_first = 0;
  for (int i = 0; i < 1000; ++i) heavy_first += order_srv(weighted, {}).front().target == "heavy";
  EXPECT_GT(heavy_first, 800);
  EXPECT_LT(heavy_first, 980);
}

TEST(UsableNaptr, KeepsSipServicesWithFlagSInOrderAndPreference) {
  std::vector<NaptrRecord> records{{10, 20, "s", "SIP+D2U", "", "_sip._udp.x"},
                                   {10, 10, "s", "SIP+D2T", "", "_sip._tcp.x"},
                                   {10, 5, "u", "SIP+D2T", "!^.*$!sip:x!", ""},
                                   {5, 90, "s", "SIPS+D2T", "", "_sips._tcp.x"},
                                   {1, 1, "s", "E2U+sip", "", "_sip._udp.y"}};
  const std::vector<NaptrTarget> all{{TransportKind::Tls, "_sips._tcp.x"},
                                     {TransportKind::Tcp, "_sip._tcp.x"},
                                     {TransportKind::Udp, "_sip._udp.x"}};
  EXPECT_EQ(usable_naptr(records, false, {}), all);
  EXPECT_EQ(usable_naptr(records, true, {}), (std::vector<NaptrTarget>{{TransportKind::Tls, "_sips._tcp.x"}}));
}

}  // namespace
}  // namespace sb::sip
