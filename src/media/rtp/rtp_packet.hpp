#pragma once
// RTP packets (RFC 3550 5.1): parse a datagram into a view, write a header, and rewrite the
// SSRC/sequence/timestamp of a packet in place (the relay fast path). Pure and allocation-free;
// any thread. Parsing never reads outside the span and never throws.

#include "core/result.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace sb::media {

// Synchronisation source identifier (RFC 3550 8).
enum class Ssrc : std::uint32_t {};

inline constexpr std::size_t kRtpFixedHeaderSize = 12;
inline constexpr std::size_t kMaxCsrcCount = 15;
// An Ethernet MTU's worth; G.711 at 20-60 ms is 172-492 bytes. Bigger datagrams are rejected
// before any work is done on them.
inline constexpr std::size_t kMaxRtpPacketSize = 1500;

struct RtpHeader {
  bool has_extension = false;  // X: a header extension follows the CSRC list
  bool marker = false;         // M: start of a talkspurt for audio (RFC 3551 4.1)
  std::uint8_t payload_type = 0;  // 0-127
  std::uint16_t sequence_number = 0;
  std::uint32_t timestamp = 0;
  Ssrc ssrc{};
  std::uint8_t csrc_count = 0;  // CC, 0-15; the first csrc_count entries of csrcs are used
  std::array<std::uint32_t, kMaxCsrcCount> csrcs{};
  std::uint16_t extension_profile = 0;    // the extension's 16-bit "defined by profile" field
  std::span<const std::byte> extension;   // extension data after its 4-byte header, 32-bit aligned
};

// A parsed datagram. Spans point into the datagram, which must outlive the view.
struct RtpPacket {
  RtpHeader header;
  std::span<const std::byte> payload;  // padding removed
  std::size_t header_size = 0;         // fixed header + CSRC list + extension
  std::size_t padding_size = 0;        // 0 unless P was set (then it counts the count byte too)
};

// Validates and splits a datagram: V=2, the CSRC list, extension and padding all inside the
// datagram, padding count >= 1, size <= kMaxRtpPacketSize. Errors: Errc::rtp_*.
Result<RtpPacket> parse_rtp(std::span<const std::byte> datagram) noexcept;

// Header size that write_rtp_header() produces for `header`.
std::size_t rtp_header_size(const RtpHeader& header) noexcept;

// Writes the fixed header, CSRC list and (when has_extension) the extension; returns its size.
// Errors: rtp_bad_header (CC > 15, PT > 127, extension not a multiple of 4 or too long),
// buffer_too_small.
Result<std::size_t> write_rtp_header(const RtpHeader& header, std::span<std::byte> out) noexcept;

// Writes a whole packet: header, payload, then `padding_size` bytes of padding (P set, last byte
// the count) when padding_size > 0. Returns the packet size.
Result<std::size_t> write_rtp(const RtpHeader& header, std::span<const std::byte> payload,
                              std::span<std::byte> out, std::uint8_t padding_size = 0) noexcept;

// Relay fast path: overwrites the SSRC, sequence number and timestamp of a packet that
// parse_rtp() accepted, leaving everything else untouched. False (and no change) if the packet
// is shorter than the fixed header.
bool rewrite_rtp_header(std::span<std::byte> packet, Ssrc ssrc, std::uint16_t sequence_number,
                        std::uint32_t timestamp) noexcept;

// RFC 5761 4: with rtcp-mux, a datagram whose second byte is 192-223 is RTCP (SR 200, RR 201,
// ...), not RTP. False for datagrams too short to tell.
bool is_rtcp(std::span<const std::byte> datagram) noexcept;

}  // namespace sb::media
