// media/ kernels, per 20 ms frame (160 samples at 8 kHz) or per packet:
//   build/release/bench/media_bench
#include "media/codec/g711.hpp"
#include "media/rtp/rtp_packet.hpp"
#include "media/sdp/offer_answer.hpp"

#include <benchmark/benchmark.h>

#include <array>
#include <cmath>
#include <cstdint>

namespace sb::media {
namespace {

constexpr std::size_t kFrameSamples = 160;  // 20 ms at 8 kHz

std::array<std::int16_t, kFrameSamples> test_tone() {
  std::array<std::int16_t, kFrameSamples> frame{};
  for (std::size_t i = 0; i < frame.size(); ++i)
    frame[i] = static_cast<std::int16_t>(12000 * std::sin(2 * 3.14159265358979 * 440.0 * static_cast<double>(i) / 8000.0));
  return frame;
}

void BM_G711DecodeEncodeFrame(benchmark::State& state) {
  const auto law = static_cast<G711Law>(state.range(0));
  std::array<std::byte, kFrameSamples> codes{};
  encode(law, test_tone(), codes);
  std::array<std::int16_t, kFrameSamples> pcm{};
  for (auto _ : state) {
    decode(law, codes, pcm);
    benchmark::DoNotOptimize(pcm.data());
    encode(law, pcm, codes);
    benchmark::DoNotOptimize(codes.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());  // frames
  state.SetLabel(law == G711Law::ulaw ? "PCMU" : "PCMA");
}
BENCHMARK(BM_G711DecodeEncodeFrame)->Arg(static_cast<int>(G711Law::ulaw))->Arg(static_cast<int>(G711Law::alaw));

void BM_UlawToAlawFrame(benchmark::State& state) {
  std::array<std::byte, kFrameSamples> ulaw{};
  encode(G711Law::ulaw, test_tone(), ulaw);
  std::array<std::byte, kFrameSamples> alaw{};
  for (auto _ : state) {
    transcode(G711Law::ulaw, ulaw, alaw);
    benchmark::DoNotOptimize(alaw.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_UlawToAlawFrame);

// The relay fast path: validate a PCMU packet, then restamp SSRC/sequence/timestamp in place.
void BM_RtpParseAndRewrite(benchmark::State& state) {
  std::array<std::byte, kRtpFixedHeaderSize + kFrameSamples> packet{};
  RtpHeader header{.payload_type = 0, .sequence_number = 1, .timestamp = 160, .ssrc = Ssrc{0x1234}};
  std::array<std::byte, kFrameSamples> payload{};
  encode(G711Law::ulaw, test_tone(), payload);
  if (!write_rtp(header, payload, packet)) state.SkipWithError("write_rtp failed");
  std::uint16_t sequence = 1000;
  std::uint32_t timestamp = 5000;
  for (auto _ : state) {
    auto parsed = parse_rtp(packet);
    benchmark::DoNotOptimize(parsed);
    if (!parsed) state.SkipWithError("parse failed");
    rewrite_rtp_header(packet, Ssrc{0xCAFE}, ++sequence, timestamp += 160);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());  // packets
}
BENCHMARK(BM_RtpParseAndRewrite);

// Not a per-packet cost, for scale: parse a typical offer and write the answer (per call setup).
void BM_SdpParseAndAnswer(benchmark::State& state) {
  const std::string offer_text =
      "v=0\r\no=alice 2890844526 2890844526 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n"
      "m=audio 49170 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
      "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n";
  LocalMedia local;
  local.address = "192.0.2.10";
  local.port = 20000;
  const KeyGenerator keys = [] { return SrtpMasterKey{}; };
  for (auto _ : state) {
    auto offer = SessionDescription::parse(offer_text);
    auto answer = answer_offer(*offer, local, keys);
    auto text = answer->answer.to_string();
    benchmark::DoNotOptimize(text.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SdpParseAndAnswer);

}  // namespace
}  // namespace sb::media
