#pragma once
// A small reordering buffer for audio that is consumed rather than relayed (recording, later
// detection): holds up to `depth` packets so that packets arriving out of order come out in
// sequence order, skips a gap once more than `depth` packets are waiting behind it, and drops
// packets that arrive after their slot was released. Decoded PCM is stored in fixed slots:
// nothing is allocated after construction. Owned by one session on its media thread.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace sb::media {

class JitterBuffer {
 public:
  static constexpr std::size_t kCapacity = 16;         // packets
  static constexpr std::size_t kMaxFrameSamples = 960;  // 120 ms at 8 kHz, the longest ptime we keep

  enum class Push : std::uint8_t {
    accepted,
    late,       // its slot was already released (or a duplicate): dropped
    overflow,   // too far ahead: the caller drains with pop(true) and pushes again
  };

  struct Frame {
    std::uint32_t timestamp = 0;
    std::span<const std::int16_t> samples;  // valid until the next push()
  };

  explicit JitterBuffer(std::size_t depth = 3) noexcept : depth_(depth < kCapacity ? depth : kCapacity - 1) {}

  // Samples beyond kMaxFrameSamples are cut.
  Push push(std::uint16_t sequence_number, std::uint32_t timestamp, std::span<const std::int16_t> samples) noexcept;

  // The next frame in sequence order if it is due: present, or behind a gap with more than
  // `depth` packets waiting, or anything held when `is_draining`.
  std::optional<Frame> pop(bool is_draining = false) noexcept;

  std::size_t size() const noexcept { return held_; }
  std::uint64_t late_packets() const noexcept { return late_; }
  std::uint64_t skipped_packets() const noexcept { return skipped_; }

 private:
  struct Slot {
    bool is_full = false;
    std::uint16_t sequence_number = 0;
    std::uint32_t timestamp = 0;
    std::uint16_t size = 0;
    std::array<std::int16_t, kMaxFrameSamples> samples{};
  };

  std::size_t depth_;
  bool has_next_ = false;
  std::uint16_t next_ = 0;  // sequence number to release next
  std::size_t held_ = 0;
  std::uint64_t late_ = 0;
  std::uint64_t skipped_ = 0;
  std::array<Slot, kCapacity> slots_{};
};

}  // namespace sb::media
