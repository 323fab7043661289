#include "media/jitter/jitter_buffer.hpp"

#include <algorithm>
#include <cmath>

namespace sb::media {

namespace {
constexpr std::int64_t kMicrosecondsPerUnit = 125;  // one 8 kHz timestamp unit
// Per packet: the reorder peak halves in ~70 packets (1.4 s at 20 ms).
constexpr double kPeakDecay = 0.99;
}  // namespace

JitterBuffer::Push JitterBuffer::push(std::uint32_t ssrc, std::uint16_t sequence_number, std::uint32_t timestamp,
                                      std::span<const std::int16_t> samples, Clock::time_point arrival) noexcept {
  const auto start = [&] {
    if (has_stream_) ++restarts_;
    has_stream_ = true;
    is_restart_ = true;
    ssrc_ = ssrc;
    next_ = sequence_number;
    pending_lost_ = 0;
    has_probation_ = false;
    has_transit_ = false;
    released_ = 0;
  };
  if (!has_stream_) {
    start();
  } else if (ssrc != ssrc_) {
    if (held_ > 0) return Push::needs_drain;
    start();
  }
  auto delta = static_cast<std::int32_t>(static_cast<std::int16_t>(static_cast<std::uint16_t>(sequence_number - next_)));
  if (delta < -kMaxJump || delta > kMaxJump) {
    if (has_probation_ && sequence_number == probation_next_) {  // RFC 3550 A.1: two in a row: a reset
      if (held_ > 0) return Push::needs_drain;  // the probation stays: the push after the drain restarts
      start();
      delta = 0;
    } else {
      has_probation_ = true;
      probation_next_ = static_cast<std::uint16_t>(sequence_number + 1);
      ++late_;
      return Push::late;
    }
  } else {
    has_probation_ = false;
  }
  if (delta < 0) {
    // Released already: received (a duplicate) or given up as lost (the wait was too short).
    const auto behind = static_cast<std::uint32_t>(-delta - 1);
    if (behind >= 64) {  // older than the history kept: just late
      ++late_;
      return Push::late;
    }
    if (((released_ >> behind) & 1u) != 0) {
      ++duplicates_;
      return Push::duplicate;
    }
    ++late_;
    reorder_peak_us_ = std::max(reorder_peak_us_, 2.0 * static_cast<double>(target_wait_.count()));
    adapt();
    return Push::late;
  }
  if (static_cast<std::size_t>(delta) >= kCapacity) {
    if (held_ > 0) return Push::needs_drain;
    // Nothing waits: jump ahead, the packets in between are lost.
    pending_lost_ = static_cast<std::uint16_t>(pending_lost_ + delta);
    lost_ += static_cast<std::uint64_t>(delta);
    for (std::int32_t i = 0; i < delta; ++i) released_ <<= 1;
    next_ = sequence_number;
  }
  Slot& slot = slots_[sequence_number % kCapacity];
  if (slot.is_full) {
    ++duplicates_;
    return Push::duplicate;
  }
  // Reordered: it arrives after a later packet that now waits behind it.
  bool is_reordered = false;
  Clock::time_point first_waiting = arrival;
  for (const Slot& other : slots_) {
    if (other.is_full && static_cast<std::int16_t>(static_cast<std::uint16_t>(other.sequence_number - sequence_number)) > 0) {
      is_reordered = true;
      first_waiting = std::min(first_waiting, other.arrival);
    }
  }
  if (is_reordered) {
    ++reordered_;
    const auto late_by = std::chrono::duration_cast<std::chrono::microseconds>(arrival - first_waiting);
    reorder_peak_us_ = std::max(reorder_peak_us_, static_cast<double>(late_by.count()));
  }
  const std::size_t size = std::min(samples.size(), kMaxFrameSamples);
  std::copy_n(samples.begin(), size, slot.samples.begin());
  slot.size = static_cast<std::uint16_t>(size);
  slot.sequence_number = sequence_number;
  slot.timestamp = timestamp;
  slot.arrival = arrival;
  slot.is_full = true;
  ++held_;
  measure(timestamp, arrival);
  adapt();
  return Push::accepted;
}

void JitterBuffer::measure(std::uint32_t timestamp, Clock::time_point arrival) noexcept {
  // RFC 3550 6.4.1: D = difference of relative transit times; J += (|D| - J) / 16.
  const auto arrival_us = std::chrono::duration_cast<std::chrono::microseconds>(arrival.time_since_epoch()).count();
  const std::int64_t transit = arrival_us - static_cast<std::int64_t>(timestamp) * kMicrosecondsPerUnit;
  if (has_transit_) {
    std::int64_t d = transit - last_transit_us_;
    // A timestamp wrap (2^32 units) between the two packets is not jitter.
    constexpr std::int64_t kWrap = (std::int64_t{1} << 32) * kMicrosecondsPerUnit;
    if (d > kWrap / 2) d -= kWrap;
    if (d < -kWrap / 2) d += kWrap;
    const double magnitude = std::min(static_cast<double>(std::llabs(d)), 1e6);  // a stall is not jitter
    jitter_us_ += (magnitude - jitter_us_) / 16.0;
  }
  has_transit_ = true;
  last_transit_us_ = transit;
}

void JitterBuffer::adapt() noexcept {
  reorder_peak_us_ *= kPeakDecay;
  const double wanted = std::max(3.0 * jitter_us_, 1.25 * reorder_peak_us_);
  const auto clamped = std::clamp(static_cast<std::int64_t>(wanted), static_cast<std::int64_t>(kMinWait.count()),
                                  static_cast<std::int64_t>(kMaxWait.count()));
  target_wait_ = std::chrono::microseconds{clamped};
}

JitterBuffer::Clock::time_point JitterBuffer::oldest_arrival() const noexcept {
  auto oldest = Clock::time_point::max();
  for (const Slot& slot : slots_)
    if (slot.is_full) oldest = std::min(oldest, slot.arrival);
  return oldest;
}

JitterBuffer::Frame JitterBuffer::release(std::uint16_t lost_before) noexcept {
  Slot& slot = slots_[next_ % kCapacity];
  slot.is_full = false;
  --held_;
  ++next_;
  released_ = (released_ << 1) | 1u;
  Frame frame{slot.sequence_number, slot.timestamp, {slot.samples.data(), slot.size},
              static_cast<std::uint16_t>(pending_lost_ + lost_before), is_restart_};
  pending_lost_ = 0;
  is_restart_ = false;
  return frame;
}

std::optional<JitterBuffer::Frame> JitterBuffer::pop(Clock::time_point now) noexcept {
  if (held_ == 0) return std::nullopt;
  if (slots_[next_ % kCapacity].is_full) return release(0);
  if (now - oldest_arrival() < target_wait_) return std::nullopt;
  return drain();  // the wait is over: give up the gap
}

std::optional<JitterBuffer::Frame> JitterBuffer::drain() noexcept {
  if (held_ == 0) return std::nullopt;
  std::uint16_t skipped = 0;
  while (!slots_[next_ % kCapacity].is_full) {
    ++next_;
    ++skipped;
    released_ <<= 1;
  }
  lost_ += skipped;
  return release(skipped);
}

void JitterBuffer::reset() noexcept {
  for (Slot& slot : slots_) slot.is_full = false;
  held_ = 0;
  has_stream_ = false;
  has_probation_ = false;
  has_transit_ = false;
  pending_lost_ = 0;
}

}  // namespace sb::media
