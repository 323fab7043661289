#include "app/config.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace sb::app {
namespace {

TEST(Config, DefaultsAreDesignMdDefaults) {
  const auto c = load_config({});
  EXPECT_EQ(c.data_dir, "./var");
  EXPECT_EQ(c.http.to_string(), "127.0.0.1:8080");
  EXPECT_EQ(c.sip.to_string(), "0.0.0.0:5060");
  EXPECT_FALSE(c.sip_tls);
  EXPECT_EQ(c.rtp_ports.low, 20000);
  EXPECT_EQ(c.rtp_ports.high, 29999);
  EXPECT_EQ(c.base_domain, "switchboard.local");
}

TEST(Config, TomlSetsValuesAndFlagsOverrideThem) {
  Config c;
  apply_toml(c, R"(
data_dir = "/srv/sb"
log_level = "debug"
[http]
listen = "[::1]:9000"
request_timeout_seconds = 5
[rtp]
ports = "30000-30099"
[tls]
cert = "c.pem"
key = "k.pem"
)", "test.toml");
  EXPECT_EQ(c.data_dir, "/srv/sb");
  EXPECT_EQ(c.http.host, "::1");
  EXPECT_EQ(c.http.port, 9000);
  EXPECT_EQ(c.http.to_string(), "[::1]:9000");
  EXPECT_EQ(c.http_request_timeout, std::chrono::seconds{5});
  EXPECT_EQ(c.rtp_ports.low, 30000);
  EXPECT_EQ(c.tls_cert, "c.pem");
}

TEST(Config, DnsServerTakesAnAddressWithOptionalPort) {
  Config c;
  EXPECT_FALSE(c.sip_dns_server);
  apply_toml(c, "[sip]\ndns_server = \"127.0.0.1:5353\"\n", "test.toml");
  ASSERT_TRUE(c.sip_dns_server);
  EXPECT_EQ(c.sip_dns_server->to_string(), "127.0.0.1:5353");
  apply_toml(c, "[sip]\ndns_server = \"2001:db8::53\"\n", "test.toml");
  EXPECT_EQ(c.sip_dns_server->to_string(), "[2001:db8::53]:53");
  EXPECT_THROW(apply_toml(c, "[sip]\ndns_server = \"dns.example.com:53\"\n", "test.toml"), std::invalid_argument);
}

TEST(Config, CertificateImpliesTheTlsListener) {
  Flags f;
  f.tls_cert = "c.pem";
  f.tls_key = "k.pem";
  const auto c = load_config(f);
  ASSERT_TRUE(c.sip_tls);
  EXPECT_EQ(c.sip_tls->to_string(), "0.0.0.0:5061");
  f.tls_key.reset();
  EXPECT_THROW(load_config(f), std::runtime_error);
}

TEST(Config, RegistrarLimitsAndNatKeepalives) {
  Config c;
  EXPECT_EQ(c.sip_register_rate_limit, 100u);
  EXPECT_EQ(c.sip_nat_keepalive, std::chrono::seconds{30});
  EXPECT_EQ(c.sip_nat_keepalive_max_failures, 3u);
  apply_toml(c, "[sip]\nregister_rate_limit = 0\nnat_keepalive_seconds = 0\nnat_keepalive_max_failures = 5\n", "t.toml");
  EXPECT_EQ(c.sip_register_rate_limit, 0u);
  EXPECT_EQ(c.sip_nat_keepalive, std::chrono::seconds{0});
  EXPECT_EQ(c.sip_nat_keepalive_max_failures, 5u);
  EXPECT_THROW(apply_toml(c, "[sip]\nregister_rate_limit = -1\n", "t.toml"), std::exception);
  EXPECT_THROW(apply_toml(c, "[sip]\nnat_keepalive_seconds = 3601\n", "t.toml"), std::exception);
}

TEST(Config, RealtimePriorityIsOffUnlessSet) {
  Config c;
  EXPECT_EQ(c.realtime_priority, 0);
  apply_toml(c, "realtime_priority = 20\n", "t.toml");
  EXPECT_EQ(c.realtime_priority, 20);
  EXPECT_THROW(apply_toml(c, "realtime_priority = 100\n", "t.toml"), std::exception);
  EXPECT_THROW(apply_toml(c, "realtime_priority = -1\n", "t.toml"), std::exception);
}

TEST(Config, OverloadLagDefaultsTo50MsAndZeroTurnsItOff) {
  Config c;
  EXPECT_EQ(c.overload_lag, std::chrono::milliseconds{50});
  apply_toml(c, "[calls]\noverload_lag_ms = 0\n", "t.toml");
  EXPECT_EQ(c.overload_lag, std::chrono::milliseconds{0});
  apply_toml(c, "[calls]\noverload_lag_ms = 200\n", "t.toml");
  EXPECT_EQ(c.overload_lag, std::chrono::milliseconds{200});
  EXPECT_THROW(apply_toml(c, "[calls]\noverload_lag_ms = 2\n", "t.toml"), std::exception);
  EXPECT_THROW(apply_toml(c, "[calls]\noverload_lag_ms = 10001\n", "t.toml"), std::exception);
  EXPECT_THROW(apply_toml(c, "[calls]\noverload_lag_ms = \"fast\"\n", "t.toml"), std::exception);
}

TEST(Config, StoreCommitDelayIsOffUnlessSet) {
  Config c;
  EXPECT_EQ(c.store_commit_delay, std::chrono::milliseconds{0});
  apply_toml(c, "[store]\ncommit_delay_ms = 3\n", "t.toml");
  EXPECT_EQ(c.store_commit_delay, std::chrono::milliseconds{3});
  EXPECT_THROW(apply_toml(c, "[store]\ncommit_delay_ms = 101\n", "t.toml"), std::exception);
  EXPECT_THROW(apply_toml(c, "[store]\ncommit_delay_ms = -1\n", "t.toml"), std::exception);
}

TEST(Config, BadValuesNameTheSetting) {
  Config c;
  auto message = [&](std::string_view toml) {
    try {
      apply_toml(c, toml, "f.toml");
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("[http]\nlistne = \"x\"\n").find("unknown setting 'http.listne'"), std::string::npos);
  EXPECT_NE(message("log_level = \"loud\"\n").find("log_level"), std::string::npos);
  EXPECT_NE(message("[rtp]\nports = \"20001-20000\"\n").find("rtp.ports"), std::string::npos);
  EXPECT_NE(message("[http]\nmax_body_bytes = 1\n").find("http.max_body_bytes"), std::string::npos);
  EXPECT_NE(message("data_dir = 3\n").find("'data_dir' must be a string"), std::string::npos);
  EXPECT_NE(message("data_dir = \n").find("f.toml"), std::string::npos);
  EXPECT_THROW(parse_endpoint("localhost", "--http"), std::invalid_argument);
  EXPECT_THROW(parse_endpoint("[::1]9000", "--http"), std::invalid_argument);
  EXPECT_THROW(parse_endpoint("1.2.3.4:65536", "--http"), std::invalid_argument);
}

TEST(Config, TrunksAreReadAndChecked) {
  Config c;
  apply_toml(c,
             "[[trunks]]\nname = \"carrier\"\nhost = \"sbc.example.net\"\nport = 5070\ntransport = \"tcp\"\n"
             "username = \"acct\"\npassword = \"pw\"\nnumber_format = \"digits\"\nprefixes = [\"+1\", \"+44\"]\n"
             "[[trunks]]\nname = \"default\"\nhost = \"10.0.0.9\"\n",
             "f.toml");
  ASSERT_EQ(c.trunks.size(), 2u);
  EXPECT_EQ(c.trunks[0].name, "carrier");
  EXPECT_EQ(c.trunks[0].port, 5070);
  EXPECT_EQ(c.trunks[0].transport, calls::SipTransport::kTcp);
  EXPECT_EQ(c.trunks[0].number_format, calls::NumberFormat::kDigits);
  EXPECT_EQ(c.trunks[0].prefixes, (std::vector<std::string>{"+1", "+44"}));
  EXPECT_EQ(c.trunks[1].transport, calls::SipTransport::kUdp);

  auto message = [&](std::string_view toml) {
    try {
      Config other;
      apply_toml(other, toml, "f.toml");
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("[[trunks]]\nname = \"a\"\nhots = \"x\"\n").find("unknown setting 'trunks.hots'"),
            std::string::npos);
  EXPECT_NE(message("[[trunks]]\nname = \"a\"\n").find("needs a host"), std::string::npos);
  EXPECT_NE(message("[[trunks]]\nname = \"a\"\nhost = \"h\"\ntransport = \"sctp\"\n").find("trunks.transport"),
            std::string::npos);
  EXPECT_NE(message("[[trunks]]\nname = \"a\"\nhost = \"h\"\nprefixes = [\"44\"]\n").find("prefix '44'"),
            std::string::npos);
  EXPECT_NE(message("[[trunks]]\nname = \"a\"\nhost = \"h\"\nusername = \"u\"\n").find("together"),
            std::string::npos);
}

TEST(Config, EgressProxiesByRegion) {
  Config c;
  apply_toml(c, "[egress]\nie1 = \"10.1.2.3:5070\"\nus1 = \"[2001:db8::1]:5060\"\n", "f.toml");
  ASSERT_EQ(c.egress.size(), 2u);
  EXPECT_EQ(c.egress.at("ie1").proxy_host, "10.1.2.3");
  EXPECT_EQ(c.egress.at("ie1").proxy_port, 5070);
  EXPECT_EQ(c.egress.at("us1").proxy_host, "2001:db8::1");
  EXPECT_THROW(apply_toml(c, "[egress]\nmars1 = \"10.1.2.3:5070\"\n", "f.toml"), std::runtime_error);
  EXPECT_THROW(apply_toml(c, "[egress]\nie1 = 5\n", "f.toml"), std::runtime_error);
}

}  // namespace
}  // namespace sb::app
