#include "media/bridge/relay.hpp"

namespace sb::media {

namespace {
// The second header byte: M (1 bit) then PT (7 bits).
void set_marker_and_type(std::span<std::byte> datagram, bool marker, std::uint8_t payload_type) noexcept {
  datagram[1] = static_cast<std::byte>((marker ? 0x80 : 0x00) | (payload_type & 0x7F));
}
}  // namespace

RelayResult relay_packet(std::span<std::byte> datagram, const RtpPacket& packet, bool is_event, const RelayLeg& from,
                         const RelayLeg& to, OutgoingStream& out) noexcept {
  if (datagram.size() < kRtpFixedHeaderSize) return RelayResult::dropped;
  if (is_event) {
    if (!to.telephone_event_payload_type) return RelayResult::dropped;
    const std::uint32_t timestamp = out.relay_timestamp(packet.header.ssrc, packet.header.timestamp);
    const std::uint16_t sequence = out.next_sequence();
    set_marker_and_type(datagram, packet.header.marker, *to.telephone_event_payload_type);
    rewrite_rtp_header(datagram, out.ssrc(), sequence, timestamp);
    return RelayResult::rewritten;
  }
  RelayResult result = RelayResult::rewritten;
  if (from.codec != to.codec) {
    // The payload span views this same datagram; transcode() works in place.
    const auto offset = static_cast<std::size_t>(packet.payload.data() - datagram.data());
    transcode(from.codec, packet.payload, datagram.subspan(offset, packet.payload.size()));
    result = RelayResult::transcoded;
  }
  const auto stamp = out.relay(packet.header.ssrc, packet.header.timestamp,
                               static_cast<std::uint32_t>(packet.payload.size()), packet.header.marker);
  set_marker_and_type(datagram, stamp.marker, to.payload_type);
  rewrite_rtp_header(datagram, out.ssrc(), stamp.sequence_number, stamp.timestamp);
  return result;
}

}  // namespace sb::media
