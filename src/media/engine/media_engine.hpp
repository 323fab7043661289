#pragma once
// The media engine (DESIGN.md, "media threads"): N media threads, each running its own event
// loop and ONE 20 ms tick that drives every RTP session it owns: players, DTMF sending, RTCP,
// inactivity timeouts. Received packets are handled as they arrive (DTMF, recording, answering
// machine detection, bridge relay), at most kMaxPacketsPerTick per session per tick.
//
// Threading contract: a MediaEngine is owned by the signalling loop. Every member function is
// called from that one thread (asserted in debug builds); none blocks on a media thread: each
// posts a command to the thread that owns the session and returns. Results come back as
// MediaEvents through the EventHandler, which runs ON A MEDIA THREAD (several concurrently): it
// must only hand the event over (app/ posts it to the signalling loop, tests push it to a
// queue). Commands for one session run in the order they were made. Commands for a session
// that is already closed are ignored.
//
// This header keeps Asio out (pimpl); calls/ includes it.

#include "core/result.hpp"
#include "media/amd/machine_detection_request.hpp"
#include "media/engine/media_event.hpp"
#include "media/player/play_request.hpp"
#include "media/recorder/record_request.hpp"
#include "media/sdp/offer_answer.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace sb::media {

inline constexpr std::chrono::milliseconds kTickInterval{20};
// The flood bound: datagrams read per session (RTP and RTCP sockets) per tick; a 20 ms stream
// brings one;
// beyond the bound the sockets are not read until the next tick and the kernel drops the excess.
inline constexpr std::size_t kMaxPacketsPerTick = 64;

struct MediaEngineOptions {
  std::size_t thread_count = 0;          // 0 = one per core (std::thread::hardware_concurrency)
  std::uint16_t rtp_port_min = 20000;    // --rtp-ports LO-HI
  std::uint16_t rtp_port_max = 29999;
  std::chrono::milliseconds rtp_timeout{30000};   // no RTP for this long -> RtpTimeout (32014)
  std::chrono::milliseconds rtcp_interval{5000};  // RFC 3550 6.2's recommended minimum
  std::chrono::milliseconds dtmf_quiet{500};      // an unfinished RFC 4733 event ends after this
  std::size_t max_packets_per_tick = kMaxPacketsPerTick;  // the flood bound, per session
  // Runs a function on the engine's thread once the current work is done (app/: asio::post on
  // the loop). Given, open_session() keeps a few RTP port pairs bound ahead of need, binding the
  // next ones after the caller has sent its offer rather than before; empty: binds on demand.
  std::function<void(std::function<void()>)> defer;
};

struct SessionOptions {
  std::string local_address = "0.0.0.0";  // numeric IPv4 or IPv6 address to bind
  std::optional<std::chrono::milliseconds> rtp_timeout;  // overrides the engine's
  // Put the session on the same media thread as another one (the other leg of a <Dial>), so a
  // later bridge() needs no move.
  std::optional<SessionId> colocate_with;
  // Send 20 ms of silence per tick when there is nothing else to send, as a phone does: keeps
  // NAT bindings open and the peer's own RTP timeout quiet.
  bool sends_silence_when_idle = true;
};

struct SessionInfo {
  SessionId id{};
  std::string local_address;
  std::uint16_t rtp_port = 0;
  std::uint16_t rtcp_port = 0;  // rtp_port + 1; unused once rtcp-mux is negotiated
  std::size_t thread_index = 0;
};

class MediaEngine {
 public:
  using EventHandler = std::function<void(MediaEvent)>;

  // Starts the media threads and the preparation thread (file decoding, text to speech). Throws
  // std::invalid_argument for an empty port range (a start-up error).
  MediaEngine(const MediaEngineOptions& options, EventHandler on_event);
  ~MediaEngine();  // stop()
  MediaEngine(const MediaEngine&) = delete;
  MediaEngine& operator=(const MediaEngine&) = delete;

  // Binds an RTP/RTCP port pair on `local_address` now (so the port can go into SDP) and gives
  // the session to a media thread (the least loaded, or the colocate_with one). Errors: an
  // invalid address, or resource_unavailable_try_again when the port range is exhausted.
  Result<SessionInfo> open_session(const SessionOptions& options);

  // The negotiated stream (offer/answer result, also after a re-INVITE): codec, payload types,
  // remote address and ports, direction, rtcp-mux. Until it arrives nothing is sent and
  // received packets are dropped. A changed remote address drops the latch. With srtp set,
  // every RTP/RTCP packet is protected with the local key and every received one must verify
  // with the remote key (RFC 3711; failures and replays are dropped and counted in SessionStats);
  // the same keys again keep the contexts. MediaError::remote_failed if libsrtp2 refuses them.
  void set_remote(SessionId session, const NegotiatedMedia& media);

  // Starts playing (replacing what plays now, which reports PlayFinished interrupted). Files and
  // speech are prepared off the media threads first. PlayFinished when done; MediaError
  // play_failed (with the id) for a file or voice that cannot be used.
  PlayId play(SessionId session, PlayRequest request);
  void stop_playing(SessionId session);

  // RFC 4733 digits "0-9*#A-D" with 'w' (0.5 s) and 'W' (1 s) pauses; DigitsSent when done.
  // Local audio pauses meanwhile. MediaError digits_failed when telephone-event was not
  // negotiated or the string is invalid.
  void send_digits(SessionId session, std::string digits);

  // Records the received audio; RecordFinished on stop_recording(), on max_duration, or when the
  // session closes. MediaError record_failed if the file cannot be created.
  void start_recording(SessionId session, RecordRequest request);
  void stop_recording(SessionId session);

  // Any thread: runs `job` on the engine's preparation thread (blocking file work, such as storing
  // a downloaded <Play> file), after the jobs submitted before it. Dropped at shutdown if not
  // started; the job hands its result on itself.
  void run_blocking(std::function<void()> job);

  // Answering machine detection on the audio the session receives (Twilio's MachineDetection,
  // started when the called party answers): MachineDetected when decided (see media_event.hpp).
  // Values outside Twilio's limits are clamped. Time counts audio received, and continues as
  // silence while none arrives. A detection already running is replaced (without an event);
  // a detection still running when the session closes ends without an event.
  void start_machine_detection(SessionId session, MachineDetectionRequest request);
  // Ends the detection without an event (e.g. the call layer gave up on it).
  void stop_machine_detection(SessionId session);

  // Connects two sessions' audio both ways (moving `b` to `a`'s media thread if needed):
  // same codec = header rewrite only, else μ-law <-> A-law transcoding. RFC 4733 events cross
  // too (and are reported as DigitReceived). A session already bridged is unbridged first.
  void bridge(SessionId a, SessionId b);
  void unbridge(SessionId session);

  void request_stats(SessionId session);  // answered with a SessionStats event

  // Stops everything the session does, closes its sockets; SessionClosed (after PlayFinished /
  // RecordFinished for work in progress).
  void close_session(SessionId session);

  // Closes every session (each reporting SessionClosed), then joins the threads. Idempotent.
  void stop();

  std::size_t thread_count() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sb::media
