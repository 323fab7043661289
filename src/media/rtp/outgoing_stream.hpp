#pragma once
// The RTP stream a session sends (RFC 3550 5.1): one SSRC, a sequence number that goes up by
// one per packet and a timestamp on our 8 kHz clock, whatever feeds it: a player, DTMF, or
// packets relayed from a bridged leg whose own SSRC, sequence and timestamp may change at any
// time (a new source, a re-INVITE, a transfer). Source changes become a marker bit and a jump of
// the timestamp to our clock, never a break in sequence or SSRC, so the peer's jitter buffer
// sees one continuous stream. Owned by one session on its media thread; pure, noexcept.

#include "media/rtp/rtp_packet.hpp"

#include <cstdint>

namespace sb::media {

class OutgoingStream {
 public:
  struct Stamp {
    std::uint16_t sequence_number = 0;
    std::uint32_t timestamp = 0;
    bool marker = false;
  };

  OutgoingStream(Ssrc ssrc, std::uint16_t first_sequence, std::uint32_t first_timestamp) noexcept
      : ssrc_(ssrc), next_sequence_(first_sequence), clock_(first_timestamp), sent_end_(first_timestamp) {}

  Ssrc ssrc() const noexcept { return ssrc_; }
  // Our media clock: the timestamp of the audio to be sent now.
  std::uint32_t clock() const noexcept { return clock_; }

  // Advances our clock by one tick of audio (160 units for 20 ms at 8 kHz).
  void advance_clock(std::uint32_t units) noexcept {
    clock_ += units;
    if (is_relaying_) return;
    // Never let locally timed audio fall behind what was already sent (relayed streams run on
    // the sender's clock, which drifts against ours).
    if (static_cast<std::int32_t>(clock_ - sent_end_) < 0) clock_ = sent_end_;
  }

  // A locally generated frame of `units` samples starting now. The marker bit starts a
  // talkspurt (RFC 3551 4.1): the first frame after a gap or after relayed audio.
  Stamp next_local(std::uint32_t units) noexcept {
    if (static_cast<std::int32_t>(clock_ - sent_end_) < 0) clock_ = sent_end_;
    const bool marker = is_relaying_ || !is_talking_ || clock_ != sent_end_;
    is_relaying_ = false;
    is_talking_ = true;
    sent_end_ = clock_ + units;
    return {next_sequence_++, clock_, marker};
  }

  // A sequence number for a packet whose timestamp the caller sets (RFC 4733 events).
  std::uint16_t next_sequence() noexcept { return next_sequence_++; }
  void mark_sent_until(std::uint32_t timestamp_end) noexcept {
    sent_end_ = timestamp_end;
    is_relaying_ = false;
  }

  // Local audio stopped: the next local frame starts a new talkspurt.
  void end_talkspurt() noexcept { is_talking_ = false; }

  // A packet relayed from a bridged leg: `source` and `timestamp` are the original's. A new
  // source (or the first relayed packet after local audio) re-anchors the offset so the stream
  // continues from our clock.
  Stamp relay(Ssrc source, std::uint32_t timestamp, std::uint32_t units, bool marker) noexcept {
    if (!is_relaying_ || source != relay_source_) {
      relay_source_ = source;
      if (static_cast<std::int32_t>(clock_ - sent_end_) < 0) clock_ = sent_end_;
      offset_ = clock_ - timestamp;
      marker = true;
      is_relaying_ = true;
    }
    const std::uint32_t out = timestamp + offset_;
    if (static_cast<std::int32_t>(out + units - sent_end_) > 0) sent_end_ = out + units;
    clock_ = sent_end_;
    return {next_sequence_++, out, marker};
  }

  // RFC 4733 events relayed with the same source mapping as its audio, without moving it.
  std::uint32_t relay_timestamp(Ssrc source, std::uint32_t timestamp) noexcept {
    if (!is_relaying_ || source != relay_source_) {
      relay_source_ = source;
      offset_ = clock_ - timestamp;
      is_relaying_ = true;
    }
    return timestamp + offset_;
  }

 private:
  Ssrc ssrc_;
  std::uint16_t next_sequence_;
  std::uint32_t clock_;
  std::uint32_t sent_end_;       // timestamp just after the last audio sent
  bool is_talking_ = false;
  bool is_relaying_ = false;
  Ssrc relay_source_{};
  std::uint32_t offset_ = 0;     // relayed timestamp -> ours
};

}  // namespace sb::media
