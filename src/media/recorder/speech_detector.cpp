#include "media/recorder/speech_detector.hpp"

#include <algorithm>

namespace sb::media {

namespace {
// The answering machine detector's thresholds (media/amd/machine_detector.cpp), per channel.
constexpr std::uint32_t kOnsetFrames = 5;
constexpr std::uint32_t kOnsetActive = 3;
}  // namespace

SpeechDetector::SpeechDetector(int channels) noexcept
    : channels_(static_cast<std::size_t>(std::clamp(channels, 1, static_cast<int>(kMaxChannels)))) {}

void SpeechDetector::on_audio(std::span<const std::int16_t> interleaved) noexcept {
  const std::size_t frame_size = kFrameSamples * channels_;
  while (!interleaved.empty()) {
    const std::size_t count = std::min(interleaved.size(), frame_size - partial_size_);
    std::copy_n(interleaved.begin(), count, partial_.begin() + static_cast<std::ptrdiff_t>(partial_size_));
    partial_size_ += count;
    interleaved = interleaved.subspan(count);
    if (partial_size_ == frame_size) {
      analyse();
      partial_size_ = 0;
    }
  }
}

void SpeechDetector::on_missing_audio(std::chrono::milliseconds duration) noexcept {
  if (duration.count() > 0) missing_samples_ += static_cast<std::uint64_t>(duration.count()) * 8;
}

std::chrono::milliseconds SpeechDetector::silent_for() const noexcept {
  const std::uint64_t samples = (frames_ - last_active_end_) * kFrameSamples + missing_samples_;
  return std::chrono::milliseconds(samples / 8);
}

void SpeechDetector::analyse() noexcept {
  const std::size_t size = kFrameSamples * channels_;
  const bool is_active = activity_.classify(FrameActivity::energy(std::span(partial_).first(size)));
  const std::uint64_t frame = frames_++;

  if (is_speaking_) {
    if (is_active) {
      last_active_end_ = frames_;
      missing_samples_ = 0;
    } else if (frames_ - last_active_end_ >= kHangoverFrames) {
      is_speaking_ = false;
    }
  } else if (onset_frames_ > 0 || is_active) {
    if (onset_frames_ == 0) onset_start_ = frame;
    ++onset_frames_;
    if (is_active) ++onset_active_;
    if (onset_active_ >= kOnsetActive) {
      is_speaking_ = true;
      if (!has_speech_) speech_begin_ = onset_start_ * kFrameSamples;
      has_speech_ = true;
      last_active_end_ = frames_;  // the confirming frame is active
      missing_samples_ = 0;
      onset_frames_ = onset_active_ = 0;
    } else if (onset_frames_ == kOnsetFrames) {
      onset_frames_ = onset_active_ = 0;
    }
  }
  if (has_speech_) speech_end_ = last_active_end_ * kFrameSamples;
  // Silence written for a gap that on_missing_audio() already counted.
  if (!is_active && missing_samples_ > 0 && last_active_end_ != frames_)
    missing_samples_ -= std::min<std::uint64_t>(missing_samples_, kFrameSamples);
}

}  // namespace sb::media
