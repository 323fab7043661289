#include "media/recorder/wav_recorder.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <limits>

namespace sb::media {

namespace {
// A timestamp jump larger than this is a restarted stream, not loss: no silence is invented.
constexpr std::uint32_t kMaxGapSamples = 5 * 8000;
}  // namespace

Result<std::unique_ptr<WavRecorder>> WavRecorder::open(const std::string& path,
                                                       std::optional<std::chrono::milliseconds> max_duration) {
  RecordRequest request;
  request.path = path;
  request.max_duration = max_duration;
  return open(request);
}

Result<std::unique_ptr<WavRecorder>> WavRecorder::open(const RecordRequest& request) {
  auto file = RecordingFile::open(request.path, 1, request.trim_silence);
  if (!file) return file.error();
  std::uint64_t max_samples = std::numeric_limits<std::uint64_t>::max();
  if (request.max_duration)
    max_samples = static_cast<std::uint64_t>(std::max<std::int64_t>(request.max_duration->count(), 0)) * 8;
  return std::unique_ptr<WavRecorder>(new WavRecorder(request.path, std::move(*file), max_samples,
                                                      request.silence_timeout.value_or(std::chrono::milliseconds{0})));
}

WavRecorder::WavRecorder(std::string path, RecordingFile file, std::uint64_t max_samples,
                         std::chrono::milliseconds silence_timeout)
    : path_(std::move(path)), file_(std::move(file)), max_samples_(max_samples), silence_timeout_(silence_timeout) {}

WavRecorder::~WavRecorder() { finish(); }

void WavRecorder::on_audio(std::uint32_t timestamp, std::span<const std::int16_t> samples, bool is_restart) noexcept {
  if (is_finished_ || is_full()) return;
  if (has_position_ && !is_restart) {
    const auto gap = static_cast<std::int32_t>(timestamp - next_timestamp_);
    if (gap > 0 && static_cast<std::uint32_t>(gap) <= kMaxGapSamples) {
      write_silence(static_cast<std::uint64_t>(gap));
    } else if (gap > 0) {
      file_.forget_missing_audio();  // a restarted stream: the gap is not written
    }
  } else if (has_position_) {
    file_.forget_missing_audio();
  }
  write(samples);
  has_position_ = true;
  next_timestamp_ = timestamp + static_cast<std::uint32_t>(samples.size());
}

void WavRecorder::write(std::span<const std::int16_t> samples) noexcept {
  const std::uint64_t room = max_samples_ - samples_written_;
  const std::size_t count = static_cast<std::size_t>(std::min<std::uint64_t>(samples.size(), room));
  file_.write(samples.first(count));
  samples_written_ += count;
}

void WavRecorder::write_silence(std::uint64_t count) noexcept {
  static constexpr std::array<std::int16_t, 160> kZeros{};
  while (count > 0 && !is_full()) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(count, kZeros.size()));
    write({kZeros.data(), n});
    count -= n;
  }
}

std::chrono::milliseconds WavRecorder::finish() noexcept {
  if (!is_finished_) {
    file_.finish();
    is_finished_ = true;
  }
  return std::chrono::milliseconds(file_.samples() / 8);
}

}  // namespace sb::media
