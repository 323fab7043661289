#include "calls/outbound_request.hpp"

#include "calls/request_params.hpp"
#include "calls/trunks.hpp"
#include "sip/message/uri.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace sb::calls {
namespace {

constexpr std::size_t kMaxSipUriLength = 254;   // "under 255 characters"
constexpr std::size_t kMaxSipHeadersLength = 1023;  // "under 1024"
constexpr std::size_t kMaxTwimlLength = 4000;
constexpr std::size_t kMaxSipAuthLength = 255;
constexpr std::size_t kMaxSendDigits = 32;
constexpr std::chrono::seconds kMaxTimeout{600};
constexpr std::chrono::seconds kMaxTimeLimit{86400};

const std::vector<std::string> kParameters = {
    "To", "From", "Url", "Twiml", "ApplicationSid", "Method", "FallbackUrl", "FallbackMethod",
    "StatusCallback", "StatusCallbackEvent", "StatusCallbackMethod", "SendDigits", "Timeout",
    "TimeLimit", "Record", "RecordingChannels", "RecordingStatusCallback",
    "RecordingStatusCallbackMethod", "RecordingStatusCallbackEvent", "RecordingTrack", "Trim",
    "SipAuthUsername", "SipAuthPassword", "MachineDetection", "MachineDetectionTimeout",
    "MachineDetectionSpeechThreshold", "MachineDetectionSpeechEndThreshold",
    "MachineDetectionSilenceTimeout", "AsyncAmd", "AsyncAmdStatusCallback",
    "AsyncAmdStatusCallbackMethod", "CallerId", "CallReason", "CallToken", "Byoc",
    "ClientNotificationUrl"};

RequestError bad(int code, std::string message) { return {400, code, std::move(message)}; }

std::string lower(std::string_view s) {
  std::string out(s);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool is_caller_text(std::string_view s) {
  return !s.empty() && std::ranges::all_of(s, [](unsigned char c) {
    return std::isalnum(c) || c == '+' || c == '-' || c == '_' || c == '.';
  });
}

bool is_token_char(unsigned char c) {
  return std::isalnum(c) || std::string_view("-.!%*_+`'~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_e164(std::string_view s) {
  return s.size() >= 3 && s.size() <= 16 && s[0] == '+' && s[1] != '0' &&
         std::all_of(s.begin() + 1, s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// Headers the `?` part of a SIP URI may set (Twilio's SIP Interface): X- headers and these.
bool is_passed_header(std::string_view name) {
  static constexpr std::array<std::string_view, 4> kNamed = {
      "user-to-user", "remote-party-id", "p-preferred-identity", "p-called-party-id"};
  const std::string n = lower(name);
  if (n.starts_with("x-")) return !n.starts_with("x-twilio");
  return std::ranges::find(kNamed, n) != kNamed.end();
}

// Reads one parameter with `check`; a missing parameter leaves `out` as it is.
template <class Check>
std::optional<RequestError> read(const http::Form& form, std::string_view name, Check check) {
  const auto value = form.get(name);
  if (!value) return std::nullopt;
  return check(*value);
}

std::optional<RequestError> read_choice(const http::Form& form, std::string_view name,
                                        std::initializer_list<std::string_view> choices, std::string& out,
                                        int code = 20001) {
  return read(form, name, [&](const std::string& v) -> std::optional<RequestError> {
    if (std::ranges::find(choices, std::string_view(v)) == choices.end()) {
      return bad(code, fmt::format("{} must be one of: {}", name, fmt::join(choices, ", ")));
    }
    out = v;
    return std::nullopt;
  });
}

template <class Duration>
std::optional<RequestError> read_integer(const http::Form& form, std::string_view name, long low,
                                         long high, Duration& out, int code = 20001) {
  return read(form, name, [&](const std::string& v) -> std::optional<RequestError> {
    long value = 0;
    const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
    if (ec != std::errc{} || ptr != v.data() + v.size() || value < low || value > high) {
      return bad(code, fmt::format("{} must be an integer from {} to {}", name, low, high));
    }
    out = Duration{value};
    return std::nullopt;
  });
}

// Repeated or space-separated values (StatusCallbackEvent=initiated&StatusCallbackEvent=ringing,
// or "initiated ringing"), each one of `allowed`.
std::optional<RequestError> read_events(const http::Form& form, std::string_view name,
                                        std::initializer_list<std::string_view> allowed,
                                        std::vector<std::string>& out) {
  const auto values = form.get_all(name);
  if (values.empty()) return std::nullopt;
  out.clear();
  for (const auto& v : values) {
    std::string_view rest = v;
    while (!rest.empty()) {
      const auto space = rest.find_first_of(" ,");
      const std::string_view event = rest.substr(0, space);
      rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
      if (event.empty()) continue;
      if (std::ranges::find(allowed, event) == allowed.end()) {
        return bad(20001, fmt::format("{} '{}' is not one of: {}", name, event, fmt::join(allowed, ", ")));
      }
      if (std::ranges::find(out, event) == out.end()) out.emplace_back(event);
    }
  }
  return std::nullopt;
}

// `uri` without the named ;parameters (those after the host; case-insensitive names).
std::string without_uri_params(std::string_view uri, std::initializer_list<std::string_view> names) {
  const auto at = uri.find('@');
  const auto start = uri.find(';', at == std::string_view::npos ? 0 : at);
  if (start == std::string_view::npos) return std::string(uri);
  std::string out(uri.substr(0, start));
  std::string_view rest = uri.substr(start + 1);
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    const std::string_view param = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    const std::string name = lower(param.substr(0, param.find('=')));
    if (std::ranges::find(names, name) != names.end()) continue;
    out += ';';
    out += param;
  }
  return out;
}

}  // namespace

const std::vector<std::string>& outbound_call_parameters() { return kParameters; }

bool is_region(std::string_view region) {
  static constexpr std::array<std::string_view, 8> kRegions = {"us1", "us2", "ie1", "de1", "sg1", "jp1", "br1", "au1"};
  return std::ranges::find(kRegions, region) != kRegions.end();
}

std::variant<SipTarget, RequestError> parse_sip_target(std::string_view text,
                                                       std::vector<RequestWarning>& warnings) {
  const auto question = text.find('?');
  const std::string_view uri_text = text.substr(0, question);
  const std::string_view header_text =
      question == std::string_view::npos ? std::string_view{} : text.substr(question + 1);
  if (uri_text.size() > kMaxSipUriLength) {
    return bad(21211, fmt::format("Invalid 'To': the SIP URI must be under 255 characters ({} given)",
                                  uri_text.size()));
  }
  if (header_text.size() > kMaxSipHeadersLength) {
    return bad(21227, fmt::format("The headers of the SIP URI must be under 1024 characters ({} given)",
                                  header_text.size()));
  }
  const auto uri = sip::parse_uri(uri_text);
  if (!uri || !uri->is_sip() || uri->host.empty()) {
    return bad(21211, fmt::format("Invalid 'To': '{}' is not a valid SIP URI", uri_text));
  }

  SipTarget target;
  if (uri->scheme == sip::UriScheme::Sips) target.transport = SipTransport::kTls;
  if (const auto t = uri->param("transport")) {
    const auto v = lower(*t);
    if (v == "udp") {
      if (uri->scheme != sip::UriScheme::Sips) target.transport = SipTransport::kUdp;
    } else if (v == "tcp") {
      if (uri->scheme != sip::UriScheme::Sips) target.transport = SipTransport::kTcp;
    } else if (v == "tls") {
      target.transport = SipTransport::kTls;
    } else {
      warnings.push_back({32114, fmt::format("Unsupported transport '{}' in {}; UDP is used", *t, uri_text)});
    }
  }
  if (const auto s = uri->param("secure")) {
    const auto v = lower(*s);
    if (v == "true") {
      target.is_secure = true;
      target.transport = SipTransport::kTls;
    } else if (v != "false") {
      warnings.push_back({32114, fmt::format("Unsupported secure='{}' in {}; ignored", *s, uri_text)});
    }
  }
  if (const auto r = uri->param("region")) {
    const auto v = lower(*r);
    if (is_region(v)) {
      target.region = v;
    } else {
      warnings.push_back({32114, fmt::format("Unsupported region '{}' in {}; us1 is used", *r, uri_text)});
    }
  }
  if (const auto e = uri->param("edge")) {
    // Edges name the same egress locations as the legacy regions.
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kEdges = {{
        {"ashburn", "us1"}, {"umatilla", "us2"}, {"san-jose", "us2"}, {"dublin", "ie1"}, {"frankfurt", "de1"},
        {"singapore", "sg1"}, {"tokyo", "jp1"}, {"sao-paulo", "br1"}, {"sydney", "au1"}}};
    const auto v = lower(*e);
    const auto it = std::ranges::find_if(kEdges, [&](const auto& kv) { return kv.first == v; });
    if (it == kEdges.end()) {
      warnings.push_back({32114, fmt::format("Unsupported edge '{}' in {}; ignored", *e, uri_text)});
    } else {
      target.region = std::string(it->second);
    }
  }
  // sips: is treated as sip: with transport=tls (Twilio's SIP Interface). secure, region and edge
  // are switchboard's instructions, not the endpoint's business: they are not sent.
  target.uri = uri->scheme == sip::UriScheme::Sips ? "sip:" + std::string(uri_text.substr(5))
                                                    : std::string(uri_text);
  target.uri = without_uri_params(target.uri, {"secure", "region", "edge"});

  std::string_view rest = header_text;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    const auto name = http::percent_decode(pair.substr(0, eq));
    const auto value = http::percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    if (!name || name->empty() || !std::ranges::all_of(*name, [](unsigned char c) { return is_token_char(c); })) {
      return bad(21228, fmt::format("Illegal characters in the SIP header name '{}'", pair.substr(0, eq)));
    }
    if (!value || std::ranges::any_of(*value, [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
      return bad(21229, fmt::format("Illegal characters in the value of SIP header {}", *name));
    }
    if (!is_passed_header(*name)) {
      warnings.push_back({32113, fmt::format("SIP header {} is not allowed and was omitted: only X- headers "
                                             "(not X-Twilio-), User-to-User, Remote-Party-ID, "
                                             "P-Preferred-Identity and P-Called-Party-ID are passed",
                                             *name)});
      continue;
    }
    target.headers.emplace_back(*name, *value);
  }
  return target;
}

std::variant<ParsedOutboundCall, RequestError> parse_outbound_call(const http::Form& form, const TrunkTable* trunks) {
  ParsedOutboundCall parsed;
  auto& r = parsed.request;
  std::optional<RequestError> e;
  std::optional<std::string> trunk_username;  // a trunk's credentials, unless SipAuth* are given
  std::optional<std::string> trunk_password;

  const auto to = form.get("To");
  if (!to || to->empty()) return bad(21201, "No 'To' number is specified");
  r.to = *to;
  const auto from = form.get("From");
  if (!from || from->empty()) return bad(21213, "No 'From' number is specified");
  r.from = *from;

  const std::string scheme = lower(std::string_view(r.to).substr(0, r.to.find(':') + 1));
  if (scheme == "sip:" || scheme == "sips:") {
    auto target = parse_sip_target(r.to, parsed.warnings);
    if (auto* error = std::get_if<RequestError>(&target)) return *error;
    r.target = std::move(std::get<SipTarget>(target));
  } else if (is_e164(r.to)) {
    auto route = trunks != nullptr ? trunks->route(r.to) : std::nullopt;
    if (!route) {
      return bad(21214, fmt::format("'To' number {} cannot be reached: no SIP trunk for phone numbers is configured", r.to));
    }
    r.target = std::move(route->target);
    trunk_username = std::move(route->username);
    trunk_password = std::move(route->password);
  } else {
    return bad(21211, fmt::format("Invalid 'To': '{}' is neither a SIP URI nor an E.164 phone number", r.to));
  }
  // For SIP calls From is the user part of the From header (Twilio: alphanumerics and +-_.).
  if (!is_caller_text(r.from)) {
    return bad(21212, fmt::format("Invalid 'From' '{}': use letters, digits and + - _ . only", r.from));
  }
  if (const auto caller_id = form.get("CallerId")) {
    if (!is_caller_text(*caller_id)) return bad(21212, fmt::format("Invalid 'CallerId' '{}'", *caller_id));
    r.caller_id = *caller_id;
  }

  if ((e = read_url(form, "Url", r.url))) return *e;
  if (const auto twiml = form.get("Twiml"); twiml && !twiml->empty()) {
    if (twiml->size() > kMaxTwimlLength) {
      return bad(32018, fmt::format("The Twiml parameter is {} characters; at most 4000 are allowed", twiml->size()));
    }
    if (r.url) {
      parsed.warnings.push_back({32019, "Both Twiml and Url were given: Url is used"});
    } else {
      r.twiml = *twiml;
    }
  }
  if (const auto app = form.get("ApplicationSid"); app && !app->empty()) r.application_sid = *app;
  if (!r.url && !r.twiml && !r.application_sid) {
    return bad(21205, "A Url, Twiml or ApplicationSid parameter is required");
  }
  if ((e = read_method(form, "Method", r.method))) return *e;
  if ((e = read_url(form, "FallbackUrl", r.fallback_url))) return *e;
  if ((e = read_method(form, "FallbackMethod", r.fallback_method))) return *e;
  if ((e = read_url(form, "StatusCallback", r.status_callback))) return *e;
  if ((e = read_method(form, "StatusCallbackMethod", r.status_callback_method))) return *e;
  r.status_callback_events = {"completed"};
  if ((e = read_events(form, "StatusCallbackEvent", {"initiated", "ringing", "answered", "completed"},
                       r.status_callback_events))) {
    return *e;
  }

  if (const auto digits = form.get("SendDigits"); digits && !digits->empty()) {
    const bool valid = digits->size() <= kMaxSendDigits &&
                       digits->find_first_not_of("0123456789ABCDabcd#*wW") == std::string::npos;
    if (!valid) return bad(21206, fmt::format("SendDigits '{}' must be at most 32 of 0-9 A-D # * w W", *digits));
    r.send_digits = *digits;
  }
  if ((e = read_integer(form, "Timeout", 1, 100000, r.timeout))) return *e;
  r.timeout = std::min(r.timeout, kMaxTimeout);  // Twilio caps the ring time at 600 s
  if ((e = read_integer(form, "TimeLimit", 1, kMaxTimeLimit.count(), r.time_limit))) return *e;

  if ((e = read_bool(form, "Record", r.record))) return *e;
  if ((e = read_choice(form, "RecordingChannels", {"mono", "dual"}, r.recording_channels))) return *e;
  if ((e = read_url(form, "RecordingStatusCallback", r.recording_status_callback))) return *e;
  if ((e = read_method(form, "RecordingStatusCallbackMethod", r.recording_status_callback_method))) return *e;
  r.recording_status_callback_events = {"completed"};
  if ((e = read_events(form, "RecordingStatusCallbackEvent", {"in-progress", "completed", "absent"},
                       r.recording_status_callback_events))) {
    return *e;
  }
  if ((e = read_choice(form, "RecordingTrack", {"inbound", "outbound", "both"}, r.recording_track))) return *e;
  if ((e = read_choice(form, "Trim", {"trim-silence", "do-not-trim"}, r.trim))) return *e;

  if (const auto user = form.get("SipAuthUsername"); user && !user->empty()) {
    if (user->size() > kMaxSipAuthLength) return bad(21221, "Invalid SipAuthUsername. Must be fewer than 256 chars");
    if (std::ranges::any_of(*user, [](unsigned char c) { return c < 0x21 || c == 0x7f || c == ':'; })) {
      return bad(21222, "Invalid SipAuthUsername. Illegal chars");
    }
    const auto password = form.get("SipAuthPassword");
    if (!password || password->empty()) return bad(21225, "SipAuthPassword is required when providing SipAuthUsername");
    if (password->size() > kMaxSipAuthLength) return bad(21223, "Invalid SipAuthPassword. Must be fewer than 256 chars");
    if (std::ranges::any_of(*password, [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
      return bad(21224, "Invalid SipAuthPassword. Illegal chars");
    }
    r.sip_auth_username = *user;
    r.sip_auth_password = *password;
  } else if (trunk_username) {
    r.sip_auth_username = std::move(trunk_username);
    r.sip_auth_password = std::move(trunk_password);
  }

  // SendDigits wins over MachineDetection (Twilio ignores AMD when SendDigits is set).
  if (const auto amd = form.get("MachineDetection"); amd && !amd->empty() && !r.send_digits) {
    MachineDetection m;
    if ((e = read_choice(form, "MachineDetection", {"Enable", "DetectMessageEnd"}, m.mode, 21234))) return *e;
    if ((e = read_integer(form, "MachineDetectionTimeout", 3, 60, m.timeout, 21234))) return *e;
    if ((e = read_integer(form, "MachineDetectionSpeechThreshold", 1000, 6000, m.speech_threshold, 21234))) return *e;
    if ((e = read_integer(form, "MachineDetectionSpeechEndThreshold", 500, 5000, m.speech_end_threshold, 21234))) {
      return *e;
    }
    if ((e = read_integer(form, "MachineDetectionSilenceTimeout", 2000, 10000, m.silence_timeout, 21234))) return *e;
    if ((e = read_bool(form, "AsyncAmd", m.is_async))) return *e;
    if ((e = read_url(form, "AsyncAmdStatusCallback", m.async_callback))) return *e;
    if ((e = read_method(form, "AsyncAmdStatusCallbackMethod", m.async_callback_method))) return *e;
    r.machine_detection = std::move(m);
  }

  // Keep exactly what was accepted, so the engine re-reads the same request.
  for (const auto& f : form.fields()) {
    if (std::ranges::find(kParameters, f.name) == kParameters.end()) continue;
    if (f.name == "Twiml" && !r.twiml) continue;
    parsed.normalized.add(f.name, f.value);
  }
  return parsed;
}

}  // namespace sb::calls
