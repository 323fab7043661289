#include "media/engine/media_session.hpp"

#include "media/rtp/byte_order.hpp"
#include "media/rtp/rtcp_packet.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace sb::media {

namespace {

constexpr std::uint32_t kTickUnits = 160;  // 20 ms at 8 kHz
constexpr std::uint32_t kIdleTicksBeforeSilence = 3;
// Jitter moves packets between ticks; five ticks without audio means the peer stopped sending.
constexpr std::uint32_t kAmdQuietTicks = 5;

std::chrono::nanoseconds since_epoch(MediaSession::Clock::time_point t) noexcept { return t.time_since_epoch(); }

// RFC 3550 4: NTP timestamp of the wall clock, 32.32 fixed point seconds since 1900.
std::uint64_t ntp_now() noexcept {
  const auto since_1970 = std::chrono::system_clock::now().time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_1970);
  const auto fraction = std::chrono::duration_cast<std::chrono::nanoseconds>(since_1970 - seconds);
  const std::uint64_t ntp_seconds = static_cast<std::uint64_t>(seconds.count()) + 2208988800ull;
  return (ntp_seconds << 32) | ((static_cast<std::uint64_t>(fraction.count()) << 32) / 1000000000ull);
}

bool is_unspecified_address(const std::string& address) { return address.empty() || address == "0.0.0.0" || address == "::"; }

}  // namespace

MediaSession::MediaSession(Config config, UdpSocket rtp, UdpSocket rtcp, const EventSink* sink, Clock::time_point now)
    : config_(std::move(config)),
      rtp_(std::move(rtp)),
      rtcp_(std::move(rtcp)),
      sink_(sink),
      last_rx_(now),
      last_rtcp_rx_(now),
      last_event_rx_(now),
      out_(config_.ssrc, config_.first_sequence, config_.first_timestamp),
      next_rtcp_(now + config_.rtcp_interval) {}

MediaSession::~MediaSession() = default;

void MediaSession::emit(MediaEventDetail detail) const {
  if (sink_ && *sink_) (*sink_)(MediaEvent{config_.id, std::move(detail)});
}

bool MediaSession::is_sending() const noexcept {
  return has_remote_ && media::is_sending(direction_) && rtp_destination().is_valid() && rtp_destination().port() != 0;
}

std::size_t MediaSession::read_budget() const noexcept {
  return read_this_tick_ >= config_.max_packets_per_tick ? 0 : config_.max_packets_per_tick - read_this_tick_;
}

void MediaSession::send_rtp(std::span<std::byte> buffer, std::size_t size, bool may_queue) noexcept {
  const std::size_t plain_size = size;  // RFC 3550 6.4.1's octet count excludes the SRTP trailer
  if (srtp_ && !srtp_->protect_rtp(buffer, size)) {
    ++stats_.srtp_protect_failures;
    return;
  }
  if (may_queue && send_queue_ && send_queue_->is_collecting && send_queue_->size < send_queue_->datagrams.size()) {
    const std::size_t at = send_queue_->size++;
    send_queue_->datagrams[at] = {buffer.first(size), rtp_destination()};
    send_queue_->senders[at] = this;
    send_queue_->plain_sizes[at] = plain_size;
    return;
  }
  count_sent(rtp_.send_to(buffer.first(size), rtp_destination()), plain_size);
}

void MediaSession::count_sent(bool is_sent, std::size_t plain_size) noexcept {
  if (is_sent) {
    ++stats_.packets_sent;
    stats_.bytes_sent += plain_size;
    ++packets_sent_since_report_;
  } else {
    ++stats_.send_failures;
  }
}

bool MediaSession::send_rtcp(std::span<std::byte> buffer, std::size_t size) noexcept {
  if (srtp_ && !srtp_->protect_rtcp(buffer, size)) {
    ++stats_.srtp_protect_failures;
    return false;
  }
  const std::span<const std::byte> datagram = buffer.first(size);
  return is_rtcp_mux_ ? rtp_.send_to(datagram, rtp_destination())
                      : rtcp_.send_to(datagram, latched_rtcp_ ? *latched_rtcp_ : remote_rtcp_);
}

bool MediaSession::unprotect(ReceiveBatch::Datagram& datagram, bool is_rtcp_packet) noexcept {
  if (!srtp_) return true;
  std::size_t size = datagram.size;
  const SrtpStatus status = is_rtcp_packet ? srtp_->unprotect_rtcp(datagram.buffer, size)
                                           : srtp_->unprotect_rtp(datagram.buffer, size);
  switch (status) {
    case SrtpStatus::ok:
      datagram.size = size;
      return true;
    case SrtpStatus::auth_failure:
      ++stats_.srtp_auth_failures;
      return false;
    case SrtpStatus::replay:
      ++stats_.srtp_replays;
      return false;
    case SrtpStatus::malformed:
      ++stats_.srtp_unprotect_failures;
      return false;
  }
  return false;
}

// ---- receiving ----

void MediaSession::on_rtp_datagram(ReceiveBatch::Datagram& datagram, Clock::time_point now) noexcept {
  if (datagram.is_truncated || datagram.size > kMaxRtpPacketSize) {
    ++stats_.dropped_oversize;
    return;
  }
  // RFC 5761 4: demultiplexed by PT (in the clear in SRTCP too), whether or not mux was negotiated.
  if (is_rtcp(datagram.bytes())) {
    if (unprotect(datagram, true)) handle_rtcp(datagram.bytes(), now);
    return;
  }
  if (latched_rtp_ && !(datagram.source == *latched_rtp_) && now - last_rx_ < kRelatchAfter) {
    ++stats_.dropped_foreign_source;
    return;
  }
  // RFC 3711 3.3: authenticated and decrypted before anything reads the packet.
  if (!unprotect(datagram, false)) return;
  const auto bytes = datagram.bytes();
  auto parsed = parse_rtp(bytes);
  if (!parsed) {
    ++stats_.dropped_malformed;
    return;
  }
  if (!has_remote_) {
    ++stats_.dropped_before_remote;
    return;
  }
  const std::uint8_t type = parsed->header.payload_type;
  const bool is_event = telephone_event_payload_type_ && type == *telephone_event_payload_type_;
  if (!is_event && type != payload_type_) {
    ++stats_.dropped_unknown_payload_type;
    return;
  }
  // RFC 3550 / RFC 4961 symmetric RTP: the first valid packet's source is where the peer is.
  if (!latched_rtp_ || !(datagram.source == *latched_rtp_)) {
    if (latched_rtp_) ++stats_.relatches;
    latched_rtp_ = datagram.source;
    if (is_rtcp_mux_) latched_rtcp_ = datagram.source;
  }
  last_rx_ = now;
  is_timeout_reported_ = false;
  ++stats_.packets_received;
  stats_.bytes_received += bytes.size();

  if (!has_remote_ssrc_ || parsed->header.ssrc != remote_ssrc_) {
    if (has_remote_ssrc_) ++stats_.ssrc_changes;
    has_remote_ssrc_ = true;
    remote_ssrc_ = parsed->header.ssrc;
    receiver_statistics_ = ReceiverStatistics(8000);
  }
  receiver_statistics_.on_packet(parsed->header.sequence_number, parsed->header.timestamp, since_epoch(now));

  if (is_event) {
    on_dtmf_packet(*parsed, now);
  } else {
    on_received_audio(*parsed, now);
  }
  if (peer_) peer_->relay_from_peer(datagram.buffer, datagram.size, *parsed, relay_leg(), is_event);
}

void MediaSession::on_received_audio(const RtpPacket& packet, Clock::time_point now) noexcept {
  if (!has_audio_consumer() || !jitter_) return;  // nothing consumes audio: no decode
  std::array<std::int16_t, JitterBuffer::kMaxFrameSamples> pcm;
  const std::span<const std::int16_t> samples{pcm.data(), decode(codec_, packet.payload, pcm)};
  // Audio arrived (it reaches them now or once the jitter buffer releases it): the quiet-tick
  // fill of silence is for when nothing arrives at all.
  if (amd_) has_amd_audio_ = true;
  if (recorder_) has_record_audio_ = true;
  const auto ssrc = static_cast<std::uint32_t>(packet.header.ssrc);
  if (jitter_->push(ssrc, packet.header.sequence_number, packet.header.timestamp, samples, now) ==
      JitterBuffer::Push::needs_drain) {
    drain_audio();
    jitter_->push(ssrc, packet.header.sequence_number, packet.header.timestamp, samples, now);
  }
  release_audio(now);
}

void MediaSession::release_audio(Clock::time_point now) noexcept {
  if (!jitter_) return;
  while (auto frame = jitter_->pop(now)) consume_frame(*frame);
}

void MediaSession::drain_audio() noexcept {
  if (!jitter_) return;
  while (auto frame = jitter_->drain()) consume_frame(*frame);
}

void MediaSession::consume_frame(const JitterBuffer::Frame& frame) noexcept {
  // Lost packets: the detectors hear nothing in their place (a DTMF tone that loses a packet
  // stays one continuous tone to them; silence or a repeated frame there cut digits in two),
  // the inbound recording writes silence of their length (by timestamp).
  feed_detectors(frame.samples);
  if (track_recorder_) track_recorder_->on_received(frame.samples);
  if (recorder_) {
    recorder_->on_audio(frame.timestamp, frame.samples, frame.is_restart);
    check_recording();
  }
}

void MediaSession::feed_detectors(std::span<const std::int16_t> samples) noexcept {
  if (inband_dtmf_) report_inband_digits(inband_dtmf_->on_audio(samples));
  if (amd_) report_machine_detection(amd_->on_audio(samples));
}

void MediaSession::prepare_jitter_buffer() {
  if (!jitter_) {
    jitter_ = std::make_unique<JitterBuffer>();
  } else if (!has_audio_consumer()) {
    jitter_->reset();  // what it held was for consumers that are gone
  }
}

void MediaSession::report_inband_digits(const InbandDtmfDetector::Digits& digits) const {
  for (const DtmfDigit& digit : digits) emit(DigitReceived{digit.digit, digit.duration});
}

void MediaSession::on_dtmf_packet(const RtpPacket& packet, Clock::time_point now) noexcept {
  last_event_rx_ = now;
  for (const DtmfDigit& digit : dtmf_receiver_.on_packet(packet.header.timestamp, packet.payload))
    emit(DigitReceived{digit.digit, digit.duration});
}

void MediaSession::on_rtcp_datagram(ReceiveBatch::Datagram& datagram, Clock::time_point now) noexcept {
  if (datagram.is_truncated || datagram.size > kMaxRtpPacketSize) {
    ++stats_.dropped_oversize;
    return;
  }
  if (latched_rtcp_ && !(datagram.source == *latched_rtcp_) && now - last_rtcp_rx_ < kRelatchAfter) {
    ++stats_.dropped_foreign_source;
    return;
  }
  if (!unprotect(datagram, true)) return;
  if (!RtcpCompound::parse(datagram.bytes())) {
    ++stats_.rtcp_malformed;
    return;
  }
  latched_rtcp_ = datagram.source;
  handle_rtcp(datagram.bytes(), now);
}

void MediaSession::handle_rtcp(std::span<const std::byte> datagram, Clock::time_point now) noexcept {
  auto compound = RtcpCompound::parse(datagram);
  if (!compound) {
    ++stats_.rtcp_malformed;
    return;
  }
  ++stats_.rtcp_received;
  last_rtcp_rx_ = now;
  for (const RtcpPacketView& packet : *compound) {
    auto report = parse_rtcp_report(packet);
    if (!report) continue;  // SDES, BYE, APP, feedback: nothing we act on
    if (report->has_sender_info && has_remote_ssrc_ && report->ssrc == remote_ssrc_)
      receiver_statistics_.on_sender_report(report->sender_info.ntp_timestamp, since_epoch(now));
    for (const ReportBlock& block : report->blocks()) {
      if (block.ssrc != out_.ssrc()) continue;
      stats_.remote_fraction_lost = block.fraction_lost;
      stats_.remote_cumulative_lost = block.cumulative_lost;
      stats_.remote_jitter_units = block.jitter;
    }
  }
}

// ---- the tick ----

void MediaSession::on_tick(Clock::time_point now) noexcept {
  if (read_this_tick_ >= config_.max_packets_per_tick) ++stats_.throttled_ticks;
  read_this_tick_ = 0;

  if (dtmf_sender_) {
    tick_dtmf_sender();
  } else if (player_) {
    std::array<std::int16_t, kFrameSamples> frame;
    if (player_->next_frame(frame) && is_sending()) send_local_frame(frame);
    if (player_->is_finished()) end_player(false);
  } else if (config_.sends_silence_when_idle && ticks_since_relay_ >= kIdleTicksBeforeSilence && is_sending()) {
    static constexpr std::array<std::int16_t, kFrameSamples> kSilence{};
    send_local_frame(kSilence);
  } else if (ticks_since_relay_ >= kIdleTicksBeforeSilence) {
    out_.end_talkspurt();
  }
  out_.advance_clock(kTickUnits);
  if (ticks_since_relay_ < 1000) ++ticks_since_relay_;

  if (dtmf_receiver_.is_in_event() && now - last_event_rx_ >= config_.dtmf_quiet) {
    if (auto digit = dtmf_receiver_.flush()) emit(DigitReceived{digit->digit, digit->duration});
  }
  if (inband_dtmf_ && inband_dtmf_->is_in_digit() && now - last_rx_ >= config_.dtmf_quiet) {
    if (auto digit = inband_dtmf_->flush()) emit(DigitReceived{digit->digit, digit->duration});
  }
  release_audio(now);
  if (amd_) tick_machine_detection();
  if (track_recorder_) track_recorder_->on_tick();
  tick_recording();
  if (has_remote_ && media::is_receiving(direction_) && !is_timeout_reported_ &&
      now - last_rx_ >= config_.rtp_timeout) {
    is_timeout_reported_ = true;
    const auto silent = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_rx_);
    emit(RtpTimeout{silent, "no RTP received for " + std::to_string(silent.count()) + " ms (timeout " +
                                std::to_string(config_.rtp_timeout.count()) + " ms)"});
  }
  if (has_remote_ && now >= next_rtcp_) {
    send_rtcp_report(now);
    next_rtcp_ = now + config_.rtcp_interval;
  }
}

void MediaSession::send_local_frame(std::span<const std::int16_t, kFrameSamples> frame) noexcept {
  std::array<std::byte, kRtpFixedHeaderSize + kFrameSamples + kSrtpTrailerRoom> packet;
  const auto stamp = out_.next_local(kTickUnits);
  RtpHeader header{.marker = stamp.marker, .payload_type = payload_type_, .sequence_number = stamp.sequence_number,
                   .timestamp = stamp.timestamp, .ssrc = out_.ssrc()};
  if (!write_rtp_header(header, packet)) return;
  encode(codec_, frame, std::span(packet).subspan(kRtpFixedHeaderSize, kFrameSamples));
  send_rtp(packet, kRtpFixedHeaderSize + kFrameSamples);
  if (track_recorder_) track_recorder_->on_sent(frame);
}

void MediaSession::tick_dtmf_sender() noexcept {
  const auto elapsed = kTickInterval * dtmf_ticks_;
  ++dtmf_ticks_;
  while (dtmf_next_ && dtmf_next_->send_offset <= elapsed) {
    if (is_sending()) {
      std::array<std::byte, kRtpFixedHeaderSize + kTelephoneEventSize + kSrtpTrailerRoom> packet;
      RtpHeader header{.marker = dtmf_next_->marker, .payload_type = *telephone_event_payload_type_,
                       .sequence_number = out_.next_sequence(), .timestamp = dtmf_next_->timestamp, .ssrc = out_.ssrc()};
      if (write_rtp_header(header, packet)) {
        write_telephone_event(dtmf_next_->event, std::span(packet).subspan<kRtpFixedHeaderSize, kTelephoneEventSize>());
        send_rtp(packet, kRtpFixedHeaderSize + kTelephoneEventSize);
      }
    }
    dtmf_next_ = dtmf_sender_->next();
  }
  if (!dtmf_next_ && elapsed + kTickInterval >= dtmf_sender_->total_duration()) {
    const auto units = static_cast<std::uint32_t>(dtmf_sender_->total_duration().count() * 8);
    out_.mark_sent_until(dtmf_start_timestamp_ + units);
    out_.end_talkspurt();
    dtmf_sender_.reset();
    emit(DigitsSent{std::move(dtmf_digits_)});
    dtmf_digits_.clear();
  }
}

void MediaSession::send_rtcp_report(Clock::time_point now) noexcept {
  RtcpReport report;
  report.ssrc = out_.ssrc();
  if (packets_sent_since_report_ > 0) {
    report.has_sender_info = true;
    report.sender_info = {.ntp_timestamp = ntp_now(), .rtp_timestamp = out_.clock(),
                          .packet_count = static_cast<std::uint32_t>(stats_.packets_sent),
                          .octet_count = static_cast<std::uint32_t>(stats_.bytes_sent - stats_.packets_sent * kRtpFixedHeaderSize)};
  }
  if (has_remote_ssrc_ && receiver_statistics_.is_valid())
    report.add_block(receiver_statistics_.make_report_block(remote_ssrc_, since_epoch(now)));
  packets_sent_since_report_ = 0;

  std::array<std::byte, 256 + kSrtpTrailerRoom> buffer{};
  auto size = write_rtcp_report(report, std::span(buffer).first(256));
  if (!size) return;
  // RFC 3550 6.1: every compound packet carries an SDES CNAME.
  std::size_t at = *size;
  const std::size_t name_size = std::min<std::size_t>(config_.cname.size(), 64);
  const std::size_t chunk = 4 + 2 + name_size + 1;         // SSRC, CNAME item, at least one null
  const std::size_t padded = (chunk + 3) & ~std::size_t{3};
  buffer[at] = std::byte{0x81};                            // V=2, SC=1
  buffer[at + 1] = std::byte{202};                         // SDES
  detail::store_u16(&buffer[at + 2], static_cast<std::uint16_t>(padded / 4));  // words after the header
  detail::store_u32(&buffer[at + 4], static_cast<std::uint32_t>(out_.ssrc()));
  buffer[at + 8] = std::byte{1};                           // CNAME
  buffer[at + 9] = static_cast<std::byte>(name_size);
  std::memcpy(&buffer[at + 10], config_.cname.data(), name_size);
  at += 4 + padded;
  if (send_rtcp(buffer, at)) ++stats_.rtcp_sent;
}

// ---- commands ----

void MediaSession::set_remote(const NegotiatedMedia& media, Clock::time_point now) {
  UdpEndpoint rtp_endpoint;
  if (!is_unspecified_address(media.remote_address) && media.remote_port != 0) {
    auto parsed = UdpEndpoint::parse(media.remote_address, media.remote_port);
    if (!parsed) {
      emit(MediaError{MediaError::Kind::remote_failed, "remote address is not numeric: " + media.remote_address});
      return;
    }
    rtp_endpoint = *parsed;
  }
  UdpEndpoint rtcp_endpoint;
  if (rtp_endpoint.is_valid()) {
    const std::string& address = media.remote_rtcp_address.empty() ? media.remote_address : media.remote_rtcp_address;
    const auto port = media.remote_rtcp_port != 0 ? media.remote_rtcp_port : static_cast<std::uint16_t>(media.remote_port + 1);
    if (auto parsed = UdpEndpoint::parse(address, port)) rtcp_endpoint = *parsed;
  }
  // SRTP contexts are built before anything changes, so a refused policy leaves the session as it
  // was. Unchanged keys (a re-INVITE for hold) keep the contexts: their rollover counters and
  // replay windows go on.
  if (media.srtp && !(srtp_ && srtp_->is_keyed_by(*media.srtp))) {
    auto created = SrtpSession::create(*media.srtp);
    if (!created) {
      emit(MediaError{MediaError::Kind::remote_failed, "cannot set up SRTP (" + std::string(to_string(media.srtp->suite)) +
                                                           "): " + created.error().message()});
      return;
    }
    srtp_.emplace(std::move(*created));
  } else if (!media.srtp) {
    srtp_.reset();
  }
  if (!(rtp_endpoint == remote_rtp_)) {  // the peer moved its media: learn its source again
    latched_rtp_.reset();
    latched_rtcp_.reset();
  }
  const bool was_receiving = has_remote_ && media::is_receiving(direction_);
  remote_rtp_ = rtp_endpoint;
  remote_rtcp_ = rtcp_endpoint;
  codec_ = media.codec;
  payload_type_ = media.payload_type;
  telephone_event_payload_type_ = media.telephone_event_payload_type;
  if (telephone_event_payload_type_) {
    if (inband_dtmf_) {
      if (auto digit = inband_dtmf_->flush()) emit(DigitReceived{digit->digit, digit->duration});
      inband_dtmf_.reset();
    }
  } else if (!inband_dtmf_) {
    prepare_jitter_buffer();
    inband_dtmf_ = std::make_unique<InbandDtmfDetector>();
  }
  direction_ = media.direction;
  is_rtcp_mux_ = media.is_rtcp_mux;
  has_remote_ = true;
  if (!was_receiving) last_rx_ = now;  // the timeout counts from when we start expecting media
  is_timeout_reported_ = false;
}

void MediaSession::end_player(bool is_interrupted) {
  if (!has_play_) return;
  has_play_ = false;
  player_.reset();
  out_.end_talkspurt();
  emit(PlayFinished{play_, is_interrupted});
}

void MediaSession::expect_play(PlayId play) {
  end_player(true);
  play_ = play;
  has_play_ = true;
}

void MediaSession::start_play(PlayId play, Player player) {
  if (!has_play_ || play != play_) return;  // stopped or replaced while it was being prepared
  player_.emplace(std::move(player));
  if (player_->is_finished()) end_player(false);  // empty source
}

void MediaSession::fail_play(PlayId play, std::string reason) {
  if (!has_play_ || play != play_) return;
  has_play_ = false;
  player_.reset();
  emit(MediaError{MediaError::Kind::play_failed, std::move(reason), play});
}

void MediaSession::stop_playing() { end_player(true); }

void MediaSession::send_digits(const std::string& digits) {
  if (!has_remote_ || !telephone_event_payload_type_) {
    emit(MediaError{MediaError::Kind::digits_failed, "telephone-event (RFC 4733) was not negotiated"});
    return;
  }
  if (dtmf_sender_) {
    emit(MediaError{MediaError::Kind::digits_failed, "digits are already being sent"});
    return;
  }
  auto sender = DtmfSender::create(digits, out_.clock());
  if (!sender) {
    emit(MediaError{MediaError::Kind::digits_failed, "invalid digits: " + sender.error().message()});
    return;
  }
  dtmf_start_timestamp_ = out_.clock();
  dtmf_sender_.emplace(std::move(*sender));
  dtmf_next_ = dtmf_sender_->next();
  dtmf_digits_ = digits;
  dtmf_ticks_ = 0;
}

void MediaSession::start_recording(const RecordRequest& request) {
  drain_audio();
  finish_recording(RecordEnd::stopped);
  prepare_jitter_buffer();
  const auto failed = [&](const std::error_code& error) {
    emit(MediaError{MediaError::Kind::record_failed, "cannot create " + request.path + ": " + error.message()});
  };
  if (request.track == RecordTrack::inbound) {
    auto recorder = WavRecorder::open(request);
    if (!recorder) return failed(recorder.error());
    recorder_ = std::move(*recorder);
    has_record_audio_ = false;
    record_quiet_ticks_ = 0;
  } else {
    auto recorder = TrackRecorder::open(request);
    if (!recorder) return failed(recorder.error());
    track_recorder_ = std::move(*recorder);
  }
}

void MediaSession::check_recording() noexcept {
  if (recorder_) {
    if (recorder_->is_full()) return finish_recording(RecordEnd::reached_max_duration);
    if (recorder_->is_silence_timed_out()) return finish_recording(RecordEnd::silence_timeout);
  }
  if (track_recorder_) {
    if (track_recorder_->is_full()) return finish_recording(RecordEnd::reached_max_duration);
    if (track_recorder_->is_silence_timed_out()) return finish_recording(RecordEnd::silence_timeout);
  }
}

void MediaSession::tick_recording() noexcept {
  if (recorder_) {
    // The inbound recorder is clocked by the packets: while none arrive (a peer that stops
    // sending during silence), its silence timeout is kept running by the tick, as for AMD.
    if (has_record_audio_) {
      has_record_audio_ = false;
      record_quiet_ticks_ = 0;
    } else if (++record_quiet_ticks_ >= kAmdQuietTicks) {
      recorder_->on_missing_audio(record_quiet_ticks_ == kAmdQuietTicks ? kTickInterval * kAmdQuietTicks
                                                                        : kTickInterval);
    }
  }
  check_recording();
}

void MediaSession::finish_recording(RecordEnd end) {
  const bool reached_max = end == RecordEnd::reached_max_duration;
  const bool by_silence = end == RecordEnd::silence_timeout;
  if (recorder_) {
    const auto duration = recorder_->finish();
    emit(RecordFinished{recorder_->path(), duration, recorder_->samples(), reached_max, 1, by_silence,
                        recorder_->has_speech()});
    recorder_.reset();
  }
  if (track_recorder_) {
    const auto duration = track_recorder_->finish();
    emit(RecordFinished{track_recorder_->path(), duration, track_recorder_->samples(), reached_max,
                        track_recorder_->channels(), by_silence, track_recorder_->has_speech()});
    track_recorder_.reset();
  }
}

void MediaSession::stop_recording() {
  drain_audio();  // what the jitter buffer still holds belongs in the file
  finish_recording(RecordEnd::stopped);
}

SessionStats MediaSession::stats() const {
  SessionStats stats = stats_;
  stats.cumulative_lost = receiver_statistics_.cumulative_lost();
  stats.jitter_units = receiver_statistics_.jitter();
  if (jitter_) {
    stats.jitter_buffer_lost = jitter_->lost_packets();
    stats.jitter_buffer_reordered = jitter_->reordered_packets();
    stats.jitter_buffer_late = jitter_->late_packets();
    stats.jitter_buffer_duplicates = jitter_->duplicate_packets();
    stats.jitter_buffer_wait_us = static_cast<std::uint32_t>(jitter_->target_wait().count());
  }
  stats.is_latched = latched_rtp_.has_value();
  if (latched_rtp_) stats.latched_source = latched_rtp_->to_string();
  return stats;
}

void MediaSession::start_machine_detection(const MachineDetectionRequest& request) {
  prepare_jitter_buffer();
  amd_ = std::make_unique<MachineDetector>(request);
  has_amd_audio_ = false;
  amd_quiet_ticks_ = 0;
}

void MediaSession::stop_machine_detection() noexcept { amd_.reset(); }

void MediaSession::tick_machine_detection() noexcept {
  if (has_amd_audio_) {
    has_amd_audio_ = false;
    amd_quiet_ticks_ = 0;
    return;
  }
  // The first quiet ticks may be jitter; once they are many, they were silence all along.
  if (++amd_quiet_ticks_ < kAmdQuietTicks) return;
  const auto missing = amd_quiet_ticks_ == kAmdQuietTicks ? kTickInterval * kAmdQuietTicks : kTickInterval;
  report_machine_detection(amd_->on_silence(missing));
}

void MediaSession::report_machine_detection(const MachineDetector::Decisions& decisions) {
  for (const auto& decision : decisions)
    emit(MachineDetected{decision.answered_by, decision.detection_duration, decision.is_final});
  if (amd_ && amd_->is_done()) amd_.reset();
}

void MediaSession::close() {
  if (peer_) {
    peer_->attach_peer(nullptr);
    peer_ = nullptr;
  }
  end_player(true);
  if (dtmf_sender_) emit(MediaError{MediaError::Kind::digits_failed, "session closed while sending digits"});
  dtmf_sender_.reset();
  if (auto digit = dtmf_receiver_.flush()) emit(DigitReceived{digit->digit, digit->duration});
  drain_audio();
  if (inband_dtmf_) {
    if (auto digit = inband_dtmf_->flush()) emit(DigitReceived{digit->digit, digit->duration});
  }
  finish_recording(RecordEnd::stopped);
  emit(SessionClosed{stats()});
}

// ---- bridge ----

void MediaSession::relay_from_peer(std::span<std::byte> buffer, std::size_t size, const RtpPacket& packet,
                                   const RelayLeg& from, bool is_event) noexcept {
  if (!is_sending()) return;
  if (player_ || dtmf_sender_) return;  // local audio has the floor (whisper, beeps, digits)
  if (size > buffer.size()) return;
  const RelayResult result = relay_packet(buffer.first(size), packet, is_event, from, relay_leg(), out_);
  if (result == RelayResult::dropped) return;
  if (result == RelayResult::transcoded) ++stats_.packets_transcoded;
  ++stats_.packets_relayed;
  ticks_since_relay_ = 0;
  if (track_recorder_ && !is_event) {
    // The payload, now in this leg's law, before SRTP (if any) encrypts it in place.
    std::array<std::int16_t, JitterBuffer::kMaxFrameSamples> pcm;
    const auto offset = static_cast<std::size_t>(packet.payload.data() - buffer.data());
    const std::size_t count = decode(codec_, buffer.subspan(offset, packet.payload.size()), pcm);
    track_recorder_->on_sent({pcm.data(), count});
  }
  // Re-protected with this leg's own outbound context when it uses SRTP; queued for the
  // worker's sendmmsg() (the buffer is the receive batch's, which outlives the queue).
  send_rtp(buffer, size, true);
}

}  // namespace sb::media
