#include "sip/dns/resolver.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <optional>

#include "dns/fake_dns_server.hpp"
#include "sip/dns/dns_errc.hpp"

namespace sb::sip {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;

class ResolverTest : public ::testing::Test {
 protected:
  ResolverConfig config() const {
    ResolverConfig c;
    c.nameserver = dns.address();
    c.timeout = 100ms;
    c.tries = 2;
    return c;
  }
  template <class Predicate>
  void run_until(Predicate done) {
    for (int i = 0; i < 300 && !done(); ++i) io.run_for(10ms);
  }

  asio::io_context io;
  test::FakeDnsServer dns{io};
};

TEST_F(ResolverTest, ReadsSrvAndNaptrRecords) {
  dns.add_srv("_sip._udp.example.test", 10, 60, 5060, "a.example.test");
  dns.add_naptr("example.test", 10, 20, "s", "SIP+D2U", "_sip._udp.example.test");
  Resolver r(io, config());
  std::optional<std::vector<SrvRecord>> srv;
  std::optional<std::vector<NaptrRecord>> naptr;
  r.srv("_sip._udp.example.test", [&](std::error_code ec, std::vector<SrvRecord> v) {
    EXPECT_FALSE(ec) << ec.message();
    srv = std::move(v);
  });
  r.naptr("example.test", [&](std::error_code ec, std::vector<NaptrRecord> v) {
    EXPECT_FALSE(ec) << ec.message();
    naptr = std::move(v);
  });
  run_until([&] { return srv && naptr; });
  ASSERT_TRUE(srv && naptr);
  ASSERT_EQ(srv->size(), 1u);
  EXPECT_EQ(srv->front().priority, 10);
  EXPECT_EQ(srv->front().weight, 60);
  EXPECT_EQ(srv->front().port, 5060);
  EXPECT_EQ(srv->front().target, "a.example.test");
  ASSERT_EQ(naptr->size(), 1u);
  EXPECT_EQ(naptr->front().order, 10);
  EXPECT_EQ(naptr->front().preference, 20);
  EXPECT_EQ(naptr->front().flags, "s");
  EXPECT_EQ(naptr->front().service, "SIP+D2U");
  EXPECT_EQ(naptr->front().replacement, "_sip._udp.example.test");
}

TEST_F(ResolverTest, AnswersFromTheCacheWithinTheTtl) {
  dns.add_a("example.test", "192.0.2.1", 60);
  dns.add_aaaa("example.test", "2001:db8::1", 60);
  Resolver r(io, config());
  std::vector<std::string> first;
  std::vector<std::string> second;
  r.addresses("example.test", [&](std::error_code ec, std::vector<std::string> v) {
    EXPECT_FALSE(ec) << ec.message();
    first = std::move(v);
  });
  run_until([&] { return !first.empty(); });
  const auto asked = dns.questions.size();
  r.addresses("EXAMPLE.test", [&](std::error_code, std::vector<std::string> v) { second = std::move(v); });
  run_until([&] { return !second.empty(); });
  std::ranges::sort(first);
  EXPECT_EQ(first, (std::vector<std::string>{"192.0.2.1", "2001:db8::1"}));
  std::ranges::sort(second);
  EXPECT_EQ(second, first);
  EXPECT_EQ(dns.questions.size(), asked);
  EXPECT_EQ(r.stats().cache_hits, 1u);
}

TEST_F(ResolverTest, CachesSrvForItsTtlButNotAZeroTtl) {
  dns.add_srv("_sip._udp.kept.test", 10, 0, 5060, "a.kept.test", 60);
  dns.add_srv("_sip._udp.fleeting.test", 10, 0, 5060, "a.fleeting.test", 0);
  Resolver r(io, config());
  int answers = 0;
  for (int i = 0; i < 2; ++i) {
    for (const auto* name : {"_sip._udp.kept.test", "_sip._udp.fleeting.test"}) {
      r.srv(name, [&](std::error_code ec, std::vector<SrvRecord> v) {
        EXPECT_FALSE(ec) << ec.message();
        EXPECT_EQ(v.size(), 1u);
        ++answers;
      });
    }
    run_until([&] { return answers == 2 * (i + 1); });
  }
  EXPECT_EQ(answers, 4);
  EXPECT_EQ(dns.questions, (std::vector<std::string>{"SRV _sip._udp.kept.test", "SRV _sip._udp.fleeting.test",
                                                     "SRV _sip._udp.fleeting.test"}));
}

TEST_F(ResolverTest, AsksAgainOverTcpWhenTheUdpAnswerIsTruncated) {
  for (std::uint16_t i = 0; i < 40; ++i) {
    dns.add_srv("_sip._udp.big.test", 10, i, static_cast<std::uint16_t>(5060 + i),
                "server-" + std::to_string(i) + ".big.test");
  }
  dns.truncates_udp = true;
  Resolver r(io, config());
  std::optional<std::vector<SrvRecord>> srv;
  r.srv("_sip._udp.big.test", [&](std::error_code ec, std::vector<SrvRecord> v) {
    EXPECT_FALSE(ec) << ec.message();
    srv = std::move(v);
  });
  run_until([&] { return srv.has_value(); });
  ASSERT_TRUE(srv);
  EXPECT_EQ(srv->size(), 40u);
  EXPECT_EQ(dns.tcp_questions, 1);
}

TEST_F(ResolverTest, ReportsNxdomainAndEmptyAnswers) {
  dns.add_name("empty.test");
  Resolver r(io, config());
  std::error_code missing;
  std::error_code empty;
  r.srv("_sip._udp.nowhere.test", [&](std::error_code ec, std::vector<SrvRecord>) { missing = ec; });
  r.naptr("empty.test", [&](std::error_code ec, std::vector<NaptrRecord>) { empty = ec; });
  run_until([&] { return missing && empty; });
  EXPECT_EQ(missing, DnsErrc::NotFound);
  EXPECT_EQ(empty, DnsErrc::NoRecords);
}

TEST_F(ResolverTest, HandlersNeverRunInsideTheCall) {
  Resolver r(io, config());
  bool is_done = false;
  r.addresses("192.0.2.5", [&](std::error_code ec, std::vector<std::string> v) {
    EXPECT_FALSE(ec);
    EXPECT_EQ(v, std::vector<std::string>{"192.0.2.5"});
    is_done = true;
  });
  EXPECT_FALSE(is_done);
  run_until([&] { return is_done; });
  EXPECT_TRUE(is_done);
  EXPECT_TRUE(dns.questions.empty());
}

TEST_F(ResolverTest, CloseDropsPendingLookups) {
  dns.is_silent = true;
  Resolver r(io, config());
  int calls = 0;
  r.naptr("example.test", [&](std::error_code, std::vector<NaptrRecord>) { ++calls; });
  io.run_for(20ms);
  r.close();
  io.run_for(500ms);
  EXPECT_EQ(calls, 0);
  std::error_code after;
  r.srv("_sip._udp.example.test", [&](std::error_code ec, std::vector<SrvRecord>) { after = ec; });
  run_until([&] { return bool(after); });
  EXPECT_EQ(after, DnsErrc::Cancelled);
}

TEST(Resolver, RejectsANameserverThatIsNoAddress) {
  asio::io_context io;
  ResolverConfig c;
  c.nameserver = "dns.example.com:53";
  EXPECT_THROW(Resolver(io, c), std::system_error);
}

}  // namespace
}  // namespace sb::sip
