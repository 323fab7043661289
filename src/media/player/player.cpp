#include "media/player/player.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

namespace sb::media {

namespace {
// A 0 dBm0 sine's peak in 16-bit left-justified G.711 terms: full scale is +3.17 dBm0 (G.711
// table 5 / G.168's digital milliwatt).
constexpr double kZeroDbm0Peak = 32767.0 * 0.694;

std::size_t samples_of(std::chrono::milliseconds t) noexcept {
  return t.count() <= 0 ? 0 : static_cast<std::size_t>(t.count()) * kSampleRate / 1000;
}
}  // namespace

Player Player::silence(const Silence& silence, std::uint32_t loop) noexcept {
  return Player(Kind::silence, samples_of(silence.duration), loop);
}

Player Player::tone(const Tone& tone, std::uint32_t loop) noexcept {
  Player player(Kind::tone, samples_of(tone.duration), loop);
  player.tone_ = tone;
  const double amplitude = kZeroDbm0Peak * std::pow(10.0, tone.level_dbm0 / 20.0);
  player.amplitude1_ = tone.frequency1 > 0 ? amplitude : 0;
  player.amplitude2_ = tone.frequency2 > 0 ? amplitude : 0;
  player.on_samples_ = samples_of(tone.on);
  player.cycle_samples_ = player.on_samples_ + samples_of(tone.off);
  if (tone.off.count() <= 0 || player.cycle_samples_ == 0) player.on_samples_ = player.cycle_samples_ = 0;
  return player;
}

Player Player::pcm(PcmBuffer samples, std::uint32_t loop) noexcept {
  const std::size_t length = samples ? samples->size() : 0;
  Player player(Kind::pcm, length, loop);
  player.pcm_ = std::move(samples);
  return player;
}

std::int16_t Player::sample_at(std::size_t position) const noexcept {
  switch (kind_) {
    case Kind::silence:
      return 0;
    case Kind::pcm:
      return (*pcm_)[position];
    case Kind::tone: {
      if (cycle_samples_ != 0 && position % cycle_samples_ >= on_samples_) return 0;
      const double t = static_cast<double>(position) / kSampleRate;
      const double value = amplitude1_ * std::sin(2 * std::numbers::pi * tone_.frequency1 * t) +
                           amplitude2_ * std::sin(2 * std::numbers::pi * tone_.frequency2 * t);
      return static_cast<std::int16_t>(std::lround(std::clamp(value, -32768.0, 32767.0)));
    }
  }
  return 0;
}

bool Player::next_frame(std::span<std::int16_t, kFrameSamples> out) noexcept {
  if (is_finished_) return false;
  std::size_t i = 0;
  for (; i < out.size(); ++i) {
    if (position_ == length_) {
      position_ = 0;
      ++played_loops_;
      if (loop_ != 0 && played_loops_ >= loop_) {
        is_finished_ = true;
        break;
      }
    }
    out[i] = sample_at(position_++);
  }
  for (; i < out.size(); ++i) out[i] = 0;
  // A frame that ended exactly on the last sample finishes now rather than on an empty frame.
  if (!is_finished_ && position_ == length_ && loop_ != 0 && played_loops_ + 1 >= loop_) is_finished_ = true;
  return true;
}

}  // namespace sb::media
