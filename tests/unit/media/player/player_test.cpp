#include "media/player/player.hpp"

#include "media/player/audio_file.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace sb::media {
namespace {

using namespace std::chrono_literals;

int count_frames(Player& player) {
  std::array<std::int16_t, kFrameSamples> frame;
  int frames = 0;
  while (player.next_frame(frame) && frames < 100000) ++frames;
  return frames;
}

TEST(Player, SilenceLastsItsDurationTimesLoops) {
  auto player = Player::silence({100ms}, 3);
  EXPECT_EQ(count_frames(player), 15);
  EXPECT_TRUE(player.is_finished());
}

TEST(Player, PadsTheLastPartialFrame) {
  auto samples = std::make_shared<const std::vector<std::int16_t>>(200, std::int16_t{500});
  auto player = Player::pcm(samples, 1);
  std::array<std::int16_t, kFrameSamples> frame;
  ASSERT_TRUE(player.next_frame(frame));
  EXPECT_FALSE(player.is_finished());
  ASSERT_TRUE(player.next_frame(frame));
  EXPECT_EQ(frame[39], 500);
  EXPECT_EQ(frame[40], 0);
  EXPECT_TRUE(player.is_finished());
  EXPECT_FALSE(player.next_frame(frame));
}

TEST(Player, LoopZeroPlaysUntilStopped) {
  auto player = Player::tone(Tone::beep(), 0);
  std::array<std::int16_t, kFrameSamples> frame;
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(player.next_frame(frame));
  EXPECT_FALSE(player.is_finished());
}

TEST(Player, RingbackFollowsItsCadence) {
  auto player = Player::tone(Tone::ringback_us(), 1);
  std::array<std::int16_t, kFrameSamples> frame;
  int loud = 0, quiet = 0;
  while (player.next_frame(frame)) {
    int peak = 0;
    for (auto s : frame) peak = std::max(peak, std::abs(static_cast<int>(s)));
    (peak > 1000 ? loud : quiet)++;
  }
  EXPECT_EQ(loud, 100);   // 2 s on
  EXPECT_EQ(quiet, 200);  // 4 s off
}

TEST(Player, EmptySourceFinishesAtOnce) {
  auto player = Player::pcm(std::make_shared<const std::vector<std::int16_t>>(), 1);
  EXPECT_TRUE(player.is_finished());
  EXPECT_EQ(count_frames(player), 0);
}

TEST(AudioFile, ResamplesToEightKilohertz) {
  std::vector<float> input(44100 / 2);  // 0.5 s of 1 kHz at 44.1 kHz
  for (std::size_t i = 0; i < input.size(); ++i)
    input[i] = 0.5f * static_cast<float>(std::sin(2 * std::numbers::pi * 1000 * static_cast<double>(i) / 44100));
  auto out = resample_to_8k(input, 44100);
  ASSERT_TRUE(out);
  EXPECT_NEAR(static_cast<double>(out->size()), 4000.0, 2.0);
  int crossings = 0;
  for (std::size_t i = 1; i < out->size(); ++i)
    if (((*out)[i - 1] < 0) != ((*out)[i] < 0)) ++crossings;
  EXPECT_NEAR(crossings, 1000, 5);  // 1 kHz for 0.5 s
}

TEST(AudioFile, RejectsMissingAndUndecodableFiles) {
  EXPECT_EQ(load_audio_file("/nonexistent.wav").error(), std::errc::no_such_file_or_directory);
  EXPECT_EQ(load_audio_file("/etc/hostname").error(), std::errc::illegal_byte_sequence);
  EXPECT_EQ(resample_to_8k({}, 0).error(), std::errc::invalid_argument);
}

}  // namespace
}  // namespace sb::media
