#pragma once
// One RTP session: a bound RTP/RTCP socket pair and everything that happens on it: symmetric
// RTP latching, receive statistics and RTCP reports, the inactivity timeout, RFC 4733 receive and
// send (in-band DTMF detection when telephone-event was not negotiated), the player, the
// recorder, answering machine detection, and the relay to a bridged session. Owned by one MediaWorker
// and run only on its media thread (it may move to another worker between ticks, see
// MediaWorker::migrate). Knows no Asio: the worker watches the sockets and calls in.
// The packet and tick paths are noexcept and do not allocate, except to report an event.

#include "media/amd/machine_detector.hpp"
#include "media/bridge/relay.hpp"
#include "media/dtmf/dtmf_receiver.hpp"
#include "media/dtmf/dtmf_sender.hpp"
#include "media/dtmf/inband_dtmf_detector.hpp"
#include "media/engine/media_engine.hpp"
#include "media/engine/media_event.hpp"
#include "media/jitter/jitter_buffer.hpp"
#include "media/player/player.hpp"
#include "media/recorder/record_request.hpp"
#include "media/recorder/track_recorder.hpp"
#include "media/recorder/wav_recorder.hpp"
#include "media/rtp/outgoing_stream.hpp"
#include "media/rtp/receiver_statistics.hpp"
#include "media/rtp/udp_socket.hpp"
#include "media/sdp/offer_answer.hpp"
#include "media/srtp/srtp_session.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace sb::media {

class MediaSession;

// Relayed packets waiting to leave, collected while a worker handles one received batch and then
// sent with one sendmmsg() per sending session. They point into the receive batch's buffers, so
// the worker flushes before it receives again. Owned by the worker, on its thread.
struct SendQueue {
  bool is_collecting = false;
  std::size_t size = 0;
  std::array<OutgoingDatagram, kReceiveBatchSize> datagrams;
  std::array<MediaSession*, kReceiveBatchSize> senders{};
  std::array<std::size_t, kReceiveBatchSize> plain_sizes{};  // before SRTP, for RTCP's octet count
};

class MediaSession {
 public:
  using Clock = std::chrono::steady_clock;
  using EventSink = std::function<void(MediaEvent)>;

  struct Config {
    SessionId id{};
    std::chrono::milliseconds rtp_timeout{30000};
    std::chrono::milliseconds rtcp_interval{5000};
    std::chrono::milliseconds dtmf_quiet{500};
    bool sends_silence_when_idle = true;
    std::size_t max_packets_per_tick = kMaxPacketsPerTick;
    Ssrc ssrc{};                        // random (RFC 3550 8.1)
    std::uint16_t first_sequence = 0;   // random (RFC 3550 5.1)
    std::uint32_t first_timestamp = 0;  // random
    std::string cname;                  // RTCP SDES CNAME
  };

  // A latched source stays ours until it has been silent this long; then another may take over
  // (a NAT rebinding, or a peer that moved its media without telling us).
  static constexpr std::chrono::milliseconds kRelatchAfter{2000};

  MediaSession(Config config, UdpSocket rtp, UdpSocket rtcp, const EventSink* sink, Clock::time_point now);
  ~MediaSession();

  SessionId id() const noexcept { return config_.id; }
  UdpSocket& rtp_socket() noexcept { return rtp_; }
  UdpSocket& rtcp_socket() noexcept { return rtcp_; }
  // The worker that owns us changes when the session moves.
  void set_event_sink(const EventSink* sink) noexcept { sink_ = sink; }
  // The worker's queue for relayed packets (nullptr: send each at once).
  void set_send_queue(SendQueue* queue) noexcept { send_queue_ = queue; }
  // The worker's report for a queued packet: sent, or refused by the kernel.
  void count_sent(bool is_sent, std::size_t plain_size) noexcept;

  // Packets in (the worker calls these for each datagram it read).
  void on_rtp_datagram(ReceiveBatch::Datagram& datagram, Clock::time_point now) noexcept;
  void on_rtcp_datagram(ReceiveBatch::Datagram& datagram, Clock::time_point now) noexcept;
  // The flood bound: how many more datagrams the worker may read for us in this tick.
  std::size_t read_budget() const noexcept;
  void count_read(std::size_t datagrams) noexcept { read_this_tick_ += datagrams; }

  // The 20 ms tick.
  void on_tick(Clock::time_point now) noexcept;

  // Commands.
  void set_remote(const NegotiatedMedia& media, Clock::time_point now);
  void expect_play(PlayId play);                 // stops the current one; a prepared player follows
  void start_play(PlayId play, Player player);   // ignored unless `play` is still the current one
  void fail_play(PlayId play, std::string reason);
  void stop_playing();
  void send_digits(const std::string& digits);
  void start_recording(const RecordRequest& request);
  void stop_recording();
  void start_machine_detection(const MachineDetectionRequest& request);
  void stop_machine_detection() noexcept;
  SessionStats stats() const;
  void report(const SessionStats& stats) const { emit(stats); }
  // Ends everything in progress with its events, then SessionClosed.
  void close();

  // Bridging (both sessions on this thread). The peer pointer is cleared by the peer's close.
  void attach_peer(MediaSession* peer) noexcept { peer_ = peer; }
  MediaSession* peer() const noexcept { return peer_; }
  // A packet received by the bridged peer (already unprotected if that leg uses SRTP), to send on
  // from here. The first `size` bytes of `buffer` hold it; it is rewritten in place, and the rest
  // of `buffer` is room for the SRTP trailer this leg may add. `buffer` must stay valid until the
  // worker flushes its send queue (it is the worker's receive batch).
  void relay_from_peer(std::span<std::byte> buffer, std::size_t size, const RtpPacket& packet, const RelayLeg& from,
                       bool is_event) noexcept;

 private:
  void emit(MediaEventDetail detail) const;
  bool is_sending() const noexcept;
  const UdpEndpoint& rtp_destination() const noexcept { return latched_rtp_ ? *latched_rtp_ : remote_rtp_; }
  // `buffer` holds `size` bytes of plain RTP (RTCP) and room for the SRTP trailer after them.
  // With `may_queue` (a relayed packet, whose buffer lives until the worker flushes), the
  // packet joins the worker's send queue while it is collecting.
  void send_rtp(std::span<std::byte> buffer, std::size_t size, bool may_queue = false) noexcept;
  bool send_rtcp(std::span<std::byte> buffer, std::size_t size) noexcept;
  // SRTP: unprotects a received datagram in place; false (and counted) if it is to be dropped.
  bool unprotect(ReceiveBatch::Datagram& datagram, bool is_rtcp_packet) noexcept;
  void send_local_frame(std::span<const std::int16_t, kFrameSamples> frame) noexcept;
  void tick_dtmf_sender() noexcept;
  void send_rtcp_report(Clock::time_point now) noexcept;
  void handle_rtcp(std::span<const std::byte> datagram, Clock::time_point now) noexcept;
  void on_dtmf_packet(const RtpPacket& packet, Clock::time_point now) noexcept;
  // Decoded received audio, through the jitter buffer, to the recorders and the detectors
  // (in-band DTMF, answering machine detection).
  bool has_audio_consumer() const noexcept { return recorder_ || track_recorder_ || inband_dtmf_ || amd_; }
  void on_received_audio(const RtpPacket& packet, Clock::time_point now) noexcept;
  void release_audio(Clock::time_point now) noexcept;  // the frames that are due
  void drain_audio() noexcept;                         // everything held
  void consume_frame(const JitterBuffer::Frame& frame) noexcept;
  void feed_detectors(std::span<const std::int16_t> samples) noexcept;
  // Before a consumer starts: the buffer exists (allocated here, on a command, not per packet).
  void prepare_jitter_buffer();
  void report_inband_digits(const InbandDtmfDetector::Digits& digits) const;
  // Once per tick: keeps the detection's clock going while no audio arrives.
  void tick_machine_detection() noexcept;
  void report_machine_detection(const MachineDetector::Decisions& decisions);
  enum class RecordEnd : std::uint8_t { stopped, reached_max_duration, silence_timeout };
  void finish_recording(RecordEnd end);
  // After audio reached a recorder: ends it on max_duration or its silence timeout.
  void check_recording() noexcept;
  void tick_recording() noexcept;
  void end_player(bool is_interrupted);
  RelayLeg relay_leg() const noexcept { return {codec_, payload_type_, telephone_event_payload_type_}; }

  Config config_;
  UdpSocket rtp_;
  UdpSocket rtcp_;
  const EventSink* sink_;
  SendQueue* send_queue_ = nullptr;

  // Negotiated stream.
  bool has_remote_ = false;
  G711Law codec_ = G711Law::ulaw;
  std::uint8_t payload_type_ = 0;
  std::optional<std::uint8_t> telephone_event_payload_type_;
  Direction direction_ = Direction::send_recv;
  bool is_rtcp_mux_ = false;
  std::optional<SrtpSession> srtp_;  // set when SRTP was negotiated: every packet in and out goes through it
  UdpEndpoint remote_rtp_;   // from SDP: where we send until latched
  UdpEndpoint remote_rtcp_;

  // Symmetric RTP.
  std::optional<UdpEndpoint> latched_rtp_;
  std::optional<UdpEndpoint> latched_rtcp_;
  Clock::time_point last_rx_;        // last valid RTP from the latched source
  Clock::time_point last_rtcp_rx_;
  bool is_timeout_reported_ = false;

  // Reception.
  bool has_remote_ssrc_ = false;
  Ssrc remote_ssrc_{};
  ReceiverStatistics receiver_statistics_;
  DtmfReceiver dtmf_receiver_;
  Clock::time_point last_event_rx_;
  // Only while the negotiated media has no telephone-event: with it, the peer sends digits as
  // events (and may send the tones too), and detecting both would report every digit twice.
  std::unique_ptr<InbandDtmfDetector> inband_dtmf_;

  // Sending.
  OutgoingStream out_;
  std::uint32_t packets_sent_since_report_ = 0;
  Clock::time_point next_rtcp_;
  std::uint32_t ticks_since_relay_ = 1000;
  std::optional<DtmfSender> dtmf_sender_;
  std::string dtmf_digits_;
  std::uint32_t dtmf_ticks_ = 0;
  std::uint32_t dtmf_start_timestamp_ = 0;
  std::optional<DtmfPacket> dtmf_next_;

  // Player: the current play, and whether its player is running or still being prepared.
  PlayId play_{};
  bool has_play_ = false;
  std::optional<Player> player_;

  // At most one of the two: WavRecorder for RecordTrack::inbound, TrackRecorder for the others.
  std::unique_ptr<WavRecorder> recorder_;
  std::unique_ptr<TrackRecorder> track_recorder_;

  // In front of every consumer of received audio; created with the first consumer.
  std::unique_ptr<JitterBuffer> jitter_;

  // Answering machine detection, while it runs. Ticks in a row without received audio: after
  // kAmdQuietTicks of them, silence is fed to the detector in place of the audio that is missing.
  std::unique_ptr<MachineDetector> amd_;
  bool has_amd_audio_ = false;  // since the last tick
  std::uint32_t amd_quiet_ticks_ = 0;
  // The same for the inbound recorder's silence timeout.
  bool has_record_audio_ = false;  // since the last tick
  std::uint32_t record_quiet_ticks_ = 0;

  MediaSession* peer_ = nullptr;
  std::size_t read_this_tick_ = 0;
  bool was_throttled_ = false;
  SessionStats stats_;
};

}  // namespace sb::media
