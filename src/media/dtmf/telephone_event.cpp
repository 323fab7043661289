#include "media/dtmf/telephone_event.hpp"

#include "media/error.hpp"

#include <string_view>

namespace sb::media {
namespace {
constexpr std::string_view kDigits = "0123456789*#ABCD";
}

Result<TelephoneEvent> parse_telephone_event(std::span<const std::byte> payload) noexcept {
  if (payload.size() < kTelephoneEventSize) return make_error_code(Errc::dtmf_truncated);
  const auto flags = std::to_integer<std::uint8_t>(payload[1]);
  return TelephoneEvent{
      .event = std::to_integer<std::uint8_t>(payload[0]),
      .is_end = (flags & 0x80) != 0,
      .volume = static_cast<std::uint8_t>(flags & 0x3F),
      .duration = static_cast<std::uint16_t>(std::to_integer<unsigned>(payload[2]) << 8 |
                                             std::to_integer<unsigned>(payload[3])),
  };
}

void write_telephone_event(const TelephoneEvent& event, std::span<std::byte, kTelephoneEventSize> out) noexcept {
  out[0] = static_cast<std::byte>(event.event);
  out[1] = static_cast<std::byte>((event.is_end ? 0x80 : 0) | (event.volume & 0x3F));
  out[2] = static_cast<std::byte>(event.duration >> 8);
  out[3] = static_cast<std::byte>(event.duration);
}

std::optional<char> dtmf_digit(std::uint8_t event) noexcept {
  if (event > kMaxDtmfEvent) return std::nullopt;
  return kDigits[event];
}

std::optional<std::uint8_t> dtmf_event(char digit) noexcept {
  const auto at = kDigits.find(digit);
  if (digit == '\0' || at == std::string_view::npos) return std::nullopt;
  return static_cast<std::uint8_t>(at);
}

}  // namespace sb::media
