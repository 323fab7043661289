#include "media/amd/machine_detector.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace sb::media {

namespace {

// A speech start is confirmed by kOnsetActive active frames among the first kOnsetFrames.
constexpr std::uint32_t kOnsetFrames = 5;
constexpr std::uint32_t kOnsetActive = 3;
// A frame holds a tone when two neighbouring 50 Hz bins carry this share of its energy (a pure tone
// between two bins still puts about 80 % there; speech spreads over many harmonics).
constexpr double kToneShare = 0.7;
// Consecutive tone frames belong to one tone when their frequencies stay this close.
constexpr float kToneSteadiness = 50.0f;
constexpr float kBinHz = 8000.0f / MachineDetector::kFrameSamples;

bool near(float frequency, float target, float tolerance) { return std::abs(frequency - target) <= tolerance; }

}  // namespace

MachineDetector::MachineDetector(const MachineDetectionRequest& request) noexcept : request_(request.clamped()) {
  for (std::size_t i = 0; i < kBins; ++i) {
    const double w = 2 * std::numbers::pi * static_cast<double>(kFirstBin + i) / static_cast<double>(kFrameSamples);
    coefficients_[i] = static_cast<float>(2 * std::cos(w));
  }
}

MachineDetector::Decisions MachineDetector::on_audio(std::span<const std::int16_t> samples) noexcept {
  Decisions out;
  while (!samples.empty() && phase_ != Phase::done) {
    const std::size_t take = std::min(samples.size(), kFrameSamples - partial_size_);
    std::copy_n(samples.begin(), take, partial_.begin() + static_cast<std::ptrdiff_t>(partial_size_));
    partial_size_ += take;
    samples = samples.subspan(take);
    if (partial_size_ == kFrameSamples) {
      partial_size_ = 0;
      analyse(partial_, out);
    }
  }
  return out;
}

MachineDetector::Decisions MachineDetector::on_silence(std::chrono::milliseconds duration) noexcept {
  static constexpr std::array<std::int16_t, kFrameSamples> kSilence{};
  Decisions out;
  for (auto frames = duration / kFrameDuration; frames > 0 && phase_ != Phase::done; --frames) analyse(kSilence, out);
  return out;
}

float MachineDetector::tone_frequency(std::span<const std::int16_t, kFrameSamples> frame, double energy) const noexcept {
  // Goertzel over the frame for each bin; the best pair of neighbouring bins.
  std::array<float, kBins> power;
  for (std::size_t i = 0; i < kBins; ++i) {
    const float c = coefficients_[i];
    float s1 = 0, s2 = 0;
    for (const std::int16_t x : frame) {
      const float s = static_cast<float>(x) + c * s1 - s2;
      s2 = s1;
      s1 = s;
    }
    power[i] = s1 * s1 + s2 * s2 - c * s1 * s2;
  }
  std::size_t best = 0;
  float best_pair = -1;
  for (std::size_t i = 0; i + 1 < kBins; ++i) {
    if (power[i] + power[i + 1] > best_pair) {
      best_pair = power[i] + power[i + 1];
      best = i;
    }
  }
  // A sine of amplitude A on a bin gives power (A N / 2)^2 and energy (mean square) A^2 / 2.
  const double share = 2.0 * best_pair / (static_cast<double>(kFrameSamples) * kFrameSamples * energy);
  if (share < kToneShare) return 0;
  const float upper = power[best + 1] / best_pair;
  return kBinHz * (static_cast<float>(kFirstBin + best) + upper);
}

void MachineDetector::decide(AnsweredBy answered_by, bool is_final, Decisions& out) noexcept {
  if (out.count < out.items.size()) out.items[out.count++] = {answered_by, elapsed(), is_final};
  if (is_final) phase_ = Phase::done;
}

void MachineDetector::analyse(std::span<const std::int16_t, kFrameSamples> frame, Decisions& out) noexcept {
  const double energy = FrameActivity::energy(frame);
  const bool is_active = activity_.classify(energy);

  const float tone = is_active ? tone_frequency(frame, energy) : 0.0f;
  if (tone > 0 && tone_frames_ > 0 && near(tone, tone_hz_, kToneSteadiness)) {
    ++tone_frames_;
  } else {
    tone_hz_ = tone;
    tone_frames_ = tone > 0 ? 1 : 0;
  }

  const std::uint64_t frame_index = frames_++;  // elapsed() now ends with this frame
  const auto silent_for = frames_to_duration(frames_ - last_active_end_);

  switch (phase_) {
    case Phase::waiting_for_speech:
    case Phase::in_speech:
      if (tone_frames_ >= kFaxToneFrames && (near(tone_hz_, 1100, 50) || near(tone_hz_, 2100, 50))) {
        decide(AnsweredBy::fax, true, out);
        return;
      }
      if (phase_ == Phase::waiting_for_speech) {
        if (onset_frames_ > 0 || is_active) {
          if (onset_frames_ == 0) onset_start_ = frame_index;
          ++onset_frames_;
          if (is_active) ++onset_active_;
          if (onset_active_ >= kOnsetActive) {
            phase_ = Phase::in_speech;
            speech_start_ = onset_start_;
            last_active_end_ = frames_;
          } else if (onset_frames_ >= kOnsetFrames) {
            onset_frames_ = onset_active_ = 0;
          }
        }
        if (phase_ == Phase::waiting_for_speech && elapsed() >= request_.silence_timeout) {
          decide(AnsweredBy::unknown, true, out);
          return;
        }
      } else if (is_active) {
        last_active_end_ = frames_;
        if (frames_to_duration(last_active_end_ - speech_start_) >= request_.speech_threshold) {
          const bool waits_for_end = request_.mode == MachineDetectionMode::detect_message_end;
          decide(AnsweredBy::machine_start, !waits_for_end, out);
          if (waits_for_end) phase_ = Phase::waiting_for_message_end;
          return;
        }
      } else if (silent_for >= request_.speech_end_threshold) {
        decide(AnsweredBy::human, true, out);
        return;
      }
      if (elapsed() >= request_.timeout) decide(AnsweredBy::unknown, true, out);
      return;

    case Phase::waiting_for_message_end:
      if (tone_frames_ >= kBeepFrames && tone_hz_ >= 375 && tone_hz_ <= 2025) {
        decide(AnsweredBy::machine_end_beep, true, out);
        return;
      }
      if (is_active) {
        last_active_end_ = frames_;
      } else if (silent_for >= request_.speech_end_threshold) {
        decide(AnsweredBy::machine_end_silence, true, out);
        return;
      }
      if (elapsed() >= request_.timeout) decide(AnsweredBy::machine_end_other, true, out);
      return;

    case Phase::done:
      return;
  }
}

}  // namespace sb::media
