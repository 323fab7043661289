#include "media/codec/g711.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <vector>

namespace sb::media {
namespace {

// Reference formulas written from G.711's tables, independently of the implementation's tables:
// segment found by repeated halving, as ITU-T G.191's reference coder does.
int reference_ulaw_decode(int code) {
  const int u = ~code & 0xFF;
  const int segment = (u >> 4) & 7;
  const int step = u & 0x0F;
  const int magnitude14 = ((2 * step + 33) << segment) - 33;  // G.711 table 2a, 14-bit scale
  return (u & 0x80 ? -1 : 1) * magnitude14 * 4;
}

int reference_alaw_decode(int code) {
  const int a = code ^ 0x55;
  const int segment = (a >> 4) & 7;
  const int step = a & 0x0F;
  const int magnitude13 = segment == 0 ? 2 * step + 1 : (2 * step + 33) << (segment - 1);  // table 1a
  return (a & 0x80 ? 1 : -1) * magnitude13 * 8;
}

int reference_ulaw_encode(int sample) {
  int magnitude = sample < 0 ? (~sample) >> 2 : sample >> 2;
  if (magnitude > 8158) magnitude = 8158;
  magnitude += 33;
  int segment = 1;
  for (int i = magnitude >> 6; i != 0; i >>= 1) ++segment;
  const int code = ((8 - segment) << 4) | (15 - ((magnitude >> segment) & 0x0F));
  return sample >= 0 ? (code | 0x80) : code;
}

int reference_alaw_encode(int sample) {
  int magnitude = sample < 0 ? (~sample) >> 4 : sample >> 4;
  if (magnitude > 15) {
    int exponent = 1;
    while (magnitude > 31) {
      magnitude >>= 1;
      ++exponent;
    }
    magnitude = magnitude - 16 + (exponent << 4);
  }
  if (sample >= 0) magnitude |= 0x80;
  return magnitude ^ 0x55;
}

TEST(G711, EveryUlawCodeDecodesToTheReferenceValue) {
  for (int code = 0; code < 256; ++code)
    EXPECT_EQ(ulaw_to_linear(static_cast<std::uint8_t>(code)), reference_ulaw_decode(code)) << code;
  EXPECT_EQ(ulaw_to_linear(0xFF), 0);
  EXPECT_EQ(ulaw_to_linear(0x80), 32124);
  EXPECT_EQ(ulaw_to_linear(0x00), -32124);
}

TEST(G711, EveryAlawCodeDecodesToTheReferenceValue) {
  for (int code = 0; code < 256; ++code)
    EXPECT_EQ(alaw_to_linear(static_cast<std::uint8_t>(code)), reference_alaw_decode(code)) << code;
  EXPECT_EQ(alaw_to_linear(0xD5), 8);
  EXPECT_EQ(alaw_to_linear(0x55), -8);
  EXPECT_EQ(alaw_to_linear(0xAA), 32256);
  EXPECT_EQ(alaw_to_linear(0x2A), -32256);
}

TEST(G711, EncodingEveryLinearValueMatchesTheReferenceQuantiser) {
  for (int sample = -32768; sample <= 32767; ++sample) {
    const auto s = static_cast<std::int16_t>(sample);
    ASSERT_EQ(linear_to_ulaw(s), reference_ulaw_encode(sample)) << sample;
    ASSERT_EQ(linear_to_alaw(s), reference_alaw_encode(sample)) << sample;
  }
}

TEST(G711, DecodedValueStaysWithinOneStepOfTheInput) {
  // Outside the clipping range the decoded value is the midpoint of the interval holding the input.
  for (int sample = -32000; sample <= 32000; ++sample) {
    const auto s = static_cast<std::int16_t>(sample);
    const int u = ulaw_to_linear(linear_to_ulaw(s));
    const int a = alaw_to_linear(linear_to_alaw(s));
    // Step sizes double per segment: <= 1/16 of the value plus the smallest step.
    EXPECT_LE(std::abs(u - sample), std::abs(sample) / 16 + 8) << sample;
    EXPECT_LE(std::abs(a - sample), std::abs(sample) / 16 + 16) << sample;
  }
}

TEST(G711, DecodeThenEncodeReturnsTheSameCode) {
  for (int code = 0; code < 256; ++code) {
    const auto c = static_cast<std::uint8_t>(code);
    // μ-law has two zeros (0xFF and 0x7F); both decode to 0, which encodes as +0.
    if (c != 0x7F) {
      EXPECT_EQ(linear_to_ulaw(ulaw_to_linear(c)), c) << code;
    }
    EXPECT_EQ(linear_to_alaw(alaw_to_linear(c)), c) << code;
  }
  EXPECT_EQ(linear_to_ulaw(ulaw_to_linear(0x7F)), 0xFF);
}

TEST(G711, EncodeThenDecodeIsIdempotent) {
  for (int sample = -32768; sample <= 32767; sample += 7) {
    const auto s = static_cast<std::int16_t>(sample);
    const auto u = ulaw_to_linear(linear_to_ulaw(s));
    EXPECT_EQ(ulaw_to_linear(linear_to_ulaw(u)), u);
    const auto a = alaw_to_linear(linear_to_alaw(s));
    EXPECT_EQ(alaw_to_linear(linear_to_alaw(a)), a);
  }
}

TEST(G711, TranscodingPicksTheNearestCodeOfTheOtherLaw) {
  for (int code = 0; code < 256; ++code) {
    const auto c = static_cast<std::uint8_t>(code);
    const int from_u = ulaw_to_linear(c);
    const int via_a = alaw_to_linear(ulaw_to_alaw(c));
    const int from_a = alaw_to_linear(c);
    const int via_u = ulaw_to_linear(alaw_to_ulaw(c));
    for (int other = 0; other < 256; ++other) {
      const auto o = static_cast<std::uint8_t>(other);
      EXPECT_LE(std::abs(via_a - from_u), std::abs(alaw_to_linear(o) - from_u)) << code << " " << other;
      EXPECT_LE(std::abs(via_u - from_a), std::abs(ulaw_to_linear(o) - from_a)) << code << " " << other;
    }
    // The sign survives (μ-law's two zeros go to A-law's +8 and -8).
    EXPECT_EQ(ulaw_to_alaw(c) & 0x80, c & 0x80) << code;
    EXPECT_EQ(alaw_to_ulaw(c) & 0x80, c & 0x80) << code;
  }
}

TEST(G711, TranscodingIsSymmetricForSharedValues) {
  // Where one law's value lies on the other's grid, the round trip returns the same code.
  for (int code = 0; code < 256; ++code) {
    const auto c = static_cast<std::uint8_t>(code);
    if (alaw_to_linear(ulaw_to_alaw(c)) == ulaw_to_linear(c)) {
      EXPECT_EQ(alaw_to_ulaw(ulaw_to_alaw(c)), c);
    }
  }
  EXPECT_EQ(ulaw_to_alaw(0xFF), 0xD5);  // +0 -> +8
  EXPECT_EQ(ulaw_to_alaw(0x7F), 0x55);  // -0 -> -8
}

TEST(G711, TranscodingTwiceIsStable) {
  // After one trip to the other law and back, further trips change nothing.
  for (int code = 0; code < 256; ++code) {
    const auto c = static_cast<std::uint8_t>(code);
    const auto once = alaw_to_ulaw(ulaw_to_alaw(c));
    EXPECT_EQ(alaw_to_ulaw(ulaw_to_alaw(once)), once) << code;
    const auto a_once = ulaw_to_alaw(alaw_to_ulaw(c));
    EXPECT_EQ(ulaw_to_alaw(alaw_to_ulaw(a_once)), a_once) << code;
  }
}

TEST(G711, BufferFormsMatchTheSampleForms) {
  std::array<std::int16_t, 160> frame{};
  for (std::size_t i = 0; i < frame.size(); ++i) frame[i] = static_cast<std::int16_t>(i * 409 - 32000);
  for (const auto law : {G711Law::ulaw, G711Law::alaw}) {
    std::array<std::byte, 160> codes{};
    ASSERT_EQ(encode(law, frame, codes), 160u);
    std::array<std::int16_t, 160> decoded{};
    ASSERT_EQ(decode(law, codes, decoded), 160u);
    for (std::size_t i = 0; i < frame.size(); ++i) {
      const auto code = law == G711Law::ulaw ? linear_to_ulaw(frame[i]) : linear_to_alaw(frame[i]);
      EXPECT_EQ(std::to_integer<std::uint8_t>(codes[i]), code);
      EXPECT_EQ(decoded[i], law == G711Law::ulaw ? ulaw_to_linear(code) : alaw_to_linear(code));
    }
    std::array<std::byte, 160> other{};
    ASSERT_EQ(transcode(law, codes, other), 160u);
    for (std::size_t i = 0; i < frame.size(); ++i) {
      const auto code = std::to_integer<std::uint8_t>(codes[i]);
      EXPECT_EQ(std::to_integer<std::uint8_t>(other[i]), law == G711Law::ulaw ? ulaw_to_alaw(code) : alaw_to_ulaw(code));
    }
  }
}

TEST(G711, BufferFormsStopAtTheShorterSpanAndTranscodeInPlace) {
  std::vector<std::int16_t> samples(10, 1000);
  std::vector<std::byte> out(4);
  EXPECT_EQ(encode(G711Law::ulaw, samples, out), 4u);
  std::vector<std::byte> codes(8, std::byte{0x80});
  EXPECT_EQ(transcode(G711Law::ulaw, codes, codes), 8u);
  for (auto b : codes) EXPECT_EQ(std::to_integer<std::uint8_t>(b), ulaw_to_alaw(0x80));
}

}  // namespace
}  // namespace sb::media
