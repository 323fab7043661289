#include "media/recorder/track_recorder.hpp"

#include "test_audio.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace sb::media {
namespace {

using namespace std::chrono_literals;

class TrackRecorderTrimTest : public ::testing::Test {
 protected:
  std::unique_ptr<TrackRecorder> open(RecordTrack track, bool trim, std::optional<std::chrono::milliseconds> timeout = {}) {
    RecordRequest request;
    request.path = path_.string();
    request.track = track;
    request.trim_silence = trim;
    request.silence_timeout = timeout;
    auto recorder = TrackRecorder::open(request);
    EXPECT_TRUE(recorder.has_value());
    return recorder ? std::move(*recorder) : nullptr;
  }
  void TearDown() override { std::filesystem::remove(path_); }

  std::filesystem::path path_ = std::filesystem::temp_directory_path() /
                                ("sb_tracktrim_" + std::to_string(::getpid()) + "_" +
                                 ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".wav");
};

// Places `part` at `at` ms in a buffer of `total` ms of silence.
std::vector<std::int16_t> placed(std::chrono::milliseconds total, std::chrono::milliseconds at, const std::vector<std::int16_t>& part) {
  auto out = test::silence(total);
  std::copy(part.begin(), part.end(), out.begin() + at.count() * 8);
  return out;
}

TEST_F(TrackRecorderTrimTest, DualTrimsBothChannelsByTheSameAmountOnTheirCombinedSound) {
  auto recorder = open(RecordTrack::dual, true);
  ASSERT_TRUE(recorder);
  // The caller speaks from 1.0 s to 2.5 s, the callee answers with a tone from 2.0 s to 3.2 s.
  const auto received = placed(5000ms, 1000ms, test::speech_like(1500ms, 12));
  const auto sent = placed(5000ms, 2000ms, test::sine(440, 9600));
  for (std::size_t i = 0; i < received.size(); i += 160) {
    recorder->on_received({received.data() + i, 160});
    recorder->on_sent({sent.data() + i, 160});
    recorder->on_tick();
  }
  recorder->finish();
  auto wav = test::read_wav(path_.string());
  ASSERT_TRUE(wav);
  ASSERT_EQ(wav->channels, 2);
  ASSERT_EQ(wav->frames(), recorder->samples());
  // From 200 ms before the caller's first sound to 200 ms after the callee's tone (3.2 s).
  std::size_t first = 0;
  while (std::abs(received[first]) <= 200) ++first;
  const double expected_ms = (25600.0 - static_cast<double>(first)) / 8 + 400;
  EXPECT_NEAR(static_cast<double>(wav->frames()) / 8, expected_ms, 60);
  // Both channels start at the same sample of the recording, and all sound is kept.
  std::size_t first_kept = 0;
  while (first_kept < wav->frames() && std::abs(wav->channel[0][first_kept]) <= 200) ++first_kept;
  ASSERT_LE(first_kept, first);
  const std::size_t offset = first - first_kept;
  ASSERT_LE(offset + wav->frames(), received.size());
  EXPECT_TRUE(std::equal(wav->channel[0].begin(), wav->channel[0].end(), received.begin() + static_cast<std::ptrdiff_t>(offset)));
  EXPECT_TRUE(std::equal(wav->channel[1].begin(), wav->channel[1].end(), sent.begin() + static_cast<std::ptrdiff_t>(offset)));
  EXPECT_LE(offset + 1200, first);
  EXPECT_GE(offset + wav->frames(), 25600u + 1200);
}

TEST_F(TrackRecorderTrimTest, WithoutTrimEverythingIsKept) {
  auto recorder = open(RecordTrack::both, false);
  ASSERT_TRUE(recorder);
  const auto received = placed(3000ms, 1000ms, test::speech_like(1000ms, 13));
  for (std::size_t i = 0; i < received.size(); i += 160) {
    recorder->on_received({received.data() + i, 160});
    recorder->on_tick();
  }
  EXPECT_EQ(recorder->finish(), 3000ms);
  EXPECT_EQ(recorder->samples(), 24000u);
  EXPECT_TRUE(recorder->has_speech());
}

TEST_F(TrackRecorderTrimTest, SilenceTimeoutOnTheOutboundTrack) {
  auto recorder = open(RecordTrack::outbound, false, 1000ms);
  ASSERT_TRUE(recorder);
  const auto sent = placed(4000ms, 500ms, test::speech_like(1000ms, 14));
  std::size_t stopped = 0;
  for (std::size_t i = 0; i < sent.size() && stopped == 0; i += 160) {
    recorder->on_sent({sent.data() + i, 160});
    recorder->on_tick();
    if (recorder->is_silence_timed_out()) stopped = i + 160;
  }
  std::size_t end = sent.size();
  while (std::abs(sent[end - 1]) <= 200) --end;
  EXPECT_NEAR(static_cast<double>(stopped) / 8, static_cast<double>(end) / 8 + 1000, 100);
}

}  // namespace
}  // namespace sb::media
