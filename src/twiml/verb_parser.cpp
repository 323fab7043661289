// The verbs other than <Dial> and <Refer> (dial_parser.cpp): Say, Play, Pause, Gather, Record,
// Hangup, Reject, Redirect, and the dispatch of a <Response> child to its parser.

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "twiml/verb_parsers.hpp"

namespace sb::twiml::detail {
namespace {

using std::chrono::seconds;

// Verbs Twilio defines that switchboard does not run (twilio-voice-digest.md 3.2, last line).
constexpr std::array<std::string_view, 9> kUnsupportedVerbs = {
    "Leave", "Enqueue", "Connect", "Start", "Stop", "Pay", "Prompt", "Echo", "Sms"};

// SSML elements allowed in <Say> (twilio-voice-digest.md 3.2).
constexpr std::array<std::string_view, 10> kSsmlElements = {
    "break", "emphasis", "lang", "p", "phoneme", "prosody", "s", "say-as", "sub", "w"};

bool is_ssml(std::string_view name) {
  return std::find(kSsmlElements.begin(), kSsmlElements.end(), name) != kSsmlElements.end();
}

class StringWriter final : public pugi::xml_writer {
 public:
  explicit StringWriter(std::string& out) : out_(out) {}
  void write(const void* data, std::size_t size) override { out_.append(static_cast<const char*>(data), size); }

 private:
  std::string& out_;
};

// Appends the speakable text of a <Say> body to `text`: text nodes as they are, <sub alias> as
// its alias, breaks and paragraph/sentence edges as blanks. Depth is bounded by the parser's
// max_depth check, so recursion is safe.
void flatten_ssml(Context& context, pugi::xml_node node, std::string& text, bool& has_ssml) {
  for (const auto child : node.children()) {
    switch (child.type()) {
      case pugi::node_pcdata:
      case pugi::node_cdata: text += child.value(); break;
      case pugi::node_element: {
        const std::string_view name = child.name();
        if (!is_ssml(name)) {
          const auto code = is_twiml_element(name) ? Errc::InvalidNesting : Errc::UnknownElement;
          context.warn(code, child, "not allowed inside <Say>; skipped");
          break;
        }
        has_ssml = true;
        if (name == "sub" && child.attribute("alias")) {
          text += ' ';
          text += child.attribute("alias").value();
          text += ' ';
          break;
        }
        text += ' ';
        flatten_ssml(context, child, text, has_ssml);
        text += ' ';
        break;
      }
      default: break;
    }
  }
}

}  // namespace

std::optional<Say> parse_say(Context& context, pugi::xml_node node) {
  ElementReader reader(context, node);
  Say say;
  say.voice = reader.string("voice");
  if (say.voice && say.voice->empty()) say.voice.reset();
  if (auto language = reader.string("language"); language && !language->empty()) say.language = std::move(*language);
  say.loop = static_cast<int>(reader.integer("loop", 1, IntRange::clamped(0, 0, kMaxLoop), Errc::SayInvalidLoop));
  reader.warn_unknown_attributes();

  std::string text;
  bool has_ssml = false;
  flatten_ssml(context, node, text, has_ssml);
  say.text = collapse_blanks(text);
  if (has_ssml) {
    std::string ssml;
    StringWriter writer(ssml);
    for (const auto child : node.children()) child.print(writer, "", pugi::format_raw);
    say.ssml = std::string(ElementReader::trim(ssml));
  }
  return say;
}

std::optional<Play> parse_play(Context& context, pugi::xml_node node) {
  ElementReader reader(context, node);
  Play play;
  play.loop = static_cast<int>(reader.integer("loop", 1, IntRange::clamped(0, 0, kMaxLoop), Errc::InvalidAttributeValue));
  if (const auto digits = reader.string("digits"); digits && !digits->empty()) {
    if (is_dtmf_sequence(*digits)) {
      play.digits = *digits;
    } else {
      reader.report_invalid(Errc::InvalidAttributeValue, "digits", *digits, "holds characters other than 0-9 A-D # * w W");
    }
  }
  reader.warn_unknown_attributes();
  check_leaf_content(context, node, true);
  play.url = direct_text(node);
  if (play.url.empty()) {
    if (!play.digits) {
      context.invalid(Errc::MissingContent, node, "needs a URL or a digits attribute; skipped");
      return std::nullopt;
    }
    return play;
  }
  // Validate the body like a URL attribute.
  if (std::any_of(play.url.begin(), play.url.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    context.invalid(Errc::InvalidUrl, node, "the URL holds control characters; skipped");
    return std::nullopt;
  }
  return play;
}

std::optional<Pause> parse_pause(Context& context, pugi::xml_node node) {
  ElementReader reader(context, node);
  Pause pause;
  pause.length = seconds(reader.integer("length", 1, IntRange::clamped(1, 1, 86400), Errc::PauseInvalidLength));
  reader.warn_unknown_attributes();
  check_leaf_content(context, node, false);
  return pause;
}

std::optional<Gather> parse_gather(Context& context, pugi::xml_node node) {
  ElementReader reader(context, node);
  Gather gather;
  gather.action = reader.url("action");
  gather.method = reader.method("method", Errc::InvalidAttributeValue);
  if (const auto input = reader.raw("input"); input && !is_blank(*input)) {
    GatherInput parsed{false, false};
    std::string_view rest = *input;
    bool is_valid = true;
    while (!rest.empty()) {
      const auto start = rest.find_first_not_of(" \t\r\n,");
      if (start == std::string_view::npos) break;
      rest.remove_prefix(start);
      const auto word = rest.substr(0, rest.find_first_of(" \t\r\n,"));
      rest.remove_prefix(word.size());
      if (ElementReader::equals_ignoring_case(word, "dtmf")) {
        parsed.dtmf = true;
      } else if (ElementReader::equals_ignoring_case(word, "speech")) {
        parsed.speech = true;
      } else {
        is_valid = false;
      }
    }
    if (is_valid) {
      gather.input = parsed;
    } else {
      reader.report_invalid(Errc::InvalidAttributeValue, "input", *input, "is not dtmf, speech or \"dtmf speech\"");
    }
  }
  gather.timeout = seconds(reader.integer("timeout", 5, IntRange::clamped(0, 0, 600), Errc::GatherInvalidTimeout));
  if (const auto key = reader.raw("finishOnKey")) {
    const auto trimmed = ElementReader::trim(*key);
    if (trimmed.empty()) {
      gather.finish_on_key.reset();
    } else if (trimmed.size() == 1 && (std::isdigit(static_cast<unsigned char>(trimmed[0])) || trimmed[0] == '#' || trimmed[0] == '*')) {
      gather.finish_on_key = trimmed[0];
    } else {
      reader.report_invalid(Errc::GatherInvalidFinishOnKey, "finishOnKey", *key, "is not one of 0-9 # * or empty");
    }
  }
  if (const auto digits = reader.optional_integer("numDigits", IntRange::clamped(1, 1, 1000), Errc::GatherInvalidNumDigits)) {
    gather.num_digits = static_cast<int>(*digits);
  }
  gather.action_on_empty_result = reader.boolean("actionOnEmptyResult", false);
  if (const auto timeout = reader.raw("speechTimeout"); timeout && !is_blank(*timeout)) {
    if (ElementReader::equals_ignoring_case(ElementReader::trim(*timeout), "auto")) {
      gather.is_speech_timeout_auto = true;
    } else if (const auto value = reader.optional_integer("speechTimeout", IntRange::clamped(0, 0, 600), Errc::InvalidAttributeValue)) {
      gather.speech_timeout = seconds(*value);
    }
  }
  if (auto model = reader.string("speechModel"); model && !model->empty()) gather.speech_model = std::move(*model);
  if (auto language = reader.string("language"); language && !language->empty()) gather.language = std::move(*language);
  gather.hints = reader.string("hints");
  gather.profanity_filter = reader.boolean("profanityFilter", true);
  gather.partial_result_callback = reader.url("partialResultCallback");
  gather.partial_result_callback_method = reader.method("partialResultCallbackMethod", Errc::InvalidAttributeValue);
  gather.enhanced = reader.boolean("enhanced", false);
  if (const auto max = reader.optional_integer("maxSpeechTime", IntRange::clamped(1, 1, 600), Errc::InvalidAttributeValue)) {
    gather.max_speech_time = seconds(*max);
  }
  gather.barge_in = reader.boolean("bargeIn", true);
  gather.debug = reader.boolean("debug", false);
  reader.warn_unknown_attributes();

  // Only <Say>, <Play> without digits and <Pause> may be nested (13320 otherwise).
  for (const auto child : node.children()) {
    if (context.has_failed()) return std::nullopt;
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      if (!is_blank(child.value())) context.warn(Errc::UnexpectedText, node, "text is not allowed here; ignored");
      continue;
    }
    if (child.type() != pugi::node_element) continue;
    const std::string_view name = child.name();
    if (name == "Say") {
      if (auto say = parse_say(context, child)) gather.children.emplace_back(std::move(*say));
    } else if (name == "Play") {
      if (child.attribute("digits")) {
        context.warn(Errc::GatherInvalidNestedVerb, child, "<Play digits> may not be nested in <Gather>; skipped");
        continue;
      }
      if (auto play = parse_play(context, child)) gather.children.emplace_back(std::move(*play));
    } else if (name == "Pause") {
      if (auto pause = parse_pause(context, child)) gather.children.emplace_back(*pause);
    } else if (is_twiml_element(name)) {
      context.warn(Errc::GatherInvalidNestedVerb, child, "may not be nested in <Gather>; skipped");
    } else {
      context.warn(Errc::UnknownElement, child, "unknown element skipped");
    }
  }
  return gather;
}

std::optional<Record> parse_record(Context& context, pugi::xml_node node) {
  ElementReader reader(context, node);
  Record record;
  const auto bad = Errc::InvalidAttributeValue;
  record.action = reader.url("action");
  record.method = reader.method("method", bad);
  record.timeout = seconds(reader.integer("timeout", 5, IntRange::clamped(0, 0, 3600), bad));
  if (const auto keys = reader.raw("finishOnKey")) {
    const auto trimmed = ElementReader::trim(*keys);
    const bool is_valid = std::all_of(trimmed.begin(), trimmed.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c)) || c == '#' || c == '*';
    });
    if (is_valid) {
      record.finish_on_key = std::string(trimmed);
    } else {
      reader.report_invalid(bad, "finishOnKey", *keys, "holds characters other than 0-9 # *");
    }
  }
  const auto max_length = reader.optional_integer("maxLength", IntRange::clamped(1, 1, 86400), bad);
  record.play_beep = reader.boolean("playBeep", true);
  record.trim = reader.keyword<Trim>("trim", {{"trim-silence", Trim::TrimSilence}, {"do-not-trim", Trim::DoNotTrim}},
                                     Trim::TrimSilence, bad);
  record.recording_status_callback =
      reader.url("recordingStatusCallback", Errc::RecordingStatusCallbackInvalidUrl);
  record.recording_status_callback_method = reader.method("recordingStatusCallbackMethod", bad);
  record.recording_status_callback_event = reader.recording_status_events("recordingStatusCallbackEvent");
  record.transcribe = reader.boolean("transcribe", false);
  record.transcribe_callback = reader.url("transcribeCallback", Errc::TranscribeCallbackInvalidUrl);
  record.recording_configuration_id = reader.string("recordingConfigurationId");
  reader.warn_unknown_attributes();
  check_leaf_content(context, node, false);
  // Twilio: maxLength defaults to 3600 s, 120 s when transcribing (transcription takes 2-120 s).
  record.max_length = seconds(max_length.value_or(record.transcribe ? 120 : 3600));
  return record;
}

std::optional<Hangup> parse_hangup(Context& context, pugi::xml_node node) {
  ElementReader reader(context, node);
  reader.warn_unknown_attributes();
  check_leaf_content(context, node, false, {"Parameter"});
  return Hangup{read_parameters(context, node)};
}

std::optional<Reject> parse_reject(Context& context, pugi::xml_node node) {
  ElementReader reader(context, node);
  Reject reject;
  reject.reason = reader.keyword<RejectReason>(
      "reason", {{"rejected", RejectReason::Rejected}, {"busy", RejectReason::Busy}}, RejectReason::Rejected,
      Errc::RejectInvalidReason);
  reader.warn_unknown_attributes();
  check_leaf_content(context, node, false, {"Parameter"});
  reject.parameters = read_parameters(context, node);
  return reject;
}

std::optional<Redirect> parse_redirect(Context& context, pugi::xml_node node) {
  ElementReader reader(context, node);
  Redirect redirect;
  redirect.method = reader.method("method", Errc::RedirectInvalid);
  reader.warn_unknown_attributes();
  check_leaf_content(context, node, true);
  redirect.url = direct_text(node);
  if (redirect.url.empty()) {
    context.invalid(Errc::RedirectInvalid, node, "needs a URL; skipped");
    return std::nullopt;
  }
  if (std::any_of(redirect.url.begin(), redirect.url.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    context.invalid(Errc::InvalidUrl, node, "the URL holds control characters; skipped");
    return std::nullopt;
  }
  return redirect;
}

std::optional<Verb> parse_verb(Context& context, pugi::xml_node node) {
  const std::string_view name = node.name();
  const auto wrap = [](auto parsed) -> std::optional<Verb> {
    if (!parsed) return std::nullopt;
    return Verb(std::move(*parsed));
  };
  if (name == "Say") return wrap(parse_say(context, node));
  if (name == "Play") return wrap(parse_play(context, node));
  if (name == "Pause") return wrap(parse_pause(context, node));
  if (name == "Gather") return wrap(parse_gather(context, node));
  if (name == "Record") return wrap(parse_record(context, node));
  if (name == "Hangup") return wrap(parse_hangup(context, node));
  if (name == "Reject") return wrap(parse_reject(context, node));
  if (name == "Redirect") return wrap(parse_redirect(context, node));
  if (name == "Dial") return wrap(parse_dial(context, node));
  if (name == "Refer") return wrap(parse_refer(context, node));
  if (std::find(kUnsupportedVerbs.begin(), kUnsupportedVerbs.end(), name) != kUnsupportedVerbs.end()) {
    return Verb(Unsupported{std::string(name)});
  }
  if (is_twiml_element(name)) {
    context.warn(Errc::InvalidNesting, node, "is not a verb; only allowed nested in another verb; skipped");
  } else {
    context.warn(Errc::UnknownElement, node, "unknown verb skipped");
  }
  return std::nullopt;
}

}  // namespace sb::twiml::detail
