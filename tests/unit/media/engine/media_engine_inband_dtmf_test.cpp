// MediaEngine in-band DTMF: peers that do not negotiate telephone-event (RFC 4733) send their
// digits as tones in the audio; the session detects them (spandsp) and reports DigitReceived.
#include "media/engine/media_engine.hpp"

#include "engine/test_peer.hpp"
#include "media/codec/g711.hpp"
#include "media/dtmf/telephone_event.hpp"
#include "test_audio.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace sb::media {
namespace {

using namespace std::chrono_literals;
using test::EventQueue;
using test::media_to;
using test::TestPeer;

constexpr std::string_view kAllKeys = "0123456789*#ABCD";

class MediaEngineInbandDtmfTest : public ::testing::TestWithParam<G711Law> {
 protected:
  void SetUp() override {
    engine_ = std::make_unique<MediaEngine>(
        MediaEngineOptions{.thread_count = 1, .rtp_port_min = 34000, .rtp_port_max = 34999, .rtp_timeout = 5000ms},
        events_.handler());
    auto info = engine_->open_session({.local_address = "127.0.0.1", .sends_silence_when_idle = false});
    ASSERT_TRUE(info);
    session_ = *info;
  }
  void connect(std::optional<std::uint8_t> telephone_event) {
    engine_->set_remote(session_.id, media_to(peer_.port(), GetParam(), telephone_event));
    engine_->request_stats(session_.id);
    ASSERT_TRUE(events_.wait_for<SessionStats>(session_.id));
  }
  // The 16 keys as tone pairs, 100 ms on and 100 ms off, in 20 ms G.711 packets.
  // The digits reported for one tone per key: each at least 60 ms long (and at most
  // `max_duration`, when given); fewer than kAllKeys if the events stop coming.
  std::string receive_all_keys(std::optional<std::chrono::milliseconds> max_duration) {
    std::string digits;
    for (std::size_t i = 0; i < kAllKeys.size(); ++i) {
      auto digit = events_.wait_for<DigitReceived>(session_.id);
      EXPECT_TRUE(digit) << "after " << digits;
      if (!digit) break;
      digits += digit->digit;
      EXPECT_GE(digit->duration, 60ms) << digit->digit;
      if (max_duration) {
        EXPECT_LE(digit->duration, *max_duration) << digit->digit;
      }
    }
    return digits;
  }

  void send_dtmf_audio() {
    auto pcm = test::dtmf_audio(kAllKeys, 100ms, 100ms);
    const std::uint8_t type = GetParam() == G711Law::ulaw ? 0 : 8;
    std::vector<std::byte> payload(160);
    for (std::size_t i = 0; i * 160 < pcm.size(); ++i) {
      encode(GetParam(), std::span(pcm).subspan(i * 160, 160), payload);
      peer_.send_rtp({.payload_type = type, .sequence_number = static_cast<std::uint16_t>(sequence_++),
                      .timestamp = timestamp_, .ssrc = Ssrc{0x77}}, payload, session_.rtp_port);
      timestamp_ += 160;
      if (i % 10 == 9) std::this_thread::sleep_for(2ms);  // stay far from the socket buffer's limit
    }
  }

  // The same audio, but the network reorders and loses packets: in each 100 ms tone (packets 0-4
  // of every 10) the third packet is lost and the fourth and fifth arrive swapped.
  void send_dtmf_audio_through_a_bad_network() {
    auto pcm = test::dtmf_audio(kAllKeys, 100ms, 100ms);
    const std::uint8_t type = GetParam() == G711Law::ulaw ? 0 : 8;
    std::vector<std::vector<std::byte>> payloads;
    for (std::size_t i = 0; i * 160 < pcm.size(); ++i) {
      payloads.emplace_back(160);
      encode(GetParam(), std::span(pcm).subspan(i * 160, 160), payloads.back());
    }
    for (std::size_t i = 0; i < payloads.size(); ++i) {
      std::size_t packet = i;
      if (i % 10 == 2) continue;           // lost
      if (i % 10 == 3) packet = i + 1;     // swapped with the next one
      if (i % 10 == 4) packet = i - 1;
      if (packet >= payloads.size()) continue;
      peer_.send_rtp({.payload_type = type, .sequence_number = static_cast<std::uint16_t>(sequence_ + packet),
                      .timestamp = static_cast<std::uint32_t>(timestamp_ + packet * 160), .ssrc = Ssrc{0x77}},
                     payloads[packet], session_.rtp_port);
      if (i % 10 == 9) std::this_thread::sleep_for(2ms);
    }
  }

  EventQueue events_;
  std::unique_ptr<MediaEngine> engine_;
  SessionInfo session_;
  TestPeer peer_;
  std::uint16_t sequence_ = 1;
  std::uint32_t timestamp_ = 8000;
};

TEST_P(MediaEngineInbandDtmfTest, DetectsToneDigitsWhenTelephoneEventIsNotNegotiated) {
  connect(std::nullopt);
  send_dtmf_audio();
  EXPECT_EQ(receive_all_keys(120ms), kAllKeys);
  EXPECT_FALSE(events_.wait_for<DigitReceived>(session_.id, 200ms));
}

TEST_P(MediaEngineInbandDtmfTest, ReorderedAndLostPacketsStillGiveEachDigitOnce) {
  // The jitter buffer puts the swapped packets back in order and the detector hears nothing in
  // place of the lost one (the tone stays continuous to it), so no digit is cut in two.
  connect(std::nullopt);
  send_dtmf_audio_through_a_bad_network();
  EXPECT_EQ(receive_all_keys(std::nullopt), kAllKeys);
  EXPECT_FALSE(events_.wait_for<DigitReceived>(session_.id, 200ms));
  engine_->request_stats(session_.id);
  auto stats = events_.wait_for<SessionStats>(session_.id);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->jitter_buffer_lost, kAllKeys.size());
  EXPECT_EQ(stats->jitter_buffer_reordered, kAllKeys.size());
}

TEST_P(MediaEngineInbandDtmfTest, IgnoresToneDigitsWhenTelephoneEventIsNegotiated) {
  connect(101);
  send_dtmf_audio();
  // Then one RFC 4733 digit: once it is reported, every packet before it has been handled.
  RtpHeader header{.marker = true, .payload_type = 101, .sequence_number = sequence_, .timestamp = timestamp_, .ssrc = Ssrc{0x77}};
  for (std::uint16_t duration : {160, 800, 800, 800}) {
    std::array<std::byte, 4> event{};
    write_telephone_event({.event = 5, .is_end = duration == 800, .volume = 10, .duration = duration}, event);
    peer_.send_rtp(header, event, session_.rtp_port);
    ++header.sequence_number;
    header.marker = false;
  }
  auto digit = events_.wait_for<DigitReceived>(session_.id);
  ASSERT_TRUE(digit);
  EXPECT_EQ(digit->digit, '5');
  EXPECT_EQ(digit->duration, 100ms);
  EXPECT_EQ(events_.count<DigitReceived>(session_.id), 0u);
}

INSTANTIATE_TEST_SUITE_P(Laws, MediaEngineInbandDtmfTest, ::testing::Values(G711Law::ulaw, G711Law::alaw),
                         [](const auto& info) { return info.param == G711Law::ulaw ? "Pcmu" : "Pcma"; });

}  // namespace
}  // namespace sb::media
