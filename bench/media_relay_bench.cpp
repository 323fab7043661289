// CPU cost of relaying RTP through a MediaEngine bridge on loopback:
//   generator socket -> session A -> bridge (same codec: header rewrite) -> session B -> sink socket
// with `calls` bridged pairs on one media thread. Each iteration sends one 20 ms PCMU packet to
// every call's A and waits until the sink has all of them. Counters:
//   engine_us_per_pkt  CPU microseconds the engine's threads spent per relayed packet (process
//                      CPU minus this thread's CPU, which is the generator and the sink)
//   peer_us_per_pkt    CPU microseconds of the generator + sink per packet (this thread)
// BM_LoopbackCeiling is the same generator and sink with nothing in between: what loopback UDP
// costs the peer itself. Run:
//   cmake --build --preset release --target media_relay_bench && build/release/bench/media_relay_bench
// Figures (2-core dev VM, shared and loaded (load average ~6), release build, 2025-11):
//   BM_BridgeRelay/1     engine  10.8 us/packet   peer 10.7 us/packet
//   BM_BridgeRelay/50    engine   8.2 us/packet   peer  6.9 us/packet
//   BM_BridgeRelay/200   engine  10.1 us/packet   peer  7.4 us/packet
//   BM_LoopbackCeiling   peer ~4.4-5.1 us CPU per packet (send + receive, nothing in between)
// The engine figure includes the kernel's loopback delivery charged to its sendto() and the
// recvmmsg/epoll wake-ups; the relay work itself (parse + rewrite) is ~20 ns (media_bench's
// BM_RtpParseAndRewrite). Not paced at 50 packets/s per leg: this is the per-packet CPU figure of
// one media thread; the paced capacity run, both directions, against rtpengine in the same run,
// is bench/relay_compare.sh.
#include "media/engine/media_engine.hpp"
#include "media/rtp/rtp_packet.hpp"
#include "media/rtp/udp_socket.hpp"

#include <benchmark/benchmark.h>
#include <poll.h>
#include <time.h>

#include <memory>
#include <vector>

namespace sb::media {
namespace {

double cpu_seconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Peer {
  UdpSocket socket = *UdpSocket::bind(*UdpEndpoint::parse("127.0.0.1", 0));
  std::uint16_t port() const { return socket.local_endpoint()->port(); }
};

// Waits until `count` datagrams arrived at `sink`; false on a 1 s stall (loss).
bool receive_all(UdpSocket& sink, ReceiveBatch& batch, std::size_t count) {
  std::size_t got = 0;
  while (got < count) {
    const std::size_t n = sink.receive(batch);
    got += n;
    if (n == 0) {
      pollfd fd{sink.native_handle(), POLLIN, 0};
      if (::poll(&fd, 1, 1000) <= 0) return false;
    }
  }
  return true;
}

std::vector<std::byte> make_packet(std::uint16_t sequence, std::uint32_t timestamp) {
  std::vector<std::byte> packet(kRtpFixedHeaderSize + 160, std::byte{0x55});
  write_rtp_header({.payload_type = 0, .sequence_number = sequence, .timestamp = timestamp, .ssrc = Ssrc{0x1234}}, packet);
  return packet;
}

void BM_BridgeRelay(benchmark::State& state) {
  const auto calls = static_cast<std::size_t>(state.range(0));
  MediaEngine engine({.thread_count = 1, .rtp_port_min = 40000, .rtp_port_max = 59999, .rtp_timeout = std::chrono::hours{1},
                      .max_packets_per_tick = 100000},
                     [](MediaEvent) {});
  Peer generator, sink;
  std::vector<std::uint16_t> a_ports;
  for (std::size_t i = 0; i < calls; ++i) {
    auto a = engine.open_session({.local_address = "127.0.0.1", .sends_silence_when_idle = false});
    auto b = engine.open_session({.local_address = "127.0.0.1", .colocate_with = a->id, .sends_silence_when_idle = false});
    if (!a || !b) {
      state.SkipWithError("cannot open sessions");
      return;
    }
    NegotiatedMedia media{.codec = G711Law::ulaw, .payload_type = 0, .telephone_event_payload_type = 101,
                          .remote_address = "127.0.0.1", .remote_port = generator.port()};
    engine.set_remote(a->id, media);
    media.remote_port = sink.port();
    engine.set_remote(b->id, media);
    engine.bridge(a->id, b->id);
    a_ports.push_back(a->rtp_port);
  }
  std::vector<UdpEndpoint> targets;
  for (auto port : a_ports) targets.push_back(*UdpEndpoint::parse("127.0.0.1", port));
  auto batch = std::make_unique<ReceiveBatch>();
  // Warm up (sessions adopted, remotes set, latched) and drop what is in flight.
  for (int round = 0; round < 20; ++round) {
    auto packet = make_packet(static_cast<std::uint16_t>(round), round * 160u);
    for (const auto& target : targets) generator.socket.send_to(packet, target);
    receive_all(sink.socket, *batch, calls);
  }
  while (sink.socket.receive(*batch) > 0) {
  }

  std::uint16_t sequence = 100;
  std::uint32_t timestamp = 16000;
  std::size_t packets = 0;
  bool is_lossy = false;
  const double process_start = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
  const double thread_start = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
  for (auto _ : state) {
    auto packet = make_packet(sequence++, timestamp += 160);
    for (const auto& target : targets) generator.socket.send_to(packet, target);
    if (!receive_all(sink.socket, *batch, calls)) {
      is_lossy = true;
      break;
    }
    packets += calls;
  }
  const double thread_cpu = cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - thread_start;
  const double engine_cpu = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - process_start - thread_cpu;
  if (is_lossy) state.SkipWithError("packets lost (socket buffers overflowed)");
  state.SetItemsProcessed(static_cast<std::int64_t>(packets));
  if (packets > 0) {
    state.counters["engine_us_per_pkt"] = engine_cpu * 1e6 / static_cast<double>(packets);
    state.counters["peer_us_per_pkt"] = thread_cpu * 1e6 / static_cast<double>(packets);
  }
  state.SetLabel(std::to_string(calls) + " bridged calls, 1 media thread");
}
BENCHMARK(BM_BridgeRelay)->Arg(1)->Arg(50)->Arg(200)->UseRealTime()->MinTime(2.0);

void BM_LoopbackCeiling(benchmark::State& state) {
  const auto calls = static_cast<std::size_t>(state.range(0));
  Peer generator, sink;
  const auto target = *UdpEndpoint::parse("127.0.0.1", sink.port());
  auto batch = std::make_unique<ReceiveBatch>();
  std::size_t packets = 0;
  for (auto _ : state) {
    auto packet = make_packet(1, 160);
    for (std::size_t i = 0; i < calls; ++i) generator.socket.send_to(packet, target);
    if (!receive_all(sink.socket, *batch, calls)) {
      state.SkipWithError("loss");
      break;
    }
    packets += calls;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(packets));
}
BENCHMARK(BM_LoopbackCeiling)->Arg(1)->Arg(50)->Arg(200)->UseRealTime();

}  // namespace
}  // namespace sb::media
