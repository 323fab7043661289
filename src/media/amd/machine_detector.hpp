#pragma once
// Answering machine detection on one leg's received audio (8 kHz linear PCM), after Twilio's
// rules: a short utterance then silence is a human, a long one a machine's greeting, a fax
// calling or answer tone a fax, and nothing decided in time is unknown. In DetectMessageEnd mode
// a machine is followed to the end of its greeting (beep, silence, or timeout).
// Analysis runs on 20 ms frames: energy voice activity against an adaptive noise floor (minimum
// statistics over the last 1.6 s), and, on active frames only, a Goertzel bank 400-2150 Hz that
// finds a steady single tone. Time is counted in audio fed (on_audio, on_silence), never read
// from a clock. Owned by one RTP session on its media thread; not thread-safe; allocates
// nothing after construction.

#include "media/amd/machine_detection_request.hpp"

#include "media/activity/frame_activity.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

namespace sb::media {

class MachineDetector {
 public:
  static constexpr std::size_t kFrameSamples = 160;  // 20 ms
  static constexpr std::chrono::milliseconds kFrameDuration{20};
  // A beep: one steady tone at least this long (Twilio does not publish its own rule).
  static constexpr std::size_t kBeepFrames = 6;  // 120 ms: any beep of 150 ms covers 6 frames
  // Fax: T.30 CNG (1100 Hz, 0.5 s on / 3 s off) or CED/ANS (2100 Hz, 2.6-4 s), at least this long.
  static constexpr std::size_t kFaxToneFrames = 20;  // 400 ms

  struct Decision {
    AnsweredBy answered_by = AnsweredBy::unknown;
    std::chrono::milliseconds detection_duration{};  // audio analysed until the decision
    // False only for machine_start in DetectMessageEnd mode: machine_end_* follows.
    bool is_final = true;
  };
  // The decisions made during one call: at most two (machine_start and, in the same packet,
  // the end of the greeting).
  struct Decisions {
    std::array<Decision, 2> items{};
    std::uint8_t count = 0;
    const Decision* begin() const noexcept { return items.data(); }
    const Decision* end() const noexcept { return items.data() + count; }
    const Decision& operator[](std::size_t i) const noexcept { return items[i]; }
    std::size_t size() const noexcept { return count; }
    bool empty() const noexcept { return count == 0; }
  };

  // Values outside Twilio's limits are clamped into them.
  explicit MachineDetector(const MachineDetectionRequest& request) noexcept;

  // Received audio, in arrival order, any packet size (kept across calls to whole 20 ms frames).
  Decisions on_audio(std::span<const std::int16_t> samples) noexcept;
  // No audio arrived for `duration` (the peer stopped sending): the detection's clock goes on,
  // as if it were silence. Rounded down to whole frames.
  Decisions on_silence(std::chrono::milliseconds duration) noexcept;

  // The final decision was made; nothing more will be reported.
  bool is_done() const noexcept { return phase_ == Phase::done; }
  // Audio analysed so far.
  std::chrono::milliseconds elapsed() const noexcept { return kFrameDuration * frames_; }
  const MachineDetectionRequest& request() const noexcept { return request_; }

 private:
  enum class Phase : std::uint8_t { waiting_for_speech, in_speech, waiting_for_message_end, done };
  static constexpr std::size_t kFirstBin = 8;   // 400 Hz: bins are 50 Hz apart (8000 / 160)
  static constexpr std::size_t kLastBin = 43;   // 2150 Hz
  static constexpr std::size_t kBins = kLastBin - kFirstBin + 1;

  void analyse(std::span<const std::int16_t, kFrameSamples> frame, Decisions& out) noexcept;
  // The frequency of the steady tone that fills this frame, or 0.
  float tone_frequency(std::span<const std::int16_t, kFrameSamples> frame, double energy) const noexcept;
  void decide(AnsweredBy answered_by, bool is_final, Decisions& out) noexcept;
  std::chrono::milliseconds frames_to_duration(std::uint64_t frames) const noexcept { return kFrameDuration * frames; }

  MachineDetectionRequest request_;
  Phase phase_ = Phase::waiting_for_speech;
  std::uint64_t frames_ = 0;  // frames analysed

  std::array<std::int16_t, kFrameSamples> partial_{};
  std::size_t partial_size_ = 0;

  FrameActivity activity_;  // energy against the noise floor

  // Speech: a start is confirmed by enough active frames just after it.
  std::uint64_t onset_start_ = 0;
  std::uint32_t onset_frames_ = 0;
  std::uint32_t onset_active_ = 0;
  std::uint64_t speech_start_ = 0;     // first frame of the utterance
  std::uint64_t last_active_end_ = 0;  // frame after its last active one

  // The tone heard in consecutive frames.
  float tone_hz_ = 0;
  std::uint32_t tone_frames_ = 0;

  std::array<float, kBins> coefficients_{};  // Goertzel 2 cos(w) of each bin
};

}  // namespace sb::media
