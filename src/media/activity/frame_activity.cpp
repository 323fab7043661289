#include "media/activity/frame_activity.hpp"

#include <algorithm>

namespace sb::media {
namespace {

// Active: this far above the floor ...
constexpr double kActiveOverFloor = 8.0;  // 9 dB
// ... and above this absolute level: mean square of an RMS of 100 (about -48 dBm0 in G.711), well
// under quiet speech and above the idle noise of a digital line.
constexpr double kActiveMinimum = 100.0 * 100.0;
// The floor never falls below this (digital silence would make any noise look active).
constexpr double kFloorMinimum = 4.0 * 4.0;

}  // namespace

double FrameActivity::energy(std::span<const std::int16_t> samples) noexcept {
  if (samples.empty()) return 0;
  double sum = 0;
  for (const std::int16_t x : samples) sum += static_cast<double>(x) * x;
  return sum / static_cast<double>(samples.size());
}

bool FrameActivity::classify(double energy) noexcept {
  const bool is_active = energy > kActiveMinimum && energy > noise_floor() * kActiveOverFloor;
  current_block_minimum_ = std::min(current_block_minimum_, energy);
  if (++current_block_frames_ == kBlockFrames) {
    block_minimum_[blocks_seen_ % kBlocks] = current_block_minimum_;
    ++blocks_seen_;
    current_block_minimum_ = std::numeric_limits<double>::infinity();
    current_block_frames_ = 0;
  }
  return is_active;
}

double FrameActivity::noise_floor() const noexcept {
  double floor = current_block_minimum_;
  for (std::size_t i = 0; i < std::min(blocks_seen_, kBlocks); ++i) floor = std::min(floor, block_minimum_[i]);
  return std::max(floor, kFloorMinimum);
}

}  // namespace sb::media
