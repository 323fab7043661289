#pragma once
// G.711 (ITU-T, 1988) μ-law and A-law companding, sample- and buffer-level, and μ-law <-> A-law
// transcoding. Pure functions over tables built at compile time; safe from any thread.
//
// Linear samples are 16-bit, left-justified: μ-law uses the top 14 bits, A-law the top 13, and
// decoding returns the quantisation interval's midpoint scaled back to 16 bits (μ-law +-32124,
// A-law +-32256). Negative inputs are quantised on their one's complement, as ITU-T G.191's
// reference coder does, so the quantiser is symmetric about -1/2.

#include <cstddef>
#include <cstdint>
#include <span>

namespace sb::media {

enum class G711Law : std::uint8_t { ulaw, alaw };  // RTP/AVP static payload types 0 (PCMU), 8 (PCMA)

std::uint8_t linear_to_ulaw(std::int16_t sample) noexcept;
std::int16_t ulaw_to_linear(std::uint8_t code) noexcept;
std::uint8_t linear_to_alaw(std::int16_t sample) noexcept;
std::int16_t alaw_to_linear(std::uint8_t code) noexcept;

// G.711 code conversion: the code of the other law whose decoded value is nearest this one's.
std::uint8_t ulaw_to_alaw(std::uint8_t code) noexcept;
std::uint8_t alaw_to_ulaw(std::uint8_t code) noexcept;

// Buffer forms: convert min(input, output) elements and return that count. One byte per sample,
// so a 20 ms frame at 8 kHz is 160 samples <-> 160 bytes. Input and output may not overlap,
// except that transcode() may work in place (input.data() == output.data()).
std::size_t encode(G711Law law, std::span<const std::int16_t> samples, std::span<std::byte> out) noexcept;
std::size_t decode(G711Law law, std::span<const std::byte> codes, std::span<std::int16_t> out) noexcept;
std::size_t transcode(G711Law from, std::span<const std::byte> codes, std::span<std::byte> out) noexcept;

}  // namespace sb::media
