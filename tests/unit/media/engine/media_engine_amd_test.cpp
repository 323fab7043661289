// MediaEngine answering machine detection: the session runs the detector on the audio it
// receives over real UDP and reports MachineDetected; without audio its clock goes on.
#include "media/engine/media_engine.hpp"

#include "engine/test_peer.hpp"
#include "media/codec/g711.hpp"
#include "test_audio.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace sb::media {
namespace {

using namespace std::chrono_literals;
using test::EventQueue;
using test::media_to;
using test::TestPeer;

class MediaEngineAmdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = std::make_unique<MediaEngine>(
        MediaEngineOptions{.thread_count = 1, .rtp_port_min = 35000, .rtp_port_max = 35999, .rtp_timeout = 10000ms},
        events_.handler());
    auto info = engine_->open_session({.local_address = "127.0.0.1", .sends_silence_when_idle = false});
    ASSERT_TRUE(info);
    session_ = *info;
    engine_->set_remote(session_.id, media_to(peer_.port()));
    engine_->request_stats(session_.id);
    ASSERT_TRUE(events_.wait_for<SessionStats>(session_.id));
  }
  // `pcm` as 20 ms PCMU packets, sent faster than real time.
  void send_audio(const std::vector<std::int16_t>& pcm) {
    std::vector<std::byte> payload(160);
    for (std::size_t i = 0; (i + 1) * 160 <= pcm.size(); ++i) {
      encode(G711Law::ulaw, std::span(pcm).subspan(i * 160, 160), payload);
      peer_.send_rtp({.payload_type = 0, .sequence_number = sequence_++, .timestamp = timestamp_, .ssrc = Ssrc{0x55}},
                     payload, session_.rtp_port);
      timestamp_ += 160;
      if (i % 10 == 9) std::this_thread::sleep_for(2ms);  // stay far from the socket buffer's limit
    }
  }

  EventQueue events_;
  std::unique_ptr<MediaEngine> engine_;
  SessionInfo session_;
  TestPeer peer_;
  std::uint16_t sequence_ = 1;
  std::uint32_t timestamp_ = 16000;
};

TEST_F(MediaEngineAmdTest, ReportsMachineStartForAGreetingReceived) {
  engine_->start_machine_detection(session_.id, {.speech_threshold = 1000ms});
  send_audio(test::speech_like(2000ms, 2));
  auto detected = events_.wait_for<MachineDetected>(session_.id);
  ASSERT_TRUE(detected);
  EXPECT_EQ(detected->answered_by, AnsweredBy::machine_start);
  EXPECT_TRUE(detected->is_final);
  EXPECT_GE(detected->detection_duration, 1000ms);
  EXPECT_LE(detected->detection_duration, 1600ms);  // room for a stall of the sender (silence fed)
  EXPECT_FALSE(events_.wait_for<MachineDetected>(session_.id, 300ms));  // one event
}

TEST_F(MediaEngineAmdTest, FollowsAMachineToItsBeepInDetectMessageEndMode) {
  engine_->start_machine_detection(session_.id,
                                   {.mode = MachineDetectionMode::detect_message_end, .speech_threshold = 1000ms});
  auto audio = test::speech_like(1600ms, 3);
  const auto beep = test::sine(1000, 300 * 8, 0, 6000);
  audio.insert(audio.end(), 200 * 8, 0);
  audio.insert(audio.end(), beep.begin(), beep.end());
  send_audio(audio);
  auto start = events_.wait_for<MachineDetected>(session_.id);
  ASSERT_TRUE(start);
  EXPECT_EQ(start->answered_by, AnsweredBy::machine_start);
  EXPECT_FALSE(start->is_final);
  auto end = events_.wait_for<MachineDetected>(session_.id);
  ASSERT_TRUE(end);
  EXPECT_EQ(end->answered_by, AnsweredBy::machine_end_beep);
  EXPECT_TRUE(end->is_final);
  EXPECT_GE(end->detection_duration, 1900ms);  // the beep starts at 1800 ms
  EXPECT_LE(end->detection_duration, 2300ms);  // room for a stall of the sender (silence fed)
}

TEST_F(MediaEngineAmdTest, ReportsUnknownWhenNoAudioArrives) {
  const auto started = std::chrono::steady_clock::now();
  engine_->start_machine_detection(session_.id, {.silence_timeout = 2000ms});
  auto detected = events_.wait_for<MachineDetected>(session_.id, 4000ms);
  ASSERT_TRUE(detected);
  EXPECT_EQ(detected->answered_by, AnsweredBy::unknown);
  EXPECT_EQ(detected->detection_duration, 2000ms);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 1900ms);  // clocked by the tick
}

TEST_F(MediaEngineAmdTest, StoppedDetectionReportsNothing) {
  engine_->start_machine_detection(session_.id, {.silence_timeout = 2000ms});
  engine_->stop_machine_detection(session_.id);
  EXPECT_FALSE(events_.wait_for<MachineDetected>(session_.id, 2500ms));
}

}  // namespace
}  // namespace sb::media
