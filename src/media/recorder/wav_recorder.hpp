#pragma once
// Writes the audio a session receives to a WAV file (8 kHz, 16-bit PCM, mono) with an exact
// duration: packets pass a small reordering buffer, and the RTP timestamps place them, so a lost
// packet becomes silence of its length rather than a shorter file. Owned by one session on its
// media thread. Samples are buffered (one second) and written with libsndfile, which patches the
// header sizes on close. Disk writes happen on the media thread, once a second per recording.

#include "core/result.hpp"
#include "media/jitter/jitter_buffer.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

typedef struct sf_private_tag SNDFILE;

namespace sb::media {

class WavRecorder {
 public:
  // Creates the file. Errors: the errno-like code of a file that cannot be created
  // (permission_denied, no_such_file_or_directory for a missing directory).
  static Result<std::unique_ptr<WavRecorder>> open(const std::string& path,
                                                   std::optional<std::chrono::milliseconds> max_duration);
  ~WavRecorder();
  WavRecorder(const WavRecorder&) = delete;
  WavRecorder& operator=(const WavRecorder&) = delete;

  // One received audio packet, decoded. Ignored once the maximum duration is reached.
  void on_audio(std::uint16_t sequence_number, std::uint32_t timestamp, std::span<const std::int16_t> samples) noexcept;

  // Drains the reordering buffer and closes the file. Returns the duration written.
  std::chrono::milliseconds finish() noexcept;

  bool is_full() const noexcept { return samples_written_ >= max_samples_; }
  std::uint64_t samples() const noexcept { return samples_written_; }
  const std::string& path() const noexcept { return path_; }

 private:
  WavRecorder(std::string path, SNDFILE* file, std::uint64_t max_samples);
  void drain(bool is_final) noexcept;
  void write(std::span<const std::int16_t> samples) noexcept;
  void write_silence(std::uint64_t count) noexcept;
  void flush() noexcept;

  std::string path_;
  SNDFILE* file_;
  std::uint64_t max_samples_;
  std::uint64_t samples_written_ = 0;
  bool has_position_ = false;
  std::uint32_t next_timestamp_ = 0;  // where the next frame should start
  JitterBuffer jitter_;
  std::vector<std::int16_t> pending_;  // capacity reserved at open
};

}  // namespace sb::media
