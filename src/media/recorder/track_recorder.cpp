#include "media/recorder/track_recorder.hpp"

#include <sndfile.h>

#include <algorithm>
#include <cerrno>
#include <limits>

namespace sb::media {

namespace {
constexpr std::size_t kFlushFrames = 8000;  // one second

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
  if (track == RecordTrack::inbound) return std::make_error_code(std::errc::invalid_argument);
  SF_INFO info{};
  info.samplerate = 8000;
  info.channels = channel_count(track);
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  errno = 0;
  SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
  if (!file) return std::error_code(errno != 0 ? errno : EIO, std::generic_category());
  std::uint64_t max_samples = std::numeric_limits<std::uint64_t>::max();
  if (max_duration) max_samples = static_cast<std::uint64_t>(std::max<std::int64_t>(max_duration->count(), 0)) * 8;
  return std::unique_ptr<TrackRecorder>(new TrackRecorder(path, file, track, max_samples));
}

TrackRecorder::TrackRecorder(std::string path, SNDFILE* file, RecordTrack track, std::uint64_t max_samples)
    : path_(std::move(path)), file_(file), track_(track), max_samples_(max_samples) {
  pending_.reserve((kFlushFrames + kFrameSamples) * static_cast<std::size_t>(channels()));
}

TrackRecorder::~TrackRecorder() {
  if (file_) finish();
}

void TrackRecorder::on_received(std::span<const std::int16_t> samples) noexcept {
  if (file_ && track_ != RecordTrack::outbound) received_.push(samples);
}

void TrackRecorder::on_sent(std::span<const std::int16_t> samples) noexcept {
  if (file_) sent_.push(samples);
}

void TrackRecorder::on_tick() noexcept {
  if (!file_ || is_full()) return;
  std::array<std::int16_t, kFrameSamples> received{};
  std::array<std::int16_t, kFrameSamples> sent{};
  if (track_ != RecordTrack::outbound) received_.pop(received);
  sent_.pop(sent);
  const std::size_t count =
      static_cast<std::size_t>(std::min<std::uint64_t>(kFrameSamples, max_samples_ - samples_written_));
  for (std::size_t i = 0; i < count; ++i) {
    switch (track_) {
      case RecordTrack::inbound:  // not recorded here (open() refuses it)
      case RecordTrack::outbound:
        pending_.push_back(sent[i]);
        break;
      case RecordTrack::both:
        pending_.push_back(saturated_sum(received[i], sent[i]));
        break;
      case RecordTrack::dual:
        pending_.push_back(received[i]);
        pending_.push_back(sent[i]);
        break;
    }
  }
  samples_written_ += count;
  if (pending_.size() >= kFlushFrames * static_cast<std::size_t>(channels())) flush();
}

void TrackRecorder::flush() noexcept {
  if (file_ && !pending_.empty()) sf_write_short(file_, pending_.data(), static_cast<sf_count_t>(pending_.size()));
  pending_.clear();
}

std::chrono::milliseconds TrackRecorder::finish() noexcept {
  if (file_) {
    flush();
    sf_close(file_);
    file_ = nullptr;
  }
  return std::chrono::milliseconds(samples_written_ / 8);
}

}  // namespace sb::media
