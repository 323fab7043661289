#pragma once
// UserAgent: the SIP stack as the call engine (src/calls/) sees it: place and cancel outgoing
// INVITEs (answering one 401/407 with digest credentials), answer incoming INVITEs, and act on
// the resulting dialogs (BYE, re-INVITE/UPDATE offers, INFO, REFER with NOTIFY progress).
// OPTIONS outside a dialog are answered 200 automatically. Early dialogs, forked 2xx (ACK and
// BYE) and RFC 4028 session timers (refresh as refresher, BYE on expiry) are handled here, out of
// the call engine's sight but for on_terminated. It owns the transports, the
// transaction layer, the dialogs and the TimerWheel that drives every SIP timer, advanced by
// one periodic tick on the loop.
//
// Threading contract: a UserAgent belongs to the signalling loop, the one thread running the
// io_context given to the constructor. Every method must be called on that thread, and every
// handler is called on it, never inside the method that caused it unless said otherwise
// (handlers run from received messages or timers). Handlers may call back into the UserAgent.
// Ids (OutgoingCallId, IncomingCallId, DialogId) are plain numbers, never reused; an operation
// on an id that has ended is a no-op. No Asio type appears here: the io_context is only
// forward-declared.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sip/transaction/transaction_timers.hpp"
#include "sip/transport/network_transport.hpp"
#include "sip/transport/transport.hpp"

namespace boost::asio {
class io_context;
}

namespace sb::sip {

using OutgoingCallId = std::uint64_t;
using IncomingCallId = std::uint64_t;
using DialogId = std::uint64_t;
using RequestId = std::uint64_t;  // a request outside a dialog (REGISTER) waiting for our answer

struct SipHeader {
  std::string name;
  std::string value;
};
using SipHeaders = std::vector<SipHeader>;

// A response as the call engine sees it.
struct SipResponseInfo {
  int status = 0;
  std::string reason;
  SipHeaders headers;        // every header field, in order
  std::string content_type;  // empty when there is no body
  std::string body;          // the SDP, when content_type is application/sdp
};

// A request as the call engine sees it.
struct SipRequestInfo {
  std::string method;
  std::string request_uri;
  std::string from;     // header values as received
  std::string to;
  std::string call_id;
  SipHeaders headers;
  std::string content_type;
  std::string body;
  TransportKind transport = TransportKind::Udp;
  Endpoint source;      // where it came from (after NAT: the real address and port)
  std::uint64_t flow = 0;  // the TCP/TLS connection it came on (0 for UDP)
  // The header value of `name` (any case, first field), or empty.
  std::string_view header(std::string_view name) const;
};

struct UserAgentConfig {
  TransportConfig transport;
  TransactionTimers timers;
  std::chrono::milliseconds tick{10};  // TimerWheel resolution and tick period
  std::string user_agent = "switchboard";
  std::string contact_user = "switchboard";  // user part of our Contact URI
  // RFC 4028: the smallest Session-Expires accepted (422 below it) and the one we ask for when
  // the peer requests session timers without a value.
  std::uint32_t min_session_expires = 90;
  // The time that drives every SIP timer (transactions, 2xx retransmission, session timers);
  // empty: std::chrono::steady_clock::now. A test seam: tests move a fake clock forward.
  std::function<std::chrono::steady_clock::time_point()> clock;
};

struct OutgoingCallRequest {
  std::string request_uri;           // "sip:+15551234567@carrier.example.com"
  std::string from_display;          // optional display name
  std::string from_user;             // "+15557654321"
  std::string from_host;             // empty: our advertised address
  std::string to;                    // To URI; empty: the Request-URI
  SipHeaders headers;                // extra headers (X-..., P-Asserted-Identity, Diversion...)
  std::string sdp;                   // the offer; empty sends no body
  TransportKind transport = TransportKind::Udp;  // unless the URI says transport=
  std::optional<std::string> destination_host;   // explicit next hop (outbound proxy, trunk)
  std::uint16_t destination_port = 0;
  std::string auth_username;         // digest credentials: one 401/407 is answered with them
  std::string auth_password;
};

struct OutgoingCallHandlers {
  // Each provisional response (100 included).
  std::function<void(const SipResponseInfo& response)> on_provisional;
  // The final response, exactly once. On a 2xx, `dialog` is the confirmed dialog (ACK already
  // sent); otherwise 0. Timeouts arrive as 408, transport failures as 503. A call cancelled
  // by cancel() ends with 487, even when a 2xx raced the CANCEL (that dialog gets ACK and BYE).
  // A 2xx from a second fork (another To tag) after the first is ACKed and BYEd by the stack
  // (RFC 3261 13.2.2.4); the call engine only ever sees the first.
  std::function<void(const SipResponseInfo& response, DialogId dialog)> on_final;
};

struct IncomingCallHandlers {
  // The caller sent CANCEL; the INVITE has been answered 487. The call is over.
  std::function<void()> on_cancel;
  // The ACK of our 2xx arrived: the dialog is confirmed (its SDP answer, if any, in `ack`).
  std::function<void(const SipRequestInfo& ack)> on_ack;
  // No ACK within 64*T1 of our 2xx (a BYE has been sent), or the transaction failed.
  std::function<void()> on_ack_timeout;
};

struct DialogHandlers {
  // The peer hung up (its BYE is answered 200). The dialog is over.
  std::function<void(const SipRequestInfo& bye)> on_bye;
  // A re-INVITE or UPDATE with an SDP offer (empty when the re-INVITE has none, then return an
  // offer). Return the SDP to answer with (sent in a 200), or nullopt to refuse (488).
  std::function<std::optional<std::string>(std::string_view offer)> on_offer;
  // An INFO (DTMF via application/dtmf-relay, media control...), already answered 200.
  std::function<void(const SipRequestInfo& info)> on_info;
  // A REFER (transfer) from the peer: return true to accept (202), then report progress with
  // notify_refer(); false answers 603.
  std::function<bool(const SipRequestInfo& refer)> on_refer;
  // The dialog ended for any reason (either side's BYE, ACK timeout, 481 from the peer, a
  // session that expired or whose refresh failed: RFC 4028, a BYE has been sent).
  std::function<void()> on_terminated;
};

struct UserAgentStats {
  TransportStats transport;
  std::uint64_t dialogs = 0;        // confirmed
  std::uint64_t early_dialogs = 0;  // UAC: one per To tag of the 1xx of a pending INVITE
  std::uint64_t client_transactions = 0;
  std::uint64_t server_transactions = 0;
};

class UserAgent {
 public:
  // Binds the listeners of config.transport (throws std::system_error on failure) and starts
  // the timer tick.
  UserAgent(boost::asio::io_context& loop, UserAgentConfig config);
  ~UserAgent();
  UserAgent(const UserAgent&) = delete;
  UserAgent& operator=(const UserAgent&) = delete;

  // --- Outgoing calls -------------------------------------------------------------------
  OutgoingCallId place_call(OutgoingCallRequest request, OutgoingCallHandlers handlers);
  // RFC 3261 9.1: CANCEL (after a provisional response arrived) and expect 487.
  void cancel(OutgoingCallId call);

  // --- Incoming calls -------------------------------------------------------------------
  // Called for each new INVITE outside a dialog; answer with respond(). Without a handler,
  // INVITEs are answered 480.
  void set_incoming_call_handler(std::function<void(IncomingCallId call, const SipRequestInfo& invite)> handler);
  void set_incoming_handlers(IncomingCallId call, IncomingCallHandlers handlers);
  // Answers the INVITE: 180/183 (with SDP for early media), 200 with the SDP answer, or
  // 300-699. Returns the dialog on a 2xx, 0 otherwise. The 2xx is retransmitted until ACK.
  DialogId respond(IncomingCallId call, int status, std::string_view reason = {}, std::string sdp = {},
                   SipHeaders headers = {});

  // --- Other requests outside a dialog ----------------------------------------------------
  // Called for each REGISTER; answer with respond_request() (now or later, on the loop). Without
  // a handler REGISTER is answered 405.
  void set_register_handler(std::function<void(RequestId request, const SipRequestInfo& info)> handler);
  // The final response to a request given to a handler (200 carries `headers`, e.g. Contact).
  void respond_request(RequestId request, int status, std::string_view reason = {}, SipHeaders headers = {});

  // --- Dialogs ---------------------------------------------------------------------------
  void set_dialog_handlers(DialogId dialog, DialogHandlers handlers);
  // Sends BYE; the dialog ends at once (on_terminated is not called for a local hang-up).
  void bye(DialogId dialog);
  // INFO with a body; `done` gets the final status (408/481... included).
  void send_info(DialogId dialog, std::string content_type, std::string body, std::function<void(int status)> done = {});
  // REFER (RFC 3515): `progress` gets the REFER's final status (is_final false unless it
  // failed), then each NOTIFY's message/sipfrag status, is_final true with the last one.
  void send_refer(DialogId dialog, std::string refer_to,
                  std::function<void(int status, bool is_final)> progress = {});
  // NOTIFY for a REFER we accepted: the sipfrag "SIP/2.0 <status>"; `is_final` ends the implicit
  // subscription (Subscription-State: terminated).
  void notify_refer(DialogId dialog, int status, bool is_final);
  bool is_dialog_active(DialogId dialog) const;

  // --- Out of dialog ---------------------------------------------------------------------
  // OPTIONS to `uri` (a ping); `done` gets the final response.
  void send_options(std::string uri, TransportKind transport, std::optional<std::string> destination_host,
                    std::uint16_t destination_port, std::function<void(const SipResponseInfo&)> done);

  // --- Connections (TCP, TLS) --------------------------------------------------------------
  // Called when an established connection closes (not at close()): its kind, peer and flow.
  void set_connection_closed_handler(std::function<void(TransportKind kind, std::uint64_t flow, const Endpoint& remote)> handler);
  // Keeps the connection `flow` from the idle timeout for `duration` (see NetworkTransport).
  void keep_connection_open(std::uint64_t flow, std::chrono::seconds duration);

  std::uint16_t local_port(TransportKind kind) const;
  UserAgentStats stats() const;
  // Stops listening and ticking; pending work is dropped.
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sb::sip
