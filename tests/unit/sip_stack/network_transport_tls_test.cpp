// NetworkTransport over TLS with real sockets on 127.0.0.1: a throwaway CA and certificates made
// with the openssl CLI once per test binary (as tests/unit/http does).
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>

#include <openssl/ssl.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>

#include "dns/fake_dns_server.hpp"
#include "sip/dialog/user_agent.hpp"
#include "sip/transport/network_transport.hpp"

namespace sb::sip {
namespace {
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using namespace std::chrono_literals;

std::string options(std::uint16_t port, std::string_view call_id) {
  return "OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:" + std::to_string(port) +
         ";rport;branch=z9hG4bKt1\r\nMax-Forwards: 70\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\n"
         "To: <sip:b@127.0.0.1>\r\nCall-ID: " + std::string(call_id) + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
}

constexpr std::string_view kResponse =
    "SIP/2.0 200 OK\r\nVia: SIP/2.0/TLS 127.0.0.1;branch=z9hG4bKt1\r\nFrom: <sip:a@h>;tag=1\r\n"
    "To: <sip:b@h>;tag=2\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

class NetworkTransportTls : public ::testing::Test {
 protected:
  // server.pem: IP 127.0.0.1 and DNS localhost; other.pem: DNS other.test only. Both EC P-256,
  // signed by ca.pem.
  static void SetUpTestSuite() {
    char pattern[] = "/tmp/sb-sip-tls-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    std::ofstream(dir_ / "server.cnf") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                          "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";
    std::ofstream(dir_ / "other.cnf") << "subjectAltName=DNS:other.test\n"
                                         "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";
    const std::string key = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    auto leaf = [&](const std::string& name) {
      return " && openssl req" + key + " -keyout " + name + ".key -out " + name + ".csr -subj /CN=" + name +
             " && openssl x509 -req -in " + name + ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile " +
             name + ".cnf -out " + name + ".pem";
    };
    const std::string commands = "cd " + dir_.string() + " && (openssl req -x509" + key +
                                 " -keyout ca.key -out ca.pem -days 2 -subj /CN=sb-sip-test-ca" + leaf("server") +
                                 leaf("other") + ")";
    ASSERT_EQ(std::system((commands + " >/dev/null 2>&1").c_str()), 0) << commands;
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  static TransportConfig tls_config(std::string_view cert = "server") {
    TransportConfig c;
    c.address = "127.0.0.1";
    c.port = 0;
    c.has_tls = true;
    c.tls_port = 0;
    c.tls_cert_file = (dir_ / (std::string(cert) + ".pem")).string();
    c.tls_key_file = (dir_ / (std::string(cert) + ".key")).string();
    c.tls_ca_file = (dir_ / "ca.pem").string();
    return c;
  }

  template <class Predicate>
  void run_until(Predicate done) {
    for (int i = 0; i < 300 && !done(); ++i) io.run_for(10ms);
  }

  // Sends one OPTIONS from `from` to `to`'s TLS listener at `host`; returns the send's outcome.
  std::error_code send_options(NetworkTransport& from, NetworkTransport& to, std::string host = "127.0.0.1") {
    std::optional<std::error_code> result;
    from.send({TransportKind::Tls, std::move(host), to.local_port(TransportKind::Tls), 0},
              options(from.local_port(TransportKind::Tls), "c1"), [&](std::error_code ec) { result = ec; });
    run_until([&] { return result.has_value(); });
    EXPECT_TRUE(result.has_value());
    return result.value_or(std::make_error_code(std::errc::timed_out));
  }

  // A raw TLS client of `port` limited to one protocol version and cipher list.
  bool raw_handshake(std::uint16_t port, int version, const char* ciphers) {
    ssl::context context(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(context.native_handle(), version);
    SSL_CTX_set_max_proto_version(context.native_handle(), version);
    SSL_CTX_set_security_level(context.native_handle(), 0);
    if (ciphers) SSL_CTX_set_cipher_list(context.native_handle(), ciphers);
    context.set_verify_mode(ssl::verify_none);
    ssl::stream<asio::ip::tcp::socket> stream(io, context);
    stream.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
    std::optional<boost::system::error_code> result;
    stream.async_handshake(ssl::stream_base::client, [&](boost::system::error_code ec) { result = ec; });
    run_until([&] { return result.has_value(); });
    return result && !*result;
  }

  static inline std::filesystem::path dir_;
  asio::io_context io;
  TimerWheel wheel{10ms, 256, TimerWheel::Clock::now()};
};

TEST_F(NetworkTransportTls, ListensOnItsOwnPortWhenConfigured) {
  NetworkTransport t(io, wheel, tls_config());
  EXPECT_TRUE(t.supports(TransportKind::Tls));
  EXPECT_NE(t.local_port(TransportKind::Tls), 0);
  EXPECT_NE(t.local_port(TransportKind::Tls), t.local_port(TransportKind::Tcp));
  EXPECT_EQ(t.sent_by(TransportKind::Tls), "127.0.0.1:" + std::to_string(t.local_port(TransportKind::Tls)));
}

TEST_F(NetworkTransportTls, IsOffByDefaultAndRefusesTlsSends) {
  TransportConfig c;
  c.address = "127.0.0.1";
  c.port = 0;
  NetworkTransport t(io, wheel, c);
  EXPECT_FALSE(t.supports(TransportKind::Tls));
  EXPECT_EQ(t.local_port(TransportKind::Tls), 0);
  std::optional<std::error_code> result;
  t.send({TransportKind::Tls, "127.0.0.1", 5061, 0}, "x", [&](std::error_code ec) { result = ec; });
  run_until([&] { return result.has_value(); });
  ASSERT_TRUE(result);
  EXPECT_EQ(*result, std::make_error_code(std::errc::operation_not_supported));
}

TEST_F(NetworkTransportTls, MissingOrUnreadableCertificateIsAStartUpError) {
  auto no_key = tls_config();
  no_key.tls_key_file.clear();
  EXPECT_THROW(NetworkTransport(io, wheel, no_key), std::system_error);
  auto missing = tls_config();
  missing.tls_cert_file = (dir_ / "absent.pem").string();
  EXPECT_THROW(NetworkTransport(io, wheel, missing), std::system_error);
  auto mismatched = tls_config();
  mismatched.tls_key_file = (dir_ / "other.key").string();
  EXPECT_THROW(NetworkTransport(io, wheel, mismatched), std::system_error);
}

TEST_F(NetworkTransportTls, DeliversVerifiedRequestsOnOneConnectionAndAnswersOnIt) {
  NetworkTransport a(io, wheel, tls_config());
  NetworkTransport b(io, wheel, tls_config());
  int received = 0;
  Source source;
  b.set_receive_handler([&](Message m, const Source& s) {
    EXPECT_EQ(m.method(), "OPTIONS");
    ++received;
    source = s;
  });
  EXPECT_FALSE(send_options(a, b));
  EXPECT_FALSE(send_options(a, b));
  run_until([&] { return received == 2; });
  EXPECT_EQ(received, 2);
  EXPECT_EQ(source.kind, TransportKind::Tls);
  EXPECT_EQ(source.remote.address, "127.0.0.1");
  EXPECT_EQ(a.connection_count(), 1u);
  EXPECT_EQ(b.connection_count(), 1u);
  // RFC 3261 18.2.2: the response goes back on the connection the request came in on.
  int responses = 0;
  a.set_receive_handler([&](Message m, const Source& s) {
    responses += m.is_response();
    EXPECT_EQ(s.kind, TransportKind::Tls);
  });
  b.send({TransportKind::Tls, "127.0.0.1", 1, source.flow}, std::string(kResponse), nullptr);
  run_until([&] { return responses == 1; });
  EXPECT_EQ(responses, 1);
  EXPECT_EQ(b.connection_count(), 1u);
}

TEST_F(NetworkTransportTls, VerifiesAHostNameTarget) {
  NetworkTransport a(io, wheel, tls_config());
  NetworkTransport b(io, wheel, tls_config());
  int received = 0;
  b.set_receive_handler([&](Message, const Source&) { ++received; });
  EXPECT_FALSE(send_options(a, b, "localhost"));
  run_until([&] { return received == 1; });
  EXPECT_EQ(received, 1);
}

TEST_F(NetworkTransportTls, VerifiesTheTlsNameOfAnAddressTarget) {
  // RFC 5922 4: an address resolved from sips:other.test is checked against other.test.
  NetworkTransport a(io, wheel, tls_config());
  NetworkTransport b(io, wheel, tls_config("other"));
  int received = 0;
  b.set_receive_handler([&](Message, const Source&) { ++received; });
  std::optional<std::error_code> result;
  a.send({TransportKind::Tls, "127.0.0.1", b.local_port(TransportKind::Tls), 0, "other.test"},
         options(a.local_port(TransportKind::Tls), "c1"), [&](std::error_code ec) { result = ec; });
  run_until([&] { return received == 1; });
  EXPECT_EQ(received, 1);
  EXPECT_EQ(result, std::error_code());
}

TEST_F(NetworkTransportTls, UserAgentReachesASipsDomainThroughSrvAndVerifiesTheDomain) {
  test::FakeDnsServer dns(io);
  auto config = [&](std::string_view cert) {
    UserAgentConfig c;
    c.transport = tls_config(cert);
    c.transport.dns.nameserver = dns.address();
    return c;
  };
  UserAgent caller(io, config("server"));
  UserAgent callee(io, config("other"));
  dns.add_name("other.test");
  dns.add_srv("_sips._tcp.other.test", 10, 0, callee.local_port(TransportKind::Tls), "edge.other.test");
  dns.add_a("edge.other.test", "127.0.0.1");
  std::optional<int> status;
  caller.send_options("sips:other.test", TransportKind::Udp, std::nullopt, 0,
                      [&](const SipResponseInfo& r) { status = r.status; });
  run_until([&] { return status.has_value(); });
  EXPECT_EQ(status, 200);
  EXPECT_EQ(caller.stats().transport.connections_opened, 1u);
}

TEST_F(NetworkTransportTls, RejectsACertificateFromAnUntrustedCa) {
  auto untrusting = tls_config();
  untrusting.tls_ca_file.clear();  // the system CAs only
  NetworkTransport a(io, wheel, untrusting);
  NetworkTransport b(io, wheel, tls_config());
  int received = 0;
  b.set_receive_handler([&](Message, const Source&) { ++received; });
  EXPECT_TRUE(send_options(a, b));
  EXPECT_EQ(received, 0);
  EXPECT_EQ(a.connection_count(), 0u);
  EXPECT_EQ(a.stats().send_failures, 1u);
}

TEST_F(NetworkTransportTls, RejectsACertificateForAnotherName) {
  NetworkTransport a(io, wheel, tls_config());
  NetworkTransport b(io, wheel, tls_config("other"));
  int received = 0;
  b.set_receive_handler([&](Message, const Source&) { ++received; });
  EXPECT_TRUE(send_options(a, b));               // 127.0.0.1 is not in other.test's certificate
  EXPECT_TRUE(send_options(a, b, "localhost"));  // nor is localhost
  EXPECT_EQ(received, 0);
}

TEST_F(NetworkTransportTls, SkipsVerificationWhenToldTo) {
  auto trusting = tls_config();
  trusting.tls_ca_file.clear();
  trusting.tls_verify_peer = false;
  NetworkTransport a(io, wheel, trusting);
  NetworkTransport b(io, wheel, tls_config("other"));
  int received = 0;
  b.set_receive_handler([&](Message, const Source&) { ++received; });
  EXPECT_FALSE(send_options(a, b));
  run_until([&] { return received == 1; });
  EXPECT_EQ(received, 1);
}

TEST_F(NetworkTransportTls, AcceptsTls12WithTwilioCiphersOnly) {
  NetworkTransport t(io, wheel, tls_config());
  const auto port = t.local_port(TransportKind::Tls);
  EXPECT_TRUE(raw_handshake(port, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256"));
  EXPECT_TRUE(raw_handshake(port, TLS1_3_VERSION, nullptr));
  EXPECT_FALSE(raw_handshake(port, TLS1_2_VERSION, "ECDHE-ECDSA-CHACHA20-POLY1305"));
  EXPECT_FALSE(raw_handshake(port, TLS1_1_VERSION, nullptr));
  EXPECT_FALSE(raw_handshake(port, TLS1_VERSION, nullptr));
}

TEST_F(NetworkTransportTls, FramesTheStreamLikeTcpAndAnswersCrlfPing) {
  NetworkTransport t(io, wheel, tls_config());
  int received = 0;
  t.set_receive_handler([&](Message, const Source& s) {
    EXPECT_EQ(s.kind, TransportKind::Tls);
    ++received;
  });
  ssl::context context(ssl::context::tls_client);
  context.set_verify_mode(ssl::verify_none);
  ssl::stream<asio::ip::tcp::socket> peer(io, context);
  peer.next_layer().connect({asio::ip::make_address("127.0.0.1"), t.local_port(TransportKind::Tls)});
  bool is_ready = false;
  peer.async_handshake(ssl::stream_base::client, [&](boost::system::error_code ec) { is_ready = !ec; });
  run_until([&] { return is_ready; });
  ASSERT_TRUE(is_ready);
  // Two messages and a keep-alive ping in one write, split mid-way by a second write.
  const std::string both = options(1, "f1") + options(1, "f2") + "\r\n\r\n";
  const std::string first = both.substr(0, 100);
  const std::string rest = both.substr(100);
  bool is_written = false;
  asio::async_write(peer, asio::buffer(first), [&](boost::system::error_code, std::size_t) {
    asio::async_write(peer, asio::buffer(rest), [&](boost::system::error_code ec, std::size_t) { is_written = !ec; });
  });
  char pong[2] = {};
  bool has_pong = false;
  asio::async_read(peer, asio::buffer(pong), [&](boost::system::error_code ec, std::size_t) { has_pong = !ec; });
  run_until([&] { return is_written && has_pong && received == 2; });
  EXPECT_EQ(received, 2);
  EXPECT_TRUE(has_pong);
  EXPECT_EQ(std::string_view(pong, 2), "\r\n");
  EXPECT_EQ(t.stats().keepalive_pongs, 1u);
}

}  // namespace
}  // namespace sb::sip
