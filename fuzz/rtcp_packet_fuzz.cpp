// libFuzzer target for RTCP (src/media/rtp/rtcp_packet.hpp) and the receiver statistics it feeds:
// any datagram must be walked as a compound packet or refused, each SR/RR must parse or fail
// cleanly, and a parsed report must write back to the same length. Seeds: fuzz/corpus/rtcp_packet/.
// Not part of the default build; with clang:
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc fuzz/rtcp_packet_fuzz.cpp \
//     src/media/rtp/rtcp_packet.cpp src/media/rtp/rtp_packet.cpp src/media/rtp/receiver_statistics.cpp \
//     src/media/error.cpp -o rtcp_packet_fuzz
//   ./rtcp_packet_fuzz fuzz/corpus/rtcp_packet

#include "media/rtp/receiver_statistics.hpp"
#include "media/rtp/rtcp_packet.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sb::media;
  const std::span<const std::byte> datagram(reinterpret_cast<const std::byte*>(data), size);
  auto compound = RtcpCompound::parse(datagram);
  if (!compound) return 0;
  std::size_t walked = 0;
  ReceiverStatistics statistics;
  for (const RtcpPacketView& packet : *compound) {
    if (packet.bytes.size() < kRtcpHeaderSize || packet.bytes.size() > size) std::abort();
    walked += packet.bytes.size();
    if (walked > size) std::abort();
    auto report = parse_rtcp_report(packet);
    if (!report) continue;
    if (report->report_count > kMaxReportBlocks) std::abort();
    std::array<std::byte, 1024> out{};
    auto written = write_rtcp_report(*report, out);
    if (!written) std::abort();
    const std::size_t expected = (report->has_sender_info ? 28 : 8) + kReportBlockSize * report->report_count;
    if (*written != expected) std::abort();
    if (report->has_sender_info)
      statistics.on_sender_report(report->sender_info.ntp_timestamp, std::chrono::seconds{1});
    for (const ReportBlock& block : report->blocks())
      statistics.on_packet(static_cast<std::uint16_t>(block.extended_highest_sequence), block.jitter, std::chrono::seconds{2});
  }
  (void)statistics.make_report_block(Ssrc{1}, std::chrono::seconds{3});
  return 0;
}
