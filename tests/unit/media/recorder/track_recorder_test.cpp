#include "media/recorder/track_recorder.hpp"

#include "test_audio.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace sb::media {
namespace {

using namespace std::chrono_literals;

std::vector<std::int16_t> frame(std::int16_t value) { return std::vector<std::int16_t>(160, value); }

class TrackRecorderTest : public ::testing::Test {
 protected:
  std::unique_ptr<TrackRecorder> open(RecordTrack track, std::optional<std::chrono::milliseconds> max = std::nullopt) {
    auto recorder = TrackRecorder::open(path_.string(), track, max);
    EXPECT_TRUE(recorder.has_value());
    return recorder ? std::move(*recorder) : nullptr;
  }
  void TearDown() override { std::filesystem::remove(path_); }

  std::filesystem::path path_ = std::filesystem::temp_directory_path() /
                                ("sb_track_" + std::to_string(::getpid()) + "_" +
                                 ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".wav");
};

TEST_F(TrackRecorderTest, DualWritesReceivedOnChannelOneAndSentOnChannelTwo) {
  auto recorder = open(RecordTrack::dual);
  ASSERT_TRUE(recorder);
  EXPECT_EQ(recorder->channels(), 2);
  for (int tick = 0; tick < 10; ++tick) {
    recorder->on_received(frame(1000));
    recorder->on_sent(frame(-2000));
    recorder->on_tick();
  }
  recorder->on_tick();  // nothing arrived or was sent: silence on both
  EXPECT_EQ(recorder->finish(), 220ms);
  EXPECT_EQ(recorder->samples(), 1760u);
  auto wav = test::read_wav(path_.string());
  ASSERT_TRUE(wav);
  EXPECT_EQ(wav->channels, 2);
  EXPECT_EQ(wav->sample_rate, 8000);
  ASSERT_EQ(wav->frames(), 1760u);
  EXPECT_EQ(wav->channel[0][0], 1000);
  EXPECT_EQ(wav->channel[1][0], -2000);
  EXPECT_EQ(wav->channel[0][1599], 1000);
  EXPECT_EQ(wav->channel[1][1599], -2000);
  EXPECT_EQ(wav->channel[0][1600], 0);
  EXPECT_EQ(wav->channel[1][1759], 0);
}

TEST_F(TrackRecorderTest, BothMixesWithSaturation) {
  auto recorder = open(RecordTrack::both);
  ASSERT_TRUE(recorder);
  EXPECT_EQ(recorder->channels(), 1);
  recorder->on_received(frame(30000));
  recorder->on_sent(frame(30000));
  recorder->on_tick();
  recorder->on_received(frame(-30000));
  recorder->on_sent(frame(-30000));
  recorder->on_tick();
  recorder->on_received(frame(1200));
  recorder->on_sent(frame(-200));
  recorder->on_tick();
  recorder->finish();
  auto wav = test::read_wav(path_.string());
  ASSERT_TRUE(wav);
  ASSERT_EQ(wav->frames(), 480u);
  EXPECT_EQ(wav->channel[0][0], 32767);
  EXPECT_EQ(wav->channel[0][160], -32768);
  EXPECT_EQ(wav->channel[0][320], 1000);
}

TEST_F(TrackRecorderTest, OutboundIgnoresWhatIsReceived) {
  auto recorder = open(RecordTrack::outbound);
  ASSERT_TRUE(recorder);
  recorder->on_received(frame(5000));
  recorder->on_tick();
  recorder->on_sent(frame(700));
  recorder->on_tick();
  recorder->finish();
  auto wav = test::read_wav(path_.string());
  ASSERT_TRUE(wav);
  ASSERT_EQ(wav->frames(), 320u);
  EXPECT_EQ(wav->channel[0][0], 0);
  EXPECT_EQ(wav->channel[0][160], 700);
}

TEST_F(TrackRecorderTest, ABurstShiftsItsChannelByAtMostTwoFrames) {
  auto recorder = open(RecordTrack::dual);
  ASSERT_TRUE(recorder);
  // Ten frames of received audio arrive at once (values 1..10), then one per tick (11..): what
  // exceeds the bound is dropped (the oldest), so channel 1 lags by two frames at most.
  for (std::int16_t v = 1; v <= 10; ++v) recorder->on_received(frame(v));
  for (std::int16_t tick = 0; tick < 5; ++tick) {
    recorder->on_sent(frame(static_cast<std::int16_t>(100 + tick)));
    recorder->on_tick();
    recorder->on_received(frame(static_cast<std::int16_t>(11 + tick)));
  }
  recorder->finish();
  auto wav = test::read_wav(path_.string());
  ASSERT_TRUE(wav);
  ASSERT_EQ(wav->frames(), 800u);
  for (std::size_t tick = 0; tick < 5; ++tick) {
    EXPECT_EQ(wav->channel[0][tick * 160], static_cast<std::int16_t>(8 + tick)) << tick;
    EXPECT_EQ(wav->channel[1][tick * 160], static_cast<std::int16_t>(100 + tick)) << tick;
  }
}

TEST_F(TrackRecorderTest, ALastingBacklogIsDroppedAfterASecond) {
  auto recorder = open(RecordTrack::dual);
  ASSERT_TRUE(recorder);
  // Two frames too many, then one frame per tick: the lag they cause goes after one window.
  recorder->on_received(frame(-1));
  recorder->on_received(frame(-2));
  for (std::int16_t tick = 0; tick < 80; ++tick) {
    recorder->on_received(frame(tick));
    recorder->on_tick();
  }
  recorder->finish();
  auto wav = test::read_wav(path_.string());
  ASSERT_TRUE(wav);
  ASSERT_EQ(wav->frames(), 80u * 160);
  EXPECT_EQ(wav->channel[0][10 * 160], 8);   // two frames late
  EXPECT_EQ(wav->channel[0][79 * 160], 79);  // caught up
}

TEST_F(TrackRecorderTest, StopsAtMaxDuration) {
  auto recorder = open(RecordTrack::dual, 50ms);
  ASSERT_TRUE(recorder);
  for (int tick = 0; tick < 5; ++tick) {
    recorder->on_sent(frame(1));
    recorder->on_tick();
  }
  EXPECT_TRUE(recorder->is_full());
  EXPECT_EQ(recorder->finish(), 50ms);
  EXPECT_EQ(recorder->samples(), 400u);
  auto wav = test::read_wav(path_.string());
  ASSERT_TRUE(wav);
  EXPECT_EQ(wav->frames(), 400u);
}

TEST_F(TrackRecorderTest, RefusesTheInboundTrackAndMissingDirectories) {
  EXPECT_FALSE(TrackRecorder::open(path_.string(), RecordTrack::inbound, std::nullopt));
  EXPECT_FALSE(TrackRecorder::open("/nonexistent-dir/x.wav", RecordTrack::dual, std::nullopt));
}

}  // namespace
}  // namespace sb::media
