#include "media/dtmf/dtmf_receiver.hpp"

#include <algorithm>

namespace sb::media {
namespace {

// RFC 4733 2.5.1.3: an event longer than the 16-bit duration field continues in a new segment
// whose timestamp is the old one plus the old duration. We take a same-digit packet as a
// continuation only when the old segment was close to saturating, so a repeated digit whose
// end packets were lost is not merged into its predecessor.
constexpr std::uint32_t kSegmentSlack = 1600;  // 200 ms at 8 kHz

}  // namespace

DtmfDigit DtmfReceiver::current_digit() const noexcept {
  const std::uint64_t units = std::uint64_t{earlier_segments_} + segment_duration_;
  return {.digit = *dtmf_digit(event_),
          .duration = std::chrono::milliseconds(units * 1000 / clock_rate_),
          .volume = volume_,
          .timestamp = event_timestamp_};
}

DtmfReceiver::Digits DtmfReceiver::on_packet(std::uint32_t rtp_timestamp, std::span<const std::byte> payload) noexcept {
  Digits out;
  const auto parsed = parse_telephone_event(payload);
  if (!parsed || parsed->event > kMaxDtmfEvent) return out;
  const TelephoneEvent& ev = *parsed;

  if (has_event_) {
    if (rtp_timestamp == timestamp_) {
      if (is_reported_) return out;  // redundant end packets, late updates
      segment_duration_ = std::max(segment_duration_, ev.duration);
      volume_ = ev.volume;
      if (ev.is_end) {
        out.items[out.count++] = current_digit();
        is_reported_ = true;
      }
      return out;
    }
    const auto age = static_cast<std::int32_t>(rtp_timestamp - timestamp_);
    if (age < 0) return out;  // a reordered packet of an earlier event
    if (!is_reported_ && ev.event == event_ && segment_duration_ >= 0xFFFF - kSegmentSlack &&
        static_cast<std::uint32_t>(age) <= std::uint32_t{segment_duration_} + kSegmentSlack) {
      earlier_segments_ += static_cast<std::uint32_t>(age);
      timestamp_ = rtp_timestamp;
      segment_duration_ = ev.duration;
      if (ev.is_end) {
        out.items[out.count++] = current_digit();
        is_reported_ = true;
      }
      return out;
    }
    if (!is_reported_) out.items[out.count++] = current_digit();  // its end packets were lost
  }

  has_event_ = true;
  is_reported_ = false;
  timestamp_ = rtp_timestamp;
  event_timestamp_ = rtp_timestamp;
  event_ = ev.event;
  volume_ = ev.volume;
  segment_duration_ = ev.duration;
  earlier_segments_ = 0;
  if (ev.is_end) {
    out.items[out.count++] = current_digit();
    is_reported_ = true;
  }
  return out;
}

std::optional<DtmfDigit> DtmfReceiver::flush() noexcept {
  if (!is_in_event()) return std::nullopt;
  is_reported_ = true;
  return current_digit();
}

}  // namespace sb::media
