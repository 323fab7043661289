#include "media/recorder/wav_recorder.hpp"

#include "test_audio.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace sb::media {
namespace {

using namespace std::chrono_literals;

// The sample after the last one a listener would call sound.
std::size_t sound_end(const std::vector<std::int16_t>& pcm) {
  for (std::size_t i = pcm.size(); i > 0; --i)
    if (std::abs(pcm[i - 1]) > 200) return i;
  return 0;
}
std::size_t sound_begin(const std::vector<std::int16_t>& pcm) {
  for (std::size_t i = 0; i < pcm.size(); ++i)
    if (std::abs(pcm[i]) > 200) return i;
  return pcm.size();
}

std::vector<std::int16_t> concat(std::initializer_list<std::vector<std::int16_t>> parts) {
  std::vector<std::int16_t> out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

class WavRecorderSilenceTest : public ::testing::Test {
 protected:
  std::unique_ptr<WavRecorder> open(std::optional<std::chrono::milliseconds> timeout, bool trim = false) {
    RecordRequest request;
    request.path = path_.string();
    request.silence_timeout = timeout;
    request.trim_silence = trim;
    auto recorder = WavRecorder::open(request);
    EXPECT_TRUE(recorder.has_value());
    return recorder ? std::move(*recorder) : nullptr;
  }
  // Feeds `pcm` in 20 ms packets; returns the sample at which the silence timeout expired, if it did.
  std::optional<std::size_t> feed(WavRecorder& recorder, const std::vector<std::int16_t>& pcm) {
    for (std::size_t i = 0; i + 160 <= pcm.size(); i += 160) {
      recorder.on_audio(timestamp_, {pcm.data() + i, 160});
      timestamp_ += 160;
      if (recorder.is_silence_timed_out()) return i + 160;
    }
    return std::nullopt;
  }
  void TearDown() override { std::filesystem::remove(path_); }

  std::uint32_t timestamp_ = 1000;
  std::filesystem::path path_ = std::filesystem::temp_directory_path() /
                                ("sb_wavsil_" + std::to_string(::getpid()) + "_" +
                                 ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".wav");
};

TEST_F(WavRecorderSilenceTest, EndsTimeoutAfterTheLastSpeech) {
  auto recorder = open(2000ms);
  ASSERT_TRUE(recorder);
  const auto speech = test::speech_like(3000ms, 3);
  const auto pcm = concat({speech, test::silence(5000ms)});
  const auto stopped = feed(*recorder, pcm);
  ASSERT_TRUE(stopped);
  const double expected_ms = static_cast<double>(sound_end(speech)) / 8 + 2000;
  EXPECT_NEAR(static_cast<double>(*stopped) / 8, expected_ms, 100);
  EXPECT_TRUE(recorder->has_speech());
}

TEST_F(WavRecorderSilenceTest, ShortPausesDoNotEndIt) {
  auto recorder = open(2000ms);
  ASSERT_TRUE(recorder);
  const auto second = test::speech_like(1500ms, 5);
  const auto first = concat({test::speech_like(1500ms, 4), test::silence(1500ms)});
  const auto pcm = concat({first, second, test::silence(4000ms)});
  const auto stopped = feed(*recorder, pcm);
  ASSERT_TRUE(stopped);
  EXPECT_GT(*stopped, first.size() + 160);
  const double expected_ms = static_cast<double>(first.size() + sound_end(second)) / 8 + 2000;
  EXPECT_NEAR(static_cast<double>(*stopped) / 8, expected_ms, 100);
}

TEST_F(WavRecorderSilenceTest, SteadyLineNoiseIsSilence) {
  auto recorder = open(2000ms);
  ASSERT_TRUE(recorder);
  const auto speech = test::speech_like(2000ms, 6);
  // -38 dBm0 of noise under everything: a noisy line, above the absolute threshold.
  auto pcm = concat({test::silence(1000ms), speech, test::silence(6000ms)});
  const auto noise = test::noise(9000ms, 300);
  for (std::size_t i = 0; i < pcm.size(); ++i)
    pcm[i] = static_cast<std::int16_t>(std::clamp(int{pcm[i]} + int{noise[i]}, -32768, 32767));
  const std::size_t speech_end = 8000 + sound_end(speech);
  const auto stopped = feed(*recorder, pcm);
  ASSERT_TRUE(stopped);
  EXPECT_NEAR(static_cast<double>(*stopped) / 8, static_cast<double>(speech_end) / 8 + 2000, 100);
}

TEST_F(WavRecorderSilenceTest, NobodySpeaksEndsTimeoutAfterTheStart) {
  auto recorder = open(3000ms);
  ASSERT_TRUE(recorder);
  const auto stopped = feed(*recorder, test::noise(6000ms, 20));
  ASSERT_TRUE(stopped);
  EXPECT_NEAR(static_cast<double>(*stopped) / 8, 3000, 100);
  EXPECT_FALSE(recorder->has_speech());
}

TEST_F(WavRecorderSilenceTest, NoTimeoutWhenZeroOrNone) {
  for (const auto timeout : {std::optional<std::chrono::milliseconds>{}, std::optional{0ms}}) {
    auto recorder = open(timeout);
    ASSERT_TRUE(recorder);
    EXPECT_FALSE(feed(*recorder, concat({test::speech_like(1000ms), test::silence(8000ms)})));
    recorder->finish();
  }
}

TEST_F(WavRecorderSilenceTest, MissingAudioCountsOnceWhenTheGapIsFilled) {
  auto recorder = open(2000ms);
  ASSERT_TRUE(recorder);
  const auto speech = test::speech_like(1000ms, 8);
  ASSERT_FALSE(feed(*recorder, speech));
  const auto before = static_cast<double>(speech.size() - sound_end(speech)) / 8;
  // The peer stops sending for a second: the tick reports it.
  recorder->on_missing_audio(100ms);
  for (int i = 0; i < 45; ++i) recorder->on_missing_audio(20ms);
  EXPECT_FALSE(recorder->is_silence_timed_out());
  // It resumes one second later: the gap is written as silence, not counted again.
  timestamp_ += 8000;
  const auto stopped = feed(*recorder, test::silence(3000ms));
  ASSERT_TRUE(stopped);
  EXPECT_NEAR(static_cast<double>(*stopped) / 8, 2000 - 1000 - before, 100);
}

// ---- trim ----

TEST_F(WavRecorderSilenceTest, TrimKeepsSpeechAndAMarginOfSilence) {
  auto recorder = open(std::nullopt, true);
  ASSERT_TRUE(recorder);
  const auto speech = test::speech_like(2000ms, 9);
  const auto pcm = concat({test::noise(1500ms, 30), speech, test::noise(2500ms, 30, 2)});
  ASSERT_FALSE(feed(*recorder, pcm));
  const auto duration = recorder->finish();
  const std::size_t begin = 12000 + sound_begin(speech);
  const std::size_t end = 12000 + sound_end(speech);
  auto wav = test::read_wav(path_.string());
  ASSERT_TRUE(wav);
  ASSERT_EQ(wav->frames(), recorder->samples());
  EXPECT_EQ(duration, std::chrono::milliseconds(recorder->samples() / 8));
  // About 200 ms either side of the speech (20 ms frames, and the speech's soft edges).
  EXPECT_NEAR(static_cast<double>(wav->frames()) / 8, static_cast<double>(end - begin) / 8 + 400, 60);
  // The file is a contiguous piece of what was recorded that holds all of the speech.
  const auto& kept = wav->channel[0];
  auto at = std::search(pcm.begin(), pcm.end(), kept.begin(), kept.begin() + 400);
  ASSERT_NE(at, pcm.end());
  const auto offset = static_cast<std::size_t>(at - pcm.begin());
  EXPECT_TRUE(std::equal(kept.begin(), kept.end(), pcm.begin() + static_cast<std::ptrdiff_t>(offset)));
  EXPECT_LE(offset + 1200, begin);
  EXPECT_GE(offset + kept.size(), end + 1200);
}

TEST_F(WavRecorderSilenceTest, TrimOfSpeechFromTheFirstSampleKeepsTheStart) {
  auto recorder = open(std::nullopt, true);
  ASSERT_TRUE(recorder);
  const auto speech = test::speech_like(1500ms, 10);
  const auto pcm = concat({speech, test::silence(1000ms)});
  ASSERT_FALSE(feed(*recorder, pcm));
  recorder->finish();
  auto wav = test::read_wav(path_.string());
  ASSERT_TRUE(wav);
  ASSERT_GE(wav->frames(), sound_end(speech));
  EXPECT_TRUE(std::equal(wav->channel[0].begin(), wav->channel[0].end(), pcm.begin()));
  EXPECT_LT(wav->frames(), sound_end(speech) + 1600 + 320);
}

TEST_F(WavRecorderSilenceTest, TrimOfSilenceOnlyLeavesAnEmptyFile) {
  auto recorder = open(std::nullopt, true);
  ASSERT_TRUE(recorder);
  ASSERT_FALSE(feed(*recorder, test::noise(3000ms, 50)));
  EXPECT_EQ(recorder->finish(), 0ms);
  EXPECT_EQ(recorder->samples(), 0u);
  EXPECT_FALSE(recorder->has_speech());
  auto wav = test::read_wav(path_.string());
  ASSERT_TRUE(wav);
  EXPECT_EQ(wav->frames(), 0u);
}

TEST_F(WavRecorderSilenceTest, TrimAndTimeoutTogether) {
  auto recorder = open(2000ms, true);
  ASSERT_TRUE(recorder);
  const auto speech = test::speech_like(2000ms, 11);
  const auto pcm = concat({test::silence(1000ms), speech, test::silence(5000ms)});
  ASSERT_TRUE(feed(*recorder, pcm));
  recorder->finish();
  const double speech_ms = static_cast<double>(sound_end(speech) - sound_begin(speech)) / 8;
  EXPECT_NEAR(static_cast<double>(recorder->samples()) / 8, speech_ms + 400, 60);
}

}  // namespace
}  // namespace sb::media
