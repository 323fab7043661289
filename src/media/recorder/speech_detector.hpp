#pragma once
// Finds speech in the audio a recording writes, for <Record timeout> (end on silence) and
// <Record trim> (cut leading and trailing silence). Voice activity is 20 ms frame energy against
// an adaptive noise floor, the rule of the answering machine detector (media/amd): the floor is
// the quietest frame of the last 1.6 s, a frame is active 9 dB above it and above about
// -48 dBm0, and speech starts with 3 active frames out of 5 (a click is not speech). Frames of a
// multi-channel recording are judged on their combined energy. Positions are counted in samples
// per channel from the start of the recording. Owned by a recorder on its media thread;
// allocates nothing.

#include "media/activity/frame_activity.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

namespace sb::media {

class SpeechDetector {
 public:
  static constexpr std::size_t kFrameSamples = 160;  // 20 ms per channel
  static constexpr std::size_t kMaxChannels = 2;
  // Speech ends (for a new start to need confirming again) after this much silence.
  static constexpr std::uint64_t kHangoverFrames = 15;  // 300 ms

  explicit SpeechDetector(int channels) noexcept;

  // Audio written to the recording, interleaved, any length (kept across calls to whole frames).
  void on_audio(std::span<const std::int16_t> interleaved) noexcept;
  // No audio arrived for `duration` (a peer that stopped sending): it counts as silence now. The
  // silence a recorder writes for that gap when audio resumes is not counted a second time.
  void on_missing_audio(std::chrono::milliseconds duration) noexcept;
  // The gap was not filled (a restarted stream): forget what on_missing_audio() counted ahead.
  void forget_missing_audio() noexcept { missing_samples_ = 0; }

  bool has_speech() const noexcept { return has_speech_; }
  // First sample of the first utterance, and the sample after the last active frame of speech
  // (both 0 without speech).
  std::uint64_t speech_begin() const noexcept { return speech_begin_; }
  std::uint64_t speech_end() const noexcept { return speech_end_; }
  // Silence since the end of the last speech, or since the start when nobody spoke, including
  // the time counted by on_missing_audio().
  std::chrono::milliseconds silent_for() const noexcept;
  // Samples analysed (whole frames), per channel.
  std::uint64_t position() const noexcept { return frames_ * kFrameSamples; }

 private:
  void analyse() noexcept;

  std::size_t channels_;
  std::array<std::int16_t, kFrameSamples * kMaxChannels> partial_{};
  std::size_t partial_size_ = 0;
  std::uint64_t frames_ = 0;

  FrameActivity activity_;

  bool is_speaking_ = false;
  bool has_speech_ = false;
  std::uint64_t onset_start_ = 0;  // frame
  std::uint32_t onset_frames_ = 0;
  std::uint32_t onset_active_ = 0;
  std::uint64_t last_active_end_ = 0;  // frame after the last active frame of speech
  std::uint64_t speech_begin_ = 0;     // samples
  std::uint64_t speech_end_ = 0;       // samples
  std::uint64_t missing_samples_ = 0;  // counted by on_missing_audio(), not yet written
};

}  // namespace sb::media
