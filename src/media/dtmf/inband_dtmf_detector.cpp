#include "media/dtmf/inband_dtmf_detector.hpp"

#include <algorithm>
#include <new>
#include <string_view>

extern "C" {
#include <spandsp/telephony.h>
#include <spandsp/logging.h>
#include <spandsp/super_tone_rx.h>
#include <spandsp/dtmf.h>
}

namespace sb::media {

namespace {
constexpr std::string_view kDigits = "0123456789*#ABCD";
}  // namespace

InbandDtmfDetector::InbandDtmfDetector() : state_(dtmf_rx_init(nullptr, nullptr, nullptr)) {
  if (!state_) throw std::bad_alloc();
  // Digits are taken from the real-time callback (start and end of each tone); spandsp's own
  // digit buffer, which we never read, just stops filling when full.
  dtmf_rx_set_realtime_callback(state_, &InbandDtmfDetector::on_tone_change, this);
}

InbandDtmfDetector::~InbandDtmfDetector() { dtmf_rx_free(state_); }

void InbandDtmfDetector::on_tone_change(void* user_data, int code, int level, int /*delay*/) noexcept {
  auto& self = *static_cast<InbandDtmfDetector*>(user_data);
  // Confirmed changes are reported at the end of the block that confirmed them; the position of
  // the call's end is the best we know, and the error cancels out between start and end.
  if (self.current_ != '\0') self.report(self.position_);
  if (code > 0 && code < 128 && kDigits.find(static_cast<char>(code)) != std::string_view::npos) {
    self.current_ = static_cast<char>(code);
    self.started_at_ = self.position_;
    self.level_ = static_cast<std::uint8_t>(std::clamp(-level, 0, 63));
  }
}

void InbandDtmfDetector::report(std::uint64_t end_position) noexcept {
  const DtmfDigit digit{.digit = current_,
                        .duration = std::chrono::milliseconds((end_position - started_at_) / 8),
                        .volume = level_,
                        .timestamp = static_cast<std::uint32_t>(started_at_)};
  current_ = '\0';
  if (pending_.count < kMaxDigits) pending_.items[pending_.count++] = digit;
}

InbandDtmfDetector::Digits InbandDtmfDetector::on_audio(std::span<const std::int16_t> samples) noexcept {
  pending_ = {};
  position_ += samples.size();
  dtmf_rx(state_, samples.data(), static_cast<int>(samples.size()));
  return pending_;
}

std::optional<DtmfDigit> InbandDtmfDetector::flush() noexcept {
  if (current_ == '\0') return std::nullopt;
  pending_ = {};
  report(position_);
  return pending_.items[0];
}

}  // namespace sb::media
