#pragma once
// Answering machine detection (AMD): what the call layer asks for, after Twilio's
// MachineDetection* parameters (Calls API, <Dial><Number>, <Dial><Sip>), and what it hears back.
// Plain values; the engine copies them to the session's media thread.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sb::media {

// Twilio's MachineDetection: `Enable` reports as soon as the called party is identified;
// `DetectMessageEnd` also waits, for a machine, until its greeting ends.
enum class MachineDetectionMode : std::uint8_t { enable, detect_message_end };

// Twilio's spelling ("Enable", "DetectMessageEnd"); nullopt for anything else.
constexpr std::optional<MachineDetectionMode> parse_machine_detection_mode(std::string_view text) noexcept {
  if (text == "Enable") return MachineDetectionMode::enable;
  if (text == "DetectMessageEnd") return MachineDetectionMode::detect_message_end;
  return std::nullopt;
}

// Twilio's AnsweredBy values.
enum class AnsweredBy : std::uint8_t {
  human,
  machine_start,
  machine_end_beep,
  machine_end_silence,
  machine_end_other,
  fax,
  unknown,
};

// The spelling of Twilio's AnsweredBy parameter.
constexpr std::string_view to_string(AnsweredBy answered_by) noexcept {
  switch (answered_by) {
    case AnsweredBy::human: return "human";
    case AnsweredBy::machine_start: return "machine_start";
    case AnsweredBy::machine_end_beep: return "machine_end_beep";
    case AnsweredBy::machine_end_silence: return "machine_end_silence";
    case AnsweredBy::machine_end_other: return "machine_end_other";
    case AnsweredBy::fax: return "fax";
    case AnsweredBy::unknown: return "unknown";
  }
  return "unknown";
}

struct MachineDetectionRequest {
  MachineDetectionMode mode = MachineDetectionMode::enable;
  // MachineDetectionTimeout, 3-60 s: no decision by then -> unknown (machine_end_other once a
  // machine was found in DetectMessageEnd mode).
  std::chrono::seconds timeout{30};
  // MachineDetectionSpeechThreshold, 1000-6000 ms: speech (pauses shorter than
  // speech_end_threshold included) lasting this long -> machine_start.
  std::chrono::milliseconds speech_threshold{2400};
  // MachineDetectionSpeechEndThreshold, 500-5000 ms: silence this long ends the speech; after a
  // short speech -> human; after a machine's greeting -> machine_end_silence.
  std::chrono::milliseconds speech_end_threshold{1200};
  // MachineDetectionSilenceTimeout, 2000-10000 ms: no speech from the start for this long -> unknown.
  std::chrono::milliseconds silence_timeout{5000};

  // Twilio's limits for each value.
  static constexpr std::chrono::seconds kMinTimeout{3}, kMaxTimeout{60};
  static constexpr std::chrono::milliseconds kMinSpeechThreshold{1000}, kMaxSpeechThreshold{6000};
  static constexpr std::chrono::milliseconds kMinSpeechEndThreshold{500}, kMaxSpeechEndThreshold{5000};
  static constexpr std::chrono::milliseconds kMinSilenceTimeout{2000}, kMaxSilenceTimeout{10000};

  // True when every value is within Twilio's limits (the call layer reports the others to the
  // account before asking; the engine clamps whatever it is given).
  constexpr bool is_within_limits() const noexcept {
    return timeout >= kMinTimeout && timeout <= kMaxTimeout && speech_threshold >= kMinSpeechThreshold &&
           speech_threshold <= kMaxSpeechThreshold && speech_end_threshold >= kMinSpeechEndThreshold &&
           speech_end_threshold <= kMaxSpeechEndThreshold && silence_timeout >= kMinSilenceTimeout &&
           silence_timeout <= kMaxSilenceTimeout;
  }
  // The same request with each value moved into its limits.
  constexpr MachineDetectionRequest clamped() const noexcept {
    MachineDetectionRequest r = *this;
    r.timeout = std::clamp(timeout, kMinTimeout, kMaxTimeout);
    r.speech_threshold = std::clamp(speech_threshold, kMinSpeechThreshold, kMaxSpeechThreshold);
    r.speech_end_threshold = std::clamp(speech_end_threshold, kMinSpeechEndThreshold, kMaxSpeechEndThreshold);
    r.silence_timeout = std::clamp(silence_timeout, kMinSilenceTimeout, kMaxSilenceTimeout);
    return r;
  }
};

}  // namespace sb::media
