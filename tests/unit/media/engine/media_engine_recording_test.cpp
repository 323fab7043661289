// MediaEngine recording of what a session sends and of both directions (RecordTrack outbound,
// both, dual), over real UDP on 127.0.0.1, bridged legs included.
#include "media/engine/media_engine.hpp"

#include "engine/test_peer.hpp"
#include "media/codec/g711.hpp"
#include "test_audio.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

namespace sb::media {
namespace {

using namespace std::chrono_literals;
using test::EventQueue;
using test::media_to;
using test::TestPeer;

constexpr double kCallerTone = 500;   // sent by peer A into session A (the parent leg)
constexpr double kCalleeTone = 1300;  // sent by peer B into session B (the child leg)

std::uint8_t payload_type(G711Law law) { return law == G711Law::ulaw ? 0 : 8; }

std::vector<std::byte> encoded_tone(G711Law law, double frequency, std::size_t frame_index) {
  const auto pcm = test::sine(frequency, 160, frame_index * 160);
  std::vector<std::byte> out(160);
  encode(law, pcm, out);
  return out;
}

// Frames of 20 ms whose power is clearly above silence.
std::vector<bool> loud_frames(const std::vector<std::int16_t>& pcm) {
  std::vector<bool> loud;
  for (std::size_t at = 0; at + 160 <= pcm.size(); at += 160) loud.push_back(test::mean_square(&pcm[at], 160) > 1e6);
  return loud;
}

// The loud frames only: a tone's share of the power no longer depends on the silence around it.
std::vector<std::int16_t> loud_part(const std::vector<std::int16_t>& pcm) {
  std::vector<std::int16_t> out;
  const auto loud = loud_frames(pcm);
  for (std::size_t i = 0; i < loud.size(); ++i)
    if (loud[i]) out.insert(out.end(), pcm.begin() + static_cast<std::ptrdiff_t>(i * 160),
                            pcm.begin() + static_cast<std::ptrdiff_t>(i * 160 + 160));
  return out;
}

std::ptrdiff_t first_loud(const std::vector<bool>& loud) {
  return std::find(loud.begin(), loud.end(), true) - loud.begin();
}

class MediaEngineRecordingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = std::make_unique<MediaEngine>(
        MediaEngineOptions{.thread_count = 2, .rtp_port_min = 33000, .rtp_port_max = 33999, .rtp_timeout = 5000ms},
        events_.handler());
  }
  void TearDown() override { std::filesystem::remove(path_); }

  SessionInfo open() {
    auto info = engine_->open_session({.local_address = "127.0.0.1", .sends_silence_when_idle = false});
    EXPECT_TRUE(info.has_value());
    return *info;
  }
  void sync(SessionId session) {
    engine_->request_stats(session);
    ASSERT_TRUE(events_.wait_for<SessionStats>(session));
  }

  // A (the parent leg, law_a) bridged to B (the child leg, law_b); returns once audio crosses.
  void bridge(G711Law law_a, G711Law law_b) {
    a_ = open();
    b_ = open();
    engine_->set_remote(a_.id, media_to(peer_a_.port(), law_a));
    engine_->set_remote(b_.id, media_to(peer_b_.port(), law_b));
    engine_->bridge(a_.id, b_.id);
    sync(a_.id);
    sync(b_.id);
    bool crossed = false;
    for (std::uint16_t i = 0; i < 50 && !crossed; ++i) {
      peer_a_.send_rtp({.payload_type = payload_type(law_a), .sequence_number = static_cast<std::uint16_t>(60000 + i),
                        .timestamp = 0, .ssrc = Ssrc{0xAAAA}}, std::vector<std::byte>(160, std::byte{0xFF}), a_.rtp_port);
      crossed = peer_b_.receive(20ms).has_value();
    }
    ASSERT_TRUE(crossed);
    peer_b_.drain();
  }

  // One second of conversation: each peer sends its tone, paced at 20 ms; B's packets leave in
  // bursts of two every 40 ms (a jittery callee). Returns how long the recording ran.
  std::chrono::milliseconds record_conversation(RecordTrack track, G711Law law_a, G711Law law_b) {
    const auto started = std::chrono::steady_clock::now();
    engine_->start_recording(a_.id, {path_.string(), std::nullopt, track});
    sync(a_.id);
    auto next = std::chrono::steady_clock::now() + 40ms;  // 40 ms of silence first
    std::this_thread::sleep_until(next);
    for (std::uint16_t i = 0; i < 50; ++i) {
      peer_a_.send_rtp({.payload_type = payload_type(law_a), .sequence_number = static_cast<std::uint16_t>(100 + i),
                        .timestamp = 1000u + i * 160u, .ssrc = Ssrc{0xA}}, encoded_tone(law_a, kCallerTone, i), a_.rtp_port);
      if (i % 2 == 1) {
        for (std::uint16_t k : {std::uint16_t(i - 1), i})
          peer_b_.send_rtp({.payload_type = payload_type(law_b), .sequence_number = static_cast<std::uint16_t>(300 + k),
                            .timestamp = 9000u + k * 160u, .ssrc = Ssrc{0xB}}, encoded_tone(law_b, kCalleeTone, k), b_.rtp_port);
      }
      next += 20ms;
      std::this_thread::sleep_until(next);
    }
    std::this_thread::sleep_for(100ms);
    engine_->stop_recording(a_.id);
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  }

  EventQueue events_;
  std::unique_ptr<MediaEngine> engine_;
  SessionInfo a_, b_;
  TestPeer peer_a_, peer_b_;
  std::filesystem::path path_ = std::filesystem::temp_directory_path() /
                                ("sb_engine_record_" + std::to_string(::getpid()) + "_" +
                                 ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".wav");
};

TEST_F(MediaEngineRecordingTest, DualPutsTheCallerOnChannelOneAndTheCalleeOnChannelTwo) {
  bridge(G711Law::ulaw, G711Law::alaw);  // the callee's A-law crosses as μ-law
  const auto elapsed = record_conversation(RecordTrack::dual, G711Law::ulaw, G711Law::alaw);
  auto finished = events_.wait_for<RecordFinished>(a_.id);
  ASSERT_TRUE(finished);
  EXPECT_EQ(finished->channels, 2);
  EXPECT_EQ(finished->path, path_.string());
  EXPECT_FALSE(finished->reached_max_duration);
  EXPECT_NEAR(static_cast<double>(finished->duration.count()), static_cast<double>(elapsed.count()), 40);
  EXPECT_EQ(finished->samples, static_cast<std::uint64_t>(finished->duration.count()) * 8);

  auto wav = test::read_wav(path_.string());
  ASSERT_TRUE(wav);
  ASSERT_EQ(wav->channels, 2);
  EXPECT_EQ(wav->sample_rate, 8000);
  EXPECT_EQ(wav->frames(), finished->samples);
  const auto& caller = wav->channel[0];
  const auto& callee = wav->channel[1];
  EXPECT_GT(test::tone_ratio(loud_part(caller), kCallerTone), 0.9);
  EXPECT_LT(test::tone_ratio(loud_part(caller), kCalleeTone), 0.01);
  EXPECT_GT(test::tone_ratio(loud_part(callee), kCalleeTone), 0.9);
  EXPECT_LT(test::tone_ratio(loud_part(callee), kCallerTone), 0.01);

  // Both tones lasted one second and started together: the channels are aligned to within two
  // frames (the callee's bursts included) and no audio was lost.
  const auto loud_caller = loud_frames(caller);
  const auto loud_callee = loud_frames(callee);
  EXPECT_NEAR(static_cast<double>(std::count(loud_caller.begin(), loud_caller.end(), true)), 50, 2);
  EXPECT_NEAR(static_cast<double>(std::count(loud_callee.begin(), loud_callee.end(), true)), 50, 2);
  EXPECT_NEAR(static_cast<double>(first_loud(loud_caller)), static_cast<double>(first_loud(loud_callee)), 2);
  EXPECT_GE(first_loud(loud_caller), 1);  // the silence before the tones is there
}

TEST_F(MediaEngineRecordingTest, BothMixesTheTwoDirectionsIntoOneChannel) {
  bridge(G711Law::alaw, G711Law::ulaw);
  const auto elapsed = record_conversation(RecordTrack::both, G711Law::alaw, G711Law::ulaw);
  auto finished = events_.wait_for<RecordFinished>(a_.id);
  ASSERT_TRUE(finished);
  EXPECT_EQ(finished->channels, 1);
  EXPECT_NEAR(static_cast<double>(finished->duration.count()), static_cast<double>(elapsed.count()), 40);
  auto wav = test::read_wav(path_.string());
  ASSERT_TRUE(wav);
  ASSERT_EQ(wav->channels, 1);
  const auto mix = loud_part(wav->channel[0]);
  EXPECT_GT(test::tone_ratio(mix, kCallerTone), 0.3);
  EXPECT_GT(test::tone_ratio(mix, kCalleeTone), 0.3);
  EXPECT_GT(test::tone_ratio(mix, kCallerTone) + test::tone_ratio(mix, kCalleeTone), 0.9);
}

TEST_F(MediaEngineRecordingTest, OutboundRecordsWhatIsPlayedAndNotWhatIsHeard) {
  a_ = open();
  engine_->set_remote(a_.id, media_to(peer_a_.port()));
  sync(a_.id);
  const auto started = std::chrono::steady_clock::now();
  engine_->start_recording(a_.id, {path_.string(), std::nullopt, RecordTrack::outbound});
  engine_->play(a_.id, {Tone{.frequency1 = 1000, .on = 400ms, .duration = 400ms}});
  // Meanwhile the caller talks (another tone), which the outbound track must not hold.
  auto next = std::chrono::steady_clock::now();
  for (std::uint16_t i = 0; i < 20; ++i) {
    peer_a_.send_rtp({.payload_type = 0, .sequence_number = i, .timestamp = i * 160u, .ssrc = Ssrc{0xC}},
                     encoded_tone(G711Law::ulaw, kCallerTone, i), a_.rtp_port);
    next += 20ms;
    std::this_thread::sleep_until(next);
  }
  ASSERT_TRUE(events_.wait_for<PlayFinished>(a_.id));
  engine_->stop_recording(a_.id);
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  auto finished = events_.wait_for<RecordFinished>(a_.id);
  ASSERT_TRUE(finished);
  EXPECT_EQ(finished->channels, 1);
  EXPECT_NEAR(static_cast<double>(finished->duration.count()), static_cast<double>(elapsed.count()), 40);
  auto wav = test::read_wav(path_.string());
  ASSERT_TRUE(wav);
  const auto& sent = wav->channel[0];
  EXPECT_GT(test::tone_ratio(loud_part(sent), 1000), 0.9);
  EXPECT_LT(test::tone_ratio(loud_part(sent), kCallerTone), 0.01);
  const auto loud = loud_frames(sent);
  EXPECT_NEAR(static_cast<double>(std::count(loud.begin(), loud.end(), true)), 20, 1);  // the 400 ms played
}

TEST_F(MediaEngineRecordingTest, InboundStaysTheDefaultAndIsMono) {
  a_ = open();
  engine_->set_remote(a_.id, media_to(peer_a_.port()));
  sync(a_.id);
  engine_->start_recording(a_.id, {path_.string()});
  sync(a_.id);
  for (std::uint16_t i = 0; i < 10; ++i)
    peer_a_.send_rtp({.payload_type = 0, .sequence_number = i, .timestamp = i * 160u, .ssrc = Ssrc{0xD}},
                     encoded_tone(G711Law::ulaw, kCallerTone, i), a_.rtp_port);
  std::this_thread::sleep_for(60ms);
  engine_->stop_recording(a_.id);
  auto finished = events_.wait_for<RecordFinished>(a_.id);
  ASSERT_TRUE(finished);
  EXPECT_EQ(finished->channels, 1);
  EXPECT_EQ(finished->duration, 200ms);  // placed by RTP timestamps, not by the tick
}

}  // namespace
}  // namespace sb::media
