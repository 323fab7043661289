#include "media/amd/machine_detector.hpp"

#include "test_audio.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sb::media {
namespace {

using namespace std::chrono_literals;
using Decision = MachineDetector::Decision;
using test::silence;
using test::sine;
using test::speech_like;

std::vector<std::int16_t> operator+(std::vector<std::int16_t> a, const std::vector<std::int16_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<std::int16_t> tone(double frequency, std::chrono::milliseconds duration, double amplitude = 6000) {
  return sine(frequency, static_cast<std::size_t>(duration.count() * 8), 0, amplitude);
}

// Feeds `pcm` in packets of `packet` samples; every decision made.
std::vector<Decision> run(MachineDetector& detector, const std::vector<std::int16_t>& pcm, std::size_t packet = 160) {
  std::vector<Decision> decisions;
  for (std::size_t at = 0; at < pcm.size(); at += packet) {
    const auto n = std::min(packet, pcm.size() - at);
    for (const auto& d : detector.on_audio(std::span(pcm).subspan(at, n))) decisions.push_back(d);
  }
  return decisions;
}

MachineDetectionRequest detect_message_end() { return {.mode = MachineDetectionMode::detect_message_end}; }

TEST(MachineDetector, ShortGreetingThenSilenceIsHuman) {
  MachineDetector detector{{}};
  const auto decisions = run(detector, speech_like(1000ms) + silence(4000ms));
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0].answered_by, AnsweredBy::human);
  EXPECT_TRUE(decisions[0].is_final);
  // About 1 s of speech and then speech_end_threshold (1200 ms) of silence.
  EXPECT_GE(decisions[0].detection_duration, 2000ms);
  EXPECT_LE(decisions[0].detection_duration, 2300ms);
  EXPECT_TRUE(detector.is_done());
}

TEST(MachineDetector, HumanOnANoisyLineAfterAPauseInAnyPacketSize) {
  for (std::size_t packet : {80u, 160u, 240u, 960u}) {
    MachineDetector detector{{}};
    const auto line = test::noise(6000ms, 150);
    auto pcm = speech_like(1200ms, 3);
    pcm.insert(pcm.begin(), 400 * 8, 0);  // the callee says hello 400 ms after answering
    for (std::size_t i = 0; i < pcm.size(); ++i) pcm[i] = static_cast<std::int16_t>(pcm[i] + line[i]);
    pcm.insert(pcm.end(), line.begin() + static_cast<std::ptrdiff_t>(pcm.size()), line.end());
    const auto decisions = run(detector, pcm, packet);
    ASSERT_EQ(decisions.size(), 1u) << packet;
    EXPECT_EQ(decisions[0].answered_by, AnsweredBy::human) << packet;
    EXPECT_GE(decisions[0].detection_duration, 2600ms) << packet;
    EXPECT_LE(decisions[0].detection_duration, 3000ms) << packet;
  }
}

TEST(MachineDetector, LongGreetingIsMachineStart) {
  MachineDetector detector{{}};
  const auto decisions = run(detector, speech_like(4000ms, 2) + silence(3000ms));
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0].answered_by, AnsweredBy::machine_start);
  EXPECT_TRUE(decisions[0].is_final);  // Enable: nothing follows
  // speech_threshold (2400 ms) of speech from its start.
  EXPECT_GE(decisions[0].detection_duration, 2400ms);
  EXPECT_LE(decisions[0].detection_duration, 2600ms);
}

TEST(MachineDetector, SpeechThresholdIsTheRequestOne) {
  MachineDetector detector{{.speech_threshold = 1500ms}};
  const auto decisions = run(detector, speech_like(4000ms, 2));
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0].answered_by, AnsweredBy::machine_start);
  EXPECT_GE(decisions[0].detection_duration, 1500ms);
  EXPECT_LE(decisions[0].detection_duration, 1700ms);
}

TEST(MachineDetector, GreetingThenBeepIsMachineEndBeep) {
  MachineDetector detector{detect_message_end()};
  const auto decisions =
      run(detector, speech_like(4000ms, 4) + silence(300ms) + tone(1000, 400ms) + silence(3000ms));
  ASSERT_EQ(decisions.size(), 2u);
  EXPECT_EQ(decisions[0].answered_by, AnsweredBy::machine_start);
  EXPECT_FALSE(decisions[0].is_final);
  EXPECT_EQ(decisions[1].answered_by, AnsweredBy::machine_end_beep);
  EXPECT_TRUE(decisions[1].is_final);
  // The beep starts at 4300 ms and is recognised after kBeepFrames of it.
  EXPECT_GE(decisions[1].detection_duration, 4400ms);
  EXPECT_LE(decisions[1].detection_duration, 4460ms);
}

TEST(MachineDetector, ShortBeepBetweenBinsAtAnOffsetIsABeep) {
  for (double frequency : {440.0, 825.0, 1375.0, 1975.0}) {
    MachineDetector detector{detect_message_end()};
    // 150 ms of beep starting 10 ms into a frame, at a frequency halfway between two bins.
    const auto decisions = run(detector, speech_like(3000ms, 5) + silence(210ms) + tone(frequency, 150ms) + silence(2000ms));
    ASSERT_EQ(decisions.size(), 2u) << frequency;
    EXPECT_EQ(decisions[1].answered_by, AnsweredBy::machine_end_beep) << frequency;
  }
}

TEST(MachineDetector, GreetingThenSilenceIsMachineEndSilence) {
  MachineDetector detector{detect_message_end()};
  const auto decisions = run(detector, speech_like(4000ms, 6) + silence(3000ms));
  ASSERT_EQ(decisions.size(), 2u);
  EXPECT_EQ(decisions[0].answered_by, AnsweredBy::machine_start);
  EXPECT_EQ(decisions[1].answered_by, AnsweredBy::machine_end_silence);
  // The greeting ends by 4000 ms; speech_end_threshold (1200 ms) later.
  EXPECT_GE(decisions[1].detection_duration, 4900ms);
  EXPECT_LE(decisions[1].detection_duration, 5200ms);
}

TEST(MachineDetector, GreetingLongerThanTheTimeoutIsMachineEndOther) {
  MachineDetector detector{{.mode = MachineDetectionMode::detect_message_end, .timeout = 5s}};
  const auto decisions = run(detector, speech_like(8000ms, 7));
  ASSERT_EQ(decisions.size(), 2u);
  EXPECT_EQ(decisions[0].answered_by, AnsweredBy::machine_start);
  EXPECT_EQ(decisions[1].answered_by, AnsweredBy::machine_end_other);
  EXPECT_EQ(decisions[1].detection_duration, 5000ms);
}

TEST(MachineDetector, SilenceIsUnknownAfterTheSilenceTimeout) {
  MachineDetector detector{{}};
  const auto decisions = run(detector, silence(8000ms));
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0].answered_by, AnsweredBy::unknown);
  EXPECT_EQ(decisions[0].detection_duration, 5000ms);  // silence_timeout
}

TEST(MachineDetector, NoAudioCountsAsSilence) {
  MachineDetector detector{{.silence_timeout = 3000ms}};
  EXPECT_TRUE(detector.on_silence(2980ms).empty());
  const auto decisions = detector.on_silence(20ms);
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0].answered_by, AnsweredBy::unknown);
  EXPECT_EQ(decisions[0].detection_duration, 3000ms);
}

TEST(MachineDetector, SteadyLineNoiseIsNotSpeech) {
  MachineDetector detector{{}};
  const auto decisions = run(detector, test::noise(6000ms, 400));
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0].answered_by, AnsweredBy::unknown);
  EXPECT_EQ(decisions[0].detection_duration, 5000ms);
}

TEST(MachineDetector, FaxAnswerToneIsFax) {
  MachineDetector detector{{}};
  const auto decisions = run(detector, silence(200ms) + tone(2100, 3000ms));
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0].answered_by, AnsweredBy::fax);
  EXPECT_GE(decisions[0].detection_duration, 600ms);  // 200 ms, then kFaxToneFrames of tone
  EXPECT_LE(decisions[0].detection_duration, 640ms);
}

TEST(MachineDetector, FaxCallingToneIsFax) {
  MachineDetector detector{{}};
  const auto cng = tone(1100, 500ms) + silence(3000ms);
  const auto decisions = run(detector, silence(1000ms) + cng + cng);
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0].answered_by, AnsweredBy::fax);
  EXPECT_LE(decisions[0].detection_duration, 1500ms);
}

TEST(MachineDetector, SpeechLongerThanTheTimeoutIsUnknown) {
  MachineDetector detector{{.timeout = 3s, .speech_threshold = 6000ms}};
  const auto decisions = run(detector, speech_like(5000ms, 8));
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0].answered_by, AnsweredBy::unknown);
  EXPECT_EQ(decisions[0].detection_duration, 3000ms);
}

TEST(MachineDetector, SpeechIsNeverATone) {
  // Many voices: no beep (DetectMessageEnd follows each to machine_end_silence) and no fax.
  for (unsigned seed = 10; seed < 30; ++seed) {
    MachineDetector detector{detect_message_end()};
    const auto decisions = run(detector, speech_like(6000ms, seed) + silence(2000ms));
    ASSERT_EQ(decisions.size(), 2u) << seed;
    EXPECT_EQ(decisions[0].answered_by, AnsweredBy::machine_start) << seed;
    EXPECT_EQ(decisions[1].answered_by, AnsweredBy::machine_end_silence) << seed;
  }
}

TEST(MachineDetector, ClampsValuesToTwiliosLimits) {
  const MachineDetectionRequest request{.timeout = 1s, .speech_threshold = 100ms, .speech_end_threshold = 9000ms,
                                        .silence_timeout = 0ms};
  EXPECT_FALSE(request.is_within_limits());
  MachineDetector detector{request};
  EXPECT_EQ(detector.request().timeout, 3s);
  EXPECT_EQ(detector.request().speech_threshold, 1000ms);
  EXPECT_EQ(detector.request().speech_end_threshold, 5000ms);
  EXPECT_EQ(detector.request().silence_timeout, 2000ms);
  EXPECT_TRUE(detector.request().is_within_limits());
  EXPECT_TRUE(MachineDetectionRequest{}.is_within_limits());
}

TEST(MachineDetector, ReportsNothingAfterItsFinalDecision) {
  MachineDetector detector{{}};
  ASSERT_EQ(run(detector, speech_like(3000ms)).size(), 1u);
  EXPECT_TRUE(run(detector, silence(6000ms) + speech_like(3000ms)).empty());
  EXPECT_TRUE(detector.on_silence(60s).empty());
}

TEST(MachineDetectionMode, ParsesTwiliosSpelling) {
  EXPECT_EQ(parse_machine_detection_mode("Enable"), MachineDetectionMode::enable);
  EXPECT_EQ(parse_machine_detection_mode("DetectMessageEnd"), MachineDetectionMode::detect_message_end);
  EXPECT_EQ(parse_machine_detection_mode("enable"), std::nullopt);
  EXPECT_EQ(parse_machine_detection_mode(""), std::nullopt);
}

TEST(AnsweredBy, SpellsTwiliosValues) {
  EXPECT_EQ(to_string(AnsweredBy::human), "human");
  EXPECT_EQ(to_string(AnsweredBy::machine_start), "machine_start");
  EXPECT_EQ(to_string(AnsweredBy::machine_end_beep), "machine_end_beep");
  EXPECT_EQ(to_string(AnsweredBy::machine_end_silence), "machine_end_silence");
  EXPECT_EQ(to_string(AnsweredBy::machine_end_other), "machine_end_other");
  EXPECT_EQ(to_string(AnsweredBy::fax), "fax");
  EXPECT_EQ(to_string(AnsweredBy::unknown), "unknown");
}

}  // namespace
}  // namespace sb::media
