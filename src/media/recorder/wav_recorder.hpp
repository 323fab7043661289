#pragma once
// Writes the audio a session receives to a WAV file (8 kHz, 16-bit PCM, mono) with an exact
// duration: the RTP timestamps place the frames (which the session's jitter buffer delivers in
// sequence order), so a lost packet becomes silence of its length rather than a shorter file. Owned by one session on its
// media thread. Samples are buffered (one second) and written with libsndfile, which patches the
// header sizes on close. Disk writes happen on the media thread, once a second per recording.

#include "core/result.hpp"
#include "media/recorder/record_request.hpp"
#include "media/recorder/recording_file.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sb::media {

class WavRecorder {
 public:
  // Creates the file. Errors: the errno-like code of a file that cannot be created
  // (permission_denied, no_such_file_or_directory for a missing directory).
  static Result<std::unique_ptr<WavRecorder>> open(const std::string& path,
                                                   std::optional<std::chrono::milliseconds> max_duration);
  // With the request's silence_timeout and trim_silence (its track is not looked at).
  static Result<std::unique_ptr<WavRecorder>> open(const RecordRequest& request);
  ~WavRecorder();
  WavRecorder(const WavRecorder&) = delete;
  WavRecorder& operator=(const WavRecorder&) = delete;

  // One received audio frame, decoded, in sequence order. Ignored once the maximum duration is
  // reached. A gap in the timestamps up to 5 s is written as silence; a larger jump, or a
  // frame that restarts the stream (new SSRC or sequence reset), just continues the file.
  void on_audio(std::uint32_t timestamp, std::span<const std::int16_t> samples, bool is_restart = false) noexcept;

  // No audio arrived for `duration` while the session expected it (the media tick's report):
  // counts towards the silence timeout now, not again when the gap is filled.
  void on_missing_audio(std::chrono::milliseconds duration) noexcept { file_.on_missing_audio(duration); }

  // Trims (trim_silence) and closes the file. Returns the duration of the file.
  std::chrono::milliseconds finish() noexcept;

  bool is_full() const noexcept { return samples_written_ >= max_samples_; }
  // The silence timeout expired: silence_timeout of silence since the last speech, or since the
  // start when nobody spoke.
  bool is_silence_timed_out() const noexcept {
    return silence_timeout_.count() > 0 && file_.speech().silent_for() >= silence_timeout_;
  }
  bool has_speech() const noexcept { return file_.speech().has_speech(); }
  // Samples in the file (after finish(): trimmed).
  std::uint64_t samples() const noexcept { return file_.samples(); }
  const std::string& path() const noexcept { return path_; }

 private:
  WavRecorder(std::string path, RecordingFile file, std::uint64_t max_samples, std::chrono::milliseconds silence_timeout);
  void write(std::span<const std::int16_t> samples) noexcept;
  void write_silence(std::uint64_t count) noexcept;

  std::string path_;
  RecordingFile file_;
  std::uint64_t max_samples_;
  std::chrono::milliseconds silence_timeout_;
  std::uint64_t samples_written_ = 0;  // recorded, before trimming (what max_duration limits)
  bool is_finished_ = false;
  bool has_position_ = false;
  std::uint32_t next_timestamp_ = 0;  // where the next frame should start
};

}  // namespace sb::media
