#pragma once
// The bridge's per-packet work: turn a packet received on one leg into the packet sent on the
// other, in place. Same codec: rewrite PT, SSRC, sequence and timestamp only (the fast path, no
// decode). Different G.711 laws: transcode the payload in place, then the same rewrite. RFC 4733
// events keep their payload and take the other leg's telephone-event PT. Pure; noexcept; any
// thread (called by the receiving leg's media thread).

#include "media/codec/g711.hpp"
#include "media/rtp/outgoing_stream.hpp"
#include "media/rtp/rtp_packet.hpp"

#include <cstdint>
#include <optional>
#include <span>

namespace sb::media {

// What a bridged leg negotiated.
struct RelayLeg {
  G711Law codec = G711Law::ulaw;
  std::uint8_t payload_type = 0;
  std::optional<std::uint8_t> telephone_event_payload_type;
};

enum class RelayResult : std::uint8_t {
  rewritten,    // same codec: header only
  transcoded,   // payload converted to the other law
  dropped,      // an event the other leg cannot carry (no telephone-event negotiated)
};

// `datagram` holds `packet` (as parse_rtp() returned it for that datagram). On success the
// datagram is ready to send from `to`'s socket with `out`'s SSRC.
RelayResult relay_packet(std::span<std::byte> datagram, const RtpPacket& packet, bool is_event, const RelayLeg& from,
                         const RelayLeg& to, OutgoingStream& out) noexcept;

}  // namespace sb::media
