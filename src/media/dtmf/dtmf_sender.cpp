#include "media/dtmf/dtmf_sender.hpp"

#include "media/error.hpp"

#include <algorithm>
#include <utility>

namespace sb::media {

using std::chrono::milliseconds;

Result<DtmfSender> DtmfSender::create(std::string_view digits, std::uint32_t start_timestamp,
                                      const DtmfSenderOptions& options) {
  for (char c : digits)
    if (c != 'w' && c != 'W' && !dtmf_event(c)) return make_error_code(Errc::dtmf_invalid_digits);
  const auto units = [&](milliseconds t) { return t.count() * static_cast<std::int64_t>(options.clock_rate) / 1000; };
  if (options.packet_interval <= milliseconds::zero() || options.tone_duration <= milliseconds::zero() ||
      options.clock_rate == 0 || units(options.tone_duration) > 0xFFFF || options.end_packets < 1 ||
      options.end_packets > 10 || options.gap < options.packet_interval * (options.end_packets - 1) ||
      options.short_pause < milliseconds::zero() || options.long_pause < milliseconds::zero())
    return make_error_code(Errc::dtmf_invalid_options);
  return DtmfSender(std::string(digits), start_timestamp, options);
}

DtmfSender::DtmfSender(std::string digits, std::uint32_t start_timestamp, const DtmfSenderOptions& options)
    : digits_(std::move(digits)), start_timestamp_(start_timestamp), options_(options) {
  for (char c : digits_) {
    if (c == 'w') {
      total_duration_ += options_.short_pause;
    } else if (c == 'W') {
      total_duration_ += options_.long_pause;
    } else {
      total_duration_ += options_.tone_duration + options_.gap;
    }
  }
  skip_pauses();
}

std::uint32_t DtmfSender::to_units(milliseconds t) const noexcept {
  return static_cast<std::uint32_t>(static_cast<std::uint64_t>(t.count()) * options_.clock_rate / 1000);
}

void DtmfSender::skip_pauses() noexcept {
  while (index_ < digits_.size() && (digits_[index_] == 'w' || digits_[index_] == 'W')) {
    event_offset_ += digits_[index_] == 'w' ? options_.short_pause : options_.long_pause;
    ++index_;
  }
}

std::optional<DtmfPacket> DtmfSender::next() noexcept {
  if (index_ >= digits_.size()) return std::nullopt;
  const milliseconds interval = options_.packet_interval;
  const milliseconds tone = options_.tone_duration;
  // Packets before the one that reaches the full duration: ceil(tone / interval) - 1.
  const int updates = static_cast<int>((tone.count() + interval.count() - 1) / interval.count()) - 1;
  const bool is_end = packet_ >= updates;
  const milliseconds reported = is_end ? tone : interval * (packet_ + 1);

  DtmfPacket packet{
      .send_offset = event_offset_ + interval * packet_,
      .timestamp = start_timestamp_ + to_units(event_offset_),
      .marker = packet_ == 0,
      .event = {.event = *dtmf_event(digits_[index_]),
                .is_end = is_end,
                .volume = options_.volume,
                .duration = static_cast<std::uint16_t>(to_units(reported))},
  };
  ++packet_;
  if (packet_ >= updates + options_.end_packets) {
    event_offset_ += tone + options_.gap;
    packet_ = 0;
    ++index_;
    skip_pauses();
  }
  return packet;
}

}  // namespace sb::media
