#pragma once
// What the media engine reports to signalling (DESIGN.md: "media answers by posting events"):
// plain values, created on a media thread and handed to the engine's event handler.

#include "media/amd/machine_detection_request.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>

namespace sb::media {

// One RTP session (one call leg's audio stream), unique for the engine's lifetime.
enum class SessionId : std::uint64_t {};
// Identifies one play() request in its PlayFinished event.
enum class PlayId : std::uint64_t {};

// An RFC 4733 digit received (also when it crossed a bridge), or, when the peer did not
// negotiate telephone-event, a DTMF tone pair detected in the received audio (in-band).
struct DigitReceived {
  char digit = '\0';  // "0123456789*#ABCD"
  std::chrono::milliseconds duration{};
};

// send_digits() finished sending every digit and pause.
struct DigitsSent {
  std::string digits;
};

struct PlayFinished {
  PlayId play{};
  bool is_interrupted = false;  // stopped, replaced by another play, or the session closed
};

// No RTP arrived for the configured timeout while we expected media. The call layer ends the
// call with Twilio's error 32014 ("Call terminated: no audio received"). Reported once per
// silence; a packet arriving later re-arms it.
struct RtpTimeout {
  std::chrono::milliseconds silent_for{};
  std::string reason;
  int twilio_error_code = 32014;
};

struct RecordFinished {
  std::string path;
  std::chrono::milliseconds duration{};  // exact: samples / 8; of the file, after trimming
  std::uint64_t samples = 0;             // at 8 kHz, per channel, in the file (after trimming)
  bool reached_max_duration = false;
  int channels = 1;                      // 2 for RecordTrack::dual (Twilio's RecordingChannels)
  // RecordRequest::silence_timeout expired (<Record timeout>; Twilio then posts no Digits key).
  bool ended_by_silence = false;
  // Speech was heard (energy voice activity, see docs/media.md). False for a recording of
  // silence or steady noise only: with trim_silence it is empty, and the call layer may treat it
  // as Twilio's absent recording (warning 16102, "recording is silent").
  bool has_speech = false;
};

// Answering machine detection (start_machine_detection()) decided: Twilio's AnsweredBy and
// MachineDetectionDuration. One event per detection, except in DetectMessageEnd mode when a
// machine answers: machine_start (is_final = false) as soon as it is known, then one of
// machine_end_beep, machine_end_silence or machine_end_other when its greeting ends. Twilio's
// synchronous DetectMessageEnd reports only the final one.
struct MachineDetected {
  AnsweredBy answered_by = AnsweredBy::unknown;
  std::chrono::milliseconds detection_duration{};  // from start_machine_detection() to this decision
  bool is_final = true;
};

// A command could not be carried out; the session goes on.
struct MediaError {
  enum class Kind : std::uint8_t { play_failed, record_failed, digits_failed, bridge_failed, remote_failed };
  Kind kind{};
  std::string reason;
  PlayId play{};  // for play_failed
};

// Counters of one session, answered to request_stats() and sent with SessionClosed.
struct SessionStats {
  std::uint64_t packets_received = 0;  // valid RTP accepted (audio and telephone-event)
  std::uint64_t bytes_received = 0;
  std::uint64_t packets_sent = 0;      // RTP we sent (local audio, DTMF, relayed)
  std::uint64_t bytes_sent = 0;
  std::uint64_t packets_relayed = 0;   // of packets_sent: relayed from the bridged leg
  std::uint64_t packets_transcoded = 0;
  std::uint64_t send_failures = 0;
  std::uint64_t dropped_malformed = 0;
  std::uint64_t dropped_oversize = 0;
  std::uint64_t dropped_unknown_payload_type = 0;
  std::uint64_t dropped_foreign_source = 0;  // from another address after latching
  std::uint64_t dropped_before_remote = 0;   // before set_remote() told us what to expect
  std::uint64_t throttled_ticks = 0;         // ticks in which the flood bound stopped reading
  std::uint64_t rtcp_received = 0;
  std::uint64_t rtcp_sent = 0;
  std::uint64_t rtcp_malformed = 0;
  std::uint64_t ssrc_changes = 0;
  std::uint64_t relatches = 0;
  // SRTP/SRTCP (RFC 3711), when negotiated: packets dropped before anything parsed them.
  std::uint64_t srtp_auth_failures = 0;   // tag did not verify (tampered, wrong key, plain packet)
  std::uint64_t srtp_replays = 0;         // replayed, or older than the replay window
  std::uint64_t srtp_unprotect_failures = 0;  // other refusals (too short to hold the tag)
  std::uint64_t srtp_protect_failures = 0;    // packets we did not send because protecting failed
  // The jitter buffer in front of the recorders and detectors (zero while nothing consumes audio).
  std::uint64_t jitter_buffer_lost = 0;        // packets given up on (the wait for them ran out)
  std::uint64_t jitter_buffer_reordered = 0;   // packets that came after a later one and were put back
  std::uint64_t jitter_buffer_late = 0;        // arrived after their gap was given up: dropped
  std::uint64_t jitter_buffer_duplicates = 0;
  std::uint32_t jitter_buffer_wait_us = 0;     // its current adaptive wait
  std::int64_t cumulative_lost = 0;  // RFC 3550 A.3, current source
  std::uint32_t jitter_units = 0;    // interarrival jitter, 8 kHz units
  std::uint8_t remote_fraction_lost = 0;  // what the peer's last report says of our stream (/256)
  std::int32_t remote_cumulative_lost = 0;
  std::uint32_t remote_jitter_units = 0;
  bool is_latched = false;
  std::string latched_source;  // "addr:port" once latched
};

// The session is gone (close_session() or engine stop); its final counters.
struct SessionClosed {
  SessionStats stats;
};

using MediaEventDetail = std::variant<DigitReceived, DigitsSent, PlayFinished, RtpTimeout, RecordFinished,
                                      MediaError, SessionStats, SessionClosed, MachineDetected>;

struct MediaEvent {
  SessionId session{};
  MediaEventDetail detail;
};

}  // namespace sb::media
