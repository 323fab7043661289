#include "media/jitter/jitter_buffer.hpp"

#include <algorithm>

namespace sb::media {

JitterBuffer::Push JitterBuffer::push(std::uint16_t sequence_number, std::uint32_t timestamp,
                                      std::span<const std::int16_t> samples) noexcept {
  if (!has_next_) {
    has_next_ = true;
    next_ = sequence_number;
  }
  const auto ahead = static_cast<std::int16_t>(sequence_number - next_);
  if (ahead < 0) {
    ++late_;
    return Push::late;
  }
  if (static_cast<std::size_t>(ahead) >= kCapacity) {
    if (held_ == 0) {  // a jump with nothing waiting: just follow it
      next_ = sequence_number;
    } else {
      return Push::overflow;
    }
  }
  Slot& slot = slots_[sequence_number % kCapacity];
  if (slot.is_full) {
    ++late_;  // duplicate
    return Push::late;
  }
  const std::size_t size = std::min(samples.size(), kMaxFrameSamples);
  std::copy_n(samples.begin(), size, slot.samples.begin());
  slot.size = static_cast<std::uint16_t>(size);
  slot.sequence_number = sequence_number;
  slot.timestamp = timestamp;
  slot.is_full = true;
  ++held_;
  return Push::accepted;
}

std::optional<JitterBuffer::Frame> JitterBuffer::pop(bool is_draining) noexcept {
  if (held_ == 0) {
    if (is_draining) has_next_ = false;  // after a drain, the next push starts afresh
    return std::nullopt;
  }
  if (!slots_[next_ % kCapacity].is_full) {
    if (held_ <= depth_ && !is_draining) return std::nullopt;
    while (!slots_[next_ % kCapacity].is_full) {  // give up on the gap
      ++next_;
      ++skipped_;
    }
  }
  Slot& slot = slots_[next_ % kCapacity];
  slot.is_full = false;
  --held_;
  ++next_;
  return Frame{slot.timestamp, {slot.samples.data(), slot.size}};
}

}  // namespace sb::media
