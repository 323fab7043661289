#pragma once
// RTCP (RFC 3550 6.4): walking a compound packet, and parsing and writing sender and receiver
// reports. Pure and allocation-free (report blocks live in fixed arrays); any thread.

#include "core/result.hpp"
#include "media/rtp/rtp_packet.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace sb::media {

enum class RtcpType : std::uint8_t {
  sender_report = 200,
  receiver_report = 201,
  source_description = 202,
  goodbye = 203,
  application = 204,
};

inline constexpr std::size_t kRtcpHeaderSize = 4;
inline constexpr std::size_t kReportBlockSize = 24;
inline constexpr std::size_t kMaxReportBlocks = 31;  // RC is 5 bits

// RFC 3550 6.4.1, one per source heard from.
struct ReportBlock {
  Ssrc ssrc{};                          // the source this block reports on
  std::uint8_t fraction_lost = 0;       // since the previous report, fixed point /256
  std::int32_t cumulative_lost = 0;     // 24-bit signed on the wire; clamped when written
  std::uint32_t extended_highest_sequence = 0;  // cycles << 16 | highest sequence number
  std::uint32_t jitter = 0;             // interarrival jitter, timestamp units
  std::uint32_t last_sr = 0;            // LSR: middle 32 bits of the last SR's NTP timestamp
  std::uint32_t delay_since_last_sr = 0;  // DLSR, units of 1/65536 s

  bool operator==(const ReportBlock&) const = default;
};

struct SenderInfo {
  std::uint64_t ntp_timestamp = 0;  // 32.32 fixed point seconds since 1900
  std::uint32_t rtp_timestamp = 0;
  std::uint32_t packet_count = 0;
  std::uint32_t octet_count = 0;

  bool operator==(const SenderInfo&) const = default;
};

// SR (PT 200) when has_sender_info, RR (PT 201) otherwise.
struct RtcpReport {
  Ssrc ssrc{};  // of the packet's sender
  bool has_sender_info = false;
  SenderInfo sender_info;
  std::uint8_t report_count = 0;
  std::array<ReportBlock, kMaxReportBlocks> report_blocks{};

  std::span<const ReportBlock> blocks() const noexcept { return {report_blocks.data(), report_count}; }
  // False (and nothing added) when 31 blocks are already present.
  bool add_block(const ReportBlock& block) noexcept;
};

// One packet of a compound packet, as validated by RtcpCompound::parse.
struct RtcpPacketView {
  std::uint8_t packet_type = 0;  // RtcpType values, or others (RFC 4585 feedback, XR, ...)
  std::uint8_t count = 0;        // RC/SC/FMT: the 5-bit field after P
  std::span<const std::byte> bytes;  // whole packet from its header, padding excluded
};

// A compound RTCP packet whose structure is valid (RFC 3550 A.2): every packet has V=2, lengths
// that add up exactly to the datagram, and padding only on the last one. Iterating yields each
// packet; the datagram must outlive this object. The first packet need not be SR/RR, so reduced-
// size RTCP (RFC 5506) passes.
class RtcpCompound {
 public:
  class Iterator {
   public:
    using value_type = RtcpPacketView;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    Iterator(std::span<const std::byte> rest, std::size_t padding) noexcept : rest_(rest), padding_(padding) {}
    RtcpPacketView operator*() const noexcept;
    Iterator& operator++() noexcept;
    Iterator operator++(int) noexcept {
      Iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const Iterator& other) const noexcept { return rest_.data() == other.rest_.data(); }

   private:
    std::span<const std::byte> rest_;
    std::size_t padding_ = 0;  // of the last packet
  };

  static Result<RtcpCompound> parse(std::span<const std::byte> datagram) noexcept;

  Iterator begin() const noexcept { return {datagram_, padding_}; }
  Iterator end() const noexcept { return {datagram_.subspan(datagram_.size()), padding_}; }

 private:
  RtcpCompound(std::span<const std::byte> datagram, std::size_t padding) noexcept
      : datagram_(datagram), padding_(padding) {}
  std::span<const std::byte> datagram_;
  std::size_t padding_ = 0;
};

// Parses an SR or RR packet; profile-specific extensions after the blocks are ignored.
// Errors: rtcp_wrong_type, rtcp_truncated.
Result<RtcpReport> parse_rtcp_report(const RtcpPacketView& packet) noexcept;

// Writes an SR or RR; returns its size (28 or 8 bytes, plus 24 per block).
// Errors: buffer_too_small.
Result<std::size_t> write_rtcp_report(const RtcpReport& report, std::span<std::byte> out) noexcept;

}  // namespace sb::media
