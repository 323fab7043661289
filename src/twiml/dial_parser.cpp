// <Dial> with its nouns (<Number>, <Sip>, <Client>, <Conference>), and <Refer>.

#include <algorithm>
#include <array>
#include <cctype>
#include <iterator>
#include <string>

#include "twiml/verb_parsers.hpp"

namespace sb::twiml::detail {
namespace {

using std::chrono::seconds;

// twilio-voice-digest.md 3.2 <Dial> ringTone.
constexpr std::string_view kRingTones[] = {
    "at", "au", "bg", "br", "be", "ch", "cl", "cn", "cz", "de", "dk", "ee", "es", "fi",
    "fr", "gr", "hu", "il", "in", "it", "lt", "jp", "mx", "my", "nl", "no", "nz", "ph",
    "pl", "pt", "ru", "se", "sg", "th", "uk", "us", "us-old", "tw", "ve", "za"};

// Dial nouns Twilio defines that switchboard does not dial.
constexpr std::array<std::string_view, 4> kUnsupportedNouns = {"Queue", "Application", "Sim", "WhatsApp"};

// The SIP URI part before '?' must be under 255 characters, the headers after it under 1024
// (the <Sip> noun page).
constexpr std::size_t kMaxSipUriLength = 254;
constexpr std::size_t kMaxSipHeadersLength = 1023;

// Identities of <Client> are at most 256 characters (twilio-voice-digest.md 3.2 <Client>).
constexpr std::size_t kMaxClientIdentity = 256;

bool has_control_or_blank(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

bool is_ring_tone(std::string_view tone) {
  return std::find(std::begin(kRingTones), std::end(kRingTones), tone) != std::end(kRingTones);
}

// The <Sip> page: for SIP calls callerId is "any alphanumeric string. Optionally include the
// following chars: +-_., but no whitespace."
bool is_sip_caller_id(std::string_view id) {
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '_' || c == '.';
  });
}

bool is_dialable(const DialTarget& target) {
  return std::holds_alternative<Number>(target) || std::holds_alternative<Sip>(target) ||
         std::holds_alternative<Client>(target);
}

// Applies the limits on a <Dial>'s nouns (twilio-voice-digest.md 3.3): at most 10 of Number,
// Client, Sip; at most one Conference, not mixed with the others. Under WarnAndUseDefault the
// offending nouns are dropped.
void check_targets(Context& context, pugi::xml_node node, std::vector<DialTarget>& targets) {
  const auto conferences = std::count_if(targets.begin(), targets.end(),
                                         [](const DialTarget& t) { return std::holds_alternative<Conference>(t); });
  const auto sips =
      std::count_if(targets.begin(), targets.end(), [](const DialTarget& t) { return std::holds_alternative<Sip>(t); });
  const auto dialables = std::count_if(targets.begin(), targets.end(), is_dialable);

  if (conferences > 1) {
    context.invalid(Errc::DialInvalidNestedElement, node, "holds more than one <Conference>; only the first is kept");
    bool is_first = true;
    std::erase_if(targets, [&](const DialTarget& t) {
      if (!std::holds_alternative<Conference>(t)) return false;
      const bool drop = !is_first;
      is_first = false;
      return drop;
    });
  }
  if (conferences > 0 && dialables > 0) {
    context.invalid(Errc::ConferenceMixedWithOtherNouns, node,
                    "<Conference> cannot be mixed with <Number>, <Client> or <Sip>; the conference is dropped");
    std::erase_if(targets, [](const DialTarget& t) { return std::holds_alternative<Conference>(t); });
  }
  if (sips > static_cast<std::ptrdiff_t>(kMaxDialTargets)) {
    context.invalid(Errc::SipTooManyUris, node, "holds more than 10 <Sip> nouns; only the first 10 nouns are kept");
  } else if (dialables > static_cast<std::ptrdiff_t>(kMaxDialTargets)) {
    context.invalid(Errc::DialInvalidNestedElement, node,
                    "holds more than 10 <Number>, <Client> and <Sip> nouns; only the first 10 are kept");
  }
  if (dialables > static_cast<std::ptrdiff_t>(kMaxDialTargets)) {
    std::size_t kept = 0;
    std::erase_if(targets, [&](const DialTarget& t) { return is_dialable(t) && ++kept > kMaxDialTargets; });
  }
}

}  // namespace

std::optional<Number> parse_number(Context& context, pugi::xml_node node) {
  ElementReader reader(context, node);
  Number number;
  if (const auto digits = reader.string("sendDigits"); digits && !digits->empty()) {
    if (is_dtmf_sequence(*digits)) {
      number.send_digits = *digits;
    } else {
      reader.report_invalid(Errc::NumberInvalidSendDigits, "sendDigits", *digits,
                            "holds characters other than 0-9 A-D # * w W");
    }
  }
  number.url = reader.url("url");
  number.method = reader.method("method", Errc::NumberInvalidMethod);
  number.status_callback = reader.status_callback(Errc::NumberInvalidMethod);
  number.byoc = reader.string("byoc");
  if (number.byoc && number.byoc->empty()) number.byoc.reset();
  number.machine_detection = reader.machine_detection(Errc::NumberInvalidMethod);
  reader.warn_unknown_attributes();
  check_leaf_content(context, node, true);
  number.phone_number = direct_text(node);
  if (number.phone_number.empty()) {
    context.invalid(Errc::MissingContent, node, "needs a phone number; skipped");
    return std::nullopt;
  }
  return number;
}

std::optional<Sip> parse_sip(Context& context, pugi::xml_node node) {
  ElementReader reader(context, node);
  Sip sip;
  // Credentials are taken as written: blanks may belong to a password.
  if (const auto username = reader.raw("username"); username && !username->empty()) sip.username = std::string(*username);
  if (const auto password = reader.raw("password"); password && !password->empty()) sip.password = std::string(*password);
  if (sip.username.has_value() != sip.password.has_value()) {
    context.invalid(Errc::SipInvalidCredentials, node, "username and password must be given together; both ignored");
    sip.username.reset();
    sip.password.reset();
  }
  sip.url = reader.url("url");
  sip.method = reader.method("method", Errc::SipInvalidMethod);
  sip.status_callback = reader.status_callback(Errc::SipInvalidMethod);
  sip.machine_detection = reader.machine_detection(Errc::SipInvalidMethod);
  reader.warn_unknown_attributes();
  check_leaf_content(context, node, true);

  sip.uri = direct_text(node);
  if (sip.uri.empty()) {
    context.invalid(Errc::SipInvalidUri, node, "needs a SIP URI; skipped");
    return std::nullopt;
  }
  if (has_control_or_blank(sip.uri)) {
    context.invalid(Errc::SipInvalidUri, node, "the SIP URI holds blanks or control characters; skipped");
    return std::nullopt;
  }
  const auto question = sip.uri.find('?');
  const auto uri_length = std::min(question, sip.uri.size());
  const auto headers_length = question == std::string::npos ? 0 : sip.uri.size() - question - 1;
  if (uri_length > kMaxSipUriLength) {
    context.invalid(Errc::SipInvalidUri, node, "the SIP URI must be under 255 characters; skipped");
    return std::nullopt;
  }
  if (headers_length > kMaxSipHeadersLength) {
    context.invalid(Errc::SipInvalidUri, node, "the SIP URI headers must be under 1024 characters; skipped");
    return std::nullopt;
  }
  return sip;
}

std::optional<Client> parse_client(Context& context, pugi::xml_node node) {
  ElementReader reader(context, node);
  Client client;
  client.url = reader.url("url");
  client.method = reader.method("method", Errc::InvalidAttributeValue);
  client.status_callback = reader.status_callback(Errc::InvalidAttributeValue);
  reader.ignore("clientNotificationUrl");
  reader.warn_unknown_attributes();
  check_leaf_content(context, node, true, {"Identity", "Parameter"});
  client.identity = direct_text(node);
  if (const auto identity = node.child("Identity")) {
    check_leaf_content(context, identity, true);
    if (client.identity.empty()) client.identity = direct_text(identity);
  }
  client.parameters = read_parameters(context, node);
  if (client.identity.empty() || client.identity.size() > kMaxClientIdentity) {
    context.invalid(Errc::MissingContent, node, "needs an identity of 1 to 256 characters; skipped");
    return std::nullopt;
  }
  return client;
}

std::optional<Conference> parse_conference(Context& context, pugi::xml_node node) {
  Conference conference;
  for (const auto attribute : node.attributes()) {
    conference.attributes.push_back(Parameter{attribute.name(), attribute.value()});
  }
  check_leaf_content(context, node, true);
  conference.name = direct_text(node);
  if (conference.name.empty()) {
    context.invalid(Errc::MissingContent, node, "needs a room name; skipped");
    return std::nullopt;
  }
  return conference;
}

std::optional<Dial> parse_dial(Context& context, pugi::xml_node node) {
  ElementReader reader(context, node);
  Dial dial;
  const auto bad = Errc::InvalidAttributeValue;
  dial.action = reader.url("action");
  dial.method = reader.method("method", Errc::DialInvalidMethod);
  // "5-600 (+~5 s buffer)": out-of-range values are clamped, not refused.
  dial.timeout = seconds(reader.integer("timeout", 30, IntRange::clamped(1, 5, 600), Errc::DialInvalidTimeout));
  dial.hangup_on_star = reader.boolean("hangupOnStar", false, Errc::DialInvalidHangupOnStar);
  // 14400 by default, 86400 at most (with the account's 24-hour setting, which calls/ applies).
  dial.time_limit = seconds(reader.integer("timeLimit", 14400, IntRange::clamped(1, 1, 86400), Errc::DialInvalidTimeLimit));
  dial.caller_id = reader.string("callerId");
  if (dial.caller_id && dial.caller_id->empty()) dial.caller_id.reset();
  dial.record = reader.keyword<DialRecord>("record",
                                           {{"do-not-record", DialRecord::DoNotRecord},
                                            {"record-from-answer", DialRecord::RecordFromAnswer},
                                            {"record-from-ringing", DialRecord::RecordFromRinging},
                                            {"record-from-answer-dual", DialRecord::RecordFromAnswerDual},
                                            {"record-from-ringing-dual", DialRecord::RecordFromRingingDual},
                                            {"true", DialRecord::RecordFromAnswer},
                                            {"false", DialRecord::DoNotRecord}},
                                           DialRecord::DoNotRecord, Errc::DialInvalidRecord);
  dial.trim = reader.keyword<Trim>("trim", {{"trim-silence", Trim::TrimSilence}, {"do-not-trim", Trim::DoNotTrim}},
                                   Trim::DoNotTrim, bad);
  dial.recording_status_callback = reader.url("recordingStatusCallback", Errc::RecordingStatusCallbackInvalidUrl);
  dial.recording_status_callback_method = reader.method("recordingStatusCallbackMethod", Errc::DialInvalidMethod);
  dial.recording_status_callback_event = reader.recording_status_events("recordingStatusCallbackEvent");
  dial.recording_track = reader.keyword<RecordingTrack>(
      "recordingTrack",
      {{"both", RecordingTrack::Both}, {"inbound", RecordingTrack::Inbound}, {"outbound", RecordingTrack::Outbound}},
      RecordingTrack::Both, bad);
  dial.answer_on_bridge = reader.boolean("answerOnBridge", false, Errc::DialInvalidAnswerOnBridge);
  if (const auto tone = reader.string("ringTone"); tone && !tone->empty()) {
    if (is_ring_tone(*tone)) {
      dial.ring_tone = *tone;
    } else {
      reader.report_invalid(Errc::DialInvalidRingTone, "ringTone", *tone, "is not one of Twilio's ring tone countries");
    }
  }
  dial.sequential = reader.boolean("sequential", false, Errc::DialInvalidSequential);
  dial.refer_url = reader.url("referUrl");
  dial.refer_method = reader.method("referMethod", Errc::DialInvalidMethod);
  if (auto reason = reader.string("callReason"); reason && !reason->empty()) {
    if (reason->size() <= 50) {
      dial.call_reason = std::move(*reason);
    } else {
      reader.report_invalid(bad, "callReason", *reason, "is longer than 50 characters");
    }
  }
  dial.recording_configuration_id = reader.string("recordingConfigurationId");
  // Helper-library-only attributes with unconfirmed semantics: accepted, not used.
  reader.ignore("events");
  reader.ignore("passports");
  reader.warn_unknown_attributes();

  std::string text;
  for (const auto child : node.children()) {
    if (context.has_failed()) return std::nullopt;
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      text += child.value();
      continue;
    }
    if (child.type() != pugi::node_element) continue;
    const std::string_view name = child.name();
    const auto add = [&](auto parsed) {
      if (parsed) dial.targets.emplace_back(std::move(*parsed));
    };
    if (name == "Number") {
      add(parse_number(context, child));
    } else if (name == "Sip") {
      add(parse_sip(context, child));
    } else if (name == "Client") {
      add(parse_client(context, child));
    } else if (name == "Conference") {
      add(parse_conference(context, child));
    } else if (std::find(kUnsupportedNouns.begin(), kUnsupportedNouns.end(), name) != kUnsupportedNouns.end()) {
      dial.targets.emplace_back(UnsupportedNoun{std::string(name)});
    } else if (is_twiml_element(name)) {
      context.warn(Errc::DialInvalidNestedElement, child, "may not be nested in <Dial>; skipped");
    } else {
      context.warn(Errc::UnknownElement, child, "unknown element skipped");
    }
  }
  if (context.has_failed()) return std::nullopt;

  const auto body = std::string(ElementReader::trim(text));
  if (dial.targets.empty() && !body.empty()) {
    dial.targets.emplace_back(Number{.phone_number = body});
  } else if (!body.empty()) {
    context.warn(Errc::UnexpectedText, node, "text beside nouns is ignored");
  } else if (dial.targets.empty()) {
    context.warn(Errc::MissingContent, node, "names nothing to dial");
  }
  check_targets(context, node, dial.targets);

  if (dial.caller_id) {
    const bool is_sip_only = !dial.targets.empty() && std::all_of(dial.targets.begin(), dial.targets.end(),
                                                                 [](const DialTarget& t) { return std::holds_alternative<Sip>(t); });
    if (has_control_or_blank(*dial.caller_id) || (is_sip_only && !is_sip_caller_id(*dial.caller_id))) {
      reader.report_invalid(Errc::DialInvalidCallerId, "callerId", *dial.caller_id,
                            is_sip_only ? "may hold only A-Z a-z 0-9 + - _ . for SIP" : "holds blanks or control characters");
      dial.caller_id.reset();
    }
  }
  if (context.has_failed()) return std::nullopt;
  return dial;
}

std::optional<Refer> parse_refer(Context& context, pugi::xml_node node) {
  ElementReader reader(context, node);
  Refer refer;
  refer.action = reader.url("action");
  refer.method = reader.method("method", Errc::InvalidAttributeValue);
  reader.warn_unknown_attributes();
  check_leaf_content(context, node, false, {"Sip"});
  std::size_t count = 0;
  for (const auto child : node.children("Sip")) {
    if (++count > 1) {
      context.invalid(Errc::InvalidNesting, child, "<Refer> holds exactly one <Sip>; the others are ignored");
      break;
    }
    auto sip = parse_sip(context, child);
    if (!sip) return std::nullopt;
    refer.target = std::move(*sip);
  }
  if (count == 0) {
    context.invalid(Errc::MissingContent, node, "needs one <Sip> target; skipped");
    return std::nullopt;
  }
  if (context.has_failed()) return std::nullopt;
  return refer;
}

}  // namespace sb::twiml::detail
