#pragma once
// One call in the engine (internal to calls/): its state and the coroutine that runs it from the
// CPS queue to the end, fed by one event channel (SIP, media, timers, API). Signalling loop.

#include "calls/call_engine.hpp"
#include "calls/call_lifecycle.hpp"
#include "calls/rate_limiter.hpp"
#include "media/engine/media_engine.hpp"
#include "sip/dialog/user_agent.hpp"
#include "twiml/document.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <variant>

namespace sb::calls {

namespace asio = boost::asio;

enum class TimerKind { kRing, kTimeLimit, kVerb, kDialLimit, kRefer, kRecordWait, kAmd };

struct SlotGranted {};
struct SipProvisional {
  sip::SipResponseInfo response;
  sip::OutgoingCallId outgoing = 0;
};
struct SipFinal {
  sip::SipResponseInfo response;
  sip::DialogId dialog = 0;
  sip::OutgoingCallId outgoing = 0;  // which INVITE (several when the call forks)
};
struct SipBye {
  sip::SipHeaders headers;  // of the BYE (its X- headers reach a <Dial> action)
};
// The ACK of our 200 OK to an inbound INVITE (its SDP answers our offer when the INVITE had none).
struct SipAck {
  std::string body;
};
struct TimerFired {
  TimerKind kind;
};
struct ApiEnd {
  std::string status;
};
struct ApiRedirect {
  CallRedirect redirect;
};
struct TwimlFetched {
  TwimlFetch fetch;
};
struct AudioFetched {
  std::string path;  // empty on failure
  int error_code = 0;
};

// A `<Dial>` leg telling its parent how it is doing (calls/dial_verb.cpp).
struct ChildUpdate {
  enum class Kind { kRinging, kAnswered, kReady, kEnded, kRefer };
  Kind kind{};
  std::string call_sid;
  // kEnded: the leg's final status (completed busy no-answer failed canceled) and figures.
  std::string status;
  std::optional<int> sip_response_code;
  std::optional<std::string> sip_call_id;
  sip::SipHeaders x_headers;  // X- headers of the final response, or of the BYE that ended it
  std::int64_t duration = 0;
  std::string refer_to;  // kRefer: the Refer-To of the REFER the leg sent (already answered 202)
};
// Progress of a REFER we sent: its own final status, then each NOTIFY's sipfrag status.
struct ReferProgress {
  int status = 0;
  bool is_final = false;
};

using CallEvent = std::variant<SlotGranted, SipProvisional, SipFinal, SipBye, SipAck, TimerFired, ApiEnd, ApiRedirect,
                               TwimlFetched, AudioFetched, ChildUpdate, ReferProgress, media::MediaEventDetail>;

// Where the next TwiML document comes from.
struct TwimlSource {
  std::optional<WebhookTarget> target;
  std::optional<WebhookTarget> fallback;
  std::optional<std::string> inline_twiml;
  http::Form extra_params;  // Digits, ... added to the voice parameters
};

// Where a recording's status callbacks go, and for which events.
struct RecordingCallback {
  std::optional<WebhookTarget> target;
  bool in_progress = false;
  bool completed = true;
  bool absent = false;
};

// Fresh SRTP master key material for our a=crypto lines.
media::SrtpMasterKey random_srtp_key();
// The Call-ID among a SIP message's headers (full or compact form).
std::optional<std::string> call_id_of(const sip::SipHeaders& headers);
// The method of a webhook as TwiML named it.
inline std::string method_of(twiml::Method m) { return std::string(twiml::to_string(m)); }

// Why a verb or a document stopped.
enum class Flow { kNext, kHangup, kNewDocument, kOver };

struct CallEngine::Impl : std::enable_shared_from_this<CallEngine::Impl> {
  Impl(asio::io_context& l, store::Store& s, Webhooks& w, http::Client& h, sip::UserAgent& ua,
       media::MediaEngine& m, CallEngineOptions o);

  asio::io_context& loop;
  store::Store& store;
  Webhooks& webhooks;
  http::Client& http;
  sip::UserAgent& user_agent;
  media::MediaEngine& media;
  CallEngineOptions options;
  TimerWheel wheel;
  asio::steady_timer wheel_tick;
  bool is_ticking = false;
  RateLimiter limiter;
  OverloadGate gate;
  std::uint64_t refused_while_limited = 0;  // inbound INVITEs answered 503 in this overload
  std::map<std::string, std::shared_ptr<struct ActiveCall>, std::less<>> calls;
  std::string api_base_url;  // "http://127.0.0.1:8080": RecordingUrl and friends
  std::map<media::SessionId, std::weak_ptr<struct ActiveCall>> by_session;
  bool is_shutting_down = false;
  std::function<void()> on_drained;

  InboundRouter* router = nullptr;
  RegisteredContacts* registry = nullptr;
  // A SIP target at one of our domains: its user's registered contacts (empty: not registered,
  // error 32009); nullopt when the target is not one of our domains.
  std::optional<std::vector<SipTarget>> registered_targets(const SipTarget& target);

  // Advances the wheel now, and keeps a 20 ms tick going while the wheel holds timers or, with
  // the overload gate on, while there are calls.
  void tick();
  // One tick's lateness, for the overload gate; logs when it starts or stops holding calls.
  void watch_lag(TimerWheel::Duration lag);
  void finished(const std::string& call_sid);
  void on_incoming_call(sip::IncomingCallId id, const sip::SipRequestInfo& invite);
  // Runs `call` (registered under its sid) until `body` ends, then forgets it once its final
  // state is stored.
  void spawn(const std::shared_ptr<struct ActiveCall>& call, asio::awaitable<void> body);
};

struct ActiveCall : std::enable_shared_from_this<ActiveCall> {
  ActiveCall(CallEngine::Impl& engine, const store::Call& call, OutboundCallRequest request, std::string auth_token);

  CallEngine::Impl& engine;
  OutboundCallRequest request;
  std::string auth_token;
  CallLifecycle lifecycle;
  asio::experimental::channel<void(boost::system::error_code, CallEvent)> events;
  std::map<TimerKind, std::unique_ptr<asio::steady_timer>> timers;
  std::chrono::steady_clock::time_point queued_at = std::chrono::steady_clock::now();

  std::optional<media::SessionId> session;
  media::SessionDescription offer;
  std::vector<sip::OutgoingCallId> outgoings;  // the INVITEs still waiting for a final response
  sip::DialogId dialog = 0;
  bool is_remote_gone = false;         // BYE received or the dialog ended
  bool is_acquiring_slot = false;      // inside the limiter's acquire(): a grant needs no event
  bool has_slot = false;               // the CPS limiter let the call start
  std::optional<std::string> ending;   // the API asked to end: canceled / completed
  // A `<Dial>` leg: the call that dialed it, the screening document to run on answer, and the
  // leg whose media thread it should share.
  std::weak_ptr<ActiveCall> parent;
  std::optional<TwimlSource> screening;
  bool is_screening = false;           // running a screening document: <Dial> is refused (13201)
  bool accepts_refer = false;          // the <Dial> has a referUrl: a REFER from this leg is taken
  std::optional<media::SessionId> colocate_with;
  sip::SipHeaders final_headers;       // of the INVITE's final response, or of the peer's BYE
  // An inbound call: the INVITE to answer, our SDP for the 200 OK, and parameters added to every
  // webhook request (SipDomain, SipCallId, ...).
  std::optional<sip::IncomingCallId> incoming;
  sip::SipRequestInfo invite;
  std::string local_sdp;
  bool is_late_offer = false;      // the INVITE had no SDP: ours is an offer, the ACK answers
  bool requires_srtp = false;
  http::Form call_params;
  bool is_caller_recorded = false;  // Record=true: the whole call is being recorded
  // Answering machine detection running in the background (AsyncAmd, <Sip>/<Number> legs): where
  // its result goes.
  std::optional<WebhookTarget> amd_callback;
  std::optional<std::chrono::milliseconds> amd_duration;  // once decided: MachineDetectionDuration
  std::optional<TwimlSource> redirected;  // the API redirected the call
  std::string document_url;            // the current document's URL, for relative URLs
  // Waiting for the call's final state to be stored (API updates that end the call).
  std::vector<std::function<void(const store::Call&)>> on_over;

  void post(CallEvent event);
  void set_timer(TimerKind kind, std::chrono::milliseconds after);
  void cancel_timer(TimerKind kind);
  asio::awaitable<CallEvent> next();

  asio::awaitable<void> run();
  asio::awaitable<void> run_child();  // a <Dial> leg: dial, screen, wait to be bridged, end
  asio::awaitable<void> run_inbound();  // an INVITE from outside: ring, run TwiML, answer or reject
  // An unanswered inbound call: answers (200 OK with our SDP); false if the caller is gone.
  bool answer();
  // An unanswered inbound call: refuses it with `status` and ends it as `call_status`.
  void reject(int status, std::string_view reason, std::string_view call_status);
  bool is_unanswered_inbound() const { return incoming && !lifecycle.was_answered() && !lifecycle.is_over(); }
  asio::awaitable<bool> dial();  // true when answered
  // kNext: the last document ran out of verbs; kHangup: <Hangup>/<Reject> or an unusable
  // document; kOver: the call ended or the API took it away.
  asio::awaitable<Flow> run_twiml(TwimlSource source);
  // `after_writes`: the request leaves once every write made so far is committed (an action URL
  // then finds the recordings and notifications it is told about); not for a call's first document.
  asio::awaitable<std::optional<twiml::Document>> load(TwimlSource source, bool after_writes);
  asio::awaitable<Flow> execute(const twiml::Verb& verb, TwimlSource& next_source);
  asio::awaitable<Flow> play_and_wait(media::PlayRequest request, bool stop_on_digit, std::string* digits);
  asio::awaitable<Flow> say(const twiml::Say& say, bool stop_on_digit, std::string* digits);
  asio::awaitable<Flow> play(const twiml::Play& play, bool stop_on_digit, std::string* digits);
  asio::awaitable<Flow> pause(std::chrono::milliseconds length);
  asio::awaitable<Flow> gather(const twiml::Gather& gather, TwimlSource& next_source);
  asio::awaitable<Flow> send_digits(std::string digits);
  asio::awaitable<Flow> record(const twiml::Record& record, TwimlSource& next_source);
  asio::awaitable<Flow> dial_verb(const twiml::Dial& dial, TwimlSource& next_source);
  asio::awaitable<Flow> refer(const twiml::Refer& refer, TwimlSource& next_source);
  void notify_parent(ChildUpdate update);
  // After the call ended during a verb with an action (<Record>, <Dial>, <Refer>): Twilio still
  // requests the action with CallStatus=completed and `params`; the TwiML it returns is not run.
  void report_to_action_after_hangup(const WebhookTarget& action, const http::Form& params);
  // A verb's recordingStatusCallback, method and events, its URL resolved against the document.
  RecordingCallback recording_callback_for(const std::optional<std::string>& url, twiml::Method method,
                                           const twiml::RecordingStatusEvents& events) const;
  // Our side of the media for an offer or an answer on the session just opened.
  media::LocalMedia local_media(const media::SessionInfo& opened, media::SrtpPolicy srtp) const;
  // Answering machine detection (calls/machine_detection.cpp): starts it on the session; waits
  // for the final decision (false if the call ended first); records a decision (AnsweredBy on
  // the call, the async callback when one is configured).
  void start_machine_detection(const MachineDetection& detection);
  asio::awaitable<bool> wait_machine_detection();
  void on_machine_detected(const media::MachineDetected& detected);
  // Recordings (calls/call_recording.cpp): starts recording the session into a new Recording
  // (announcing in-progress); waits for the file after stop_recording() (bounded); stores the
  // finished Recording, announces completed, and returns its URL.
  store::Recording start_call_recording(std::string source, media::RecordTrack track,
                                        std::optional<std::chrono::milliseconds> max_duration,
                                        const RecordingCallback& callback,
                                        std::optional<std::chrono::milliseconds> silence_timeout = std::nullopt,
                                        bool trim_silence = false);
  asio::awaitable<std::optional<media::RecordFinished>> wait_recording();
  std::string complete_recording(store::Recording& recording, const media::RecordFinished& finished,
                                 const RecordingCallback& callback);
  // A recording that keeps nothing: its file and row go; `is_absent` (only silence was heard)
  // announces the absent event once the row is gone, otherwise (it failed) nothing is announced.
  void discard_recording(store::Recording& recording, const RecordingCallback& callback, bool is_absent);
  // The recording status callback for `status`, ready to send later (empty when not wanted).
  std::function<void()> recording_announcement(const store::Recording& recording, std::string_view status,
                                               const RecordingCallback& callback);
  std::string recording_url(const store::Recording& recording) const;
  // Handles an event that ends or redirects the call whatever the verb; true when it did.
  bool handle_interruption(const CallEvent& event);
  void hang_up();
  void release_media_and_timers();  // the end of a call's coroutine: no timer left, session closed
  void watch_dialog();  // BYE and the dialog's end become SipBye events
  void warn(int code, std::string message);
};

}  // namespace sb::calls
