#pragma once
// UserAgent::Impl: the state behind UserAgent (user_agent.hpp holds the contract) and the helpers
// its parts share; internal to src/sip/dialog. Owned by UserAgent, used on the signalling loop
// only. Its member functions are grouped by concern, one file each (see the sections below).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/timer_wheel.hpp"
#include "sip/dialog/dialog.hpp"
#include "sip/dialog/user_agent.hpp"
#include "sip/dns/target_resolver.hpp"
#include "sip/message/message.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "sip/transport/network_transport.hpp"
#include "sip/transport/routing.hpp"

namespace sb::sip {
namespace user_agent_detail {

inline constexpr std::string_view kAllow = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY";

inline constexpr std::string_view kSupported = "replaces, timer";

SipHeaders headers_of(const Message& m);

SipResponseInfo response_info(const Message& m);

SipResponseInfo synthetic_response(int status);

SipRequestInfo request_info(const Message& m, const Source& source);

bool has_option_tag(const Message& m, HeaderId id, std::string_view tag);

// RFC 4028 4: "Session-Expires: delta-seconds *(;param)"; nullopt when absent or malformed.
struct SessionExpires {
  std::uint32_t seconds = 0;
  std::string refresher;
};

std::optional<SessionExpires> session_expires(const Message& m);

// The status code of a message/sipfrag body ("SIP/2.0 200 OK"), or 0.
int sipfrag_status(std::string_view body);

}  // namespace user_agent_detail

struct UserAgent::Impl {
  using SessionExpires = user_agent_detail::SessionExpires;

  // Everything needed to (re)build a request: auth retries rebuild with a new branch and CSeq.
  struct RequestSpec {
    std::string method;
    std::string request_uri;
    std::string from;
    std::string to;
    std::string call_id;
    std::uint32_t cseq = 1;
    std::vector<std::string> routes;
    SipHeaders headers;
    std::string content_type;
    std::string body;
    Destination destination;
    // RFC 3263: a next hop still to resolve (send() resolves it first), then the targets in
    // order and the one in use; a 503 or a timeout moves to the next (4.3).
    std::optional<NextHop> next_hop;
    std::vector<Target> targets;
    std::size_t target_index = 0;
    std::string tls_name;  // RFC 5922: a TLS target is verified against the next hop's domain
    bool is_abandoned = false;  // cancelled by the TU: no failover, no send after resolution
    bool is_udp_explicit = false;
    bool has_contact = false;
    std::string auth_username;
    std::string auth_password;
    bool has_auth_retry = false;
    std::string authorization_name;
    std::string authorization_value;
    DialogId dialog = 0;
    std::uint64_t client_id = 0;
    std::optional<Message> sent;  // the last request sent
  };
  using ResponseHandler = std::function<void(const Message&)>;

  struct Outgoing {
    OutgoingCallHandlers handlers;
    std::shared_ptr<RequestSpec> spec;
    bool has_explicit_destination = false;
    bool is_cancelled = false;
    std::vector<DialogId> early_dialogs;  // RFC 3261 12.1.2: one per To tag of a 1xx
  };

  struct Incoming {
    std::uint64_t server_id = 0;
    std::string local_tag;
    IncomingCallHandlers handlers;
    DialogId dialog = 0;
  };

  // RFC 4028: the session interval in force and which side refreshes it.
  struct SessionTimer {
    std::chrono::seconds interval{0};  // 0: no session timer
    bool is_refresher = false;         // we send the refreshes
    std::uint32_t min_se = 0;          // the largest Min-SE a 422 taught us
    TimerWheel::TimerId refresh;       // half the interval (refresher only)
    TimerWheel::TimerId expiry;        // the interval less min(32 s, interval/3): BYE
  };

  struct DialogEntry {
    Dialog dialog;
    DialogHandlers handlers;
    IncomingCallId incoming = 0;
    OutgoingCallId early_of = 0;  // UAC early dialog: the INVITE it belongs to (0: confirmed)
    std::string auth_username;
    std::string auth_password;
    SessionTimer session;
    bool peer_allows_update = false;   // UPDATE in the peer's Allow: refreshes use it (RFC 4028 9)
    bool peer_supports_timer = false;  // "timer" in the peer's Supported
    std::string local_sdp;             // the last session description we sent, for re-INVITEs
    // UAS: our 2xx, retransmitted until the ACK (13.3.1.4).
    std::optional<Message> pending_ok;
    std::uint64_t pending_server_id = 0;
    std::chrono::milliseconds ok_interval{0};
    TimerWheel::TimerId ok_retransmit;
    TimerWheel::TimerId ok_give_up;
    std::function<void(int, bool)> refer_progress;
    bool is_refer_subscription = false;  // the peer REFERred us: NOTIFY goes out
  };

  // --- user_agent.cpp: construction, the timer tick, building and sending requests (RFC 3263
  // targets, failover, one digest retry)
  Impl(boost::asio::io_context& io, UserAgentConfig c);
  ~Impl();
  TimerWheel::TimePoint now() const;
  void schedule_tick();
  std::string contact(TransportKind kind) const;
  std::optional<Message> build(RequestSpec& spec);
  static std::optional<NextHop> next_hop_of(const Uri& uri, TransportKind transport,
                                            const std::optional<std::string>& destination_host,
                                            std::uint16_t destination_port);
  static void use_target(RequestSpec& spec);
  std::optional<Message> local_response(RequestSpec& spec, int status);
  std::uint64_t resolve_and_send(const std::shared_ptr<RequestSpec>& spec, ResponseHandler on_response);
  bool fail_over(const std::shared_ptr<RequestSpec>& spec, const Message& response, const ResponseHandler& on_response);
  std::uint64_t send(const std::shared_ptr<RequestSpec>& spec, ResponseHandler on_response);
  std::shared_ptr<RequestSpec> dialog_spec(DialogEntry& d, std::string method);
  // Runs `task` on the loop later (never inside the caller).
  void post(std::function<void()> task);

  // --- user_agent_client.cpp: outgoing INVITEs: early dialogs, each 2xx and its ACK, forks, CANCEL
  OutgoingCallId place_call(OutgoingCallRequest request, OutgoingCallHandlers handlers);
  void send_ack_for_2xx(DialogEntry& d, std::uint32_t cseq);
  static std::string ack_key(std::string_view dialog_key, std::uint32_t cseq);
  bool resend_ack(const Message& ok);
  void track_early_dialog(OutgoingCallId id, Outgoing& o, const Message& r);
  void end_early_dialogs(Outgoing& o, DialogId confirmed = 0);
  void on_invite_response(OutgoingCallId id, const RequestSpec& spec, bool has_explicit_destination, const Message& r);
  void on_invite_2xx(OutgoingCallId id, const RequestSpec& spec, bool has_explicit_destination, const Message& r);
  void cancel(OutgoingCallId id);
  void on_stray_response(const Message& r);

  // --- user_agent_server.cpp: requests outside a dialog, incoming INVITEs, our 2xx until its ACK
  void reply(std::uint64_t server_id, int status, std::string_view reason = {}, std::string_view local_tag = {},
             const SipHeaders& headers = {}, std::string_view content_type = {}, std::string_view body = {},
             std::optional<TransportKind> contact_kind = std::nullopt);
  bool is_merged_request(std::uint64_t server_id, const Message& request);
  bool reject_small_session_interval(std::uint64_t server_id, const Message& request);
  void on_request(std::uint64_t server_id, const Message& request, const Source& source);
  DialogId respond(IncomingCallId id, int status, std::string_view reason, std::string sdp, SipHeaders headers);
  void start_ok_retransmission(DialogId did, std::uint64_t server_id, Message ok);
  void retransmit_ok(DialogId did);
  void stop_ok_retransmission(DialogEntry& entry);
  void ok_timed_out(DialogId did);
  void on_ack(const Message& ack, const Source& source);
  void on_cancel(std::uint64_t invite_server_id, const Message&);
  // The caller gave up on an INVITE we have not answered finally (CANCEL, or BYE in the early
  // dialog): answers it 487, forgets it and tells the TU through on_cancel.
  void abandon_incoming(IncomingCallId id);
  void on_server_terminated(std::uint64_t server_id, bool);

  // --- user_agent_in_dialog.cpp: requests inside a dialog, BYE
  void end_dialog(DialogId did);
  void on_in_dialog_request(std::uint64_t server_id, const Message& request, const Source& source, std::string local_tag);
  // A request from the caller inside the early dialog of an INVITE we have not answered finally
  // (our 1xx carried `local_tag`). Returns false when no such INVITE is pending.
  bool on_early_dialog_request(std::uint64_t server_id, const Message& request, std::string_view call_id,
                               std::string_view local_tag, std::string_view remote_tag);
  void bye(DialogId did);
  void send_in_dialog(DialogId did, std::string method, SipHeaders headers, std::string content_type,
                      std::string body, ResponseHandler on_response);

  // --- user_agent_session_timer.cpp: session timers (RFC 4028)
  static std::optional<SessionExpires> negotiated_session(const Message& request);
  static SipHeaders session_timer_headers(const Message& request);
  static void learn_peer(DialogEntry& entry, const Message& m);
  void arm_session_timer(DialogId did, const std::optional<SessionExpires>& se, bool is_uac);
  void stop_session_timer(SessionTimer& session);
  void session_expired(DialogId did);
  void end_with_bye(DialogId did);
  void refresh_session(DialogId did);
  void on_refresh_response(DialogId did, const RequestSpec& spec, const Message& r);

  // --- State
  boost::asio::io_context& loop;
  UserAgentConfig config;
  TimerWheel wheel;
  struct TickTimer;  // the Asio timer of the tick, defined in user_agent.cpp
  std::unique_ptr<TickTimer> tick_timer;
  std::unique_ptr<NetworkTransport> transport;
  std::unique_ptr<TransactionLayer> layer;
  std::unique_ptr<TargetResolver> target_resolver;
  bool is_closed = false;
  std::uint64_t next_id = 1;
  std::function<void(IncomingCallId, const SipRequestInfo&)> on_incoming_call;
  std::function<void(RequestId, const SipRequestInfo&)> on_register;
  // Requests outside a dialog by Call-ID, From tag and CSeq -> their server transaction (loops).
  static constexpr std::size_t kMaxRecentRequests = 4096;
  std::unordered_map<std::string, std::uint64_t> recent_requests;
  std::size_t recent_requests_limit = kMaxRecentRequests;
  std::unordered_map<OutgoingCallId, Outgoing> outgoing;
  std::unordered_map<IncomingCallId, Incoming> incoming;
  std::unordered_map<std::uint64_t, IncomingCallId> incoming_by_server;
  std::unordered_map<DialogId, DialogEntry> dialogs;
  std::unordered_map<std::string, DialogId> dialog_keys;
  struct SentAck {
    std::string bytes;
    Destination destination;
    TimerWheel::TimerId expiry;
  };
  std::unordered_map<std::string, SentAck> sent_acks;  // by dialog key and CSeq number
};

}  // namespace sb::sip
