// libFuzzer target for the RTP parser and the relay rewrite (src/media/rtp/rtp_packet.hpp,
// src/media/bridge/relay.hpp): any datagram must parse or fail cleanly, never read outside the
// span; what parses must survive a header rewrite and a transcoding relay and still parse the
// same way. Seeds: fuzz/corpus/rtp_packet/. Not part of the default build; with clang:
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc fuzz/rtp_packet_fuzz.cpp \
//     src/media/rtp/rtp_packet.cpp src/media/bridge/relay.cpp src/media/codec/g711.cpp \
//     src/media/dtmf/telephone_event.cpp src/media/error.cpp -o rtp_packet_fuzz
//   ./rtp_packet_fuzz fuzz/corpus/rtp_packet

#include "media/bridge/relay.hpp"
#include "media/dtmf/telephone_event.hpp"
#include "media/rtp/rtp_packet.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sb::media;
  std::vector<std::byte> datagram(reinterpret_cast<const std::byte*>(data), reinterpret_cast<const std::byte*>(data) + size);
  (void)is_rtcp(datagram);
  auto parsed = parse_rtp(datagram);
  if (!parsed) return 0;
  const RtpPacket packet = *parsed;
  if (packet.header_size + packet.payload.size() + packet.padding_size != size) std::abort();
  (void)parse_telephone_event(packet.payload);

  // Relay as the bridge does, both ways round the laws, then check what was kept.
  OutgoingStream out(Ssrc{0x5EED}, 1, 2);
  const bool is_event = packet.header.payload_type == 101;
  const RelayLeg from{G711Law::ulaw, packet.header.payload_type, std::uint8_t{101}};
  const RelayLeg to{G711Law::alaw, 8, std::uint8_t{96}};
  if (relay_packet(datagram, packet, is_event, from, to, out) == RelayResult::dropped) std::abort();
  auto relayed = parse_rtp(datagram);
  if (!relayed) std::abort();
  if (relayed->header.ssrc != Ssrc{0x5EED} || relayed->payload.size() != packet.payload.size() ||
      relayed->header.csrc_count != packet.header.csrc_count)
    std::abort();

  // Writing the parsed header back yields the same header bytes.
  std::vector<std::byte> rewritten(packet.header_size + 64);
  RtpHeader header = relayed->header;
  auto written = write_rtp_header(header, rewritten);
  if (written && *written != packet.header_size) std::abort();
  return 0;
}
