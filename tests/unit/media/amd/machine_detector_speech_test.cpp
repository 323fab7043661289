// MachineDetector on synthesized speech (espeak-ng, the engine's text to speech): closer to a voice
// than the generated sound of machine_detector_test.cpp, and more tonal (a steady synthetic pitch),
// so it also checks that a voice is not taken for a beep.
#include "media/amd/machine_detector.hpp"

#include "media/tts/speech_synthesizer.hpp"
#include "test_audio.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sb::media {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kGreeting =
    "Hi, you have reached Jane Smith. I cannot take your call right now. Please leave your name, your number "
    "and a short message after the tone, and I will call you back.";

std::vector<std::int16_t> speech(std::string_view text, bool is_female = false) {
  auto pcm = synthesize_speech(text, "en-us", is_female);
  return pcm ? *pcm : std::vector<std::int16_t>{};
}

std::vector<MachineDetector::Decision> run(MachineDetector& detector, const std::vector<std::int16_t>& pcm) {
  std::vector<MachineDetector::Decision> decisions;
  for (std::size_t at = 0; at < pcm.size(); at += 160) {
    const auto n = std::min<std::size_t>(160, pcm.size() - at);
    for (const auto& d : detector.on_audio(std::span(pcm).subspan(at, n))) decisions.push_back(d);
  }
  return decisions;
}

void append(std::vector<std::int16_t>& to, const std::vector<std::int16_t>& more) { to.insert(to.end(), more.begin(), more.end()); }

TEST(MachineDetectorSpeech, HelloIsHuman) {
  for (bool is_female : {false, true}) {
    auto pcm = test::silence(500ms);
    const auto hello = speech("Hello?", is_female);
    if (hello.empty()) GTEST_SKIP() << "espeak-ng unavailable";
    append(pcm, hello);
    append(pcm, test::silence(3000ms));
    MachineDetector detector{{}};
    const auto decisions = run(detector, pcm);
    ASSERT_EQ(decisions.size(), 1u) << is_female;
    EXPECT_EQ(decisions[0].answered_by, AnsweredBy::human) << is_female;
  }
}

TEST(MachineDetectorSpeech, VoicemailGreetingThenBeep) {
  for (bool is_female : {false, true}) {
    auto pcm = test::silence(300ms);
    const auto greeting = speech(kGreeting, is_female);
    if (greeting.empty()) GTEST_SKIP() << "espeak-ng unavailable";
    append(pcm, greeting);
    const auto beep_at = std::chrono::milliseconds(pcm.size() / 8 + 400);
    append(pcm, test::silence(400ms));
    append(pcm, test::sine(1400, 500 * 8));
    append(pcm, test::silence(2000ms));
    MachineDetector detector{{.mode = MachineDetectionMode::detect_message_end}};
    const auto decisions = run(detector, pcm);
    ASSERT_EQ(decisions.size(), 2u) << is_female;
    EXPECT_EQ(decisions[0].answered_by, AnsweredBy::machine_start) << is_female;
    EXPECT_EQ(decisions[1].answered_by, AnsweredBy::machine_end_beep) << is_female;
    EXPECT_GE(decisions[1].detection_duration, beep_at) << is_female;
    EXPECT_LE(decisions[1].detection_duration, beep_at + 200ms) << is_female;
  }
}

TEST(MachineDetectorSpeech, VoicemailGreetingThenSilence) {
  auto pcm = speech(kGreeting);
  if (pcm.empty()) GTEST_SKIP() << "espeak-ng unavailable";
  const auto greeting_end = std::chrono::milliseconds(pcm.size() / 8);
  append(pcm, test::silence(3000ms));
  MachineDetector detector{{.mode = MachineDetectionMode::detect_message_end}};
  const auto decisions = run(detector, pcm);
  ASSERT_EQ(decisions.size(), 2u);
  EXPECT_EQ(decisions[0].answered_by, AnsweredBy::machine_start);
  EXPECT_EQ(decisions[1].answered_by, AnsweredBy::machine_end_silence);
  EXPECT_LE(decisions[1].detection_duration, greeting_end + 1200ms + 100ms);
}

}  // namespace
}  // namespace sb::media
