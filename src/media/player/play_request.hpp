#pragma once
// What a play command asks for (TwiML <Play>, <Say>, <Pause>, ringback and beeps): plain values
// built on the signalling loop and posted to the media engine.

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>

namespace sb::media {

struct Silence {
  std::chrono::milliseconds duration{1000};
};

// One or two sine tones, switched on and off in a cadence, for a total duration. Levels are
// per tone in dBm0 (0 dBm0 is the G.711 reference level, 3.17 dB below a full-scale sine).
struct Tone {
  double frequency1 = 1000.0;  // Hz
  double frequency2 = 0.0;     // Hz; 0 = single tone
  double level_dbm0 = -10.0;
  std::chrono::milliseconds on{1000};
  std::chrono::milliseconds off{0};  // 0 = continuous
  std::chrono::milliseconds duration{1000};

  // US ringback, ANSI T1.401 / Telcordia GR-506: 440 + 480 Hz at -19 dBm0 each, 2 s on, 4 s
  // off. One cadence (6 s) per loop; loop 0 rings until stopped.
  static Tone ringback_us() {
    return {.frequency1 = 440, .frequency2 = 480, .level_dbm0 = -19, .on = std::chrono::milliseconds{2000},
            .off = std::chrono::milliseconds{4000}, .duration = std::chrono::milliseconds{6000}};
  }
  // The <Record> beep: 1 kHz for 0.5 s at -10 dBm0 (Twilio does not publish its figures).
  static Tone beep() {
    return {.frequency1 = 1000, .level_dbm0 = -10, .on = std::chrono::milliseconds{500},
            .duration = std::chrono::milliseconds{500}};
  }
};

// A local audio file: anything libsndfile reads (WAV with PCM 8/16/24/32-bit, float, μ-law or
// A-law, at any rate, mono or mixed down from more channels), resampled to 8 kHz.
struct AudioFile {
  std::string path;
};

// Text to speech with espeak-ng. `voice` is an espeak-ng voice name ("en-us", "en-gb", "fr",
// "de", ...); a Twilio language such as "en-US" is accepted and lower-cased. `is_female` picks
// espeak-ng's female variant (Twilio's woman/alice/Polly female voices).
struct Speech {
  std::string text;
  std::string voice = "en-us";
  bool is_female = false;
};

using PlaySource = std::variant<Silence, Tone, AudioFile, Speech>;

struct PlayRequest {
  PlaySource source;
  std::uint32_t loop = 1;  // times to play; 0 = until stopped (TwiML loop="0")
};

}  // namespace sb::media
