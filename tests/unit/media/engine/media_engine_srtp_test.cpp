// The media engine with SRTP (RFC 3711, SDES keys): real UDP on 127.0.0.1, libsrtp2 on both sides.
#include "media/engine/media_engine.hpp"

#include "engine/test_peer.hpp"
#include "media/codec/g711.hpp"
#include "media/rtp/rtcp_packet.hpp"
#include "media/srtp/srtp_session.hpp"

#include <gtest/gtest.h>
#include <sndfile.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <numbers>
#include <thread>

namespace sb::media {
namespace {

using namespace std::chrono_literals;
using test::EventQueue;
using test::media_to;
using test::TestPeer;

double tone_ratio(const std::vector<std::int16_t>& pcm, double frequency) {
  const double w = 2 * std::numbers::pi * frequency / 8000.0;
  double s1 = 0, s2 = 0, total = 0;
  for (auto x : pcm) {
    const double s = x + 2 * std::cos(w) * s1 - s2;
    s2 = s1;
    s1 = s;
    total += static_cast<double>(x) * x;
  }
  const double power = s1 * s1 + s2 * s2 - 2 * std::cos(w) * s1 * s2;
  return total == 0 ? 0 : 2 * power / (static_cast<double>(pcm.size()) * total);
}

SrtpMasterKey key_of(std::uint8_t seed) {
  SrtpMasterKey key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::byte>(seed * 31 + i);
  return key;
}

SrtpParameters srtp(CryptoSuite suite, std::uint8_t local, std::uint8_t remote) {
  SrtpParameters p;
  p.suite = suite;
  p.local_key = key_of(local);
  p.remote_key = key_of(remote);
  return p;
}

NegotiatedMedia secure_media_to(std::uint16_t port, const SrtpParameters& parameters) {
  NegotiatedMedia media = media_to(port);
  media.srtp = parameters;
  return media;
}

// A plain RTP packet in a buffer with room for the SRTP trailer.
struct Packet {
  std::array<std::byte, 512> buffer{};
  std::size_t size = 0;
  std::span<const std::byte> bytes() const { return {buffer.data(), size}; }
};

Packet make_rtp(std::uint16_t sequence, std::span<const std::byte> payload, Ssrc ssrc = Ssrc{0x5151}) {
  Packet packet;
  auto size = write_rtp({.payload_type = 0, .sequence_number = sequence, .timestamp = sequence * 160u, .ssrc = ssrc}, payload,
                        packet.buffer);
  EXPECT_TRUE(size);
  packet.size = size ? *size : 0;
  return packet;
}

std::vector<std::byte> ulaw_payload(std::uint8_t seed) {
  std::vector<std::byte> out(160);
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = static_cast<std::byte>(seed + k);
  return out;
}

// The next datagram that is not RTCP, unprotected by `keys`; nullopt after `timeout` or if it
// does not verify.
std::optional<std::vector<std::byte>> receive_srtp(TestPeer& peer, SrtpSession& keys, bool* saw_srtcp = nullptr,
                                                   std::chrono::milliseconds timeout = 1000ms) {
  ReceiveBatch batch;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (peer.socket().receive(batch, 1) == 0) {
      std::this_thread::sleep_for(1ms);
      continue;
    }
    auto& d = batch.datagrams[0];
    std::size_t size = d.size;
    if (is_rtcp(d.bytes())) {
      if (keys.unprotect_rtcp(d.buffer, size) == SrtpStatus::ok && RtcpCompound::parse({d.buffer.data(), size}) && saw_srtcp)
        *saw_srtcp = true;
      continue;
    }
    if (keys.unprotect_rtp(d.buffer, size) != SrtpStatus::ok) return std::nullopt;
    return std::vector<std::byte>(d.buffer.begin(), d.buffer.begin() + static_cast<std::ptrdiff_t>(size));
  }
  return std::nullopt;
}

std::vector<std::int16_t> read_wav(const std::filesystem::path& path) {
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (!file) return {};
  std::vector<std::int16_t> samples(static_cast<std::size_t>(info.frames));
  sf_read_short(file, samples.data(), info.frames);
  sf_close(file);
  return samples;
}

class SrtpEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = std::make_unique<MediaEngine>(
        MediaEngineOptions{.thread_count = 2, .rtp_port_min = 32000, .rtp_port_max = 32999, .rtp_timeout = 5000ms,
                           .rtcp_interval = 200ms},
        events_.handler());
  }

  SessionInfo open() {
    auto info = engine_->open_session({.local_address = "127.0.0.1", .sends_silence_when_idle = false});
    EXPECT_TRUE(info.has_value());
    return *info;
  }

  void sync(SessionId session) {
    engine_->request_stats(session);
    ASSERT_TRUE(events_.wait_for<SessionStats>(session));
  }

  SessionStats stats(SessionId session) {
    engine_->request_stats(session);
    auto stats = events_.wait_for<SessionStats>(session);
    EXPECT_TRUE(stats);
    return stats ? *stats : SessionStats{};
  }

  EventQueue events_;
  std::unique_ptr<MediaEngine> engine_;
};

// Two engine sessions with mirrored keys: each plays a tone to the other and records what it
// receives; each recording decodes to the other's tone.
void exchange_tones(MediaEngine& engine, EventQueue& events, CryptoSuite suite,
                    const SessionInfo& a, const SessionInfo& b) {
  engine.set_remote(a.id, secure_media_to(b.rtp_port, srtp(suite, 1, 2)));
  engine.set_remote(b.id, secure_media_to(a.rtp_port, srtp(suite, 2, 1)));
  const auto base = std::filesystem::temp_directory_path() / ("sb_srtp_" + std::to_string(::getpid()));
  const auto path_a = base.string() + "_a.wav";
  const auto path_b = base.string() + "_b.wav";
  engine.start_recording(a.id, {path_a});
  engine.start_recording(b.id, {path_b});
  engine.play(a.id, {Tone{.frequency1 = 1000, .on = 400ms, .duration = 400ms}});
  engine.play(b.id, {Tone{.frequency1 = 600, .on = 400ms, .duration = 400ms}});
  ASSERT_TRUE(events.wait_for<PlayFinished>(a.id));
  ASSERT_TRUE(events.wait_for<PlayFinished>(b.id));
  std::this_thread::sleep_for(100ms);
  engine.stop_recording(a.id);
  engine.stop_recording(b.id);
  auto finished_a = events.wait_for<RecordFinished>(a.id);
  auto finished_b = events.wait_for<RecordFinished>(b.id);
  ASSERT_TRUE(finished_a && finished_b);
  EXPECT_GE(finished_a->duration, 300ms);
  EXPECT_GE(finished_b->duration, 300ms);
  const auto heard_by_a = read_wav(path_a);
  const auto heard_by_b = read_wav(path_b);
  EXPECT_GT(tone_ratio(heard_by_b, 1000), 0.9);
  EXPECT_GT(tone_ratio(heard_by_a, 600), 0.9);
  std::filesystem::remove(path_a);
  std::filesystem::remove(path_b);
}

TEST_F(SrtpEngineTest, MirroredSessionsExchangeTonesBothWays) {
  const auto a = open();
  const auto b = open();
  exchange_tones(*engine_, events_, CryptoSuite::aes_cm_128_hmac_sha1_80, a, b);
  for (const auto& session : {a, b}) {
    const auto s = stats(session.id);
    EXPECT_GE(s.packets_received, 15u);
    EXPECT_EQ(s.srtp_auth_failures, 0u);
    EXPECT_EQ(s.srtp_replays, 0u);
    EXPECT_EQ(s.srtp_protect_failures, 0u);
    EXPECT_EQ(s.dropped_malformed, 0u);
  }
}

TEST_F(SrtpEngineTest, MirroredSessionsExchangeTonesWithThe32BitTag) {
  const auto a = open();
  const auto b = open();
  exchange_tones(*engine_, events_, CryptoSuite::aes_cm_128_hmac_sha1_32, a, b);
  const auto s = stats(b.id);
  EXPECT_GE(s.packets_received, 15u);
  EXPECT_EQ(s.srtp_auth_failures, 0u);
}

TEST_F(SrtpEngineTest, SendsSrtpAndSrtcpThatThePeerKeysUnprotect) {
  for (const CryptoSuite suite : {CryptoSuite::aes_cm_128_hmac_sha1_80, CryptoSuite::aes_cm_128_hmac_sha1_32}) {
    const auto session = open();
    TestPeer peer;
    auto peer_keys = SrtpSession::create(srtp(suite, 2, 1));
    ASSERT_TRUE(peer_keys);
    auto media = secure_media_to(peer.port(), srtp(suite, 1, 2));
    media.is_rtcp_mux = true;  // RFC 5761: SRTCP arrives on the peer's one port
    engine_->set_remote(session.id, media);
    engine_->play(session.id, {Tone{.frequency1 = 1000, .on = 600ms, .duration = 600ms}});
    std::vector<std::int16_t> pcm;
    bool saw_srtcp = false;
    for (int i = 0; i < 20; ++i) {
      auto packet = receive_srtp(peer, *peer_keys, &saw_srtcp);
      ASSERT_TRUE(packet) << "packet " << i;
      auto parsed = parse_rtp(*packet);
      ASSERT_TRUE(parsed);
      ASSERT_EQ(parsed->payload.size(), 160u);
      std::vector<std::int16_t> frame(160);
      decode(G711Law::ulaw, parsed->payload, frame);
      pcm.insert(pcm.end(), frame.begin(), frame.end());
    }
    EXPECT_GT(tone_ratio(pcm, 1000), 0.9);
    EXPECT_TRUE(saw_srtcp);  // a report every 200 ms, SRTCP with the _80 tag whatever the RTP suite
    engine_->close_session(session.id);
  }
}

TEST_F(SrtpEngineTest, DropsAndCountsAFlippedAuthenticationTag) {
  const auto session = open();
  TestPeer peer;
  auto peer_keys = SrtpSession::create(srtp(CryptoSuite::aes_cm_128_hmac_sha1_80, 2, 1));
  ASSERT_TRUE(peer_keys);
  engine_->set_remote(session.id, secure_media_to(peer.port(), srtp(CryptoSuite::aes_cm_128_hmac_sha1_80, 1, 2)));
  sync(session.id);
  for (std::uint16_t i = 0; i < 4; ++i) {
    Packet packet = make_rtp(100 + i, ulaw_payload(static_cast<std::uint8_t>(i)));
    ASSERT_TRUE(peer_keys->protect_rtp(packet.buffer, packet.size));
    if (i == 2) packet.buffer[packet.size - 1] ^= std::byte{0x80};  // last byte of the tag
    peer.send(packet.bytes(), session.rtp_port);
  }
  // A plain packet to an SRTP session fails authentication too.
  Packet plain = make_rtp(200, ulaw_payload(9));
  peer.send(plain.bytes(), session.rtp_port);
  std::this_thread::sleep_for(100ms);
  const auto s = stats(session.id);
  EXPECT_EQ(s.packets_received, 3u);
  EXPECT_EQ(s.srtp_auth_failures, 2u);
  EXPECT_EQ(s.srtp_replays, 0u);
  EXPECT_EQ(s.dropped_malformed, 0u);
}

TEST_F(SrtpEngineTest, DropsAndCountsAReplayedPacket) {
  const auto session = open();
  TestPeer peer;
  auto peer_keys = SrtpSession::create(srtp(CryptoSuite::aes_cm_128_hmac_sha1_80, 2, 1));
  ASSERT_TRUE(peer_keys);
  engine_->set_remote(session.id, secure_media_to(peer.port(), srtp(CryptoSuite::aes_cm_128_hmac_sha1_80, 1, 2)));
  sync(session.id);
  Packet first = make_rtp(500, ulaw_payload(1));
  ASSERT_TRUE(peer_keys->protect_rtp(first.buffer, first.size));
  peer.send(first.bytes(), session.rtp_port);
  Packet second = make_rtp(501, ulaw_payload(2));
  ASSERT_TRUE(peer_keys->protect_rtp(second.buffer, second.size));
  peer.send(second.bytes(), session.rtp_port);
  peer.send(first.bytes(), session.rtp_port);   // replayed
  peer.send(second.bytes(), session.rtp_port);  // replayed
  std::this_thread::sleep_for(100ms);
  const auto s = stats(session.id);
  EXPECT_EQ(s.packets_received, 2u);
  EXPECT_EQ(s.srtp_replays, 2u);
  EXPECT_EQ(s.srtp_auth_failures, 0u);
}

TEST_F(SrtpEngineTest, ReinviteWithTheSameKeysKeepsTheReplayWindow) {
  const auto session = open();
  TestPeer peer;
  auto peer_keys = SrtpSession::create(srtp(CryptoSuite::aes_cm_128_hmac_sha1_80, 2, 1));
  ASSERT_TRUE(peer_keys);
  const auto media = secure_media_to(peer.port(), srtp(CryptoSuite::aes_cm_128_hmac_sha1_80, 1, 2));
  engine_->set_remote(session.id, media);
  sync(session.id);
  Packet packet = make_rtp(10, ulaw_payload(1));
  ASSERT_TRUE(peer_keys->protect_rtp(packet.buffer, packet.size));
  peer.send(packet.bytes(), session.rtp_port);
  std::this_thread::sleep_for(50ms);
  engine_->set_remote(session.id, media);
  sync(session.id);
  peer.send(packet.bytes(), session.rtp_port);
  std::this_thread::sleep_for(50ms);
  const auto s = stats(session.id);
  EXPECT_EQ(s.packets_received, 1u);
  EXPECT_EQ(s.srtp_replays, 1u);
}

// A bridge between an SRTP leg (A) and a plain leg (B): A's packets are unprotected and relayed
// in clear to B; B's are protected with A's outbound key.
TEST_F(SrtpEngineTest, BridgesAnSrtpLegWithAPlainLeg) {
  const auto a = open();
  const auto b = open();
  TestPeer peer_a, peer_b;
  auto peer_a_keys = SrtpSession::create(srtp(CryptoSuite::aes_cm_128_hmac_sha1_80, 2, 1));
  ASSERT_TRUE(peer_a_keys);
  engine_->set_remote(a.id, secure_media_to(peer_a.port(), srtp(CryptoSuite::aes_cm_128_hmac_sha1_80, 1, 2)));
  engine_->set_remote(b.id, media_to(peer_b.port()));
  engine_->bridge(a.id, b.id);
  sync(a.id);
  sync(b.id);
  std::uint16_t sequence = 1000;
  // The bridge is in place once a packet crosses it (b may be moving to a's thread).
  bool crossed = false;
  for (int i = 0; i < 50 && !crossed; ++i) {
    Packet packet = make_rtp(sequence++, ulaw_payload(0));
    ASSERT_TRUE(peer_a_keys->protect_rtp(packet.buffer, packet.size));
    peer_a.send(packet.bytes(), a.rtp_port);
    crossed = peer_b.receive(20ms).has_value();
  }
  ASSERT_TRUE(crossed);
  peer_b.drain();

  for (std::uint8_t i = 1; i <= 5; ++i) {
    const auto payload = ulaw_payload(i);
    Packet packet = make_rtp(sequence++, payload);
    ASSERT_TRUE(peer_a_keys->protect_rtp(packet.buffer, packet.size));
    peer_a.send(packet.bytes(), a.rtp_port);
    auto relayed = peer_b.receive();
    ASSERT_TRUE(relayed);
    EXPECT_EQ(relayed->payload, payload);  // in clear on the plain leg, audio intact
    EXPECT_EQ(relayed->bytes.size(), kRtpFixedHeaderSize + 160);  // no SRTP trailer
  }
  peer_a.drain();
  for (std::uint8_t i = 1; i <= 5; ++i) {
    const auto payload = ulaw_payload(static_cast<std::uint8_t>(100 + i));
    peer_b.send_rtp({.payload_type = 0, .sequence_number = static_cast<std::uint16_t>(40 + i), .timestamp = i * 160u,
                     .ssrc = Ssrc{0x7777}}, payload, b.rtp_port);
    auto relayed = receive_srtp(peer_a, *peer_a_keys);
    ASSERT_TRUE(relayed) << "packet " << int{i} << " missing or not verifiable with A's key";
    auto parsed = parse_rtp(*relayed);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(std::vector<std::byte>(parsed->payload.begin(), parsed->payload.end()), payload);
  }
  const auto s = stats(a.id);
  EXPECT_EQ(s.srtp_auth_failures, 0u);
  EXPECT_GE(s.packets_relayed, 5u);
}

// Both legs SRTP with different keys: each packet is unprotected with one leg's key and
// re-protected with the other's.
TEST_F(SrtpEngineTest, BridgesTwoSrtpLegsReprotectingEachPacket) {
  const auto a = open();
  const auto b = open();
  TestPeer peer_a, peer_b;
  auto peer_a_keys = SrtpSession::create(srtp(CryptoSuite::aes_cm_128_hmac_sha1_80, 2, 1));
  auto peer_b_keys = SrtpSession::create(srtp(CryptoSuite::aes_cm_128_hmac_sha1_32, 4, 3));
  ASSERT_TRUE(peer_a_keys && peer_b_keys);
  engine_->set_remote(a.id, secure_media_to(peer_a.port(), srtp(CryptoSuite::aes_cm_128_hmac_sha1_80, 1, 2)));
  engine_->set_remote(b.id, secure_media_to(peer_b.port(), srtp(CryptoSuite::aes_cm_128_hmac_sha1_32, 3, 4)));
  engine_->bridge(a.id, b.id);
  sync(a.id);
  sync(b.id);
  std::uint16_t sequence = 1;
  std::optional<std::vector<std::byte>> relayed;
  for (int i = 0; i < 50 && !relayed; ++i) {
    Packet packet = make_rtp(sequence++, ulaw_payload(42));
    ASSERT_TRUE(peer_a_keys->protect_rtp(packet.buffer, packet.size));
    peer_a.send(packet.bytes(), a.rtp_port);
    relayed = receive_srtp(peer_b, *peer_b_keys, nullptr, 20ms);
  }
  ASSERT_TRUE(relayed);
  auto parsed = parse_rtp(*relayed);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(std::vector<std::byte>(parsed->payload.begin(), parsed->payload.end()), ulaw_payload(42));
}

}  // namespace
}  // namespace sb::media
