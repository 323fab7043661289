#pragma once
// Produces a session's outgoing audio, one 20 ms frame (160 samples at 8 kHz) per tick, from a
// silence, a tone cadence or a prepared PCM buffer (file or speech), looped. Owned by one session
// on its media thread; next_frame() is noexcept and does not allocate.

#include "media/player/play_request.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace sb::media {

inline constexpr std::size_t kFrameSamples = 160;  // 20 ms at 8 kHz
inline constexpr std::uint32_t kSampleRate = 8000;

using PcmBuffer = std::shared_ptr<const std::vector<std::int16_t>>;  // 8 kHz mono, shared read-only

class Player {
 public:
  static Player silence(const Silence& silence, std::uint32_t loop) noexcept;
  static Player tone(const Tone& tone, std::uint32_t loop) noexcept;
  static Player pcm(PcmBuffer samples, std::uint32_t loop) noexcept;

  // Writes the next frame; the frame that runs past the end is padded with silence. False (and
  // `out` untouched) once everything was played.
  bool next_frame(std::span<std::int16_t, kFrameSamples> out) noexcept;
  bool is_finished() const noexcept { return is_finished_; }
  // Samples per loop.
  std::size_t length() const noexcept { return length_; }

 private:
  enum class Kind : std::uint8_t { silence, tone, pcm };
  Player(Kind kind, std::size_t length, std::uint32_t loop) noexcept
      : kind_(kind), length_(length), loop_(loop), is_finished_(length == 0) {}
  std::int16_t sample_at(std::size_t position) const noexcept;

  Kind kind_;
  std::size_t length_;      // samples per loop
  std::uint32_t loop_;      // 0 = forever
  std::uint32_t played_loops_ = 0;
  std::size_t position_ = 0;
  bool is_finished_;
  Tone tone_{};
  double amplitude1_ = 0, amplitude2_ = 0;
  std::size_t on_samples_ = 0, cycle_samples_ = 0;
  PcmBuffer pcm_;
};

}  // namespace sb::media
