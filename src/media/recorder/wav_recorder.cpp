#include "media/recorder/wav_recorder.hpp"

#include <sndfile.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <limits>

namespace sb::media {

namespace {
constexpr std::size_t kFlushSamples = 8000;  // one second
// A timestamp jump larger than this is a restarted stream, not loss: no silence is invented.
constexpr std::uint32_t kMaxGapSamples = 5 * 8000;
}  // namespace

Result<std::unique_ptr<WavRecorder>> WavRecorder::open(const std::string& path,
                                                       std::optional<std::chrono::milliseconds> max_duration) {
  SF_INFO info{};
  info.samplerate = 8000;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  errno = 0;
  SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
  if (!file) return std::error_code(errno != 0 ? errno : EIO, std::generic_category());
  std::uint64_t max_samples = std::numeric_limits<std::uint64_t>::max();
  if (max_duration) max_samples = static_cast<std::uint64_t>(std::max<std::int64_t>(max_duration->count(), 0)) * 8;
  return std::unique_ptr<WavRecorder>(new WavRecorder(path, file, max_samples));
}

WavRecorder::WavRecorder(std::string path, SNDFILE* file, std::uint64_t max_samples)
    : path_(std::move(path)), file_(file), max_samples_(max_samples) {
  pending_.reserve(kFlushSamples + JitterBuffer::kMaxFrameSamples);
}

WavRecorder::~WavRecorder() {
  if (file_) finish();
}

void WavRecorder::on_audio(std::uint16_t sequence_number, std::uint32_t timestamp,
                           std::span<const std::int16_t> samples) noexcept {
  if (!file_ || is_full()) return;
  if (jitter_.push(sequence_number, timestamp, samples) == JitterBuffer::Push::overflow) {
    drain(true);
    jitter_.push(sequence_number, timestamp, samples);
  }
  drain(false);
}

void WavRecorder::drain(bool is_final) noexcept {
  while (auto frame = jitter_.pop(is_final)) {
    if (has_position_) {
      const auto gap = static_cast<std::int32_t>(frame->timestamp - next_timestamp_);
      if (gap > 0 && static_cast<std::uint32_t>(gap) <= kMaxGapSamples) write_silence(static_cast<std::uint64_t>(gap));
    }
    write(frame->samples);
    has_position_ = true;
    next_timestamp_ = frame->timestamp + static_cast<std::uint32_t>(frame->samples.size());
  }
}

void WavRecorder::write(std::span<const std::int16_t> samples) noexcept {
  const std::uint64_t room = max_samples_ - samples_written_;
  const std::size_t count = static_cast<std::size_t>(std::min<std::uint64_t>(samples.size(), room));
  pending_.insert(pending_.end(), samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(count));
  samples_written_ += count;
  if (pending_.size() >= kFlushSamples) flush();
}

void WavRecorder::write_silence(std::uint64_t count) noexcept {
  static constexpr std::array<std::int16_t, 160> kZeros{};
  while (count > 0 && !is_full()) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(count, kZeros.size()));
    write({kZeros.data(), n});
    count -= n;
  }
}

void WavRecorder::flush() noexcept {
  if (file_ && !pending_.empty()) sf_write_short(file_, pending_.data(), static_cast<sf_count_t>(pending_.size()));
  pending_.clear();
}

std::chrono::milliseconds WavRecorder::finish() noexcept {
  if (file_) {
    drain(true);
    flush();
    sf_close(file_);
    file_ = nullptr;
  }
  return std::chrono::milliseconds(samples_written_ / 8);
}

}  // namespace sb::media
