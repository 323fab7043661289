#include "media/engine/media_engine.hpp"

#include "engine/test_peer.hpp"
#include "media/codec/g711.hpp"
#include "media/dtmf/dtmf_receiver.hpp"
#include "media/dtmf/telephone_event.hpp"
#include "media/rtp/rtcp_packet.hpp"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <filesystem>
#include <numbers>

namespace sb::media {
namespace {

using namespace std::chrono_literals;
using test::EventQueue;
using test::media_to;
using test::ReceivedPacket;
using test::TestPeer;

// Signal power at `frequency` relative to total power (Goertzel).
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

std::vector<std::byte> ulaw_frame(std::int16_t value = 1000) {
  std::vector<std::int16_t> pcm(160, value);
  std::vector<std::byte> out(160);
  encode(G711Law::ulaw, pcm, out);
  return out;
}

std::array<std::byte, 4> event_payload(std::uint8_t event, bool is_end, std::uint16_t duration) {
  std::array<std::byte, 4> out{};
  write_telephone_event({.event = event, .is_end = is_end, .volume = 10, .duration = duration}, out);
  return out;
}

class MediaEngineTest : public ::testing::Test {
 protected:
  MediaEngineOptions engine_options() {
    return {.thread_count = 2, .rtp_port_min = 31000, .rtp_port_max = 31999, .rtp_timeout = 5000ms};
  }
  void SetUp() override { engine_ = std::make_unique<MediaEngine>(engine_options(), events_.handler()); }

  SessionInfo open(bool sends_silence = false, std::optional<SessionId> colocate = std::nullopt) {
    auto info = engine_->open_session({.local_address = "127.0.0.1", .colocate_with = colocate,
                                       .sends_silence_when_idle = sends_silence});
    EXPECT_TRUE(info.has_value());
    return *info;
  }

  // Returns once the session's media thread has run every command made so far (packets sent
  // after this are read after set_remote() took effect).
  void sync(SessionId session) {
    engine_->request_stats(session);
    ASSERT_TRUE(events_.wait_for<SessionStats>(session));
  }

  EventQueue events_;
  std::unique_ptr<MediaEngine> engine_;
};

TEST_F(MediaEngineTest, AllocatesEvenRtpPortInRange) {
  const auto a = open();
  const auto b = open();
  EXPECT_EQ(a.rtp_port % 2, 0);
  EXPECT_EQ(a.rtcp_port, a.rtp_port + 1);
  EXPECT_GE(a.rtp_port, 31000);
  EXPECT_LE(a.rtcp_port, 31999);
  EXPECT_NE(a.rtp_port, b.rtp_port);
  EXPECT_NE(a.thread_index, b.thread_index);  // least loaded
}

TEST_F(MediaEngineTest, OpensIpv6Session) {
  auto info = engine_->open_session({.local_address = "::1", .sends_silence_when_idle = false});
  if (!info) GTEST_SKIP() << "no IPv6 loopback: " << info.error().message();
  TestPeer peer("::1");
  auto media = media_to(peer.port());
  media.remote_address = "::1";
  engine_->set_remote(info->id, media);
  engine_->play(info->id, {Silence{40ms}});
  auto packet = peer.receive();
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->source.port(), info->rtp_port);
}

TEST_F(MediaEngineTest, PlaysToneThatDecodesToItsFrequency) {
  const auto session = open();
  TestPeer peer;
  engine_->set_remote(session.id, media_to(peer.port()));
  const PlayId play = engine_->play(session.id, {Tone{.frequency1 = 1000, .on = 200ms, .duration = 200ms}});
  std::vector<std::int16_t> pcm;
  std::optional<std::uint16_t> last_sequence;
  for (int i = 0; i < 10; ++i) {
    auto packet = peer.receive();
    ASSERT_TRUE(packet) << "packet " << i;
    EXPECT_EQ(packet->header.payload_type, 0);
    EXPECT_EQ(packet->payload.size(), 160u);
    if (last_sequence) {
      EXPECT_EQ(packet->header.sequence_number, static_cast<std::uint16_t>(*last_sequence + 1));
    }
    last_sequence = packet->header.sequence_number;
    std::vector<std::int16_t> frame(160);
    decode(G711Law::ulaw, packet->payload, frame);
    pcm.insert(pcm.end(), frame.begin(), frame.end());
  }
  EXPECT_GT(tone_ratio(pcm, 1000), 0.9);
  EXPECT_LT(tone_ratio(pcm, 440), 0.01);
  auto finished = events_.wait_for<PlayFinished>(session.id);
  ASSERT_TRUE(finished);
  EXPECT_EQ(finished->play, play);
  EXPECT_FALSE(finished->is_interrupted);
}

TEST_F(MediaEngineTest, PlaysRingbackAsTwoTonesAndStopsOnCommand) {
  const auto session = open();
  TestPeer peer;
  engine_->set_remote(session.id, media_to(peer.port(), G711Law::alaw));
  const PlayId play = engine_->play(session.id, {Tone::ringback_us(), 0});
  std::vector<std::int16_t> pcm;
  for (int i = 0; i < 10; ++i) {
    auto packet = peer.receive();
    ASSERT_TRUE(packet);
    EXPECT_EQ(packet->header.payload_type, 8);
    std::vector<std::int16_t> frame(160);
    decode(G711Law::alaw, packet->payload, frame);
    pcm.insert(pcm.end(), frame.begin(), frame.end());
  }
  EXPECT_GT(tone_ratio(pcm, 440) + tone_ratio(pcm, 480), 0.9);
  engine_->stop_playing(session.id);
  auto finished = events_.wait_for<PlayFinished>(session.id);
  ASSERT_TRUE(finished);
  EXPECT_EQ(finished->play, play);
  EXPECT_TRUE(finished->is_interrupted);
}

TEST_F(MediaEngineTest, PlaysSilenceForItsDurationAndLoops) {
  const auto session = open();
  TestPeer peer;
  engine_->set_remote(session.id, media_to(peer.port()));
  engine_->play(session.id, {Silence{60ms}, 2});
  ASSERT_TRUE(events_.wait_for<PlayFinished>(session.id));
  int packets = 0;
  while (auto packet = peer.receive(50ms)) {
    ++packets;
    for (auto b : packet->payload) EXPECT_EQ(b, std::byte{0xFF});  // μ-law zero
  }
  EXPECT_EQ(packets, 6);
}

TEST_F(MediaEngineTest, IdleSessionSendsSilenceWhenAsked) {
  const auto session = open(/*sends_silence=*/true);
  TestPeer peer;
  engine_->set_remote(session.id, media_to(peer.port()));
  auto first = peer.receive();
  auto second = peer.receive();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(second->header.sequence_number, static_cast<std::uint16_t>(first->header.sequence_number + 1));
  EXPECT_EQ(second->header.timestamp, first->header.timestamp + 160);
  EXPECT_EQ(first->header.ssrc, second->header.ssrc);
}

TEST_F(MediaEngineTest, ReportsReceivedDtmfDigits) {
  const auto session = open();
  TestPeer peer;
  engine_->set_remote(session.id, media_to(peer.port()));
  sync(session.id);
  std::uint16_t sequence = 10;
  // '5': start, update, three end packets; '#': start only (its end packets lost -> flushed).
  RtpHeader header{.marker = true, .payload_type = 101, .sequence_number = sequence, .timestamp = 8000, .ssrc = Ssrc{7}};
  for (std::uint16_t duration : {160, 320, 800, 800, 800}) {
    header.sequence_number = sequence++;
    peer.send_rtp(header, event_payload(5, duration == 800, duration), session.rtp_port);
    header.marker = false;
  }
  header.timestamp = 16000;
  header.marker = true;
  header.sequence_number = sequence++;
  peer.send_rtp(header, event_payload(11, false, 160), session.rtp_port);

  auto five = events_.wait_for<DigitReceived>(session.id);
  ASSERT_TRUE(five);
  EXPECT_EQ(five->digit, '5');
  EXPECT_EQ(five->duration, 100ms);
  auto hash = events_.wait_for<DigitReceived>(session.id);
  ASSERT_TRUE(hash);
  EXPECT_EQ(hash->digit, '#');
  EXPECT_EQ(events_.count<DigitReceived>(session.id), 0u);
}

TEST_F(MediaEngineTest, SendsDigitsWithPausesThenReportsThem) {
  const auto session = open();
  TestPeer peer;
  engine_->set_remote(session.id, media_to(peer.port(), G711Law::ulaw, 96));
  const auto start = std::chrono::steady_clock::now();
  engine_->send_digits(session.id, "1w#");
  DtmfReceiver receiver;
  std::string digits;
  while (digits.size() < 2) {
    auto packet = peer.receive();
    ASSERT_TRUE(packet);
    ASSERT_EQ(packet->header.payload_type, 96);
    for (const auto& digit : receiver.on_packet(packet->header.timestamp, packet->payload)) digits += digit.digit;
  }
  EXPECT_EQ(digits, "1#");
  auto sent = events_.wait_for<DigitsSent>(session.id);
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->digits, "1w#");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 800ms);  // 200 + 500 + 200 ms
}

TEST_F(MediaEngineTest, SendDigitsWithoutTelephoneEventFails) {
  const auto session = open();
  TestPeer peer;
  engine_->set_remote(session.id, media_to(peer.port(), G711Law::ulaw, std::nullopt));
  engine_->send_digits(session.id, "1");
  auto error = events_.wait_for<MediaError>(session.id);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind, MediaError::Kind::digits_failed);
}

TEST_F(MediaEngineTest, LatchesOntoTheActualSourceAndDropsOthers) {
  const auto session = open();
  TestPeer signalled;  // the address from SDP
  TestPeer actual;     // behind NAT: the source that really sends
  TestPeer intruder;
  engine_->set_remote(session.id, media_to(signalled.port()));
  engine_->play(session.id, {Silence{5000ms}});
  ASSERT_TRUE(signalled.receive());  // before latching we send to the SDP address

  const auto frame = ulaw_frame();
  actual.send_rtp({.payload_type = 0, .sequence_number = 1, .timestamp = 160, .ssrc = Ssrc{1}}, frame, session.rtp_port);
  auto packet = actual.receive();
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->source.port(), session.rtp_port);
  for (std::uint16_t i = 0; i < 3; ++i)
    intruder.send_rtp({.payload_type = 0, .sequence_number = i, .timestamp = 160, .ssrc = Ssrc{2}}, frame, session.rtp_port);
  std::this_thread::sleep_for(60ms);
  engine_->request_stats(session.id);
  auto stats = events_.wait_for<SessionStats>(session.id);
  ASSERT_TRUE(stats);
  EXPECT_TRUE(stats->is_latched);
  EXPECT_EQ(stats->latched_source, "127.0.0.1:" + std::to_string(actual.port()));
  EXPECT_EQ(stats->dropped_foreign_source, 3u);
  EXPECT_EQ(stats->packets_received, 1u);
  signalled.drain();
  EXPECT_FALSE(signalled.receive(60ms));  // everything goes to the latched source now
  EXPECT_FALSE(intruder.receive(10ms));
}

TEST_F(MediaEngineTest, KeepsSequenceAndSsrcWhenThePlayerChanges) {
  const auto session = open();
  TestPeer peer;
  engine_->set_remote(session.id, media_to(peer.port()));
  engine_->play(session.id, {Silence{40ms}});
  auto a = peer.receive();
  auto b = peer.receive();
  engine_->play(session.id, {Tone::beep()});
  auto c = peer.receive();
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->header.ssrc, c->header.ssrc);
  EXPECT_EQ(c->header.sequence_number, static_cast<std::uint16_t>(b->header.sequence_number + 1));
  EXPECT_GE(c->header.timestamp - b->header.timestamp, 160u);
  EXPECT_TRUE(c->header.marker);
}

TEST_F(MediaEngineTest, RaisesRtpTimeoutWhenNothingArrives) {
  auto info = engine_->open_session({.local_address = "127.0.0.1", .rtp_timeout = 150ms, .sends_silence_when_idle = false});
  ASSERT_TRUE(info);
  TestPeer peer;
  const auto start = std::chrono::steady_clock::now();
  engine_->set_remote(info->id, media_to(peer.port()));
  auto timeout = events_.wait_for<RtpTimeout>(info->id, 2000ms);
  ASSERT_TRUE(timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
  EXPECT_EQ(timeout->twilio_error_code, 32014);
  EXPECT_NE(timeout->reason.find("no RTP"), std::string::npos);
  EXPECT_EQ(events_.count<RtpTimeout>(info->id), 0u);  // once
}

TEST_F(MediaEngineTest, CountsAndIgnoresMalformedPackets) {
  const auto session = open();
  TestPeer peer;
  engine_->set_remote(session.id, media_to(peer.port()));
  sync(session.id);
  const std::vector<std::byte> garbage{std::byte{0x12}, std::byte{0x34}, std::byte{0x56}};
  std::vector<std::byte> version1(172, std::byte{0});
  version1[0] = std::byte{0x40};
  const std::vector<std::byte> oversize(1600, std::byte{0x80});
  std::vector<std::byte> truncated_csrc(12, std::byte{0});
  truncated_csrc[0] = std::byte{0x8F};  // 15 CSRCs announced, none present
  peer.send(garbage, session.rtp_port);
  peer.send(version1, session.rtp_port);
  peer.send(oversize, session.rtp_port);
  peer.send(truncated_csrc, session.rtp_port);
  peer.send_rtp({.payload_type = 99, .sequence_number = 1, .timestamp = 0, .ssrc = Ssrc{3}}, ulaw_frame(), session.rtp_port);
  peer.send_rtp({.payload_type = 0, .sequence_number = 2, .timestamp = 160, .ssrc = Ssrc{3}}, ulaw_frame(), session.rtp_port);
  peer.send(garbage, session.rtcp_port);
  std::this_thread::sleep_for(60ms);
  engine_->request_stats(session.id);
  auto stats = events_.wait_for<SessionStats>(session.id);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->dropped_malformed, 3u);
  EXPECT_EQ(stats->dropped_oversize, 1u);
  EXPECT_EQ(stats->dropped_unknown_payload_type, 1u);
  EXPECT_EQ(stats->packets_received, 1u);
  EXPECT_EQ(stats->rtcp_malformed, 1u);
}

TEST_F(MediaEngineTest, BoundsAFloodPerTick) {
  const auto session = open();
  TestPeer peer;
  engine_->set_remote(session.id, media_to(peer.port()));
  sync(session.id);
  const auto frame = ulaw_frame();
  for (std::uint16_t i = 0; i < 2000; ++i)
    peer.send_rtp({.payload_type = 0, .sequence_number = i, .timestamp = i * 160u, .ssrc = Ssrc{4}}, frame, session.rtp_port);
  std::this_thread::sleep_for(100ms);
  engine_->request_stats(session.id);
  auto stats = events_.wait_for<SessionStats>(session.id);
  ASSERT_TRUE(stats);
  EXPECT_GT(stats->throttled_ticks, 0u);
  EXPECT_GT(stats->packets_received, 0u);
}

TEST_F(MediaEngineTest, SendsRtcpReportsWithReceptionFigures) {
  engine_.reset();
  auto options = engine_options();
  options.rtcp_interval = 100ms;
  engine_ = std::make_unique<MediaEngine>(options, events_.handler());
  const auto session = open(true);
  TestPeer peer;
  TestPeer peer_rtcp;
  auto media = media_to(peer.port());
  media.remote_rtcp_port = peer_rtcp.port();
  engine_->set_remote(session.id, media);
  sync(session.id);
  for (std::uint16_t i = 0; i < 5; ++i)
    peer.send_rtp({.payload_type = 0, .sequence_number = i, .timestamp = i * 160u, .ssrc = Ssrc{9}}, ulaw_frame(), session.rtp_port);
  ReceiveBatch batch;
  bool has_block = false;
  for (int tries = 0; tries < 20 && !has_block; ++tries) {
    pollfd fd{peer_rtcp.socket().native_handle(), POLLIN, 0};
    ::poll(&fd, 1, 200);
    const auto n = peer_rtcp.socket().receive(batch, 1);
    if (n == 0) continue;
    auto compound = RtcpCompound::parse(batch.datagrams[0].bytes());
    ASSERT_TRUE(compound);
    auto first = *compound->begin();
    EXPECT_EQ(first.packet_type, 200);  // SR: we have been sending silence
    auto report = parse_rtcp_report(first);
    ASSERT_TRUE(report);
    for (const auto& block : report->blocks()) {
      EXPECT_EQ(block.ssrc, Ssrc{9});
      EXPECT_EQ(block.extended_highest_sequence, 4u);
      has_block = true;
    }
  }
  EXPECT_TRUE(has_block);
}

class BridgeTest : public MediaEngineTest {
 protected:
  void connect(G711Law law_a, G711Law law_b, std::uint8_t te_a = 101, std::uint8_t te_b = 101) {
    a_ = open();
    b_ = open();  // on the other thread: bridge() moves it
    ASSERT_NE(a_.thread_index, b_.thread_index);
    engine_->set_remote(a_.id, media_to(peer_a_.port(), law_a, te_a));
    engine_->set_remote(b_.id, media_to(peer_b_.port(), law_b, te_b));
    engine_->bridge(a_.id, b_.id);
    sync(a_.id);
    sync(b_.id);
    // The bridge is in place once a packet crosses it.
    for (int i = 0; i < 50; ++i) {
      peer_a_.send_rtp({.payload_type = law_a == G711Law::ulaw ? std::uint8_t{0} : std::uint8_t{8},
                        .sequence_number = static_cast<std::uint16_t>(60000 + i), .timestamp = 0, .ssrc = Ssrc{0xAAAA}},
                       ulaw_frame(), a_.rtp_port);
      if (peer_b_.receive(20ms)) break;
    }
    peer_b_.drain();
  }

  SessionInfo a_, b_;
  TestPeer peer_a_, peer_b_;
};

TEST_F(BridgeTest, RelaysBothWaysWithRewrittenHeaders) {
  connect(G711Law::ulaw, G711Law::ulaw);
  std::vector<std::byte> payload(160);
  std::optional<ReceivedPacket> previous;
  for (std::uint16_t i = 0; i < 5; ++i) {
    for (std::size_t k = 0; k < payload.size(); ++k) payload[k] = static_cast<std::byte>(k + i);
    peer_a_.send_rtp({.payload_type = 0, .sequence_number = static_cast<std::uint16_t>(100 + i), .timestamp = 1000u + i * 160u,
                      .ssrc = Ssrc{0x1111}}, payload, a_.rtp_port);
    auto packet = peer_b_.receive();
    ASSERT_TRUE(packet);
    EXPECT_EQ(packet->payload, payload);  // fast path: payload untouched
    EXPECT_EQ(packet->source.port(), b_.rtp_port);
    EXPECT_NE(packet->header.ssrc, Ssrc{0x1111});
    if (previous) {
      EXPECT_EQ(packet->header.ssrc, previous->header.ssrc);
      EXPECT_EQ(packet->header.sequence_number, static_cast<std::uint16_t>(previous->header.sequence_number + 1));
      EXPECT_EQ(packet->header.timestamp, previous->header.timestamp + 160);
    }
    previous = packet;
  }
  // A new source on A (SSRC change) continues B's stream: same SSRC, next sequence number.
  peer_a_.send_rtp({.payload_type = 0, .sequence_number = 7, .timestamp = 99, .ssrc = Ssrc{0x2222}}, payload, a_.rtp_port);
  auto switched = peer_b_.receive();
  ASSERT_TRUE(switched);
  EXPECT_EQ(switched->header.ssrc, previous->header.ssrc);
  EXPECT_EQ(switched->header.sequence_number, static_cast<std::uint16_t>(previous->header.sequence_number + 1));
  EXPECT_TRUE(switched->header.marker);

  // B -> A.
  peer_b_.send_rtp({.payload_type = 0, .sequence_number = 500, .timestamp = 77, .ssrc = Ssrc{0x3333}}, payload, b_.rtp_port);
  auto back = peer_a_.receive();
  ASSERT_TRUE(back);
  EXPECT_EQ(back->payload, payload);
  EXPECT_EQ(back->source.port(), a_.rtp_port);
  EXPECT_NE(back->header.ssrc, Ssrc{0x3333});

  engine_->request_stats(b_.id);
  auto stats = events_.wait_for<SessionStats>(b_.id);
  ASSERT_TRUE(stats);
  EXPECT_GE(stats->packets_relayed, 6u);
  EXPECT_EQ(stats->packets_transcoded, 0u);
}

TEST_F(BridgeTest, TranscodesBetweenUlawAndAlaw) {
  connect(G711Law::ulaw, G711Law::alaw);
  auto payload = ulaw_frame(-5000);
  peer_a_.send_rtp({.payload_type = 0, .sequence_number = 1, .timestamp = 160, .ssrc = Ssrc{5}}, payload, a_.rtp_port);
  auto packet = peer_b_.receive();
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->header.payload_type, 8);
  std::vector<std::byte> expected(160);
  transcode(G711Law::ulaw, payload, expected);
  EXPECT_EQ(packet->payload, expected);

  auto alaw = expected;
  peer_b_.send_rtp({.payload_type = 8, .sequence_number = 1, .timestamp = 160, .ssrc = Ssrc{6}}, alaw, b_.rtp_port);
  auto back = peer_a_.receive();
  ASSERT_TRUE(back);
  EXPECT_EQ(back->header.payload_type, 0);
  std::vector<std::byte> expected_back(160);
  transcode(G711Law::alaw, alaw, expected_back);
  EXPECT_EQ(back->payload, expected_back);
}

TEST_F(BridgeTest, DtmfCrossesAsEventsAndIsReported) {
  connect(G711Law::ulaw, G711Law::ulaw, 101, 96);
  RtpHeader header{.marker = true, .payload_type = 101, .sequence_number = 1, .timestamp = 4000, .ssrc = Ssrc{8}};
  for (std::uint16_t duration : {160, 800, 800, 800}) {
    peer_a_.send_rtp(header, event_payload(9, duration == 800, duration), a_.rtp_port);
    ++header.sequence_number;
    header.marker = false;
  }
  auto digit = events_.wait_for<DigitReceived>(a_.id);
  ASSERT_TRUE(digit);
  EXPECT_EQ(digit->digit, '9');
  DtmfReceiver receiver;
  std::string digits;
  for (int i = 0; i < 4; ++i) {
    auto packet = peer_b_.receive();
    ASSERT_TRUE(packet);
    EXPECT_EQ(packet->header.payload_type, 96);
    for (const auto& d : receiver.on_packet(packet->header.timestamp, packet->payload)) digits += d.digit;
  }
  EXPECT_EQ(digits, "9");
}

TEST_F(MediaEngineTest, RecordsWavWithTheDurationOfThePacketsSent) {
  const auto session = open();
  TestPeer peer;
  engine_->set_remote(session.id, media_to(peer.port()));
  sync(session.id);
  const auto path = std::filesystem::temp_directory_path() / ("sb_record_" + std::to_string(::getpid()) + ".wav");
  engine_->start_recording(session.id, {path.string()});
  sync(session.id);
  // 50 packets = 1 s: sent out of order (2 and 3 swapped), packet 10 lost (its 20 ms become
  // silence), a duplicate of 20.
  const auto value = [](int packet) { return static_cast<std::int16_t>(100 + 200 * packet); };
  const auto expected = [&](int packet) { return ulaw_to_linear(linear_to_ulaw(value(packet))); };
  std::vector<std::uint16_t> order;
  for (std::uint16_t i = 0; i < 50; ++i) order.push_back(i);
  std::swap(order[2], order[3]);
  order.erase(order.begin() + 10);
  order.insert(order.begin() + 25, 20);
  for (std::uint16_t i : order) {
    peer.send_rtp({.payload_type = 0, .sequence_number = static_cast<std::uint16_t>(1000 + i), .timestamp = 5000u + i * 160u,
                   .ssrc = Ssrc{10}}, ulaw_frame(value(i)), session.rtp_port);
    if (i % 10 == 0) std::this_thread::sleep_for(2ms);
  }
  std::this_thread::sleep_for(60ms);
  engine_->stop_recording(session.id);
  auto finished = events_.wait_for<RecordFinished>(session.id);
  ASSERT_TRUE(finished);
  EXPECT_EQ(finished->path, path.string());
  EXPECT_EQ(finished->duration, 1000ms);
  EXPECT_EQ(finished->samples, 8000u);

  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(info.frames, 8000);
  EXPECT_EQ(info.samplerate, 8000);
  EXPECT_EQ(info.channels, 1);
  std::vector<short> samples(8000);
  sf_read_short(file, samples.data(), 8000);
  sf_close(file);
  const auto level = [&](int packet) { return samples[static_cast<std::size_t>(packet) * 160 + 80]; };
  EXPECT_EQ(level(2), expected(2));  // reordered back
  EXPECT_EQ(level(3), expected(3));
  EXPECT_EQ(level(10), 0);  // the lost packet
  EXPECT_EQ(level(11), expected(11));
  EXPECT_EQ(level(49), expected(49));
  std::filesystem::remove(path);
}

TEST_F(MediaEngineTest, RecordingStopsAtMaxDuration) {
  const auto session = open();
  TestPeer peer;
  engine_->set_remote(session.id, media_to(peer.port()));
  sync(session.id);
  const auto path = std::filesystem::temp_directory_path() / ("sb_record_max_" + std::to_string(::getpid()) + ".wav");
  engine_->start_recording(session.id, {path.string(), 200ms});
  sync(session.id);
  for (std::uint16_t i = 0; i < 30; ++i)
    peer.send_rtp({.payload_type = 0, .sequence_number = i, .timestamp = i * 160u, .ssrc = Ssrc{11}}, ulaw_frame(), session.rtp_port);
  auto finished = events_.wait_for<RecordFinished>(session.id);
  ASSERT_TRUE(finished);
  EXPECT_TRUE(finished->reached_max_duration);
  EXPECT_EQ(finished->duration, 200ms);
  std::filesystem::remove(path);
}

TEST_F(MediaEngineTest, RecordingToAMissingDirectoryFails) {
  const auto session = open();
  engine_->start_recording(session.id, {"/nonexistent-dir/x.wav"});
  auto error = events_.wait_for<MediaError>(session.id);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind, MediaError::Kind::record_failed);
}

TEST_F(MediaEngineTest, SpeaksHelloWorld) {
  const auto session = open();
  TestPeer peer;
  engine_->set_remote(session.id, media_to(peer.port()));
  const PlayId play = engine_->play(session.id, {Speech{"hello world"}});
  int packets = 0;
  double energy = 0;
  for (;;) {
    auto packet = peer.receive(500ms);
    if (!packet) break;
    ++packets;
    std::vector<std::int16_t> frame(160);
    decode(G711Law::ulaw, packet->payload, frame);
    for (auto s : frame) energy += static_cast<double>(s) * s;
  }
  auto finished = events_.wait_for<PlayFinished>(session.id, 100ms);
  ASSERT_TRUE(finished);
  EXPECT_EQ(finished->play, play);
  // "hello world" takes about a second at espeak-ng's default rate.
  EXPECT_GT(packets, 25);
  EXPECT_LT(packets, 200);
  EXPECT_GT(std::sqrt(energy / (packets * 160.0)), 300.0);  // not silence
}

TEST_F(MediaEngineTest, PlaysAWavFileResampledTo8k) {
  const auto path = std::filesystem::temp_directory_path() / ("sb_play_" + std::to_string(::getpid()) + ".wav");
  {
    SF_INFO info{.samplerate = 16000, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
    ASSERT_NE(file, nullptr);
    std::vector<short> tone(3200);  // 200 ms of 600 Hz
    for (std::size_t i = 0; i < tone.size(); ++i)
      tone[i] = static_cast<short>(8000 * std::sin(2 * std::numbers::pi * 600 * static_cast<double>(i) / 16000));
    sf_write_short(file, tone.data(), static_cast<sf_count_t>(tone.size()));
    sf_close(file);
  }
  const auto session = open();
  TestPeer peer;
  engine_->set_remote(session.id, media_to(peer.port()));
  engine_->play(session.id, {AudioFile{path.string()}});
  ASSERT_TRUE(events_.wait_for<PlayFinished>(session.id));
  std::vector<std::int16_t> pcm;
  while (auto packet = peer.receive(50ms)) {
    std::vector<std::int16_t> frame(160);
    decode(G711Law::ulaw, packet->payload, frame);
    pcm.insert(pcm.end(), frame.begin(), frame.end());
  }
  EXPECT_EQ(pcm.size(), 1600u);  // 200 ms at 8 kHz
  EXPECT_GT(tone_ratio(pcm, 600), 0.9);
  std::filesystem::remove(path);
}

TEST_F(MediaEngineTest, PlayingAMissingFileReportsAnError) {
  const auto session = open();
  const PlayId play = engine_->play(session.id, {AudioFile{"/nonexistent/file.wav"}});
  auto error = events_.wait_for<MediaError>(session.id);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind, MediaError::Kind::play_failed);
  EXPECT_EQ(error->play, play);
}

TEST_F(MediaEngineTest, CloseReportsWorkInProgressThenClosed) {
  const auto session = open();
  TestPeer peer;
  engine_->set_remote(session.id, media_to(peer.port()));
  const PlayId play = engine_->play(session.id, {Silence{10000ms}});
  engine_->close_session(session.id);
  auto finished = events_.wait_for<PlayFinished>(session.id);
  ASSERT_TRUE(finished);
  EXPECT_EQ(finished->play, play);
  EXPECT_TRUE(finished->is_interrupted);
  EXPECT_TRUE(events_.wait_for<SessionClosed>(session.id));
  // Commands for a closed session are ignored.
  engine_->play(session.id, {Silence{20ms}});
  engine_->request_stats(session.id);
  EXPECT_FALSE(events_.wait_for<SessionStats>(session.id, 100ms));
}

TEST_F(MediaEngineTest, StopClosesEverySession) {
  const auto a = open();
  const auto b = open();
  engine_->stop();
  EXPECT_TRUE(events_.wait_for<SessionClosed>(a.id, 100ms));
  EXPECT_TRUE(events_.wait_for<SessionClosed>(b.id, 100ms));
}

}  // namespace
}  // namespace sb::media

namespace sb::media {
namespace {

// With a defer (the signalling loop's), commands reach the media threads after the loop's turn,
// not during it, and in the order they were made.
TEST(MediaEngineDeferTest, CommandsWaitForTheDeferredFlushAndKeepTheirOrder) {
  using namespace std::chrono_literals;
  std::vector<std::function<void()>> deferred;
  EventQueue events;
  MediaEngine engine({.thread_count = 2, .rtp_port_min = 32000, .rtp_port_max = 32999, .rtp_timeout = 5000ms,
                      .defer = [&](std::function<void()> f) { deferred.push_back(std::move(f)); }},
                     events.handler());
  auto run_deferred = [&] {
    while (!deferred.empty()) {
      auto now = std::exchange(deferred, {});
      for (auto& f : now) f();
    }
  };
  auto a = engine.open_session({.local_address = "127.0.0.1"});
  auto b = engine.open_session({.local_address = "127.0.0.1"});
  ASSERT_TRUE(a && b);
  ASSERT_NE(a->thread_index, b->thread_index);
  TestPeer peer;
  engine.set_remote(a->id, media_to(peer.port()));
  engine.play(a->id, {Tone{.frequency1 = 1000, .on = 100ms, .duration = 100ms}});
  engine.request_stats(a->id);
  EXPECT_FALSE(events.wait_for<SessionStats>(a->id, 200ms)) << "ran before the loop's turn ended";
  EXPECT_FALSE(peer.receive(100ms));
  run_deferred();
  EXPECT_TRUE(events.wait_for<SessionStats>(a->id));
  EXPECT_TRUE(peer.receive());  // set_remote, then play: in order

  // A bridge across the two threads (expect, migrate, bridge) still works when deferred.
  engine.bridge(a->id, b->id);
  engine.request_stats(b->id);
  run_deferred();
  EXPECT_TRUE(events.wait_for<SessionStats>(b->id));
  engine.close_session(a->id);
  engine.close_session(b->id);
  run_deferred();
}

}  // namespace
}  // namespace sb::media
