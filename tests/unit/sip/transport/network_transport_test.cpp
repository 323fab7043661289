#include "sip/transport/network_transport.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "sip/parser/message_builder.hpp"

namespace sb::sip {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;

TransportConfig local_config() {
  TransportConfig c;
  c.address = "127.0.0.1";
  c.port = 0;
  return c;
}

std::string options(std::string_view transport, std::uint16_t port, std::string_view call_id = "c1") {
  return "OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/" + std::string(transport) + " 127.0.0.1:" +
         std::to_string(port) + ";rport;branch=z9hG4bKx1\r\nMax-Forwards: 70\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\n"
         "To: <sip:b@127.0.0.1>\r\nCall-ID: " + std::string(call_id) + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
}

class NetworkTransportTest : public ::testing::Test {
 protected:
  asio::io_context io;
  TimerWheel wheel{10ms, 256, TimerWheel::Clock::now()};
};

TEST_F(NetworkTransportTest, BindsPortZeroForUdpAndTcpAlike) {
  NetworkTransport t(io, wheel, local_config());
  EXPECT_NE(t.local_port(TransportKind::Udp), 0);
  EXPECT_EQ(t.local_port(TransportKind::Udp), t.local_port(TransportKind::Tcp));
  EXPECT_EQ(t.sent_by(TransportKind::Udp), "127.0.0.1:" + std::to_string(t.local_port(TransportKind::Udp)));
}

TEST_F(NetworkTransportTest, DeliversUdpWithSourceAndSendsBack) {
  NetworkTransport a(io, wheel, local_config());
  NetworkTransport b(io, wheel, local_config());
  std::optional<Source> got;
  b.set_receive_handler([&](Message m, const Source& s) {
    EXPECT_EQ(m.method(), "OPTIONS");
    got = s;
  });
  std::error_code result = std::make_error_code(std::errc::io_error);
  a.send({TransportKind::Udp, "127.0.0.1", b.local_port(TransportKind::Udp), 0},
         options("UDP", a.local_port(TransportKind::Udp)), [&](std::error_code ec) { result = ec; });
  for (int i = 0; i < 100 && !got; ++i) io.run_for(10ms);
  ASSERT_TRUE(got);
  EXPECT_FALSE(result);
  EXPECT_EQ(got->remote.port, a.local_port(TransportKind::Udp));
  EXPECT_EQ(got->kind, TransportKind::Udp);
}

TEST_F(NetworkTransportTest, TcpReusesOneConnectionPerPeer) {
  NetworkTransport a(io, wheel, local_config());
  NetworkTransport b(io, wheel, local_config());
  int received = 0;
  std::uint64_t flow = 0;
  b.set_receive_handler([&](Message, const Source& s) {
    ++received;
    flow = s.flow;
  });
  const Destination to{TransportKind::Tcp, "127.0.0.1", b.local_port(TransportKind::Tcp), 0};
  a.send(to, options("TCP", a.local_port(TransportKind::Tcp), "c1"), nullptr);
  a.send(to, options("TCP", a.local_port(TransportKind::Tcp), "c2"), nullptr);
  for (int i = 0; i < 100 && received < 2; ++i) io.run_for(10ms);
  EXPECT_EQ(received, 2);
  EXPECT_EQ(a.connection_count(), 1u);
  EXPECT_EQ(b.connection_count(), 1u);
  // The response goes back on the same connection.
  int responses = 0;
  a.set_receive_handler([&](Message m, const Source&) { responses += m.is_response(); });
  b.send({TransportKind::Tcp, "127.0.0.1", 1, flow},
         "SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKx1\r\nFrom: <sip:a@h>;tag=1\r\n"
         "To: <sip:b@h>;tag=2\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
         nullptr);
  for (int i = 0; i < 100 && responses < 1; ++i) io.run_for(10ms);
  EXPECT_EQ(responses, 1);
  EXPECT_EQ(b.connection_count(), 1u);
}

TEST_F(NetworkTransportTest, MalformedUdpRequestIsAnswered400WithTheFault) {
  NetworkTransport t(io, wheel, local_config());
  asio::ip::udp::socket peer(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::string bad = options("UDP", peer.local_endpoint().port());
  bad.erase(bad.find("Call-ID: c1\r\n"), 13);
  peer.send_to(asio::buffer(bad), asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), t.local_port(TransportKind::Udp)));
  std::string reply(4096, '\0');
  std::size_t n = 0;
  asio::ip::udp::endpoint from;
  peer.async_receive_from(asio::buffer(reply), from, [&](boost::system::error_code ec, std::size_t size) {
    if (!ec) n = size;
  });
  for (int i = 0; i < 100 && n == 0; ++i) io.run_for(10ms);
  reply.resize(n);
  EXPECT_TRUE(reply.starts_with("SIP/2.0 400 Bad Request - Missing Call-ID\r\n")) << reply;
  EXPECT_NE(reply.find("rport=" + std::to_string(peer.local_endpoint().port())), std::string::npos);
  EXPECT_EQ(t.stats().malformed_received, 1u);
  EXPECT_EQ(t.stats().malformed_answered, 1u);
}

TEST_F(NetworkTransportTest, AnswersCrlfPingWithPong) {
  NetworkTransport t(io, wheel, local_config());
  asio::ip::tcp::socket peer(io);
  peer.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), t.local_port(TransportKind::Tcp)));
  asio::write(peer, asio::buffer(std::string_view("\r\n\r\n")));
  char pong[2] = {};
  bool done = false;
  asio::async_read(peer, asio::buffer(pong), [&](boost::system::error_code ec, std::size_t) { done = !ec; });
  for (int i = 0; i < 100 && !done; ++i) io.run_for(10ms);
  EXPECT_TRUE(done);
  EXPECT_EQ(std::string_view(pong, 2), "\r\n");
  EXPECT_EQ(t.stats().keepalive_pongs, 1u);
}

TEST_F(NetworkTransportTest, ReportsAClosedConnectionWithItsFlowButNotAtClose) {
  NetworkTransport t(io, wheel, local_config());
  std::uint64_t flow = 0;
  std::vector<Source> closed;
  t.set_receive_handler([&](Message, const Source& s) { flow = s.flow; });
  t.set_connection_closed_handler([&](const Source& s) { closed.push_back(s); });
  asio::ip::tcp::socket peer(io);
  peer.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), t.local_port(TransportKind::Tcp)));
  asio::write(peer, asio::buffer(options("TCP", peer.local_endpoint().port())));
  for (int i = 0; i < 100 && flow == 0; ++i) io.run_for(10ms);
  ASSERT_NE(flow, 0u);
  peer.close();
  for (int i = 0; i < 100 && closed.empty(); ++i) io.run_for(10ms);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].flow, flow);
  EXPECT_EQ(closed[0].kind, TransportKind::Tcp);
  EXPECT_EQ(closed[0].remote.address, "127.0.0.1");
  // Shutting the transport down is not a peer going away: nothing is reported.
  asio::ip::tcp::socket other(io);
  other.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), t.local_port(TransportKind::Tcp)));
  for (int i = 0; i < 100 && t.connection_count() == 0; ++i) io.run_for(10ms);
  t.close();
  io.run_for(50ms);
  EXPECT_EQ(closed.size(), 1u);
}

TEST_F(NetworkTransportTest, AConnectionKeptOpenOutlivesTheIdleTimeout) {
  auto config = local_config();
  config.tcp_idle_timeout = 1s;  // the sweep runs every 250 ms
  NetworkTransport t(io, wheel, config);
  std::vector<std::uint64_t> flows;
  t.set_receive_handler([&](Message, const Source& s) { flows.push_back(s.flow); });
  std::vector<std::uint64_t> closed;
  t.set_connection_closed_handler([&](const Source& s) { closed.push_back(s.flow); });
  asio::ip::tcp::socket kept(io);
  asio::ip::tcp::socket idle(io);
  for (auto* peer : {&kept, &idle}) {
    peer->connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), t.local_port(TransportKind::Tcp)));
    asio::write(*peer, asio::buffer(options("TCP", peer->local_endpoint().port())));
    const auto expected = flows.size() + 1;
    for (int i = 0; i < 100 && flows.size() < expected; ++i) io.run_for(10ms);
  }
  ASSERT_EQ(flows.size(), 2u);
  t.keep_open(flows[0], 60s);
  const auto deadline = TimerWheel::Clock::now() + 2500ms;
  while (TimerWheel::Clock::now() < deadline && closed.empty()) {
    io.run_for(10ms);
    wheel.advance(TimerWheel::Clock::now());
  }
  io.run_for(20ms);
  ASSERT_EQ(closed.size(), 1u) << "the idle one is closed";
  EXPECT_EQ(closed[0], flows[1]);
  EXPECT_EQ(t.connection_count(), 1u) << "the one kept open is not";
}

TEST_F(NetworkTransportTest, ConnectionRefusedFailsTheSend) {
  NetworkTransport t(io, wheel, local_config());
  asio::ip::tcp::acceptor closed(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = closed.local_endpoint().port();
  closed.close();
  std::optional<std::error_code> result;
  t.send({TransportKind::Tcp, "127.0.0.1", port, 0}, options("TCP", 1), [&](std::error_code ec) { result = ec; });
  for (int i = 0; i < 100 && !result; ++i) io.run_for(10ms);
  ASSERT_TRUE(result);
  EXPECT_TRUE(*result);
}

}  // namespace
}  // namespace sb::sip
