#include "sip/dialog/user_agent.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>

#include <array>
#include <optional>

#include "dns/fake_dns_server.hpp"
#include "sip/parser/message_builder.hpp"
#include "sip/parser/parser.hpp"

namespace sb::sip {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;

// A UDP peer on 127.0.0.1 answering every request with `status`.
class StatusResponder {
 public:
  StatusResponder(asio::io_context& io, int status)
      : socket_(io, {asio::ip::make_address("127.0.0.1"), 0}), status_(status) {
    receive();
  }
  std::uint16_t port() const { return socket_.local_endpoint().port(); }
  int requests = 0;

 private:
  void receive() {
    socket_.async_receive_from(asio::buffer(buffer_), peer_, [this](boost::system::error_code ec, std::size_t n) {
      if (ec) return;
      auto parsed = parse_message(std::string(buffer_.data(), n));
      if (parsed.ok()) {
        ++requests;
        if (auto response = make_response(parsed.message(), status_, {}, "t1").build()) {
          socket_.send_to(asio::buffer(response->text()), peer_);
        }
      }
      receive();
    });
  }

  asio::ip::udp::socket socket_;
  asio::ip::udp::endpoint peer_;
  std::array<char, 4096> buffer_{};
  int status_;
};

// Requests outside a dialog go through RFC 3263 and fail over to the next target (4.3).
class UserAgentTargetsTest : public ::testing::Test {
 protected:
  UserAgentConfig config() const {
    UserAgentConfig c;
    c.transport.address = "127.0.0.1";
    c.transport.port = 0;
    c.transport.dns.nameserver = dns.address();
    c.transport.dns.timeout = 100ms;
    c.timers.t1 = 10ms;  // Timer F: 640 ms
    return c;
  }

  // OPTIONS to `uri` from `ua`; the final status.
  int options(UserAgent& ua, const std::string& uri) {
    std::optional<int> status;
    ua.send_options(uri, TransportKind::Udp, std::nullopt, 0, [&](const SipResponseInfo& r) { status = r.status; });
    for (int i = 0; i < 300 && !status; ++i) io.run_for(10ms);
    EXPECT_TRUE(status) << "no final response";
    return status.value_or(0);
  }

  asio::io_context io;
  test::FakeDnsServer dns{io};
};

TEST_F(UserAgentTargetsTest, FailsOverToTheNextSrvTargetWhenTheConnectionIsRefused) {
  UserAgent callee(io, config());
  UserAgent caller(io, config());
  std::uint16_t closed_port = 0;
  {
    asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    closed_port = probe.local_endpoint().port();
  }
  dns.add_name("proxy.test");
  dns.add_srv("_sip._tcp.proxy.test", 10, 0, closed_port, "dead.proxy.test");
  dns.add_srv("_sip._tcp.proxy.test", 20, 0, callee.local_port(TransportKind::Tcp), "live.proxy.test");
  dns.add_a("dead.proxy.test", "127.0.0.1");
  dns.add_a("live.proxy.test", "127.0.0.1");
  EXPECT_EQ(options(caller, "sip:proxy.test"), 200);
  EXPECT_EQ(callee.stats().transport.messages_received, 1u);
}

TEST_F(UserAgentTargetsTest, FailsOverToTheNextTargetWhenTimerFFires) {
  UserAgent callee(io, config());
  UserAgent caller(io, config());
  asio::ip::udp::socket silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  dns.add_name("proxy.test");
  dns.add_srv("_sip._udp.proxy.test", 10, 0, silent.local_endpoint().port(), "silent.proxy.test");
  dns.add_srv("_sip._udp.proxy.test", 20, 0, callee.local_port(TransportKind::Udp), "live.proxy.test");
  dns.add_a("silent.proxy.test", "127.0.0.1");
  dns.add_a("live.proxy.test", "127.0.0.1");
  EXPECT_EQ(options(caller, "sip:proxy.test"), 200);
}

TEST_F(UserAgentTargetsTest, TheLastTargetsTimeoutIsTheAnswer) {
  UserAgent caller(io, config());
  asio::ip::udp::socket silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  dns.add_name("proxy.test");
  dns.add_srv("_sip._udp.proxy.test", 10, 0, silent.local_endpoint().port(), "silent.proxy.test");
  dns.add_a("silent.proxy.test", "127.0.0.1");
  // One target only: Timer F ends it with 408.
  EXPECT_EQ(options(caller, "sip:proxy.test"), 408);
}

TEST_F(UserAgentTargetsTest, FailsOverOnA503FromTheServerButNotOnOtherErrors) {
  UserAgent callee(io, config());
  UserAgent caller(io, config());
  StatusResponder busy(io, 503);
  StatusResponder timeout(io, 408);
  dns.add_name("busy.test");
  dns.add_srv("_sip._udp.busy.test", 10, 0, busy.port(), "a.busy.test");
  dns.add_srv("_sip._udp.busy.test", 20, 0, callee.local_port(TransportKind::Udp), "b.busy.test");
  dns.add_a("a.busy.test", "127.0.0.1");
  dns.add_a("b.busy.test", "127.0.0.1");
  EXPECT_EQ(options(caller, "sip:busy.test"), 200);
  EXPECT_EQ(busy.requests, 1);
  dns.add_name("slow.test");
  dns.add_srv("_sip._udp.slow.test", 10, 0, timeout.port(), "a.slow.test");
  dns.add_srv("_sip._udp.slow.test", 20, 0, callee.local_port(TransportKind::Udp), "b.slow.test");
  dns.add_a("a.slow.test", "127.0.0.1");
  dns.add_a("b.slow.test", "127.0.0.1");
  EXPECT_EQ(options(caller, "sip:slow.test"), 408);  // the server's own 408 is an answer
}

TEST_F(UserAgentTargetsTest, AnUnresolvableTargetEndsWith503) {
  UserAgent caller(io, config());
  EXPECT_EQ(options(caller, "sip:nowhere.test"), 503);
}

TEST_F(UserAgentTargetsTest, ACallCancelledWhileResolvingEndsWith487AndSendsNothing) {
  UserAgent caller(io, config());
  dns.is_silent = true;
  std::optional<int> status;
  OutgoingCallRequest request;
  request.request_uri = "sip:bob@slow.test";
  const auto id = caller.place_call(request, {.on_final = [&](const SipResponseInfo& r, DialogId) { status = r.status; }});
  io.run_for(20ms);
  caller.cancel(id);
  for (int i = 0; i < 300 && !status; ++i) io.run_for(10ms);
  EXPECT_EQ(status, 487);
  EXPECT_EQ(caller.stats().transport.messages_sent, 0u);
}

}  // namespace
}  // namespace sb::sip
