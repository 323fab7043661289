#include "media/dtmf/inband_dtmf_detector.hpp"

#include "test_audio.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace sb::media {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kAllKeys = "0123456789*#ABCD";

std::vector<DtmfDigit> detect(InbandDtmfDetector& detector, const std::vector<std::int16_t>& pcm, std::size_t chunk) {
  std::vector<DtmfDigit> digits;
  for (std::size_t at = 0; at < pcm.size(); at += chunk) {
    const auto n = std::min(chunk, pcm.size() - at);
    for (const DtmfDigit& d : detector.on_audio({pcm.data() + at, n})) digits.push_back(d);
  }
  return digits;
}

std::string keys_of(const std::vector<DtmfDigit>& digits) {
  std::string keys;
  for (const auto& d : digits) keys += d.digit;
  return keys;
}

TEST(InbandDtmfDetector, ReportsEverySixteenKeysInOrderWithTheirDurations) {
  InbandDtmfDetector detector;
  const auto digits = detect(detector, test::dtmf_audio(kAllKeys, 100ms, 100ms), 160);
  EXPECT_EQ(keys_of(digits), kAllKeys);
  for (const auto& d : digits) {
    EXPECT_GE(d.duration, 60ms) << d.digit;
    EXPECT_LE(d.duration, 120ms) << d.digit;
  }
  EXPECT_FALSE(detector.is_in_digit());
}

TEST(InbandDtmfDetector, LongPacketsFindTheSameDigits) {
  InbandDtmfDetector detector;
  EXPECT_EQ(keys_of(detect(detector, test::dtmf_audio(kAllKeys, 100ms, 100ms), 960)), kAllKeys);
}

TEST(InbandDtmfDetector, IgnoresASingleToneAndSilence) {
  InbandDtmfDetector detector;
  auto pcm = test::sine(1000, 8000);
  pcm.insert(pcm.end(), 8000, std::int16_t{0});
  const auto low_tone = test::sine(350, 8000);
  pcm.insert(pcm.end(), low_tone.begin(), low_tone.end());
  EXPECT_TRUE(detect(detector, pcm, 160).empty());
}

TEST(InbandDtmfDetector, FlushReportsADigitStillSounding) {
  InbandDtmfDetector detector;
  const auto pcm = test::dtmf_audio("7", 300ms, 0ms);
  EXPECT_TRUE(detect(detector, pcm, 160).empty());
  EXPECT_TRUE(detector.is_in_digit());
  auto digit = detector.flush();
  ASSERT_TRUE(digit);
  EXPECT_EQ(digit->digit, '7');
  EXPECT_GE(digit->duration, 200ms);
  EXPECT_FALSE(detector.flush());
}

}  // namespace
}  // namespace sb::media
