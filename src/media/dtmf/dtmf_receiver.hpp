#pragma once
// Turns a stream of RFC 4733 telephone-event packets into digits, one per event: the event is
// identified by its RTP timestamp (RFC 4733 2.5.2), so the three redundant end packets and any
// late updates are absorbed, and an event whose start packets were lost is still reported.
// Owned by one RTP session on its media thread; not thread-safe; never allocates.

#include "media/dtmf/telephone_event.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

namespace sb::media {

struct DtmfDigit {
  char digit = '\0';                   // one of "0123456789*#ABCD"
  std::chrono::milliseconds duration{};  // as last reported by the sender
  std::uint8_t volume = 0;             // -dBm0
  std::uint32_t timestamp = 0;         // the event's RTP timestamp

  bool operator==(const DtmfDigit&) const = default;
};

class DtmfReceiver {
 public:
  // At most two digits come out of one packet: the previous event whose end packets were all
  // lost, and the new event if this packet already ends it.
  struct Digits {
    std::array<DtmfDigit, 2> items{};
    std::uint8_t count = 0;
    const DtmfDigit* begin() const noexcept { return items.data(); }
    const DtmfDigit* end() const noexcept { return items.data() + count; }
    std::size_t size() const noexcept { return count; }
    bool empty() const noexcept { return count == 0; }
  };

  explicit DtmfReceiver(std::uint32_t clock_rate = 8000) noexcept : clock_rate_(clock_rate) {}

  // Accounts the payload of one telephone-event packet with its RTP timestamp. A digit is
  // reported when its event ends (first E packet), or when a later event starts without an E
  // packet having arrived. Packets that do not parse, events above 15 (not DTMF) and packets
  // from an event older than the current one are ignored.
  Digits on_packet(std::uint32_t rtp_timestamp, std::span<const std::byte> payload) noexcept;

  // Reports the current event if it has not ended yet: the caller invokes this when the stream
  // went quiet (no telephone-event for, say, 500 ms, or RTP stopped) so a digit whose end
  // packets were all lost still arrives.
  std::optional<DtmfDigit> flush() noexcept;

  // True while an event has started and not been reported.
  bool is_in_event() const noexcept { return has_event_ && !is_reported_; }

 private:
  DtmfDigit current_digit() const noexcept;

  std::uint32_t clock_rate_;
  bool has_event_ = false;
  bool is_reported_ = false;
  std::uint32_t timestamp_ = 0;       // of the current segment
  std::uint32_t event_timestamp_ = 0;  // of the event's first segment
  std::uint8_t event_ = 0;
  std::uint8_t volume_ = 0;
  std::uint16_t segment_duration_ = 0;
  std::uint32_t earlier_segments_ = 0;  // duration of earlier segments of a long event
};

}  // namespace sb::media
