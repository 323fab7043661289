#pragma once
// Plays a digit string as RFC 4733 telephone-events: the packet schedule for Twilio's
// SendDigits, <Play digits> and <Dial sendDigits> ("0-9 * # A-D", 'w' pauses 0.5 s, 'W' 1 s).
// Created on the signalling side or the media thread, then driven by one media thread; it owns
// no socket: the RTP session stamps sequence numbers, SSRC and PT and sends each packet at its
// send_offset. Allocates only in create().
//
// Timing (our choice; Twilio does not publish its figures): each digit sounds for 100 ms and is
// followed by 100 ms of silence, five digits a second, comfortably above ITU-T Q.24's 40 ms
// minimums and what IVRs and in-band detectors expect. Packets go every 20 ms; packet i of a
// digit reports the duration up to the end of its 20 ms (160, 320, ... units); the packet that
// reaches the full tone duration has E set and is sent three times (RFC 4733 2.5.1.4), 20 ms
// apart. The first packet of each digit has the marker bit (RFC 4733 2.5.1.1). Volume -10 dBm0.

#include "core/result.hpp"
#include "media/dtmf/telephone_event.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sb::media {

struct DtmfSenderOptions {
  std::chrono::milliseconds tone_duration{100};
  std::chrono::milliseconds gap{100};              // silence after each digit
  std::chrono::milliseconds packet_interval{20};   // the stream's ptime
  std::chrono::milliseconds short_pause{500};      // 'w'
  std::chrono::milliseconds long_pause{1000};      // 'W'
  std::uint8_t volume = 10;                        // -dBm0
  std::uint32_t clock_rate = 8000;                 // telephone-event/8000
  int end_packets = 3;
};

struct DtmfPacket {
  std::chrono::milliseconds send_offset{};  // when to send it, from the sender's start
  std::uint32_t timestamp = 0;              // RTP timestamp: the event's start
  bool marker = false;
  TelephoneEvent event;
};

class DtmfSender {
 public:
  // Errors: dtmf_invalid_digits (any character outside "0-9*#A-DwW"), dtmf_invalid_options
  // (zero interval or tone, tone beyond the 16-bit duration field, fewer than one end packet, or
  // a gap too short for the repeated end packets). `start_timestamp` is the RTP timestamp that
  // corresponds to offset 0 on the stream's clock.
  static Result<DtmfSender> create(std::string_view digits, std::uint32_t start_timestamp,
                                   const DtmfSenderOptions& options = {});

  // The next packet in send order, or nullopt when all digits have been sent.
  std::optional<DtmfPacket> next() noexcept;

  // Time from the start to the end of the last digit's trailing gap or pause; the audio stream
  // resumes at start_timestamp + total_duration (in clock units).
  std::chrono::milliseconds total_duration() const noexcept { return total_duration_; }

 private:
  DtmfSender(std::string digits, std::uint32_t start_timestamp, const DtmfSenderOptions& options);
  void skip_pauses() noexcept;
  std::uint32_t to_units(std::chrono::milliseconds t) const noexcept;

  std::string digits_;
  std::uint32_t start_timestamp_;
  DtmfSenderOptions options_;
  std::size_t index_ = 0;                      // next digit or pause
  int packet_ = 0;                             // next packet within the current digit
  std::chrono::milliseconds event_offset_{};   // start of the current digit
  std::chrono::milliseconds total_duration_{};
};

}  // namespace sb::media
