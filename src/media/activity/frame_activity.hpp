#pragma once
// Whether a 20 ms frame holds sound (speech or a tone) rather than background noise, by its
// energy against a noise floor tracked by minimum statistics: the lowest frame energy of each
// 200 ms block, over the last 8 blocks (1.6 s). A frame is active 9 dB above that floor and above
// an absolute minimum (RMS 100, about -48 dBm0). Shared by the recorder's silence detection and
// answering machine detection.

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

namespace sb::media {

class FrameActivity {
 public:
  // Mean square of the samples (0 for none).
  static double energy(std::span<const std::int16_t> samples) noexcept;

  // Whether a frame of this energy is active; the frame then joins the floor statistics.
  bool classify(double energy) noexcept;
  // The current noise floor (mean square), never below a small minimum.
  double noise_floor() const noexcept;

 private:
  static constexpr std::size_t kBlocks = 8;
  static constexpr std::size_t kBlockFrames = 10;

  std::array<double, kBlocks> block_minimum_{};
  std::size_t blocks_seen_ = 0;
  double current_block_minimum_ = std::numeric_limits<double>::infinity();
  std::size_t current_block_frames_ = 0;
};

}  // namespace sb::media
