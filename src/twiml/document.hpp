#pragma once
// The typed TwiML document: what parse() (twiml/parser.hpp) makes of a <Response>. Plain values,
// no behaviour; calls/ runs the verbs. Every attribute carries Twilio's documented default
// (twilio-voice-digest.md 3.2), so a verb built with `Dial{}` means the same as `<Dial/>`.
// URLs are kept as written (relative or absolute); resolve them against the document's URL with
// resolve_url() (twiml/url.hpp). SIP URIs are kept as strings: src/sip parses them.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

#include "twiml/errc.hpp"

namespace sb::twiml {

// --- Shared value types --------------------------------------------------------------------------

enum class Method { Get, Post };
enum class Trim { TrimSilence, DoNotTrim };
enum class RejectReason { Rejected, Busy };
enum class DialRecord {
  DoNotRecord,
  RecordFromAnswer,       // also record="true"
  RecordFromRinging,
  RecordFromAnswerDual,   // two channels: parent leg, child leg
  RecordFromRingingDual,
};
enum class RecordingTrack { Both, Inbound, Outbound };
enum class MachineDetectionMode { Enable, DetectMessageEnd };

// `statusCallbackEvent` of `<Number>`, `<Sip>`, `<Client>`: space-separated
// `initiated ringing answered completed`.
struct CallProgressEvents {
  bool initiated = false;
  bool ringing = false;
  bool answered = false;
  bool completed = false;
  bool empty() const { return !initiated && !ringing && !answered && !completed; }
  friend bool operator==(const CallProgressEvents&, const CallProgressEvents&) = default;
};

// `recordingStatusCallbackEvent`: space-separated `in-progress completed absent`.
struct RecordingStatusEvents {
  bool in_progress = false;
  bool completed = true;
  bool absent = false;
  friend bool operator==(const RecordingStatusEvents&, const RecordingStatusEvents&) = default;
};

// statusCallback, statusCallbackMethod, statusCallbackEvent of a `<Dial>` noun. When a URL is
// given without events, `events` holds just `completed` (Twilio's default).
struct StatusCallback {
  std::optional<std::string> url;
  Method method = Method::Post;
  CallProgressEvents events;
};

// Answering machine detection on a `<Number>` or `<Sip>` leg. Out-of-range thresholds are
// clamped to the documented ranges (with a warning).
struct MachineDetection {
  std::optional<MachineDetectionMode> mode;                     // machineDetection; none = off
  std::chrono::seconds timeout{30};                             // 3-60
  std::chrono::milliseconds speech_threshold{2400};             // 1000-6000
  std::chrono::milliseconds speech_end_threshold{1200};         // 500-5000
  std::chrono::milliseconds silence_timeout{5000};              // 2000-10000
  std::optional<std::string> status_callback;                   // amdStatusCallback
  Method status_callback_method = Method::Post;                 // amdStatusCallbackMethod
};

// `<Parameter name value>` children (`<Client>`; `<Hangup>`, `<Reject>` per the helper libraries).
struct Parameter {
  std::string name;
  std::string value;
  friend bool operator==(const Parameter&, const Parameter&) = default;
};

// --- Verbs ---------------------------------------------------------------------------------------

// Upper bound of `loop`; 0 also means this many iterations (or until hangup).
inline constexpr int kMaxLoop = 1000;

struct Say {
  std::string text;                  // body, SSML flattened to text, blanks collapsed, trimmed
  std::optional<std::string> ssml;   // the body as written when it holds SSML elements
  std::optional<std::string> voice;  // none: the account's default voice, else "man"
  std::string language = "en-US";
  int loop = 1;                      // 0 = until hangup (kMaxLoop iterations)
};

struct Play {
  std::string url;                    // body, trimmed; may be empty when `digits` is given
  int loop = 1;                       // 0 = until hangup (kMaxLoop iterations)
  std::optional<std::string> digits;  // 0-9 A-D # * w W; w = 0.5 s, W = 1 s
};

struct Pause {
  std::chrono::seconds length{1};
};

// What `<Gather input>` listens for.
struct GatherInput {
  bool dtmf = true;
  bool speech = false;
  friend bool operator==(const GatherInput&, const GatherInput&) = default;
};

using GatherChild = std::variant<Say, Play, Pause>;

struct Gather {
  std::optional<std::string> action;        // none: the current document's URL
  Method method = Method::Post;
  GatherInput input;
  std::chrono::seconds timeout{5};
  std::optional<char> finish_on_key = '#';  // none: finishOnKey="" (collect until timeout)
  std::optional<int> num_digits;            // none: unlimited
  bool action_on_empty_result = false;
  // Speech recognition: kept for calls/, which may not implement it.
  std::optional<std::chrono::seconds> speech_timeout;  // none: same as timeout
  bool is_speech_timeout_auto = false;                 // speechTimeout="auto"
  std::string speech_model = "default";
  std::string language = "en-US";
  std::optional<std::string> hints;
  bool profanity_filter = true;
  std::optional<std::string> partial_result_callback;
  Method partial_result_callback_method = Method::Post;
  bool enhanced = false;
  std::optional<std::chrono::seconds> max_speech_time;
  bool barge_in = true;
  bool debug = false;
  std::vector<GatherChild> children;  // played while listening
};

struct Record {
  std::optional<std::string> action;  // none: the current document's URL
  Method method = Method::Post;
  std::chrono::seconds timeout{5};    // seconds of silence that end it; 0 disables
  std::string finish_on_key = "1234567890*#";  // any of these ends it; empty: none
  std::chrono::seconds max_length{3600};       // 120 when transcribe="true" and not given
  bool play_beep = true;
  Trim trim = Trim::TrimSilence;
  std::optional<std::string> recording_status_callback;
  Method recording_status_callback_method = Method::Post;
  RecordingStatusEvents recording_status_callback_event;
  bool transcribe = false;
  std::optional<std::string> transcribe_callback;
  std::optional<std::string> recording_configuration_id;
};

struct Hangup {
  std::vector<Parameter> parameters;
};

struct Reject {
  RejectReason reason = RejectReason::Rejected;
  std::vector<Parameter> parameters;
};

struct Redirect {
  std::string url;  // body, trimmed, never empty
  Method method = Method::Post;
};

// --- <Dial> nouns --------------------------------------------------------------------------------

struct Number {
  std::string phone_number;               // body, trimmed; E.164 or as written
  std::optional<std::string> send_digits;  // 0-9 A-D # * w W, played on answer
  std::optional<std::string> url;          // screening TwiML run on the callee before bridging
  Method method = Method::Post;
  StatusCallback status_callback;
  std::optional<std::string> byoc;
  MachineDetection machine_detection;
};

struct Sip {
  std::string uri;  // body, trimmed; as written, may lack the "sip:" scheme (src/sip parses it)
  std::optional<std::string> username;  // digest credentials for the far end's challenge
  std::optional<std::string> password;
  std::optional<std::string> url;       // screening TwiML run on the callee before bridging
  Method method = Method::Post;
  StatusCallback status_callback;
  MachineDetection machine_detection;
};

struct Client {
  std::string identity;  // body text, or the `<Identity>` child
  std::vector<Parameter> parameters;
  std::optional<std::string> url;
  Method method = Method::Post;
  StatusCallback status_callback;
};

// Parsed minimally: the room name and the attributes as written.
struct Conference {
  std::string name;
  std::vector<Parameter> attributes;
};

// A noun Twilio knows that switchboard does not dial: Queue, Application, Sim, WhatsApp.
struct UnsupportedNoun {
  std::string name;
};

using DialTarget = std::variant<Number, Sip, Client, Conference, UnsupportedNoun>;

// Most nouns a `<Dial>` may ring (parallel, or in order with sequential="true").
inline constexpr std::size_t kMaxDialTargets = 10;

struct Dial {
  std::optional<std::string> action;  // none: continue with the next verb
  Method method = Method::Post;
  std::chrono::seconds timeout{30};   // clamped to 5-600
  bool hangup_on_star = false;
  std::chrono::seconds time_limit{14400};  // clamped to 86400; the account may allow less
  std::optional<std::string> caller_id;
  DialRecord record = DialRecord::DoNotRecord;
  Trim trim = Trim::DoNotTrim;
  std::optional<std::string> recording_status_callback;
  Method recording_status_callback_method = Method::Post;
  RecordingStatusEvents recording_status_callback_event;
  RecordingTrack recording_track = RecordingTrack::Both;
  bool answer_on_bridge = false;
  std::optional<std::string> ring_tone;  // a country code from Twilio's list; none: pass-through
  bool sequential = false;
  std::optional<std::string> refer_url;
  Method refer_method = Method::Post;
  std::optional<std::string> call_reason;
  std::optional<std::string> recording_configuration_id;
  // In document order. A plain-text body (`<Dial>+15551234567</Dial>`) becomes one Number with
  // default attributes. Empty only when the `<Dial>` named nothing (a warning was recorded).
  std::vector<DialTarget> targets;
};

// `<Refer>`: a SIP REFER on the current (SIP) leg to `target.uri`.
struct Refer {
  std::optional<std::string> action;  // none: continue with the next verb, or end the leg
  Method method = Method::Post;
  Sip target;
};

// A verb Twilio knows that switchboard does not run (Leave, Enqueue, Connect, Start, Stop, Pay,
// Echo, Sms, Prompt). Kept so the caller can report it where it would run.
struct Unsupported {
  std::string name;
};

using Verb = std::variant<Say, Play, Pause, Gather, Record, Hangup, Reject, Redirect, Dial, Refer,
                          Unsupported>;

// --- Diagnostics and the document ----------------------------------------------------------------

// One finding about the input: its code, a message naming the place ("line 3, column 5: <Dial>
// attribute timeout="abc": ..."), and the byte offset of the element it concerns.
struct Diagnostic {
  Errc code{};
  std::string message;
  std::size_t offset = 0;

  std::error_code error_code() const { return make_error_code(code); }
  int twilio_code() const { return twiml::twilio_code(code); }
};

struct Document {
  std::vector<Verb> verbs;             // top to bottom
  std::vector<Diagnostic> warnings;    // at most ParseOptions::max_warnings
  std::size_t suppressed_warnings = 0;  // warnings beyond that limit, counted only
};

// Names as written in TwiML: "GET", "POST"; "trim-silence"; "busy"; "record-from-answer-dual".
std::string_view to_string(Method m) noexcept;
std::string_view to_string(Trim t) noexcept;
std::string_view to_string(RejectReason r) noexcept;
std::string_view to_string(DialRecord r) noexcept;
std::string_view to_string(RecordingTrack t) noexcept;
std::string_view to_string(MachineDetectionMode m) noexcept;
// The element name of a verb or noun: "Say", "Dial", "Leave" (an Unsupported's own name).
std::string_view element_name(const Verb& verb) noexcept;
std::string_view element_name(const DialTarget& target) noexcept;

}  // namespace sb::twiml
