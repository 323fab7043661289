#pragma once
// Writes what a session sends, or both what it receives and what it sends (mixed mono, or one
// channel each), to a WAV file at 8 kHz, 16-bit PCM. The session's 20 ms tick is the clock: each
// on_tick() writes exactly one 20 ms frame per channel, taken from a small queue per direction
// and padded with silence, so the two directions stay time-aligned whatever the arrival pattern.
// A direction whose queue grows past its bound (a burst, or a peer clocked faster than us) loses
// its oldest samples: the channels never drift apart by more than the bound (two frames beyond
// the packet being queued); and a backlog that a burst left behind and that never drains (seen
// for a whole second) is dropped, so the lag it caused does not last. Owned by one session on its media thread. Nothing is allocated after
// open(); disk writes happen once a second, on the media thread.

#include "core/result.hpp"
#include "media/recorder/record_request.hpp"
#include "media/recorder/recording_file.hpp"

#include <array>
#include <cstddef>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sb::media {

class TrackRecorder {
 public:
  static constexpr std::size_t kFrameSamples = 160;  // 20 ms at 8 kHz, one tick
  // The longest packet a direction accepts whole (120 ms); longer ones keep their last samples.
  static constexpr std::size_t kMaxPacketSamples = 960;
  // Queued beyond the packet just pushed; older samples are dropped.
  static constexpr std::size_t kMaxBacklogSamples = 2 * kFrameSamples;

  // Creates the file (stereo for RecordTrack::dual). `track` must not be inbound (WavRecorder
  // records that one). Errors: the errno-like code of a file that cannot be created.
  static Result<std::unique_ptr<TrackRecorder>> open(const std::string& path, RecordTrack track,
                                                     std::optional<std::chrono::milliseconds> max_duration);
  // With the request's silence_timeout and trim_silence (silence and speech are judged on what
  // is written: both directions for dual).
  static Result<std::unique_ptr<TrackRecorder>> open(const RecordRequest& request);
  ~TrackRecorder();
  TrackRecorder(const TrackRecorder&) = delete;
  TrackRecorder& operator=(const TrackRecorder&) = delete;

  // Decoded audio the session received (ignored by the outbound track) or sent.
  void on_received(std::span<const std::int16_t> samples) noexcept;
  void on_sent(std::span<const std::int16_t> samples) noexcept;

  // Writes one frame per channel. Nothing once the maximum duration is reached.
  void on_tick() noexcept;

  // Flushes, trims (trim_silence) and closes the file (what is still queued is not written: its
  // tick never came). Returns the duration of the file.
  std::chrono::milliseconds finish() noexcept;

  bool is_full() const noexcept { return samples_written_ >= max_samples_; }
  // See WavRecorder::is_silence_timed_out().
  bool is_silence_timed_out() const noexcept {
    return silence_timeout_.count() > 0 && file_.speech().silent_for() >= silence_timeout_;
  }
  bool has_speech() const noexcept { return file_.speech().has_speech(); }
  std::uint64_t samples() const noexcept { return file_.samples(); }  // per channel, in the file
  int channels() const noexcept { return channel_count(track_); }
  RecordTrack track() const noexcept { return track_; }
  const std::string& path() const noexcept { return path_; }

 private:
  // A ring of samples; push() drops the oldest beyond the bound.
  class Queue {
   public:
    void push(std::span<const std::int16_t> samples) noexcept;
    // Fills `out` from the front, silence for what is missing.
    void pop(std::span<std::int16_t, kFrameSamples> out) noexcept;
    std::size_t size() const noexcept { return size_; }

   private:
    static constexpr std::uint32_t kWindowTicks = 50;  // one second
    void drop(std::size_t count) noexcept;

    static constexpr std::size_t kCapacity = kMaxPacketSamples + kMaxBacklogSamples;
    std::array<std::int16_t, kCapacity> ring_{};
    std::size_t head_ = 0;  // oldest sample
    std::size_t size_ = 0;
    std::size_t window_minimum_ = SIZE_MAX;  // fewest samples queued at a tick in this window
    std::uint32_t window_ticks_ = 0;
  };

  TrackRecorder(std::string path, RecordingFile file, RecordTrack track, std::uint64_t max_samples,
                std::chrono::milliseconds silence_timeout);

  std::string path_;
  RecordingFile file_;
  bool is_finished_ = false;
  RecordTrack track_;
  std::uint64_t max_samples_;
  std::chrono::milliseconds silence_timeout_;
  std::uint64_t samples_written_ = 0;  // recorded, before trimming (what max_duration limits)
  Queue received_;
  Queue sent_;
  std::array<std::int16_t, kFrameSamples * 2> frame_{};  // interleaved
};

}  // namespace sb::media
