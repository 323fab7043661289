#include "media/rtp/rtp_packet.hpp"

#include "media/error.hpp"
#include "media/rtp/byte_order.hpp"

#include <algorithm>
#include <cstring>

namespace sb::media {

using detail::load_u16;
using detail::load_u32;
using detail::store_u16;
using detail::store_u32;

Result<RtpPacket> parse_rtp(std::span<const std::byte> datagram) noexcept {
  const std::size_t size = datagram.size();
  if (size > kMaxRtpPacketSize) return make_error_code(Errc::rtp_too_large);
  if (size < kRtpFixedHeaderSize) return make_error_code(Errc::rtp_truncated);
  const std::byte* p = datagram.data();
  const auto b0 = std::to_integer<unsigned>(p[0]);
  const auto b1 = std::to_integer<unsigned>(p[1]);
  if ((b0 >> 6) != 2) return make_error_code(Errc::rtp_bad_version);

  RtpPacket packet;
  RtpHeader& h = packet.header;
  const bool has_padding = (b0 & 0x20) != 0;
  h.has_extension = (b0 & 0x10) != 0;
  h.csrc_count = static_cast<std::uint8_t>(b0 & 0x0F);
  h.marker = (b1 & 0x80) != 0;
  h.payload_type = static_cast<std::uint8_t>(b1 & 0x7F);
  h.sequence_number = load_u16(p + 2);
  h.timestamp = load_u32(p + 4);
  h.ssrc = Ssrc{load_u32(p + 8)};

  std::size_t offset = kRtpFixedHeaderSize + 4u * h.csrc_count;
  if (offset > size) return make_error_code(Errc::rtp_truncated);
  for (std::size_t i = 0; i < h.csrc_count; ++i) h.csrcs[i] = load_u32(p + kRtpFixedHeaderSize + 4 * i);

  if (h.has_extension) {
    // RFC 3550 5.3.1: 16-bit profile field, 16-bit length in 32-bit words, then the data.
    if (size - offset < 4) return make_error_code(Errc::rtp_truncated);
    h.extension_profile = load_u16(p + offset);
    const std::size_t extension_size = 4u * load_u16(p + offset + 2);
    offset += 4;
    if (size - offset < extension_size) return make_error_code(Errc::rtp_truncated);
    h.extension = datagram.subspan(offset, extension_size);
    offset += extension_size;
  }

  std::size_t padding = 0;
  if (has_padding) {
    // RFC 3550 5.1: the last octet counts the padding octets, itself included.
    padding = std::to_integer<std::size_t>(p[size - 1]);
    if (padding == 0 || padding > size - offset) return make_error_code(Errc::rtp_bad_padding);
  }
  packet.header_size = offset;
  packet.padding_size = padding;
  packet.payload = datagram.subspan(offset, size - offset - padding);
  return packet;
}

std::size_t rtp_header_size(const RtpHeader& header) noexcept {
  std::size_t size = kRtpFixedHeaderSize + 4u * std::min<std::size_t>(header.csrc_count, kMaxCsrcCount);
  if (header.has_extension) size += 4 + header.extension.size();
  return size;
}

namespace {

Result<std::size_t> write_header(const RtpHeader& h, bool has_padding, std::span<std::byte> out) noexcept {
  if (h.csrc_count > kMaxCsrcCount || h.payload_type > 127) return make_error_code(Errc::rtp_bad_header);
  if (h.has_extension && (h.extension.size() % 4 != 0 || h.extension.size() / 4 > 0xFFFF))
    return make_error_code(Errc::rtp_bad_header);
  const std::size_t size = rtp_header_size(h);
  if (out.size() < size) return make_error_code(Errc::buffer_too_small);
  std::byte* p = out.data();
  p[0] = static_cast<std::byte>(0x80 | (has_padding ? 0x20 : 0) | (h.has_extension ? 0x10 : 0) | h.csrc_count);
  p[1] = static_cast<std::byte>((h.marker ? 0x80 : 0) | h.payload_type);
  store_u16(p + 2, h.sequence_number);
  store_u32(p + 4, h.timestamp);
  store_u32(p + 8, static_cast<std::uint32_t>(h.ssrc));
  std::size_t offset = kRtpFixedHeaderSize;
  for (std::size_t i = 0; i < h.csrc_count; ++i, offset += 4) store_u32(p + offset, h.csrcs[i]);
  if (h.has_extension) {
    store_u16(p + offset, h.extension_profile);
    store_u16(p + offset + 2, static_cast<std::uint16_t>(h.extension.size() / 4));
    offset += 4;
    if (!h.extension.empty()) std::memcpy(p + offset, h.extension.data(), h.extension.size());
    offset += h.extension.size();
  }
  return offset;
}

}  // namespace

Result<std::size_t> write_rtp_header(const RtpHeader& header, std::span<std::byte> out) noexcept {
  return write_header(header, false, out);
}

Result<std::size_t> write_rtp(const RtpHeader& header, std::span<const std::byte> payload,
                              std::span<std::byte> out, std::uint8_t padding_size) noexcept {
  const std::size_t total = rtp_header_size(header) + payload.size() + padding_size;
  if (total > kMaxRtpPacketSize) return make_error_code(Errc::rtp_too_large);
  if (out.size() < total) return make_error_code(Errc::buffer_too_small);
  auto written = write_header(header, padding_size > 0, out);
  if (!written) return written.error();
  std::size_t offset = *written;
  if (!payload.empty()) std::memcpy(out.data() + offset, payload.data(), payload.size());
  offset += payload.size();
  if (padding_size > 0) {
    std::memset(out.data() + offset, 0, padding_size - 1u);
    out[offset + padding_size - 1] = static_cast<std::byte>(padding_size);
    offset += padding_size;
  }
  return offset;
}

bool rewrite_rtp_header(std::span<std::byte> packet, Ssrc ssrc, std::uint16_t sequence_number,
                        std::uint32_t timestamp) noexcept {
  if (packet.size() < kRtpFixedHeaderSize) return false;
  std::byte* p = packet.data();
  store_u16(p + 2, sequence_number);
  store_u32(p + 4, timestamp);
  store_u32(p + 8, static_cast<std::uint32_t>(ssrc));
  return true;
}

bool is_rtcp(std::span<const std::byte> datagram) noexcept {
  if (datagram.size() < 2) return false;
  const auto type = std::to_integer<unsigned>(datagram[1]);
  return type >= 192 && type <= 223;
}

}  // namespace sb::media
