#include "twiml/element_reader.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

namespace sb::twiml::detail {
namespace {

bool is_blank_char(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), ending at the first ':'
// that comes before any '/', '?' or '#'. Empty when the reference is relative.
std::string_view scheme_of(std::string_view url) {
  if (url.empty() || !is_alpha(url[0])) return {};
  for (std::size_t i = 1; i < url.size(); ++i) {
    const char c = url[i];
    if (c == ':') return url.substr(0, i);
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return {};
  }
  return {};
}

// Optional sign and decimal digits, nothing else; saturates at the int64 bounds.
std::optional<std::int64_t> parse_integer(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  std::int64_t value = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    if (value > (IntRange::kUnbounded - 9) / 10) {
      value = IntRange::kUnbounded;  // saturate; keep checking the remaining characters
    } else {
      value = value * 10 + (c - '0');
    }
  }
  return negative ? -value : value;
}

std::string quote(std::string_view value) {
  // Keep messages short and printable whatever the input holds.
  constexpr std::size_t kMaxShown = 64;
  std::string out = "\"";
  for (char c : value.substr(0, kMaxShown)) {
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  }
  if (value.size() > kMaxShown) out += "...";
  out += '"';
  return out;
}

}  // namespace

// --- Context ---------------------------------------------------------------------------------------

Diagnostic Context::make_at(Errc code, std::size_t offset, std::string_view what) const {
  offset = std::min(offset, input_.size());
  const auto before = input_.substr(0, offset);
  const auto line = 1 + std::count(before.begin(), before.end(), '\n');
  const auto last_newline = before.rfind('\n');
  const auto column = last_newline == std::string_view::npos ? offset + 1 : offset - last_newline;
  std::string message = "line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
  message += what;
  return Diagnostic{code, std::move(message), offset};
}

Diagnostic Context::make(Errc code, pugi::xml_node where, std::string_view what) const {
  const auto offset = where ? where.offset_debug() : -1;
  std::string text;
  if (where.type() == pugi::node_element) {
    text = "<";
    text += where.name();
    text += ">: ";
  }
  text += what;
  return make_at(code, offset < 0 ? 0 : static_cast<std::size_t>(offset), text);
}

void Context::warn(Errc code, pugi::xml_node where, std::string_view what) {
  if (warnings_.size() >= options_.max_warnings) {
    ++suppressed_;
    return;
  }
  warnings_.push_back(make(code, where, what));
}

void Context::invalid(Errc code, pugi::xml_node where, std::string_view what) {
  if (options_.invalid_values == InvalidValuePolicy::WarnAndUseDefault) {
    warn(code, where, what);
  } else {
    fail(code, where, what);
  }
}

void Context::fail(Errc code, pugi::xml_node where, std::string_view what) {
  if (!error_) error_ = make(code, where, what);
}

// --- ElementReader -----------------------------------------------------------------------------------

std::string_view ElementReader::trim(std::string_view s) {
  while (!s.empty() && is_blank_char(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank_char(s.back())) s.remove_suffix(1);
  return s;
}

bool ElementReader::equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

std::optional<std::string_view> ElementReader::raw(const char* name) {
  known_.push_back(name);
  const auto attribute = node_.attribute(name);
  if (!attribute) return std::nullopt;
  return std::string_view(attribute.value());
}

std::optional<std::string> ElementReader::string(const char* name) {
  const auto value = raw(name);
  if (!value) return std::nullopt;
  return std::string(trim(*value));
}

std::optional<std::string> ElementReader::url(const char* name, Errc invalid) {
  const auto value = raw(name);
  if (!value) return std::nullopt;
  const auto url = trim(*value);
  if (url.empty()) return std::nullopt;
  if (std::any_of(url.begin(), url.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    report_invalid(invalid, name, url, "holds control characters");
    return std::nullopt;
  }
  const auto scheme = scheme_of(url);
  if (!scheme.empty() && !equals_ignoring_case(scheme, "http") && !equals_ignoring_case(scheme, "https")) {
    report_invalid(invalid, name, url, "is not an http or https URL");
    return std::nullopt;
  }
  return std::string(url);
}

Method ElementReader::method(const char* name, Errc invalid, Method fallback) {
  return keyword<Method>(name, {{"GET", Method::Get}, {"POST", Method::Post}}, fallback, invalid);
}

bool ElementReader::boolean(const char* name, bool fallback, Errc invalid) {
  return keyword<bool>(name, {{"true", true}, {"false", false}}, fallback, invalid);
}

std::optional<std::int64_t> ElementReader::optional_integer(const char* name, IntRange range, Errc invalid) {
  const auto value = raw(name);
  if (!value) return std::nullopt;
  const auto parsed = parse_integer(trim(*value));
  if (!parsed) {
    report_invalid(invalid, name, *value, "is not an integer");
    return std::nullopt;
  }
  if (*parsed < range.lowest || *parsed > range.highest) {
    report_invalid(invalid, name, *value, "is out of range");
    return std::nullopt;
  }
  if (*parsed < range.clamp_low) {
    report_clamped(invalid, name, *value, range.clamp_low);
    return range.clamp_low;
  }
  if (*parsed > range.clamp_high) {
    report_clamped(invalid, name, *value, range.clamp_high);
    return range.clamp_high;
  }
  return parsed;
}

std::int64_t ElementReader::integer(const char* name, std::int64_t fallback, IntRange range, Errc invalid) {
  return optional_integer(name, range, invalid).value_or(fallback);
}

namespace {

// Calls `f` with each word of a space- or comma-separated list (Twilio accepts both).
template <class F>
void for_each_word(std::string_view rest, F f) {
  while (!rest.empty()) {
    const auto start = rest.find_first_not_of(" \t\r\n,");
    if (start == std::string_view::npos) return;
    rest.remove_prefix(start);
    const auto word = rest.substr(0, rest.find_first_of(" \t\r\n,"));
    rest.remove_prefix(word.size());
    f(word);
  }
}

}  // namespace

CallProgressEvents ElementReader::call_progress_events(const char* name) {
  CallProgressEvents events;
  const auto value = raw(name);
  if (!value) return events;
  for_each_word(*value, [&](std::string_view word) {
    if (equals_ignoring_case(word, "initiated")) {
      events.initiated = true;
    } else if (equals_ignoring_case(word, "ringing")) {
      events.ringing = true;
    } else if (equals_ignoring_case(word, "answered")) {
      events.answered = true;
    } else if (equals_ignoring_case(word, "completed")) {
      events.completed = true;
    } else {
      report_invalid(Errc::InvalidAttributeValue, name, word,
                     "is not one of initiated, ringing, answered, completed");
    }
  });
  return events;
}

RecordingStatusEvents ElementReader::recording_status_events(const char* name) {
  RecordingStatusEvents events;
  const auto value = raw(name);
  if (!value || is_blank(*value)) return events;
  events.completed = false;
  for_each_word(*value, [&](std::string_view word) {
    if (equals_ignoring_case(word, "in-progress")) {
      events.in_progress = true;
    } else if (equals_ignoring_case(word, "completed")) {
      events.completed = true;
    } else if (equals_ignoring_case(word, "absent")) {
      events.absent = true;
    } else {
      report_invalid(Errc::InvalidAttributeValue, name, word, "is not one of in-progress, completed, absent");
    }
  });
  return events;
}

StatusCallback ElementReader::status_callback(Errc invalid_method) {
  StatusCallback callback;
  callback.url = url("statusCallback");
  callback.method = method("statusCallbackMethod", invalid_method);
  callback.events = call_progress_events("statusCallbackEvent");
  // Twilio: "If a statusCallback is provided and no status callback events are specified the
  // completed event will be sent by default."
  if (callback.url && callback.events.empty()) callback.events.completed = true;
  return callback;
}

MachineDetection ElementReader::machine_detection(Errc invalid_method) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  MachineDetection amd;
  if (const auto mode = raw("machineDetection"); mode && !is_blank(*mode)) {
    amd.mode = keyword<std::optional<MachineDetectionMode>>(
        "machineDetection",
        {{"Enable", MachineDetectionMode::Enable}, {"DetectMessageEnd", MachineDetectionMode::DetectMessageEnd}},
        std::nullopt, Errc::InvalidAttributeValue);
  }
  // The documented ranges (twilio-voice-digest.md 3.2 <Number>); values outside are clamped.
  const auto bad = Errc::InvalidAttributeValue;
  amd.timeout = seconds(integer("machineDetectionTimeout", 30, IntRange::clamped(0, 3, 60), bad));
  amd.speech_threshold =
      milliseconds(integer("machineDetectionSpeechThreshold", 2400, IntRange::clamped(0, 1000, 6000), bad));
  amd.speech_end_threshold =
      milliseconds(integer("machineDetectionSpeechEndThreshold", 1200, IntRange::clamped(0, 500, 5000), bad));
  amd.silence_timeout =
      milliseconds(integer("machineDetectionSilenceTimeout", 5000, IntRange::clamped(0, 2000, 10000), bad));
  amd.status_callback = url("amdStatusCallback");
  amd.status_callback_method = method("amdStatusCallbackMethod", invalid_method);
  return amd;
}

void ElementReader::warn_unknown_attributes() {
  for (const auto attribute : node_.attributes()) {
    const std::string_view name = attribute.name();
    if (name == "xmlns" || name.starts_with("xmlns:")) continue;
    const bool is_known = std::any_of(known_.begin(), known_.end(), [&](const char* k) { return name == k; });
    if (!is_known) context_.warn(Errc::UnknownAttribute, node_, "unknown attribute " + std::string(name) + " ignored");
  }
}

void ElementReader::report_invalid(Errc code, const char* name, std::string_view value, std::string_view why) {
  std::string what = name;
  what += '=';
  what += quote(value);
  what += ' ';
  what += why;
  context_.invalid(code, node_, what);
}

void ElementReader::report_clamped(Errc code, const char* name, std::string_view value, std::int64_t to) {
  context_.warn(code, node_, std::string(name) + '=' + quote(value) + " is out of range; " + std::to_string(to) + " used");
}

// --- Text helpers ------------------------------------------------------------------------------------

bool is_blank(std::string_view s) { return std::all_of(s.begin(), s.end(), is_blank_char); }

std::string direct_text(pugi::xml_node node) {
  std::string text;
  for (const auto child : node.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) text += child.value();
  }
  return std::string(ElementReader::trim(text));
}

std::string collapse_blanks(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  for (char c : s) {
    if (is_blank_char(c)) {
      pending_space = !out.empty();
    } else {
      if (pending_space) out += ' ';
      pending_space = false;
      out += c;
    }
  }
  return out;
}

bool is_twiml_element(std::string_view name) {
  static constexpr std::array<std::string_view, 33> kNames = {
      "Response", "Say",    "Play",   "Pause",      "Gather",   "Record",   "Hangup",   "Reject",
      "Redirect", "Dial",   "Refer",  "Number",     "Sip",      "Client",   "Conference", "Queue",
      "Identity", "Parameter", "Leave", "Enqueue",  "Connect",  "Start",    "Stop",     "Pay",
      "Prompt",   "Echo",   "Sms",    "Application", "Sim",     "WhatsApp", "Stream",   "Siprec",
      "Task"};
  return std::find(kNames.begin(), kNames.end(), name) != kNames.end();
}

void check_leaf_content(Context& context, pugi::xml_node node, bool takes_text,
                        std::initializer_list<std::string_view> allowed) {
  for (const auto child : node.children()) {
    switch (child.type()) {
      case pugi::node_element: {
        const std::string_view name = child.name();
        if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) break;
        const auto code = is_twiml_element(name) ? Errc::InvalidNesting : Errc::UnknownElement;
        context.warn(code, child, "not allowed inside <" + std::string(node.name()) + ">; skipped");
        break;
      }
      case pugi::node_pcdata:
      case pugi::node_cdata:
        if (!takes_text && !is_blank(child.value())) {
          context.warn(Errc::UnexpectedText, node, "text is not allowed here; ignored");
        }
        break;
      default: break;
    }
  }
}

std::vector<Parameter> read_parameters(Context& context, pugi::xml_node node) {
  std::vector<Parameter> parameters;
  for (const auto child : node.children("Parameter")) {
    ElementReader reader(context, child);
    auto name = reader.string("name");
    auto value = reader.raw("value");
    reader.warn_unknown_attributes();
    check_leaf_content(context, child, false);
    if (!name || name->empty()) {
      context.invalid(Errc::MissingContent, child, "the name attribute is required");
      continue;
    }
    parameters.push_back(Parameter{std::move(*name), std::string(value.value_or(""))});
  }
  return parameters;
}

bool is_dtmf_sequence(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return is_digit(c) || (c >= 'A' && c <= 'D') || c == '#' || c == '*' || c == 'w' || c == 'W';
  });
}

}  // namespace sb::twiml::detail
