#pragma once
// An outbound-api call as Twilio's Calls resource accepts it: every create parameter validated
// and typed, with Twilio's error codes. api/ parses the POST with it; the normalized form is
// stored with the call (store::Call::control) and parsed again by the call engine.

#include "http/form.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sb::calls {

// A request the API refuses: the HTTP status, Twilio's error code and a message naming the fault.
struct RequestError {
  unsigned status = 400;
  int code = 0;
  std::string message;
};

// Something accepted but reported to the account (a Notification with log level warning).
struct RequestWarning {
  int code = 0;
  std::string message;
};

enum class SipTransport { kUdp, kTcp, kTls };

// The SIP destination of a `To` (or `<Sip>` noun): the URI without its `?headers`, the headers
// switchboard passes on, and the transport, security and region parameters.
struct SipTarget {
  std::string uri;  // "sip:kate@example.com;transport=tcp"; a sips: URI becomes sip: + TLS
  std::vector<std::pair<std::string, std::string>> headers;  // decoded, allowed names only
  SipTransport transport = SipTransport::kUdp;
  bool is_secure = false;  // secure=true: TLS signalling and SRTP media
  std::string region = "us1";
  // Where the INVITE goes instead of the URI's host (a registered contact behind a NAT), and the
  // To URI when it is not the Request-URI (the registered user's AOR).
  std::optional<std::string> destination_host;
  std::uint16_t destination_port = 0;
  std::string to_uri;
};

struct MachineDetection {
  std::string mode;  // Enable | DetectMessageEnd
  std::chrono::seconds timeout{30};
  std::chrono::milliseconds speech_threshold{2400};
  std::chrono::milliseconds speech_end_threshold{1200};
  std::chrono::milliseconds silence_timeout{5000};
  bool is_async = false;
  std::optional<std::string> async_callback;
  std::string async_callback_method = "POST";
};

struct OutboundCallRequest {
  std::string to;  // as given
  std::string from;
  SipTarget target;
  std::optional<std::string> url;
  std::string method = "POST";
  std::optional<std::string> twiml;
  std::optional<std::string> application_sid;
  std::optional<std::string> fallback_url;
  std::string fallback_method = "POST";
  std::optional<std::string> status_callback;
  std::string status_callback_method = "POST";
  std::vector<std::string> status_callback_events;  // initiated ringing answered completed
  std::optional<std::string> send_digits;
  std::chrono::seconds timeout{60};
  std::chrono::seconds time_limit{14400};
  bool record = false;
  std::string recording_channels = "mono";
  std::optional<std::string> recording_status_callback;
  std::string recording_status_callback_method = "POST";
  std::vector<std::string> recording_status_callback_events;  // in-progress completed absent
  std::string recording_track = "both";
  std::string trim = "trim-silence";
  std::optional<std::string> sip_auth_username;
  std::optional<std::string> sip_auth_password;
  std::optional<MachineDetection> machine_detection;
  std::optional<std::string> caller_id;
  // Several targets rung at once for one call (every registered contact of a user): the first to
  // answer wins, the others are cancelled. Empty: `target` alone.
  std::vector<SipTarget> fork_targets;
};

struct ParsedOutboundCall {
  OutboundCallRequest request;
  std::vector<RequestWarning> warnings;
  http::Form normalized;  // the accepted parameters, to store and parse again
};

class TrunkTable;
// `trunks` routes an E.164 `To` (without one, or without a matching trunk, such a call is refused
// with 21214).
std::variant<ParsedOutboundCall, RequestError> parse_outbound_call(const http::Form& form,
                                                                   const TrunkTable* trunks = nullptr);

// Parses a SIP URI with optional `?headers` (the `To` of a call or the body of `<Sip>`):
// Twilio's limits (URI under 255 characters, headers under 1024), header names and values,
// and the transport/secure/region parameters. Unsupported values become warnings.
std::variant<SipTarget, RequestError> parse_sip_target(std::string_view text,
                                                       std::vector<RequestWarning>& warnings);

// Twilio's legacy region ids (us1 us2 ie1 de1 sg1 jp1 br1 au1), as `;region=` and [egress] name them.
bool is_region(std::string_view region);

// The Create parameters of the Calls resource (for unknown-parameter warnings).
const std::vector<std::string>& outbound_call_parameters();

}  // namespace sb::calls
