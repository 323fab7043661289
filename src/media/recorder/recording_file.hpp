#pragma once
// The WAV file of one recording (8 kHz, 16-bit PCM, mono or interleaved stereo), shared by
// WavRecorder and TrackRecorder: buffers writes (one disk write a second), runs a SpeechDetector
// on everything written, and, when asked to trim silence, holds the audio back until speech
// starts (so leading silence never reaches the disk) and truncates the trailing silence when
// the recording finishes. A margin of kTrimMargin of silence is kept on either side of speech.
// Owned by one recorder on its media thread; nothing is allocated after open().

#include "core/result.hpp"
#include "media/recorder/speech_detector.hpp"

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

typedef struct sf_private_tag SNDFILE;

namespace sb::media {

class RecordingFile {
 public:
  static constexpr std::chrono::milliseconds kTrimMargin{200};
  static constexpr std::uint64_t kTrimMarginSamples = 8 * 200;
  // The largest write() accepted whole, per channel.
  static constexpr std::size_t kMaxWriteSamples = 8000;

  // Creates the file. Errors: the errno-like code of a file that cannot be created.
  static Result<RecordingFile> open(const std::string& path, int channels, bool trim_silence);
  RecordingFile(RecordingFile&& other) noexcept;
  RecordingFile& operator=(RecordingFile&&) = delete;
  RecordingFile(const RecordingFile&) = delete;
  ~RecordingFile();

  // Interleaved samples (`channels` per frame), at most kMaxWriteSamples frames per call.
  void write(std::span<const std::int16_t> interleaved) noexcept;
  // See SpeechDetector::on_missing_audio().
  void on_missing_audio(std::chrono::milliseconds duration) noexcept { detector_.on_missing_audio(duration); }
  void forget_missing_audio() noexcept { detector_.forget_missing_audio(); }

  // Flushes, trims the trailing silence (trim_silence), closes. Idempotent.
  void finish() noexcept;

  // Frames (samples per channel) written to the recording, before trimming.
  std::uint64_t recorded() const noexcept { return recorded_; }
  // Frames in the file (after finish(): the trimmed length). A trimmed recording in which no
  // speech was heard is empty.
  std::uint64_t samples() const noexcept { return file_frames_; }
  const SpeechDetector& speech() const noexcept { return detector_; }
  int channels() const noexcept { return static_cast<int>(channels_); }

 private:
  RecordingFile(SNDFILE* file, int channels, bool trim_silence);
  void append(std::span<const std::int16_t> interleaved) noexcept;
  void flush() noexcept;

  SNDFILE* file_;
  std::size_t channels_;
  bool trim_silence_;
  SpeechDetector detector_;
  std::uint64_t recorded_ = 0;
  std::uint64_t file_frames_ = 0;  // written or buffered in pending_
  // trim_silence, before speech: the last few hundred ms, the recording's frames
  // [lead_first_, lead_first_ + lead_.size() / channels).
  bool is_holding_lead_;
  std::vector<std::int16_t> lead_;
  std::uint64_t lead_first_ = 0;
  std::uint64_t file_first_ = 0;  // the recording's frame that the file starts with
  std::vector<std::int16_t> pending_;
};

}  // namespace sb::media
