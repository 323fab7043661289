#include "media/recorder/track_recorder.hpp"

#include <algorithm>
#include <cerrno>
#include <limits>

namespace sb::media {

namespace {
std::int16_t saturated_sum(std::int16_t a, std::int16_t b) noexcept {
  const int sum = int{a} + int{b};
  return static_cast<std::int16_t>(std::clamp(sum, int{std::numeric_limits<std::int16_t>::min()},
                                              int{std::numeric_limits<std::int16_t>::max()}));
}
}  // namespace

// ---- Queue ----

void TrackRecorder::Queue::drop(std::size_t count) noexcept {
  count = std::min(count, size_);
  head_ = (head_ + count) % kCapacity;
  size_ -= count;
}

void TrackRecorder::Queue::push(std::span<const std::int16_t> samples) noexcept {
  if (samples.size() > kMaxPacketSamples) samples = samples.last(kMaxPacketSamples);
  const std::size_t limit = samples.size() + kMaxBacklogSamples;  // <= kCapacity
  if (size_ + samples.size() > limit) drop(size_ + samples.size() - limit);
  std::size_t tail = (head_ + size_) % kCapacity;
  for (const std::int16_t sample : samples) {
    ring_[tail] = sample;
    tail = tail + 1 == kCapacity ? 0 : tail + 1;
  }
  size_ += samples.size();
}

void TrackRecorder::Queue::pop(std::span<std::int16_t, kFrameSamples> out) noexcept {
  // A backlog that stayed for a whole window is latency a burst left behind: drop it.
  window_minimum_ = std::min(window_minimum_, size_);
  if (++window_ticks_ == kWindowTicks) {
    if (window_minimum_ != SIZE_MAX && window_minimum_ > kFrameSamples) drop(window_minimum_ - kFrameSamples);
    window_minimum_ = SIZE_MAX;
    window_ticks_ = 0;
  }
  const std::size_t count = std::min(size_, kFrameSamples);
  for (std::size_t i = 0; i < count; ++i) {
    out[i] = ring_[head_];
    head_ = head_ + 1 == kCapacity ? 0 : head_ + 1;
  }
  size_ -= count;
  std::fill(out.begin() + static_cast<std::ptrdiff_t>(count), out.end(), std::int16_t{0});
}

// ---- TrackRecorder ----

Result<std::unique_ptr<TrackRecorder>> TrackRecorder::open(const std::string& path, RecordTrack track,
                                                           std::optional<std::chrono::milliseconds> max_duration) {
  RecordRequest request;
  request.path = path;
  request.track = track;
  request.max_duration = max_duration;
  return open(request);
}

Result<std::unique_ptr<TrackRecorder>> TrackRecorder::open(const RecordRequest& request) {
  if (request.track == RecordTrack::inbound) return std::make_error_code(std::errc::invalid_argument);
  auto file = RecordingFile::open(request.path, channel_count(request.track), request.trim_silence);
  if (!file) return file.error();
  std::uint64_t max_samples = std::numeric_limits<std::uint64_t>::max();
  if (request.max_duration)
    max_samples = static_cast<std::uint64_t>(std::max<std::int64_t>(request.max_duration->count(), 0)) * 8;
  return std::unique_ptr<TrackRecorder>(new TrackRecorder(request.path, std::move(*file), request.track, max_samples,
                                                          request.silence_timeout.value_or(std::chrono::milliseconds{0})));
}

TrackRecorder::TrackRecorder(std::string path, RecordingFile file, RecordTrack track, std::uint64_t max_samples,
                             std::chrono::milliseconds silence_timeout)
    : path_(std::move(path)),
      file_(std::move(file)),
      track_(track),
      max_samples_(max_samples),
      silence_timeout_(silence_timeout) {}

TrackRecorder::~TrackRecorder() { finish(); }

void TrackRecorder::on_received(std::span<const std::int16_t> samples) noexcept {
  if (!is_finished_ && track_ != RecordTrack::outbound) received_.push(samples);
}

void TrackRecorder::on_sent(std::span<const std::int16_t> samples) noexcept {
  if (!is_finished_) sent_.push(samples);
}

void TrackRecorder::on_tick() noexcept {
  if (is_finished_ || is_full()) return;
  std::array<std::int16_t, kFrameSamples> received{};
  std::array<std::int16_t, kFrameSamples> sent{};
  if (track_ != RecordTrack::outbound) received_.pop(received);
  sent_.pop(sent);
  const std::size_t count =
      static_cast<std::size_t>(std::min<std::uint64_t>(kFrameSamples, max_samples_ - samples_written_));
  std::size_t size = 0;
  for (std::size_t i = 0; i < count; ++i) {
    switch (track_) {
      case RecordTrack::inbound:  // not recorded here (open() refuses it)
      case RecordTrack::outbound:
        frame_[size++] = sent[i];
        break;
      case RecordTrack::both:
        frame_[size++] = saturated_sum(received[i], sent[i]);
        break;
      case RecordTrack::dual:
        frame_[size++] = received[i];
        frame_[size++] = sent[i];
        break;
    }
  }
  file_.write({frame_.data(), size});
  samples_written_ += count;
}

std::chrono::milliseconds TrackRecorder::finish() noexcept {
  if (!is_finished_) {
    file_.finish();
    is_finished_ = true;
  }
  return std::chrono::milliseconds(file_.samples() / 8);
}

}  // namespace sb::media
