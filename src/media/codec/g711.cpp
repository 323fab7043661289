#include "media/codec/g711.hpp"

#include <algorithm>
#include <array>
#include <bit>

namespace sb::media {
namespace {

// G.711 table 2a: μ-law codes a 14-bit magnitude biased by 33 into 8 segments of 16 steps each;
// the transmitted byte is the complement of sign|segment|step. `top14` is the sample >> 2.
constexpr std::uint8_t compress_ulaw(int top14) {
  const bool is_negative = top14 < 0;
  int magnitude = is_negative ? ~top14 : top14;      // one's complement, 0..8191
  magnitude = std::min(magnitude, 8158) + 33;        // clip so the biased value fits 13 bits
  const int segment = std::bit_width(static_cast<unsigned>(magnitude >> 6));  // 0..7
  const int step = (magnitude >> (segment + 1)) & 0x0F;
  const int code = ~((segment << 4) | step) & 0x7F;
  return static_cast<std::uint8_t>(is_negative ? code : (code | 0x80));
}

constexpr std::int16_t expand_ulaw(std::uint8_t code) {
  const int inverted = ~code & 0xFF;
  const int segment = (inverted >> 4) & 0x07;
  const int step = inverted & 0x0F;
  const int magnitude = (((step << 3) + 0x84) << segment) - 0x84;  // 16-bit scale, midpoint
  return static_cast<std::int16_t>((inverted & 0x80) ? -magnitude : magnitude);
}

// G.711 table 1a: A-law codes a 12-bit magnitude (the sample >> 4 here) into segment 0 (linear,
// step 2 on the 13-bit scale) and segments 1-7 (step doubling), with even bits inverted (0x55).
constexpr std::uint8_t compress_alaw(int top12) {
  const bool is_negative = top12 < 0;
  const int magnitude = is_negative ? ~top12 : top12;  // 0..2047
  int code = magnitude;  // 0..31: segments 0 and 1 share one step size, so code == magnitude
  if (magnitude >= 32) {
    const int segment = std::bit_width(static_cast<unsigned>(magnitude)) - 4;  // 2..7
    code = (segment << 4) | ((magnitude >> (segment - 1)) & 0x0F);
  }
  if (!is_negative) code |= 0x80;
  return static_cast<std::uint8_t>(code ^ 0x55);
}

constexpr std::int16_t expand_alaw(std::uint8_t code) {
  const int value = code ^ 0x55;
  const int segment = (value >> 4) & 0x07;
  int magnitude = ((value & 0x0F) << 4) + 8;  // midpoint of the step, 16-bit scale
  if (segment > 0) magnitude += 0x100;          // implicit leading one
  if (segment > 1) magnitude <<= segment - 1;
  return static_cast<std::int16_t>((value & 0x80) ? magnitude : -magnitude);
}

constexpr auto kUlawDecode = [] {
  std::array<std::int16_t, 256> table{};
  for (int c = 0; c < 256; ++c) table[c] = expand_ulaw(static_cast<std::uint8_t>(c));
  return table;
}();

constexpr auto kAlawDecode = [] {
  std::array<std::int16_t, 256> table{};
  for (int c = 0; c < 256; ++c) table[c] = expand_alaw(static_cast<std::uint8_t>(c));
  return table;
}();

// Indexed by the unsigned top 14 (μ-law) or 12 (A-law) bits of the sample.
constexpr auto kUlawEncode = [] {
  std::array<std::uint8_t, 1 << 14> table{};
  for (int i = 0; i < (1 << 14); ++i) table[i] = compress_ulaw(i >= (1 << 13) ? i - (1 << 14) : i);
  return table;
}();

constexpr auto kAlawEncode = [] {
  std::array<std::uint8_t, 1 << 12> table{};
  for (int i = 0; i < (1 << 12); ++i) table[i] = compress_alaw(i >= (1 << 11) ? i - (1 << 12) : i);
  return table;
}();

// Transcoding maps each code to the other law's code whose decoded value is nearest, ties going to
// the smaller magnitude. Re-encoding the decoded value is not enough: near segment edges the
// interval's midpoint can be further away than the neighbouring code (e.g. A-law -8064).
constexpr std::array<std::uint8_t, 256> nearest_codes(const std::array<std::int16_t, 256>& from,
                                                      const std::array<std::int16_t, 256>& to) {
  std::array<std::uint8_t, 256> table{};
  for (int c = 0; c < 256; ++c) {
    const int value = from[c];
    const bool is_negative_code = (c & 0x80) == 0;  // bit 7 is the sign in both laws
    int best = -1;
    int best_distance = 0;
    for (int o = 0; o < 256; ++o) {
      const int candidate = to[o];
      if (value == 0 && ((candidate < 0) != is_negative_code)) continue;  // keep the sign of a zero
      const int distance = candidate > value ? candidate - value : value - candidate;
      const auto magnitude = [](int v) { return v < 0 ? -v : v; };
      if (best < 0 || distance < best_distance ||
          (distance == best_distance && magnitude(candidate) < magnitude(to[best]))) {
        best = o;
        best_distance = distance;
      }
    }
    table[c] = static_cast<std::uint8_t>(best);
  }
  return table;
}

constexpr auto kUlawToAlaw = nearest_codes(kUlawDecode, kAlawDecode);
constexpr auto kAlawToUlaw = nearest_codes(kAlawDecode, kUlawDecode);

inline std::uint8_t ulaw_index_encode(std::int16_t sample) noexcept {
  return kUlawEncode[static_cast<std::uint16_t>(sample) >> 2];
}
inline std::uint8_t alaw_index_encode(std::int16_t sample) noexcept {
  return kAlawEncode[static_cast<std::uint16_t>(sample) >> 4];
}

}  // namespace

std::uint8_t linear_to_ulaw(std::int16_t sample) noexcept { return ulaw_index_encode(sample); }
std::int16_t ulaw_to_linear(std::uint8_t code) noexcept { return kUlawDecode[code]; }
std::uint8_t linear_to_alaw(std::int16_t sample) noexcept { return alaw_index_encode(sample); }
std::int16_t alaw_to_linear(std::uint8_t code) noexcept { return kAlawDecode[code]; }
std::uint8_t ulaw_to_alaw(std::uint8_t code) noexcept { return kUlawToAlaw[code]; }
std::uint8_t alaw_to_ulaw(std::uint8_t code) noexcept { return kAlawToUlaw[code]; }

std::size_t encode(G711Law law, std::span<const std::int16_t> samples, std::span<std::byte> out) noexcept {
  const std::size_t count = std::min(samples.size(), out.size());
  if (law == G711Law::ulaw) {
    for (std::size_t i = 0; i < count; ++i) out[i] = std::byte{ulaw_index_encode(samples[i])};
  } else {
    for (std::size_t i = 0; i < count; ++i) out[i] = std::byte{alaw_index_encode(samples[i])};
  }
  return count;
}

std::size_t decode(G711Law law, std::span<const std::byte> codes, std::span<std::int16_t> out) noexcept {
  const std::size_t count = std::min(codes.size(), out.size());
  const auto& table = law == G711Law::ulaw ? kUlawDecode : kAlawDecode;
  for (std::size_t i = 0; i < count; ++i) out[i] = table[std::to_integer<std::uint8_t>(codes[i])];
  return count;
}

std::size_t transcode(G711Law from, std::span<const std::byte> codes, std::span<std::byte> out) noexcept {
  const std::size_t count = std::min(codes.size(), out.size());
  const auto& table = from == G711Law::ulaw ? kUlawToAlaw : kAlawToUlaw;
  for (std::size_t i = 0; i < count; ++i) out[i] = std::byte{table[std::to_integer<std::uint8_t>(codes[i])]};
  return count;
}

}  // namespace sb::media
