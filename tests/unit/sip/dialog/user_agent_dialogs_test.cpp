#include "sip/dialog/user_agent.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include <array>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sip/parser/message_builder.hpp"
#include "sip/parser/parser.hpp"

// Dialogs as a UAC and a UAS sees them on the wire: early dialogs per To tag, a second 2xx from
// another fork (ACK then BYE), and session timers (RFC 4028) with us as refresher or not. The
// peer is a UDP socket the test scripts by hand; SIP timers run on a fake clock the test moves.

namespace sb::sip {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr std::string_view kOffer = "v=0\r\no=test 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                                    "m=audio 40000 RTP/AVP 0\r\n";

// A UDP socket on 127.0.0.1 that records every message it gets and sends what the test says.
class ScriptedPeer {
 public:
  explicit ScriptedPeer(asio::io_context& io) : socket_(io, {asio::ip::make_address("127.0.0.1"), 0}) { receive(); }
  std::uint16_t port() const { return socket_.local_endpoint().port(); }
  void send(const std::string& text, std::uint16_t to_port) {
    socket_.send_to(asio::buffer(text), asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), to_port));
  }
  std::vector<Message> received;

 private:
  void receive() {
    socket_.async_receive_from(asio::buffer(buffer_), from_, [this](boost::system::error_code ec, std::size_t n) {
      if (ec) return;
      auto parsed = parse_message(std::string(buffer_.data(), n));
      if (parsed.ok()) received.push_back(std::move(parsed.message()));
      receive();
    });
  }
  asio::ip::udp::socket socket_;
  asio::ip::udp::endpoint from_;
  std::array<char, 8192> buffer_{};
};

class UserAgentDialogsTest : public ::testing::Test {
 protected:
  UserAgentDialogsTest() {
    UserAgentConfig c;
    c.transport.address = "127.0.0.1";
    c.transport.port = 0;
    c.tick = 1ms;
    c.clock = [this] { return now; };
    ua.emplace(io, c);
  }

  // Lets the loop run (real time) without moving the SIP clock.
  void settle() {
    for (int i = 0; i < 5; ++i) io.run_for(2ms);
  }
  // Moves the SIP clock forward in 250 ms steps, letting the loop tick after each.
  void advance(std::chrono::milliseconds by) {
    for (auto left = by; left > 0ms; left -= 250ms) {
      now += std::min(left, std::chrono::milliseconds(250));
      io.run_for(2ms);
    }
    settle();
  }
  // Waits (real time, bounded) for the next message from the UA that `match` accepts.
  const Message* wait_for(const std::function<bool(const Message&)>& match) {
    for (int i = 0; i < 300; ++i) {
      for (; seen < peer.received.size(); ++seen) {
        if (match(peer.received[seen])) return &peer.received[seen++];
      }
      io.run_for(2ms);
    }
    return nullptr;
  }
  const Message* wait_request(std::string_view method) {
    return wait_for([method](const Message& m) { return m.is_request() && m.method() == method; });
  }
  // Every request of `method` from the UA so far, retransmissions included.
  int count(std::string_view method) const {
    int n = 0;
    for (const auto& m : peer.received) n += m.is_request() && m.method() == method;
    return n;
  }
  // The requests of `method` the UA sent so far: distinct CSeq numbers (over UDP the timers
  // retransmit each until it is answered).
  int sent(std::string_view method) const {
    std::set<std::uint32_t> numbers;
    for (const auto& m : peer.received) {
      if (m.is_request() && m.method() == method) numbers.insert(m.cseq()->number);
    }
    return static_cast<int>(numbers.size());
  }

  // Responds to `request` from the peer, with `to_tag` and extra header lines.
  void respond(const Message& request, int status, std::string_view to_tag, std::vector<SipHeader> headers = {},
               std::string_view sdp = {}) {
    auto b = make_response(request, status, {}, to_tag);
    if (status > 100 && status < 300 && request.method() == "INVITE") {
      b.add(HeaderId::Contact, "<sip:bob@127.0.0.1:" + std::to_string(peer.port()) + ">");
    }
    for (const auto& h : headers) b.add(h.name, h.value);
    if (!sdp.empty()) {
      b.add(HeaderId::ContentType, "application/sdp");
      b.body(sdp);
    }
    peer.send(b.to_string(), ua->local_port(TransportKind::Udp));
  }

  // Places a call to the peer and returns its INVITE as the peer got it.
  Message call() {
    OutgoingCallRequest request;
    request.request_uri = "sip:bob@127.0.0.1:" + std::to_string(peer.port());
    request.sdp = std::string(kOffer);
    ua->place_call(request, {.on_final = [this](const SipResponseInfo& r, DialogId d) {
                               final_status = r.status;
                               dialog = d;
                               if (d != 0) ua->set_dialog_handlers(d, {.on_terminated = [this] { ++terminated; }});
                             }});
    const auto* invite = wait_request("INVITE");
    EXPECT_NE(invite, nullptr);
    return invite ? *invite : Message{};
  }

  // A call answered 200 by tag "a" with `headers`; returns after the ACK.
  Message answered_call(std::vector<SipHeader> headers) {
    auto invite = call();
    respond(invite, 200, "a", std::move(headers), kOffer);
    EXPECT_NE(wait_request("ACK"), nullptr);
    EXPECT_EQ(final_status, 200);
    return invite;
  }

  asio::io_context io;
  TimerWheel::TimePoint now = TimerWheel::Clock::now();
  ScriptedPeer peer{io};
  std::optional<UserAgent> ua;
  std::size_t seen = 0;
  std::optional<int> final_status;
  DialogId dialog = 0;
  int terminated = 0;
};

std::string to_tag(const Message& m) { return std::string(m.to()->tag()); }
std::string header(const Message& m, HeaderId id) { return std::string(m.header(id).value_or("")); }

// --- Early dialogs (RFC 3261 12.1.2, 13.2.2.4) ---------------------------------------------------

TEST_F(UserAgentDialogsTest, EachToTagOfA1xxIsAnEarlyDialogAndThe2xxConfirmsItsOwn) {
  auto invite = call();
  respond(invite, 100, "");
  respond(invite, 180, "a");
  respond(invite, 183, "b");
  respond(invite, 180, "a");  // the same fork again: still two early dialogs
  settle();
  EXPECT_EQ(ua->stats().early_dialogs, 2u);
  EXPECT_EQ(ua->stats().dialogs, 0u);
  respond(invite, 200, "b", {}, kOffer);
  const auto* ack = wait_request("ACK");
  ASSERT_NE(ack, nullptr);
  EXPECT_EQ(to_tag(*ack), "b");
  EXPECT_EQ(final_status, 200);
  EXPECT_EQ(ua->stats().early_dialogs, 0u);  // "a" ended with the 2xx of "b"
  EXPECT_EQ(ua->stats().dialogs, 1u);
  EXPECT_TRUE(ua->is_dialog_active(dialog));
}

TEST_F(UserAgentDialogsTest, AFinalErrorEndsEveryEarlyDialog) {
  auto invite = call();
  respond(invite, 180, "a");
  respond(invite, 180, "b");
  settle();
  EXPECT_EQ(ua->stats().early_dialogs, 2u);
  respond(invite, 486, "a");
  ASSERT_NE(wait_request("ACK"), nullptr);  // the transaction's ACK of the 486
  EXPECT_EQ(final_status, 486);
  EXPECT_EQ(ua->stats().early_dialogs, 0u);
  EXPECT_EQ(ua->stats().dialogs, 0u);
}

TEST_F(UserAgentDialogsTest, ASecond2xxFromAnotherForkIsAckedThenByed) {
  auto invite = call();
  respond(invite, 180, "a");
  respond(invite, 180, "b");
  respond(invite, 200, "a", {}, kOffer);
  const auto* ack_a = wait_request("ACK");
  ASSERT_NE(ack_a, nullptr);
  EXPECT_EQ(to_tag(*ack_a), "a");
  respond(invite, 200, "b", {}, kOffer);
  const auto* ack_b = wait_request("ACK");
  ASSERT_NE(ack_b, nullptr);
  EXPECT_EQ(to_tag(*ack_b), "b");
  EXPECT_EQ(ack_b->cseq()->number, invite.cseq()->number);
  const auto* bye = wait_request("BYE");
  ASSERT_NE(bye, nullptr);
  EXPECT_EQ(to_tag(*bye), "b");
  respond(*bye, 200, "");
  settle();
  // The first 2xx's dialog is the call, untouched; a retransmission of either 2xx is ACKed
  // again, with no second BYE.
  EXPECT_TRUE(ua->is_dialog_active(dialog));
  EXPECT_EQ(ua->stats().dialogs, 1u);
  respond(invite, 200, "a", {}, kOffer);
  respond(invite, 200, "b", {}, kOffer);
  settle();
  EXPECT_EQ(count("ACK"), 4);
  EXPECT_EQ(count("BYE"), 1);
  EXPECT_EQ(terminated, 0);
}

// --- Session timers (RFC 4028) ------------------------------------------------------------------

TEST_F(UserAgentDialogsTest, OurInviteSupportsTimers) {
  auto invite = call();
  EXPECT_NE(header(invite, HeaderId::Supported).find("timer"), std::string::npos);
}

TEST_F(UserAgentDialogsTest, AsRefresherWeSendAnUpdateAtHalfTheInterval) {
  answered_call({{"Session-Expires", "90;refresher=uac"}, {"Require", "timer"}, {"Supported", "timer"},
                 {"Allow", "INVITE, ACK, BYE, CANCEL, UPDATE"}});
  advance(44s);
  EXPECT_EQ(sent("UPDATE"), 0);
  advance(2s);
  const auto* update = wait_request("UPDATE");
  ASSERT_NE(update, nullptr);
  EXPECT_EQ(header(*update, HeaderId::SessionExpires), "90;refresher=uac");
  EXPECT_FALSE(update->has_body());
  respond(*update, 200, "", {{"Session-Expires", "90;refresher=uac"}, {"Require", "timer"}});
  settle();
  // The refresh restarted the interval: no BYE at the first expiry (60 s), the next refresh at
  // 46 + 45 s.
  advance(43s);
  EXPECT_EQ(sent("UPDATE"), 1);
  EXPECT_EQ(count("BYE"), 0);
  advance(3s);
  EXPECT_EQ(sent("UPDATE"), 2);
  EXPECT_EQ(terminated, 0);
}

TEST_F(UserAgentDialogsTest, WithoutUpdateTheRefreshIsAReInviteWithTheSameOfferAndItsAck) {
  answered_call({{"Session-Expires", "90;refresher=uac"}, {"Require", "timer"}, {"Supported", "timer"},
                 {"Allow", "INVITE, ACK, BYE, CANCEL"}});
  advance(46s);
  const auto* reinvite = wait_request("INVITE");
  ASSERT_NE(reinvite, nullptr);
  EXPECT_EQ(to_tag(*reinvite), "a");
  EXPECT_EQ(reinvite->body(), kOffer);
  EXPECT_EQ(header(*reinvite, HeaderId::SessionExpires), "90;refresher=uac");
  const auto cseq = reinvite->cseq()->number;
  respond(*reinvite, 200, "", {{"Session-Expires", "90;refresher=uac"}, {"Require", "timer"}}, kOffer);
  const auto* ack = wait_request("ACK");
  ASSERT_NE(ack, nullptr);
  EXPECT_EQ(ack->cseq()->number, cseq);
  EXPECT_EQ(count("BYE"), 0);
}

TEST_F(UserAgentDialogsTest, ARefreshAnswered481EndsTheSessionWithBye) {
  answered_call({{"Session-Expires", "90;refresher=uac"}, {"Require", "timer"}, {"Allow", "INVITE, ACK, BYE, UPDATE"}});
  advance(46s);
  const auto* update = wait_request("UPDATE");
  ASSERT_NE(update, nullptr);
  respond(*update, 481, "");
  ASSERT_NE(wait_request("BYE"), nullptr);
  EXPECT_EQ(terminated, 1);
  EXPECT_FALSE(ua->is_dialog_active(dialog));
}

TEST_F(UserAgentDialogsTest, A422RefreshIsRetriedWithThePeersMinSe) {
  answered_call({{"Session-Expires", "90;refresher=uac"}, {"Require", "timer"}, {"Allow", "INVITE, ACK, BYE, UPDATE"}});
  advance(46s);
  const auto* update = wait_request("UPDATE");
  ASSERT_NE(update, nullptr);
  const auto first = update->cseq()->number;
  respond(*update, 422, "", {{"Min-SE", "120"}});
  const auto* again = wait_for([first](const Message& m) {
    return m.is_request() && m.method() == "UPDATE" && m.cseq()->number > first;
  });
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(header(*again, HeaderId::SessionExpires), "120;refresher=uac");
  EXPECT_EQ(header(*again, HeaderId::MinSe), "120");
}

TEST_F(UserAgentDialogsTest, ASessionTheUasRefreshesEndsWithByeWhenNoRefreshArrives) {
  answered_call({{"Session-Expires", "90;refresher=uas"}, {"Require", "timer"}, {"Allow", "INVITE, ACK, BYE, UPDATE"}});
  advance(59s);  // 90 - min(32, 90/3) = 60 s
  EXPECT_EQ(count("BYE"), 0);
  EXPECT_EQ(sent("UPDATE"), 0);  // not ours to refresh
  advance(2s);
  ASSERT_NE(wait_request("BYE"), nullptr);
  EXPECT_EQ(terminated, 1);
}

TEST_F(UserAgentDialogsTest, A2xxWithoutSessionExpiresMeansNoSessionTimer) {
  answered_call({{"Allow", "INVITE, ACK, BYE, UPDATE"}});
  advance(120s);
  EXPECT_EQ(sent("UPDATE"), 0);
  EXPECT_EQ(count("BYE"), 0);
}

// As UAS: an INVITE from a caller without timer support (no "Supported: timer") makes us the
// refresher (RFC 4028 9); a caller that refreshes keeps the session alive past its first expiry.
class UserAgentUasSessionTest : public UserAgentDialogsTest {
 protected:
  std::string invite_text(std::string_view extra) {
    const auto port = std::to_string(peer.port());
    return "INVITE sip:switchboard@127.0.0.1 SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:" + port + ";branch=z9hG4bKuas1\r\n"
           "Max-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=caller\r\nTo: <sip:switchboard@127.0.0.1>\r\n"
           "Call-ID: uas-session@127.0.0.1\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@127.0.0.1:" + port + ">\r\n" +
           std::string(extra) + "Content-Type: application/sdp\r\nContent-Length: " + std::to_string(kOffer.size()) +
           "\r\n\r\n" + std::string(kOffer);
  }
  std::string in_dialog(std::string_view method, int cseq, std::string_view extra) {
    const auto port = std::to_string(peer.port());
    return std::string(method) + " sip:switchboard@127.0.0.1:" + std::to_string(ua->local_port(TransportKind::Udp)) +
           " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + port + ";branch=z9hG4bKuas" + std::to_string(cseq) +
           "\r\nMax-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=caller\r\nTo: <sip:switchboard@127.0.0.1>;tag=" +
           local_tag + "\r\nCall-ID: uas-session@127.0.0.1\r\nCSeq: " + std::to_string(cseq) + " " +
           std::string(method) + "\r\n" + std::string(extra) + "Content-Length: 0\r\n\r\n";
  }
  // Sends the INVITE, answers it 200 and ACKs; returns our 200.
  Message answer(std::string_view extra) {
    ua->set_incoming_call_handler([this](IncomingCallId id, const SipRequestInfo&) {
      dialog = ua->respond(id, 200, {}, std::string(kOffer));
      ua->set_dialog_handlers(dialog, {.on_terminated = [this] { ++terminated; }});
    });
    peer.send(invite_text(extra), ua->local_port(TransportKind::Udp));
    const auto* ok = wait_for([](const Message& m) { return !m.is_request() && m.status_code() == 200; });
    EXPECT_NE(ok, nullptr);
    if (!ok) return {};
    local_tag = to_tag(*ok);
    peer.send(in_dialog("ACK", 1, ""), ua->local_port(TransportKind::Udp));
    settle();
    return *ok;
  }
  std::string local_tag;
};

TEST_F(UserAgentUasSessionTest, WeRefreshForACallerWithoutTimerSupport) {
  const auto ok = answer("Session-Expires: 120\r\nAllow: INVITE, ACK, BYE, UPDATE\r\n");
  EXPECT_EQ(header(ok, HeaderId::SessionExpires), "120;refresher=uas");
  EXPECT_EQ(ok.header(HeaderId::Require), std::nullopt);  // the caller does not know "timer"
  advance(59s);
  EXPECT_EQ(sent("UPDATE"), 0);
  advance(2s);
  const auto* update = wait_request("UPDATE");
  ASSERT_NE(update, nullptr);
  EXPECT_EQ(to_tag(*update), "caller");  // our request: To is the caller
  EXPECT_EQ(header(*update, HeaderId::SessionExpires), "120;refresher=uac");
  // A caller without timers answers without Session-Expires: we stay the refresher.
  respond(*update, 200, "");
  settle();
  advance(61s);
  EXPECT_EQ(sent("UPDATE"), 2);
  EXPECT_EQ(count("BYE"), 0);
}

TEST_F(UserAgentUasSessionTest, TheCallersRefreshRestartsTheIntervalAndItsAbsenceEndsTheSession) {
  const auto ok = answer("Session-Expires: 90\r\nSupported: timer\r\n");
  EXPECT_EQ(header(ok, HeaderId::SessionExpires), "90;refresher=uac");
  EXPECT_EQ(header(ok, HeaderId::Require), "timer");
  advance(40s);
  peer.send(in_dialog("UPDATE", 2, "Session-Expires: 90;refresher=uac\r\nSupported: timer\r\n"),
            ua->local_port(TransportKind::Udp));
  const auto* refreshed = wait_for([](const Message& m) { return !m.is_request() && m.cseq()->method == "UPDATE"; });
  ASSERT_NE(refreshed, nullptr);
  EXPECT_EQ(refreshed->status_code(), 200);
  EXPECT_EQ(header(*refreshed, HeaderId::SessionExpires), "90;refresher=uac");
  advance(30s);  // 70 s: past the first expiry (60 s), within the second (100 s)
  EXPECT_EQ(count("BYE"), 0);
  EXPECT_EQ(sent("UPDATE"), 0);
  advance(31s);
  ASSERT_NE(wait_request("BYE"), nullptr);
  EXPECT_EQ(terminated, 1);
}

// As UAS, before our final answer: the 180 carries our tag, so the caller's requests inside
// that early dialog must find it (RFC 3261 12.1.1, 15; RFC 3311 for UPDATE).
class UserAgentUasEarlyDialogTest : public UserAgentUasSessionTest {
 protected:
  // Sends the INVITE and answers 180 only; returns the 180.
  Message ringing() {
    ua->set_incoming_call_handler([this](IncomingCallId id, const SipRequestInfo&) {
      call_id = id;
      ua->set_incoming_handlers(id, {.on_cancel = [this] { ++cancelled; }});
      ua->respond(id, 180);
    });
    peer.send(invite_text(""), ua->local_port(TransportKind::Udp));
    const auto* r180 = wait_for([](const Message& m) { return !m.is_request() && m.status_code() == 180; });
    EXPECT_NE(r180, nullptr);
    if (!r180) return {};
    local_tag = to_tag(*r180);
    return *r180;
  }
  const Message* response_to(std::string_view method) {
    return wait_for([method](const Message& m) { return !m.is_request() && m.cseq()->method == method; });
  }
  IncomingCallId call_id = 0;
  int cancelled = 0;
};

TEST_F(UserAgentUasEarlyDialogTest, ACallersByeEndsTheEarlyDialogAndTheInviteGets487) {
  ringing();
  ASSERT_FALSE(local_tag.empty());
  peer.send(in_dialog("BYE", 2, ""), ua->local_port(TransportKind::Udp));
  const auto* bye_ok = response_to("BYE");
  ASSERT_NE(bye_ok, nullptr);
  EXPECT_EQ(bye_ok->status_code(), 200);
  const auto* invite_final = response_to("INVITE");
  while (invite_final && invite_final->status_code() < 200) invite_final = response_to("INVITE");
  ASSERT_NE(invite_final, nullptr);
  EXPECT_EQ(invite_final->status_code(), 487);
  EXPECT_EQ(to_tag(*invite_final), local_tag);
  EXPECT_EQ(cancelled, 1);
  // The call is gone: answering it now does nothing.
  EXPECT_EQ(ua->respond(call_id, 200, {}, std::string(kOffer)), 0u);
}

TEST_F(UserAgentUasEarlyDialogTest, UpdateInfoAndOptionsInTheEarlyDialogAreAnswered) {
  ringing();
  peer.send(in_dialog("UPDATE", 2, "Session-Expires: 90\r\n"), ua->local_port(TransportKind::Udp));
  const auto* update = response_to("UPDATE");
  ASSERT_NE(update, nullptr);
  EXPECT_EQ(update->status_code(), 200);
  peer.send(in_dialog("INFO", 3, ""), ua->local_port(TransportKind::Udp));
  const auto* info = response_to("INFO");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->status_code(), 200);
  EXPECT_EQ(cancelled, 0);  // still ringing
}

TEST_F(UserAgentUasEarlyDialogTest, ARequestWithAnotherTagStill481s) {
  ringing();
  local_tag = "not-ours";
  peer.send(in_dialog("BYE", 2, ""), ua->local_port(TransportKind::Udp));
  const auto* bye = response_to("BYE");
  ASSERT_NE(bye, nullptr);
  EXPECT_EQ(bye->status_code(), 481);
  EXPECT_EQ(cancelled, 0);
}

}  // namespace
}  // namespace sb::sip
