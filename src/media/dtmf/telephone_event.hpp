#pragma once
// RFC 4733 2.3 telephone-event payload (4 bytes: event, E|R|volume, duration) and the DTMF
// event codes 0-15 <-> digits "0123456789*#ABCD" (RFC 4733 3.2). Pure; any thread.

#include "core/result.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace sb::media {

inline constexpr std::size_t kTelephoneEventSize = 4;
inline constexpr std::uint8_t kMaxDtmfEvent = 15;

struct TelephoneEvent {
  std::uint8_t event = 0;       // 0-9, 10 '*', 11 '#', 12-15 'A'-'D'; other values are not DTMF
  bool is_end = false;          // E: this packet reports the final duration
  std::uint8_t volume = 10;     // power in -dBm0, 0-63 (6 bits); digits use 0-36
  std::uint16_t duration = 0;   // since the event's RTP timestamp, in timestamp units

  bool operator==(const TelephoneEvent&) const = default;
};

// Reads the first event of a payload (longer payloads carry RFC 2198 redundancy or padding that
// we do not use). Errors: dtmf_truncated.
Result<TelephoneEvent> parse_telephone_event(std::span<const std::byte> payload) noexcept;

// Writes the 4-byte payload; volume is masked to 6 bits, the reserved R bit is 0.
void write_telephone_event(const TelephoneEvent& event, std::span<std::byte, kTelephoneEventSize> out) noexcept;

// '0'-'9', '*', '#', 'A'-'D' for events 0-15; nullopt otherwise.
std::optional<char> dtmf_digit(std::uint8_t event) noexcept;
// The inverse; nullopt for anything but those 16 characters (uppercase A-D only).
std::optional<std::uint8_t> dtmf_event(char digit) noexcept;

}  // namespace sb::media
