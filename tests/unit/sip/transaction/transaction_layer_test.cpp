#include "sip/transaction/transaction_layer.hpp"

#include <gtest/gtest.h>

#include "sip/parser/message_builder.hpp"
#include "sip/parser/parser.hpp"
#include "sip/transport/routing.hpp"
#include "transaction/fake_transport.hpp"

namespace sb::sip {
namespace {

using namespace std::chrono_literals;
using testing::FakeTransport;

Message parse(std::string text) {
  auto r = parse_message(std::move(text));
  EXPECT_TRUE(r.ok()) << r.error().message();
  return std::move(r.message());
}

std::string request_text(std::string_view method, std::string_view branch = "z9hG4bKtest1",
                         std::string_view transport = "UDP", std::string_view cseq_method = {}) {
  std::string m(method);
  std::string t = std::string(method) + " sip:bob@example.com SIP/2.0\r\n"
                  "Via: SIP/2.0/" + std::string(transport) + " 192.0.2.9:5060;branch=" + std::string(branch) + "\r\n"
                  "Max-Forwards: 70\r\n"
                  "From: <sip:alice@example.com>;tag=a1\r\n"
                  "To: <sip:bob@example.com>\r\n"
                  "Call-ID: call-1@example.com\r\n"
                  "CSeq: 1 " + std::string(cseq_method.empty() ? method : cseq_method) + "\r\n"
                  "Content-Length: 0\r\n\r\n";
  return t;
}

Message response_to(const Message& request, int status, std::string_view to_tag = "b1") {
  return *make_response(request, status, {}, to_tag).build();
}

class TransactionTest : public ::testing::Test {
 protected:
  TransactionTest() : wheel(1ms, 1024, t0), layer(transport, wheel) {
    TransactionUser user;
    user.on_request = [this](std::uint64_t id, const Message& r, const Source&) {
      requests.push_back(id);
      methods.emplace_back(r.method());
    };
    user.on_cancel = [this](std::uint64_t id, const Message&) { cancelled.push_back(id); };
    user.on_ack = [this](const Message&, const Source&) { ++acks; };
    user.on_server_terminated = [this](std::uint64_t id, bool is_timeout) {
      terminated.push_back(id);
      if (is_timeout) ++timeouts;
    };
    layer.set_user(std::move(user));
  }
  // Ticks every millisecond up to `at`, as the loop's periodic tick would.
  void advance_to(std::chrono::milliseconds at) {
    for (; now <= at; now += 1ms) wheel.advance(t0 + now);
  }
  std::chrono::milliseconds now{0};
  std::uint64_t send_client(std::string text, TransportKind kind = TransportKind::Udp) {
    return layer.send_request(parse(std::move(text)), Destination{kind, "192.0.2.9", 5060, 0},
                              [this](const Message& r) { statuses.push_back(r.status_code()); });
  }
  Source source(TransportKind kind = TransportKind::Udp) { return {kind, {"192.0.2.9", 5060}, {"192.0.2.1", 5060}, 0}; }

  TimerWheel::TimePoint t0 = TimerWheel::Clock::now();
  FakeTransport transport;
  TimerWheel wheel;
  TransactionLayer layer;
  std::vector<int> statuses;
  std::vector<std::uint64_t> requests;
  std::vector<std::string> methods;
  std::vector<std::uint64_t> cancelled;
  std::vector<std::uint64_t> terminated;
  int acks = 0;
  int timeouts = 0;
};

TEST_F(TransactionTest, RetransmitsInviteUntilTimerB) {
  send_client(request_text("INVITE"));
  // Timer A: 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s; Timer B at 32 s.
  advance_to(31999ms);
  EXPECT_EQ(transport.count_starting("INVITE"), 7u);
  EXPECT_TRUE(statuses.empty());
  advance_to(32010ms);  // the wheel fires at most a tick late per timer
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0], 408);
  advance_to(40000ms);
  EXPECT_EQ(transport.count_starting("INVITE"), 7u);
  EXPECT_EQ(layer.client_count(), 0u);
}

TEST_F(TransactionTest, NoRetransmitsOverTcp) {
  send_client(request_text("INVITE", "z9hG4bKtcp", "TCP"), TransportKind::Tcp);
  advance_to(31999ms);
  EXPECT_EQ(transport.count_starting("INVITE"), 1u);
  advance_to(32010ms);
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0], 408);
}

TEST_F(TransactionTest, ProvisionalStopsTimerAAndTimerB) {
  const auto id = send_client(request_text("INVITE"));
  const auto& invite = layer.client(id)->request();
  layer.receive(response_to(invite, 180), source());
  advance_to(60000ms);
  EXPECT_EQ(transport.count_starting("INVITE"), 1u);
  EXPECT_EQ(statuses, (std::vector<int>{180}));
}

TEST_F(TransactionTest, NonSuccessFinalIsAckedInsideTransactionUntilTimerD) {
  const auto id = send_client(request_text("INVITE"));
  const auto invite = layer.client(id)->request();
  const auto busy = response_to(invite, 486);
  layer.receive(busy, source());
  EXPECT_EQ(transport.count_starting("ACK sip:bob@example.com"), 1u);
  const auto& ack = transport.sent.back().bytes;
  EXPECT_NE(ack.find("branch=z9hG4bKtest1"), std::string::npos);  // same branch as the INVITE
  EXPECT_NE(ack.find("CSeq: 1 ACK"), std::string::npos);
  EXPECT_NE(ack.find(";tag=b1"), std::string::npos);  // To from the response
  // A retransmitted 486 is absorbed and ACKed again.
  layer.receive(busy, source());
  EXPECT_EQ(transport.count_starting("ACK"), 2u);
  EXPECT_EQ(statuses, (std::vector<int>{486}));
  advance_to(31999ms);
  EXPECT_EQ(layer.client_count(), 1u);
  advance_to(32001ms);  // Timer D, then destroyed on the next tick
  advance_to(32003ms);
  EXPECT_EQ(layer.client_count(), 0u);
}

TEST_F(TransactionTest, SuccessEntersAcceptedAndPassesRetransmittedSuccessUntilTimerM) {
  const auto id = send_client(request_text("INVITE"));
  const auto invite = layer.client(id)->request();
  const auto ok = response_to(invite, 200);
  layer.receive(ok, source());
  EXPECT_EQ(layer.client(id)->state(), ClientTransaction::State::Accepted);
  EXPECT_EQ(transport.count_starting("ACK"), 0u);  // the TU ACKs a 2xx
  layer.receive(ok, source());
  EXPECT_EQ(statuses, (std::vector<int>{200, 200}));
  advance_to(32000ms);
  advance_to(32002ms);
  EXPECT_EQ(layer.client_count(), 0u);
}

TEST_F(TransactionTest, NonInviteRetransmitsWithTimerECappedAtT2UntilTimerF) {
  send_client(request_text("OPTIONS"));
  // Timer E: 0, 0.5, 1.5, 3.5, 7.5, then every 4 s: 11.5 ... 31.5; F at 32 s.
  advance_to(7499ms);
  EXPECT_EQ(transport.count_starting("OPTIONS"), 4u);
  advance_to(7510ms);
  EXPECT_EQ(transport.count_starting("OPTIONS"), 5u);
  advance_to(31999ms);
  EXPECT_EQ(transport.count_starting("OPTIONS"), 11u);
  advance_to(32010ms);
  EXPECT_EQ(statuses, (std::vector<int>{408}));
}

TEST_F(TransactionTest, NonInviteProceedingRetransmitsEveryT2ThenTimerK) {
  const auto id = send_client(request_text("OPTIONS"));
  const auto request = layer.client(id)->request();
  layer.receive(response_to(request, 100), source());
  advance_to(505ms);  // E fires: now every T2
  EXPECT_EQ(transport.count_starting("OPTIONS"), 2u);
  advance_to(4499ms);
  EXPECT_EQ(transport.count_starting("OPTIONS"), 2u);
  advance_to(4510ms);
  EXPECT_EQ(transport.count_starting("OPTIONS"), 3u);
  layer.receive(response_to(request, 200), source());
  EXPECT_EQ(statuses, (std::vector<int>{100, 200}));
  advance_to(4510ms + 4999ms);  // Timer K = T4 = 5 s
  EXPECT_EQ(layer.client_count(), 1u);
  advance_to(4510ms + 5005ms);
  EXPECT_EQ(layer.client_count(), 0u);
}

TEST_F(TransactionTest, TransportErrorBecomes503) {
  send_client(request_text("INVITE"));
  transport.complete_all(std::make_error_code(std::errc::connection_refused));
  EXPECT_EQ(statuses, (std::vector<int>{503}));
}

TEST_F(TransactionTest, SynthesizedFinalsSayWhyForFailover) {
  // RFC 3263 4.3: the TU tells a timeout or a transport error from a server's own 408/503.
  std::vector<ClientTransaction::Failure> failures;
  auto send = [&](std::string_view branch) {
    auto id = std::make_shared<std::uint64_t>(0);
    *id = layer.send_request(parse(request_text("OPTIONS", branch)), Destination{TransportKind::Udp, "192.0.2.9", 5060, 0},
                             [this, id, &failures](const Message&) { failures.push_back(layer.client(*id)->failure()); });
    return *id;
  };
  const auto answered = send("z9hG4bKanswered");
  layer.receive(response_to(layer.client(answered)->request(), 408), source());
  send("z9hG4bKrefused");
  transport.complete_all(std::make_error_code(std::errc::connection_refused));
  send("z9hG4bKsilent");
  advance_to(32010ms);
  EXPECT_EQ(failures, (std::vector<ClientTransaction::Failure>{ClientTransaction::Failure::None,
                                                               ClientTransaction::Failure::TransportError,
                                                               ClientTransaction::Failure::Timeout}));
}

TEST_F(TransactionTest, CancelWaitsForProvisionalAndUsesTheInviteBranch) {
  const auto id = send_client(request_text("INVITE"));
  EXPECT_TRUE(layer.cancel(id));
  EXPECT_EQ(transport.count_starting("CANCEL"), 0u);
  const auto invite = layer.client(id)->request();
  layer.receive(response_to(invite, 180), source());
  ASSERT_EQ(transport.count_starting("CANCEL"), 1u);
  const auto& cancel = transport.sent.back().bytes;
  EXPECT_NE(cancel.find("branch=z9hG4bKtest1"), std::string::npos);
  EXPECT_NE(cancel.find("CSeq: 1 CANCEL"), std::string::npos);
}

TEST_F(TransactionTest, ServerInviteSendsTryingAfter200ms) {
  layer.receive(parse(request_text("INVITE")), source());
  ASSERT_EQ(requests.size(), 1u);
  advance_to(199ms);
  EXPECT_EQ(transport.count_starting("SIP/2.0 100"), 0u);
  advance_to(201ms);  // one wheel tick of slack
  EXPECT_EQ(transport.count_starting("SIP/2.0 100"), 1u);
  // A retransmitted INVITE is absorbed and gets the 100 again.
  layer.receive(parse(request_text("INVITE")), source());
  EXPECT_EQ(requests.size(), 1u);
  EXPECT_EQ(transport.count_starting("SIP/2.0 100"), 2u);
}

TEST_F(TransactionTest, ServerInviteRetransmitsNonSuccessWithTimerGUntilTimerH) {
  layer.receive(parse(request_text("INVITE")), source());
  const auto id = requests.at(0);
  layer.respond(id, response_to(layer.server(id)->request(), 486));
  EXPECT_EQ(transport.count_starting("SIP/2.0 486"), 1u);
  EXPECT_EQ(transport.count_starting("SIP/2.0 100"), 0u);  // answered before 200 ms
  // Timer G: 0.5, 1.5, 3.5, 7.5, then every T2: 11.5 ... 31.5; H at 32 s.
  advance_to(31999ms);
  EXPECT_EQ(transport.count_starting("SIP/2.0 486"), 11u);
  advance_to(32000ms);
  advance_to(32002ms);
  EXPECT_EQ(timeouts, 1);
  EXPECT_EQ(layer.server_count(), 0u);
}

TEST_F(TransactionTest, ServerInviteAckConfirmsThenTimerI) {
  layer.receive(parse(request_text("INVITE")), source());
  const auto id = requests.at(0);
  const auto busy = response_to(layer.server(id)->request(), 486);
  layer.respond(id, busy);
  auto ack_text = request_text("ACK", "z9hG4bKtest1", "UDP");
  ack_text.replace(ack_text.find("To: <sip:bob@example.com>"), 25, "To: <sip:bob@example.com>;tag=b1");
  layer.receive(parse(ack_text), source());
  EXPECT_EQ(layer.server(id)->state(), ServerTransaction::State::Confirmed);
  EXPECT_EQ(acks, 0);  // absorbed: it acknowledged a non-2xx
  advance_to(5000ms);  // Timer I = T4
  advance_to(5002ms);
  EXPECT_EQ(layer.server_count(), 0u);
  EXPECT_EQ(timeouts, 0);
  EXPECT_EQ(transport.count_starting("SIP/2.0 486"), 1u);  // the ACK stopped Timer G before it fired
}

TEST_F(TransactionTest, ServerInviteAcceptedPassesAckAndAbsorbsInviteUntilTimerL) {
  layer.receive(parse(request_text("INVITE")), source());
  const auto id = requests.at(0);
  layer.respond(id, response_to(layer.server(id)->request(), 200));
  EXPECT_EQ(layer.server(id)->state(), ServerTransaction::State::Accepted);
  layer.receive(parse(request_text("INVITE")), source());
  EXPECT_EQ(requests.size(), 1u);
  EXPECT_EQ(transport.count_starting("SIP/2.0 200"), 1u);  // the TU, not the transaction, resends 2xx
  layer.respond(id, response_to(layer.server(id)->request(), 200));
  EXPECT_EQ(transport.count_starting("SIP/2.0 200"), 2u);
  advance_to(32000ms);
  advance_to(32002ms);
  EXPECT_EQ(layer.server_count(), 0u);
}

TEST_F(TransactionTest, ServerNonInviteResendsFinalOnRetransmissionUntilTimerJ) {
  layer.receive(parse(request_text("OPTIONS")), source());
  const auto id = requests.at(0);
  layer.respond(id, response_to(layer.server(id)->request(), 200));
  layer.receive(parse(request_text("OPTIONS")), source());
  EXPECT_EQ(requests.size(), 1u);
  EXPECT_EQ(transport.count_starting("SIP/2.0 200"), 2u);
  advance_to(31999ms);
  EXPECT_EQ(layer.server_count(), 1u);
  advance_to(32002ms);
  EXPECT_EQ(layer.server_count(), 0u);
}

TEST_F(TransactionTest, ServerNonInviteOverTcpEndsAtOnce) {
  layer.receive(parse(request_text("OPTIONS", "z9hG4bKt", "TCP")), source(TransportKind::Tcp));
  const auto id = requests.at(0);
  layer.respond(id, response_to(layer.server(id)->request(), 200));
  advance_to(2ms);
  EXPECT_EQ(layer.server_count(), 0u);
}

TEST_F(TransactionTest, CancelMatchesInviteServerTransaction) {
  layer.receive(parse(request_text("INVITE")), source());
  layer.receive(parse(request_text("CANCEL")), source());
  ASSERT_EQ(cancelled.size(), 1u);
  EXPECT_EQ(cancelled[0], requests.at(0));
  EXPECT_EQ(transport.count_starting("SIP/2.0 200"), 1u);
  // A CANCEL for nothing is 481.
  layer.receive(parse(request_text("CANCEL", "z9hG4bKother")), source());
  EXPECT_EQ(transport.count_starting("SIP/2.0 481"), 1u);
}

TEST_F(TransactionTest, Rfc2543RequestsMatchWithoutMagicCookie) {
  layer.receive(parse(request_text("INVITE", "oldbranch")), source());
  layer.receive(parse(request_text("INVITE", "oldbranch")), source());
  EXPECT_EQ(requests.size(), 1u);
  EXPECT_EQ(layer.stats().retransmissions_absorbed, 1u);
  const auto id = requests.at(0);
  layer.respond(id, response_to(layer.server(id)->request(), 603));
  auto ack_text = request_text("ACK", "oldbranch");
  ack_text.replace(ack_text.find("To: <sip:bob@example.com>"), 25, "To: <sip:bob@example.com>;tag=b1");
  layer.receive(parse(ack_text), source());
  EXPECT_EQ(layer.server(id)->state(), ServerTransaction::State::Confirmed);
}

TEST_F(TransactionTest, UnmatchedAckGoesToTheUser) {
  layer.receive(parse(request_text("ACK", "z9hG4bKack2xx")), source());
  EXPECT_EQ(acks, 1);
  EXPECT_EQ(layer.server_count(), 0u);
}

TEST_F(TransactionTest, ResponsesGoBackToTheSourceWithReceivedAndRport) {
  auto text = request_text("OPTIONS");
  text.replace(text.find(";branch"), 0, ";rport");
  Source nat{TransportKind::Udp, {"198.51.100.7", 40123}, {"192.0.2.1", 5060}, 0};
  layer.receive(parse(text), nat);
  const auto id = requests.at(0);
  layer.respond(id, *make_response_from(layer.server(id)->request(), nat, 200).build());
  const auto& sent = transport.sent.back();
  EXPECT_EQ(sent.destination.host, "198.51.100.7");
  EXPECT_EQ(sent.destination.port, 40123);
  EXPECT_NE(sent.bytes.find("received=198.51.100.7"), std::string::npos);
  EXPECT_NE(sent.bytes.find("rport=40123"), std::string::npos);
}

}  // namespace
}  // namespace sb::sip
