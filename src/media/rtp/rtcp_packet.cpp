#include "media/rtp/rtcp_packet.hpp"

#include "media/error.hpp"
#include "media/rtp/byte_order.hpp"

#include <algorithm>

namespace sb::media {

using namespace detail;

namespace {

std::size_t packet_size(std::span<const std::byte> rest) noexcept {
  return 4u * (static_cast<std::size_t>(load_u16(rest.data() + 2)) + 1);  // RFC 3550 6.4.1: words - 1
}

constexpr std::size_t kSenderInfoSize = 20;

}  // namespace

bool RtcpReport::add_block(const ReportBlock& block) noexcept {
  if (report_count >= kMaxReportBlocks) return false;
  report_blocks[report_count++] = block;
  return true;
}

RtcpPacketView RtcpCompound::Iterator::operator*() const noexcept {
  const std::size_t size = packet_size(rest_);
  const bool is_last = size == rest_.size();
  const auto b0 = std::to_integer<std::uint8_t>(rest_[0]);
  return {.packet_type = std::to_integer<std::uint8_t>(rest_[1]),
          .count = static_cast<std::uint8_t>(b0 & 0x1F),
          .bytes = rest_.first(size - (is_last ? padding_ : 0))};
}

RtcpCompound::Iterator& RtcpCompound::Iterator::operator++() noexcept {
  rest_ = rest_.subspan(packet_size(rest_));
  return *this;
}

Result<RtcpCompound> RtcpCompound::parse(std::span<const std::byte> datagram) noexcept {
  if (datagram.size() > kMaxRtpPacketSize) return make_error_code(Errc::rtp_too_large);
  if (datagram.empty()) return make_error_code(Errc::rtcp_truncated);
  std::size_t offset = 0;
  std::size_t padding = 0;
  while (offset < datagram.size()) {
    const auto rest = datagram.subspan(offset);
    if (rest.size() < kRtcpHeaderSize) return make_error_code(Errc::rtcp_truncated);
    const auto b0 = std::to_integer<unsigned>(rest[0]);
    if ((b0 >> 6) != 2) return make_error_code(Errc::rtcp_bad_version);
    const std::size_t size = packet_size(rest);
    if (size > rest.size()) return make_error_code(Errc::rtcp_truncated);
    if (b0 & 0x20) {
      // RFC 3550 6.4.1 / A.2: only the last packet of a compound may be padded.
      if (size != rest.size()) return make_error_code(Errc::rtcp_bad_padding);
      padding = std::to_integer<std::size_t>(rest[size - 1]);
      if (padding == 0 || padding > size - kRtcpHeaderSize) return make_error_code(Errc::rtcp_bad_padding);
    }
    offset += size;
  }
  return RtcpCompound(datagram, padding);
}

Result<RtcpReport> parse_rtcp_report(const RtcpPacketView& packet) noexcept {
  const auto type = static_cast<RtcpType>(packet.packet_type);
  if (type != RtcpType::sender_report && type != RtcpType::receiver_report)
    return make_error_code(Errc::rtcp_wrong_type);
  RtcpReport report;
  report.has_sender_info = type == RtcpType::sender_report;
  const auto bytes = packet.bytes;
  const std::size_t blocks_at = 8 + (report.has_sender_info ? kSenderInfoSize : 0);
  if (bytes.size() < blocks_at + kReportBlockSize * packet.count) return make_error_code(Errc::rtcp_truncated);
  const std::byte* p = bytes.data();
  report.ssrc = Ssrc{load_u32(p + 4)};
  if (report.has_sender_info) {
    report.sender_info.ntp_timestamp = (std::uint64_t{load_u32(p + 8)} << 32) | load_u32(p + 12);
    report.sender_info.rtp_timestamp = load_u32(p + 16);
    report.sender_info.packet_count = load_u32(p + 20);
    report.sender_info.octet_count = load_u32(p + 24);
  }
  report.report_count = packet.count;
  for (std::size_t i = 0; i < packet.count; ++i) {
    const std::byte* b = p + blocks_at + i * kReportBlockSize;
    ReportBlock& block = report.report_blocks[i];
    block.ssrc = Ssrc{load_u32(b)};
    block.fraction_lost = std::to_integer<std::uint8_t>(b[4]);
    // 24-bit two's complement, sign-extended.
    const std::uint32_t lost = load_u24(b + 5);
    block.cumulative_lost = static_cast<std::int32_t>(lost & 0x800000 ? lost | 0xFF000000u : lost);
    block.extended_highest_sequence = load_u32(b + 8);
    block.jitter = load_u32(b + 12);
    block.last_sr = load_u32(b + 16);
    block.delay_since_last_sr = load_u32(b + 20);
  }
  return report;
}

Result<std::size_t> write_rtcp_report(const RtcpReport& report, std::span<std::byte> out) noexcept {
  const std::size_t count = std::min<std::size_t>(report.report_count, kMaxReportBlocks);
  const std::size_t blocks_at = 8 + (report.has_sender_info ? kSenderInfoSize : 0);
  const std::size_t size = blocks_at + count * kReportBlockSize;
  if (out.size() < size) return make_error_code(Errc::buffer_too_small);
  std::byte* p = out.data();
  p[0] = static_cast<std::byte>(0x80 | count);
  p[1] = static_cast<std::byte>(report.has_sender_info ? RtcpType::sender_report : RtcpType::receiver_report);
  store_u16(p + 2, static_cast<std::uint16_t>(size / 4 - 1));
  store_u32(p + 4, static_cast<std::uint32_t>(report.ssrc));
  if (report.has_sender_info) {
    const auto& info = report.sender_info;
    store_u32(p + 8, static_cast<std::uint32_t>(info.ntp_timestamp >> 32));
    store_u32(p + 12, static_cast<std::uint32_t>(info.ntp_timestamp));
    store_u32(p + 16, info.rtp_timestamp);
    store_u32(p + 20, info.packet_count);
    store_u32(p + 24, info.octet_count);
  }
  for (std::size_t i = 0; i < count; ++i) {
    std::byte* b = p + blocks_at + i * kReportBlockSize;
    const ReportBlock& block = report.report_blocks[i];
    store_u32(b, static_cast<std::uint32_t>(block.ssrc));
    b[4] = static_cast<std::byte>(block.fraction_lost);
    const std::int32_t lost = std::clamp<std::int32_t>(block.cumulative_lost, -0x800000, 0x7FFFFF);
    store_u24(b + 5, static_cast<std::uint32_t>(lost) & 0xFFFFFF);
    store_u32(b + 8, block.extended_highest_sequence);
    store_u32(b + 12, block.jitter);
    store_u32(b + 16, block.last_sr);
    store_u32(b + 20, block.delay_since_last_sr);
  }
  return size;
}

}  // namespace sb::media
