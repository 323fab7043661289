#pragma once
// Per-source reception statistics of an RTP receiver: RFC 3550 A.1 sequence tracking (wrap
// count, probation of new sources, restarts after a large jump), A.3 loss figures and A.8
// interarrival jitter, summarised as an RTCP report block. Owned by one RTP session on its media
// thread; not thread-safe. Times are monotonic durations since any fixed epoch.

#include "media/rtp/rtcp_packet.hpp"

#include <chrono>
#include <cstdint>

namespace sb::media {

class ReceiverStatistics {
 public:
  // RFC 3550 A.1's constants.
  static constexpr int kMinSequential = 2;        // packets in sequence before a source is valid
  static constexpr std::uint32_t kMaxDropout = 3000;  // forward jump still treated as loss
  static constexpr std::uint32_t kMaxMisorder = 100;  // backward jump still treated as reordering

  explicit ReceiverStatistics(std::uint32_t clock_rate = 8000) noexcept : clock_rate_(clock_rate) {}

  // Accounts one packet. True when it counts: the source has passed probation and the sequence
  // number is in range (a duplicate or reordered packet counts, as in A.1). False while the
  // source is on probation, or for a jump RFC 3550 says to drop (a second such packet in a row
  // is taken as a restart of the sender and resynchronises).
  bool on_packet(std::uint16_t sequence_number, std::uint32_t rtp_timestamp,
                 std::chrono::nanoseconds arrival) noexcept;

  // Records an SR from this source for the LSR/DLSR fields of the next report block.
  void on_sender_report(std::uint64_t ntp_timestamp, std::chrono::nanoseconds arrival) noexcept;

  // The report block for this source at `now` (A.3), and starts a new reporting interval.
  ReportBlock make_report_block(Ssrc source, std::chrono::nanoseconds now) noexcept;

  bool is_valid() const noexcept { return has_source_ && probation_ == 0; }
  std::uint64_t packets_received() const noexcept { return received_; }
  std::uint32_t extended_highest_sequence() const noexcept { return cycles_ + max_sequence_; }
  std::uint32_t packets_expected() const noexcept { return extended_highest_sequence() - base_sequence_ + 1; }
  std::int64_t cumulative_lost() const noexcept {
    return static_cast<std::int64_t>(packets_expected()) - static_cast<std::int64_t>(received_);
  }
  // Interarrival jitter in timestamp units (A.8's estimate, rounded down).
  std::uint32_t jitter() const noexcept { return jitter_q4_ >> 4; }

 private:
  void init_sequence(std::uint16_t sequence_number) noexcept;
  bool update_sequence(std::uint16_t sequence_number) noexcept;
  std::uint32_t to_timestamp_units(std::chrono::nanoseconds t) const noexcept;

  std::uint32_t clock_rate_;
  bool has_source_ = false;
  std::uint16_t max_sequence_ = 0;
  std::uint32_t cycles_ = 0;         // wraps << 16
  std::uint32_t base_sequence_ = 0;
  std::uint32_t bad_sequence_ = 0;   // sequence number expected after a jump
  int probation_ = 0;
  std::uint64_t received_ = 0;
  std::uint32_t expected_prior_ = 0;
  std::uint64_t received_prior_ = 0;
  bool has_transit_ = false;
  std::uint32_t transit_ = 0;
  std::uint32_t jitter_q4_ = 0;      // jitter * 16, the integer form of A.8
  bool has_sender_report_ = false;
  std::uint32_t last_sr_ = 0;
  std::chrono::nanoseconds last_sr_arrival_{};
};

}  // namespace sb::media
