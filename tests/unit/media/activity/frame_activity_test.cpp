#include "media/activity/frame_activity.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>

namespace sb::media {
namespace {

// A 20 ms frame (160 samples at 8 kHz) of a 400 Hz sine of this amplitude.
std::array<std::int16_t, 160> tone(double amplitude) {
  std::array<std::int16_t, 160> frame{};
  for (std::size_t i = 0; i < frame.size(); ++i) {
    frame[i] = static_cast<std::int16_t>(amplitude * std::sin(2 * std::numbers::pi * 400.0 * static_cast<double>(i) / 8000.0));
  }
  return frame;
}

TEST(FrameActivity, EnergyIsTheMeanSquare) {
  EXPECT_EQ(FrameActivity::energy({}), 0.0);
  const std::array<std::int16_t, 4> samples{3, -3, 4, -4};
  EXPECT_DOUBLE_EQ(FrameActivity::energy(samples), (9 + 9 + 16 + 16) / 4.0);
  EXPECT_NEAR(FrameActivity::energy(tone(1000)), 1000.0 * 1000.0 / 2, 1000.0);  // A^2 / 2
}

TEST(FrameActivity, SpeechLevelIsActiveOverQuietNoiseAndQuietIsNot) {
  FrameActivity activity;
  EXPECT_FALSE(activity.classify(FrameActivity::energy(tone(50))));  // under the absolute minimum
  EXPECT_TRUE(activity.classify(FrameActivity::energy(tone(3000))));
}

TEST(FrameActivity, ASteadyLoudBackgroundIsTheFloorNotSound) {
  FrameActivity activity;
  const double hum = FrameActivity::energy(tone(2000));
  int active = 0;
  // The running block's minimum counts at once: a hum from the first frame on is never sound.
  for (int i = 0; i < 20; ++i) active += activity.classify(hum) ? 1 : 0;  // 400 ms of it
  EXPECT_EQ(active, 0);
  EXPECT_NEAR(activity.noise_floor(), hum, 1.0);
  EXPECT_FALSE(activity.classify(hum));
  // Three times louder (under 9 dB) is still background; ten times (10 dB) is active.
  EXPECT_FALSE(activity.classify(hum * 3));
  EXPECT_TRUE(activity.classify(hum * 10));
}

TEST(FrameActivity, TheFloorForgetsALoudBackgroundAfterEightBlocks) {
  FrameActivity activity;
  const double hum = FrameActivity::energy(tone(2000));
  for (int i = 0; i < 10; ++i) activity.classify(hum);  // one block of hum
  const double quiet = FrameActivity::energy(tone(10));
  for (int i = 0; i < 80; ++i) activity.classify(quiet);  // 1.6 s of near silence
  EXPECT_LT(activity.noise_floor(), hum / 100);
  EXPECT_TRUE(activity.classify(hum));  // the hum is sound again against the quiet floor
}

}  // namespace
}  // namespace sb::media
