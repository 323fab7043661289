#include "media/recorder/recording_file.hpp"

#include <sndfile.h>

#include <algorithm>
#include <cerrno>
#include <utility>

namespace sb::media {

namespace {
constexpr std::size_t kFlushFrames = 8000;  // one second
// Held before speech: the margin, the 5 frames that confirm a speech start, a partial frame and
// one write, rounded up.
constexpr std::size_t kLeadFrames = RecordingFile::kTrimMarginSamples + 6 * SpeechDetector::kFrameSamples;
constexpr std::size_t kLeadCapacityFrames = kLeadFrames + RecordingFile::kMaxWriteSamples;
}  // namespace

Result<RecordingFile> RecordingFile::open(const std::string& path, int channels, bool trim_silence) {
  SF_INFO info{};
  info.samplerate = 8000;
  info.channels = channels;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  errno = 0;
  // Read-write, so that finish() can truncate the trailing silence.
  SNDFILE* file = sf_open(path.c_str(), trim_silence ? SFM_RDWR : SFM_WRITE, &info);
  if (!file) return std::error_code(errno != 0 ? errno : EIO, std::generic_category());
  return RecordingFile(file, channels, trim_silence);
}

RecordingFile::RecordingFile(SNDFILE* file, int channels, bool trim_silence)
    : file_(file),
      channels_(static_cast<std::size_t>(channels)),
      trim_silence_(trim_silence),
      detector_(channels),
      is_holding_lead_(trim_silence) {
  pending_.reserve((kFlushFrames + kMaxWriteSamples) * channels_);
  if (trim_silence_) lead_.reserve(kLeadCapacityFrames * channels_);
}

RecordingFile::RecordingFile(RecordingFile&& other) noexcept
    : file_(std::exchange(other.file_, nullptr)),
      channels_(other.channels_),
      trim_silence_(other.trim_silence_),
      detector_(other.detector_),
      recorded_(other.recorded_),
      file_frames_(other.file_frames_),
      is_holding_lead_(other.is_holding_lead_),
      lead_(std::move(other.lead_)),
      lead_first_(other.lead_first_),
      file_first_(other.file_first_),
      pending_(std::move(other.pending_)) {}

RecordingFile::~RecordingFile() { finish(); }

void RecordingFile::write(std::span<const std::int16_t> interleaved) noexcept {
  if (!file_) return;
  interleaved = interleaved.first(std::min(interleaved.size(), kMaxWriteSamples * channels_));
  detector_.on_audio(interleaved);
  recorded_ += interleaved.size() / channels_;
  if (!is_holding_lead_) {
    append(interleaved);
    return;
  }
  lead_.insert(lead_.end(), interleaved.begin(), interleaved.end());
  if (detector_.has_speech()) {
    // Speech started: the file begins a margin before it (or where the held audio begins).
    const std::uint64_t first =
        std::max(lead_first_, detector_.speech_begin() - std::min(detector_.speech_begin(), kTrimMarginSamples));
    const auto skip = static_cast<std::size_t>(first - lead_first_) * channels_;
    file_first_ = first;
    is_holding_lead_ = false;
    // In pieces: pending_ has room for kMaxWriteSamples beyond a flush.
    std::span<const std::int16_t> rest = std::span<const std::int16_t>(lead_).subspan(std::min(skip, lead_.size()));
    while (!rest.empty()) {
      const std::size_t count = std::min(rest.size(), kMaxWriteSamples * channels_);
      append(rest.first(count));
      rest = rest.subspan(count);
    }
    lead_.clear();
    return;
  }
  if (lead_.size() > kLeadFrames * channels_) {
    const std::size_t drop = lead_.size() - kLeadFrames * channels_;
    lead_.erase(lead_.begin(), lead_.begin() + static_cast<std::ptrdiff_t>(drop));
    lead_first_ += drop / channels_;
  }
}

void RecordingFile::append(std::span<const std::int16_t> interleaved) noexcept {
  pending_.insert(pending_.end(), interleaved.begin(), interleaved.end());
  file_frames_ += interleaved.size() / channels_;
  if (pending_.size() >= kFlushFrames * channels_) flush();
}

void RecordingFile::flush() noexcept {
  if (file_ && !pending_.empty()) sf_write_short(file_, pending_.data(), static_cast<sf_count_t>(pending_.size()));
  pending_.clear();
}

void RecordingFile::finish() noexcept {
  if (!file_) return;
  flush();
  if (trim_silence_) {
    lead_.clear();  // no speech: nothing of it is kept
    if (is_holding_lead_) {
      file_frames_ = 0;
    } else {
      // Trailing silence: keep a margin after the last speech, never past what was recorded.
      const std::uint64_t end = std::min(recorded_, detector_.speech_end() + kTrimMarginSamples);
      const std::uint64_t keep = end > file_first_ ? std::min(end - file_first_, file_frames_) : 0;
      if (keep < file_frames_) {
        sf_count_t frames = static_cast<sf_count_t>(keep);
        if (sf_command(file_, SFC_FILE_TRUNCATE, &frames, sizeof(frames)) == 0) file_frames_ = keep;
      }
    }
  }
  sf_close(file_);
  file_ = nullptr;
}

}  // namespace sb::media
