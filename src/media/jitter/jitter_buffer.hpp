#pragma once
// The adaptive jitter buffer in front of everything that consumes received audio (recorders,
// in-band DTMF, answering machine detection); never on the relay path, which forwards packets
// as they come. Owned by one MediaSession on its media thread; nothing is allocated after
// construction.
//
// Consumers here have no playout clock to keep, so the buffer adds no delay to a clean stream:
// a packet that is next in sequence comes out at once. Only a gap holds audio back: the packets
// behind it wait for the missing one for at most target_wait(), then the gap is given up as
// lost (Frame::lost_before says how many packets) and what waited comes out in order.
// target_wait() adapts to the jitter measured on the stream, within [kMinWait, kMaxWait]:
// the larger of three times the RFC 3550 6.4.1 interarrival jitter and the recent peak of how
// late reordered packets came, raised when a packet arrives after its gap was given up, and
// decaying back as the stream calms down.
//
// Resets: a new SSRC, or a sequence number far from the expected one that a second packet in
// sequence confirms (RFC 3550 A.1's probation; a single stray packet is dropped), ask the
// caller to drain() what is held first (Push::needs_drain), then to push the packet again; it
// starts the stream afresh and its frame is marked is_restart (timestamps do not follow on).

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace sb::media {

class JitterBuffer {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kCapacity = 16;          // packets held at most
  static constexpr std::size_t kMaxFrameSamples = 960;  // 120 ms at 8 kHz, the longest ptime we keep
  static constexpr std::chrono::microseconds kMinWait{20000};   // one 20 ms packet
  static constexpr std::chrono::microseconds kMaxWait{160000};  // eight of them
  // Further than this from the expected sequence number is a reset candidate, not reordering.
  static constexpr std::int32_t kMaxJump = 100;

  enum class Push : std::uint8_t {
    accepted,
    late,         // its slot was already released (lost, or a stray packet on probation): dropped
    duplicate,    // already held: dropped
    needs_drain,  // a reset, or too far ahead of what is held: drain(), then push it again
  };

  struct Frame {
    std::uint16_t sequence_number = 0;
    std::uint32_t timestamp = 0;
    std::span<const std::int16_t> samples;  // valid until the next push(), pop() or drain()
    std::uint16_t lost_before = 0;  // packets given up on just before this one
    bool is_restart = false;        // first frame of a stream (new SSRC, reset, or after a drain)
  };

  JitterBuffer() noexcept = default;

  // Samples beyond kMaxFrameSamples are cut.
  Push push(std::uint32_t ssrc, std::uint16_t sequence_number, std::uint32_t timestamp,
            std::span<const std::int16_t> samples, Clock::time_point arrival) noexcept;

  // The next frame if it is due at `now`: the next in sequence when held, or the first one
  // behind a gap that has waited target_wait() (or that fills the buffer).
  std::optional<Frame> pop(Clock::time_point now) noexcept;

  // Everything held, in order, gaps skipped (end of recording, session closing, a reset). The
  // next push() starts a new stream.
  std::optional<Frame> drain() noexcept;

  // Forgets everything held and the stream (the consumers went away); keeps the counters.
  void reset() noexcept;

  std::chrono::microseconds target_wait() const noexcept { return target_wait_; }
  std::size_t size() const noexcept { return held_; }

  std::uint64_t late_packets() const noexcept { return late_; }
  std::uint64_t duplicate_packets() const noexcept { return duplicates_; }
  std::uint64_t lost_packets() const noexcept { return lost_; }
  std::uint64_t reordered_packets() const noexcept { return reordered_; }
  std::uint64_t restarts() const noexcept { return restarts_; }

 private:
  struct Slot {
    bool is_full = false;
    std::uint16_t sequence_number = 0;
    std::uint32_t timestamp = 0;
    std::uint16_t size = 0;
    Clock::time_point arrival{};
    std::array<std::int16_t, kMaxFrameSamples> samples{};
  };

  Frame release(std::uint16_t lost_before) noexcept;
  void measure(std::uint32_t timestamp, Clock::time_point arrival) noexcept;
  void adapt() noexcept;
  // Earliest arrival among the held packets (they all wait behind the gap at next_).
  Clock::time_point oldest_arrival() const noexcept;

  bool has_stream_ = false;
  bool is_restart_ = false;  // the next frame released starts a stream
  std::uint32_t ssrc_ = 0;
  std::uint16_t next_ = 0;   // sequence number to release next
  std::size_t held_ = 0;
  std::uint16_t pending_lost_ = 0;  // skipped by a jump, reported with the next frame
  // The last 64 sequence numbers released, newest in bit 0: 1 = received, 0 = given up as lost.
  std::uint64_t released_ = 0;
  // RFC 3550 A.1 probation for a far-off sequence number: the one a reset would continue with.
  bool has_probation_ = false;
  std::uint16_t probation_next_ = 0;

  // Jitter, in microseconds.
  bool has_transit_ = false;
  std::int64_t last_transit_us_ = 0;
  double jitter_us_ = 0;        // RFC 3550 6.4.1, in time rather than timestamp units
  double reorder_peak_us_ = 0;  // how late reordered packets came; decays per packet
  std::chrono::microseconds target_wait_ = kMinWait;

  std::uint64_t late_ = 0;
  std::uint64_t duplicates_ = 0;
  std::uint64_t lost_ = 0;
  std::uint64_t reordered_ = 0;
  std::uint64_t restarts_ = 0;
  std::array<Slot, kCapacity> slots_{};
};

}  // namespace sb::media
