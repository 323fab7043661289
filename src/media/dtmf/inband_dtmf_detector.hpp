#pragma once
// Detects DTMF tone pairs (ITU-T Q.23/Q.24) in decoded audio with spandsp's DTMF receiver, for
// peers that did not negotiate RFC 4733 telephone-event. Reports each digit once, when its tone
// ends, with the tone's duration as detected (to within one 102-sample detection block). Owned by
// one RTP session on its media thread; not thread-safe. Allocates only in its constructor.
// A digit's `timestamp` is the sample count (8 kHz) at which its tone was confirmed, counted from
// the first sample fed: not an RTP timestamp.

#include "media/dtmf/dtmf_receiver.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

struct dtmf_rx_state_s;

namespace sb::media {

class InbandDtmfDetector {
 public:
  // Digits that ended in one call of on_audio(): a 20 ms packet ends at most one; a long packet
  // (up to 120 ms) a few. Beyond kMaxDigits in one call, digits are lost.
  static constexpr std::size_t kMaxDigits = 4;
  struct Digits {
    std::array<DtmfDigit, kMaxDigits> items{};
    std::uint8_t count = 0;
    const DtmfDigit* begin() const noexcept { return items.data(); }
    const DtmfDigit* end() const noexcept { return items.data() + count; }
    std::size_t size() const noexcept { return count; }
    bool empty() const noexcept { return count == 0; }
  };

  // Throws std::bad_alloc if spandsp cannot allocate its state.
  InbandDtmfDetector();
  ~InbandDtmfDetector();
  InbandDtmfDetector(const InbandDtmfDetector&) = delete;  // spandsp holds a pointer to us
  InbandDtmfDetector& operator=(const InbandDtmfDetector&) = delete;

  // Runs the detector over received audio (8 kHz linear PCM, in arrival order).
  Digits on_audio(std::span<const std::int16_t> samples) noexcept;

  // Reports the digit whose tone is still on (the stream stopped or the session closes).
  std::optional<DtmfDigit> flush() noexcept;

  bool is_in_digit() const noexcept { return current_ != '\0'; }

 private:
  static void on_tone_change(void* user_data, int code, int level, int delay) noexcept;
  void report(std::uint64_t end_position) noexcept;

  dtmf_rx_state_s* state_;
  std::uint64_t position_ = 0;  // samples fed so far, up to the end of the current call
  char current_ = '\0';         // the digit whose tone is on
  std::uint64_t started_at_ = 0;
  std::uint8_t level_ = 0;      // -dBm0 when the tone was confirmed
  Digits pending_;
};

}  // namespace sb::media
