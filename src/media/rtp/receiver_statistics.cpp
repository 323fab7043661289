#include "media/rtp/receiver_statistics.hpp"

#include <algorithm>

namespace sb::media {

namespace {
constexpr std::uint32_t kSequenceModulo = 1u << 16;
}

void ReceiverStatistics::init_sequence(std::uint16_t sequence_number) noexcept {
  base_sequence_ = sequence_number;
  max_sequence_ = sequence_number;
  bad_sequence_ = kSequenceModulo + 1;  // so that no sequence number matches it
  cycles_ = 0;
  received_ = 0;
  received_prior_ = 0;
  expected_prior_ = 0;
  has_transit_ = false;
}

// RFC 3550 A.1 update_seq().
bool ReceiverStatistics::update_sequence(std::uint16_t sequence_number) noexcept {
  const auto delta = static_cast<std::uint16_t>(sequence_number - max_sequence_);
  if (probation_ > 0) {
    if (sequence_number == static_cast<std::uint16_t>(max_sequence_ + 1)) {
      --probation_;
      max_sequence_ = sequence_number;
      if (probation_ == 0) {
        init_sequence(sequence_number);
        ++received_;
        return true;
      }
    } else {
      probation_ = kMinSequential - 1;
      max_sequence_ = sequence_number;
    }
    return false;
  }
  if (delta < kMaxDropout) {
    if (sequence_number < max_sequence_) cycles_ += kSequenceModulo;  // wrapped
    max_sequence_ = sequence_number;
  } else if (delta <= kSequenceModulo - kMaxMisorder) {
    // A very large jump: a restarted sender if the next packet follows on from it.
    if (sequence_number == bad_sequence_) {
      init_sequence(sequence_number);
    } else {
      bad_sequence_ = (sequence_number + 1u) & (kSequenceModulo - 1);
      return false;
    }
  }
  // Otherwise a duplicate or reordered packet: counted, no change to max_sequence_.
  ++received_;
  return true;
}

std::uint32_t ReceiverStatistics::to_timestamp_units(std::chrono::nanoseconds t) const noexcept {
  // Split so that a long uptime cannot overflow; the result wraps mod 2^32 like RTP timestamps.
  constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
  const std::int64_t ns = t.count();
  const auto whole = static_cast<std::uint64_t>(ns / kNanosPerSecond) * clock_rate_;
  const auto part = static_cast<std::uint64_t>(ns % kNanosPerSecond) * clock_rate_ / kNanosPerSecond;
  return static_cast<std::uint32_t>(whole + part);
}

bool ReceiverStatistics::on_packet(std::uint16_t sequence_number, std::uint32_t rtp_timestamp,
                                   std::chrono::nanoseconds arrival) noexcept {
  if (!has_source_) {
    // A.1: a new source starts on probation.
    has_source_ = true;
    init_sequence(sequence_number);
    max_sequence_ = static_cast<std::uint16_t>(sequence_number - 1);
    probation_ = kMinSequential;
  }
  if (!update_sequence(sequence_number)) return false;

  // A.8: J += (|D| - J) / 16 with D the change in transit time, kept scaled by 16.
  const std::uint32_t transit = to_timestamp_units(arrival) - rtp_timestamp;
  if (has_transit_) {
    const auto d = static_cast<std::int32_t>(transit - transit_);
    const std::uint32_t magnitude = d < 0 ? 0u - static_cast<std::uint32_t>(d) : static_cast<std::uint32_t>(d);
    jitter_q4_ += magnitude - ((jitter_q4_ + 8) >> 4);
  }
  transit_ = transit;
  has_transit_ = true;
  return true;
}

void ReceiverStatistics::on_sender_report(std::uint64_t ntp_timestamp, std::chrono::nanoseconds arrival) noexcept {
  has_sender_report_ = true;
  last_sr_ = static_cast<std::uint32_t>(ntp_timestamp >> 16);  // middle 32 bits
  last_sr_arrival_ = arrival;
}

ReportBlock ReceiverStatistics::make_report_block(Ssrc source, std::chrono::nanoseconds now) noexcept {
  ReportBlock block;
  block.ssrc = source;
  if (is_valid()) {
    // A.3.
    const std::uint32_t expected = packets_expected();
    const std::int64_t lost = cumulative_lost();
    block.cumulative_lost = static_cast<std::int32_t>(std::clamp<std::int64_t>(lost, -0x800000, 0x7FFFFF));
    const std::uint32_t expected_interval = expected - expected_prior_;
    const std::int64_t received_interval = static_cast<std::int64_t>(received_ - received_prior_);
    const std::int64_t lost_interval = static_cast<std::int64_t>(expected_interval) - received_interval;
    expected_prior_ = expected;
    received_prior_ = received_;
    if (expected_interval != 0 && lost_interval > 0)
      block.fraction_lost = static_cast<std::uint8_t>(std::min<std::int64_t>((lost_interval << 8) / expected_interval, 255));
    block.extended_highest_sequence = extended_highest_sequence();
    block.jitter = jitter();
  }
  if (has_sender_report_) {
    block.last_sr = last_sr_;
    const auto delay = std::max(now - last_sr_arrival_, std::chrono::nanoseconds{0});
    block.delay_since_last_sr = static_cast<std::uint32_t>(
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(delay).count()) * 65536 /
        1'000'000);
  }
  return block;
}

}  // namespace sb::media
