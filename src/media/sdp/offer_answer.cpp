#include "media/sdp/offer_answer.hpp"

#include "core/crypto.hpp"
#include "media/error.hpp"
#include "media/sdp/sdp_text.hpp"

#include <cstring>
#include <utility>

namespace sb::media {

using detail::iequals;
using detail::parse_number;

std::string_view to_string(CryptoSuite suite) noexcept {
  return suite == CryptoSuite::aes_cm_128_hmac_sha1_80 ? kAesCm128HmacSha1_80 : kAesCm128HmacSha1_32;
}

namespace {

constexpr std::uint32_t kAudioClockRate = 8000;
constexpr std::string_view kTelephoneEvent = "telephone-event";
constexpr std::string_view kTelephoneEventEvents = "0-15";  // DTMF only (RFC 4733 3.2)
constexpr std::uint32_t kMinPtime = 10;
constexpr std::uint32_t kMaxPtime = 120;

struct Codec {
  G711Law law = G711Law::ulaw;
  std::uint8_t payload_type = 0;
};

std::optional<std::uint8_t> payload_type_of(std::string_view format) { return parse_number<std::uint8_t>(format, 127); }

// The rtpmap for `pt` from the first description that has one.
const RtpMap* rtpmap_for(std::uint8_t pt, const MediaDescription& m, const MediaDescription* fallback = nullptr) {
  if (const auto* r = m.find_rtpmap(pt)) return r;
  return fallback != nullptr ? fallback->find_rtpmap(pt) : nullptr;
}

std::optional<G711Law> law_of(std::uint8_t pt, const RtpMap* rtpmap) {
  if (rtpmap == nullptr) {
    // RFC 3551 6: static payload types need no rtpmap.
    if (pt == 0) return G711Law::ulaw;
    if (pt == 8) return G711Law::alaw;
    return std::nullopt;
  }
  if (rtpmap->clock_rate != kAudioClockRate || rtpmap->channels > 1) return std::nullopt;
  if (iequals(rtpmap->encoding_name, "PCMU")) return G711Law::ulaw;
  if (iequals(rtpmap->encoding_name, "PCMA")) return G711Law::alaw;
  return std::nullopt;
}

bool is_telephone_event(const RtpMap* rtpmap) {
  return rtpmap != nullptr && iequals(rtpmap->encoding_name, kTelephoneEvent) && rtpmap->clock_rate == kAudioClockRate;
}

// Formats in `m`'s order; rtpmaps looked up in `m` then `fallback`.
std::optional<Codec> first_codec(const MediaDescription& m, const MediaDescription* fallback = nullptr) {
  for (const auto& format : m.formats) {
    const auto pt = payload_type_of(format);
    if (!pt) continue;
    if (auto law = law_of(*pt, rtpmap_for(*pt, m, fallback))) return Codec{*law, *pt};
  }
  return std::nullopt;
}

std::optional<std::uint8_t> telephone_event(const MediaDescription& m, const MediaDescription* fallback = nullptr) {
  for (const auto& format : m.formats) {
    const auto pt = payload_type_of(format);
    if (pt && is_telephone_event(rtpmap_for(*pt, m, fallback))) return pt;
  }
  return std::nullopt;
}

bool is_listed(const MediaDescription& m, std::uint8_t pt) {
  for (const auto& format : m.formats)
    if (payload_type_of(format) == pt) return true;
  return false;
}

enum class Transport { plain, secure, unsupported };

Transport transport_of(std::string_view protocol) {
  // AVPF offers are answered as such; we simply send no feedback (RFC 4585 is compatible).
  if (protocol == "RTP/AVP" || protocol == "RTP/AVPF") return Transport::plain;
  if (protocol == "RTP/SAVP" || protocol == "RTP/SAVPF") return Transport::secure;
  return Transport::unsupported;  // DTLS-SRTP (UDP/TLS/RTP/SAVP), TCP, ...
}

std::optional<CryptoSuite> suite_of(std::string_view name) {
  if (name == kAesCm128HmacSha1_80) return CryptoSuite::aes_cm_128_hmac_sha1_80;
  if (name == kAesCm128HmacSha1_32) return CryptoSuite::aes_cm_128_hmac_sha1_32;
  return std::nullopt;
}

std::optional<SrtpMasterKey> decode_key(const SrtpKeyParams& params) {
  const auto bytes = crypto::base64_decode(params.key_salt);
  SrtpMasterKey key{};
  if (!bytes || bytes->size() != key.size()) return std::nullopt;
  std::memcpy(key.data(), bytes->data(), key.size());
  return key;
}

std::string encode_key(const SrtpMasterKey& key) {
  return crypto::base64_encode(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
}

CryptoAttribute crypto_line(std::uint32_t tag, CryptoSuite suite, const SrtpMasterKey& key) {
  return {.tag = tag, .suite = std::string(to_string(suite)), .keys = {{.key_salt = encode_key(key)}}};
}

// RFC 4568 7.1.1: the first a=crypto line, in the offerer's order, whose suite we support, whose
// (single) key decodes and which has no session parameters we would have to honour.
std::optional<SrtpParameters> choose_crypto(const MediaDescription& m) {
  for (const auto& c : m.crypto) {
    const auto suite = suite_of(c.suite);
    if (!suite || c.keys.size() != 1 || !c.session_params.empty()) continue;
    const auto key = decode_key(c.keys.front());
    if (!key) continue;
    SrtpParameters srtp{.suite = *suite, .tag = c.tag, .remote_key = *key};
    srtp.remote_mki = c.keys.front().mki;
    srtp.remote_mki_length = c.keys.front().mki_length;
    srtp.remote_lifetime = c.keys.front().lifetime;
    return srtp;
  }
  return std::nullopt;
}

Origin local_origin(const LocalMedia& local) {
  return {.username = local.username,
          .session_id = local.session_id,
          .session_version = std::to_string(local.session_version),
          .address_type = local.address_type,
          .address = local.address};
}

void set_remote_endpoints(NegotiatedMedia& media, const SessionDescription& sdp, const MediaDescription& m) {
  const Connection* connection = sdp.connection_for(m);
  media.remote_address = connection != nullptr ? connection->address : std::string();
  media.remote_port = m.port;
  if (media.is_rtcp_mux) {
    media.remote_rtcp_address = media.remote_address;
    media.remote_rtcp_port = m.port;
  } else if (m.rtcp) {
    media.remote_rtcp_address = m.rtcp->connection ? m.rtcp->connection->address : media.remote_address;
    media.remote_rtcp_port = m.rtcp->port;
  } else {
    media.remote_rtcp_address = media.remote_address;  // RFC 3550 11: RTP port + 1
    media.remote_rtcp_port = static_cast<std::uint16_t>(m.port + 1);
  }
}

// What the remote side does, with RFC 2543 hold (c=0.0.0.0) read as "not receiving".
Direction remote_direction(const SessionDescription& sdp, const MediaDescription& m) {
  const Direction stated = sdp.direction_for(m);
  const Connection* connection = sdp.connection_for(m);
  if (connection != nullptr && connection->is_null()) return make_direction(is_sending(stated), false);
  return stated;
}

struct AcceptedStream {
  MediaDescription answer;
  NegotiatedMedia media;
};

Result<AcceptedStream> accept_stream(const SessionDescription& offer, std::size_t index, const LocalMedia& local,
                                     const KeyGenerator& keys) {
  const MediaDescription& m = offer.media[index];
  const Transport transport = transport_of(m.protocol);
  if (transport == Transport::unsupported) return make_error_code(Errc::no_audio_stream);
  if (transport == Transport::secure && local.srtp == SrtpPolicy::none) return make_error_code(Errc::srtp_not_allowed);

  const auto codec = first_codec(m);
  if (!codec) return make_error_code(Errc::no_common_codec);

  std::optional<SrtpParameters> srtp;
  if (local.srtp != SrtpPolicy::none && !m.crypto.empty()) srtp = choose_crypto(m);
  if (transport == Transport::secure && !srtp) return make_error_code(Errc::no_common_crypto_suite);
  if (local.srtp == SrtpPolicy::required && !srtp)
    return make_error_code(m.crypto.empty() ? Errc::srtp_required : Errc::no_common_crypto_suite);

  AcceptedStream stream;
  NegotiatedMedia& media = stream.media;
  media.media_index = index;
  media.codec = codec->law;
  media.payload_type = codec->payload_type;
  media.telephone_event_payload_type = telephone_event(m);
  media.is_rtcp_mux = m.has_rtcp_mux;

  // RFC 4566 6: ptime is what the sender of the SDP wants to receive; we honour it within reason
  // and never exceed maxptime.
  std::uint32_t ptime = local.ptime;
  if (m.ptime && *m.ptime >= kMinPtime && *m.ptime <= kMaxPtime) ptime = *m.ptime;
  if (m.maxptime && ptime > *m.maxptime) ptime = std::max(kMinPtime, *m.maxptime / 10 * 10);
  media.ptime = ptime;

  const Direction remote = remote_direction(offer, m);
  media.direction = make_direction(is_receiving(remote) && is_sending(local.direction),
                                   is_sending(remote) && is_receiving(local.direction));
  media.is_remote_hold = !is_receiving(remote);
  set_remote_endpoints(media, offer, m);

  MediaDescription& a = stream.answer;
  a.media = m.media;
  a.port = local.port;
  a.protocol = m.protocol;
  a.formats.push_back(std::to_string(codec->payload_type));
  a.rtpmaps.push_back({.payload_type = codec->payload_type,
                       .encoding_name = codec->law == G711Law::ulaw ? "PCMU" : "PCMA",
                       .clock_rate = kAudioClockRate});
  if (media.telephone_event_payload_type) {
    const std::uint8_t pt = *media.telephone_event_payload_type;
    a.formats.push_back(std::to_string(pt));
    a.rtpmaps.push_back({.payload_type = pt, .encoding_name = std::string(kTelephoneEvent), .clock_rate = kAudioClockRate});
    a.fmtps.push_back({.payload_type = pt, .parameters = std::string(kTelephoneEventEvents)});
  }
  if (m.ptime) a.ptime = ptime;
  a.has_rtcp_mux = m.has_rtcp_mux;
  if (srtp) {
    srtp->local_key = keys();
    a.crypto.push_back(crypto_line(srtp->tag, srtp->suite, srtp->local_key));
    media.srtp = std::move(srtp);
  }
  a.direction = media.direction;
  return stream;
}

MediaDescription rejected(const MediaDescription& m) {
  MediaDescription r;
  r.media = m.media;
  r.port = 0;
  r.protocol = m.protocol;
  r.formats = m.formats.empty() ? std::vector<std::string>{"0"} : m.formats;
  return r;
}

}  // namespace

Result<AnswerResult> answer_offer(const SessionDescription& offer, const LocalMedia& local, const KeyGenerator& keys) {
  AnswerResult result;
  SessionDescription& answer = result.answer;
  answer.origin = local_origin(local);
  answer.session_name = "switchboard";
  answer.connection = Connection{local.address_type, local.address};

  std::optional<std::error_code> first_error;
  bool has_accepted = false;
  for (std::size_t i = 0; i < offer.media.size(); ++i) {
    const MediaDescription& m = offer.media[i];
    if (!has_accepted && m.media == "audio" && m.port != 0) {
      auto stream = accept_stream(offer, i, local, keys);
      if (stream) {
        answer.media.push_back(std::move(stream->answer));
        result.media = std::move(stream->media);
        has_accepted = true;
        continue;
      }
      if (!first_error) first_error = stream.error();
    }
    answer.media.push_back(rejected(m));
  }
  if (!has_accepted) return first_error.value_or(make_error_code(Errc::no_audio_stream));
  return result;
}

SessionDescription make_offer(const LocalMedia& local, const KeyGenerator& keys) {
  SessionDescription offer;
  offer.origin = local_origin(local);
  offer.session_name = "switchboard";
  offer.connection = Connection{local.address_type, local.address};

  MediaDescription m;
  m.port = local.port;
  m.protocol = local.srtp == SrtpPolicy::required ? "RTP/SAVP" : "RTP/AVP";
  const std::uint8_t te = local.telephone_event_payload_type;
  m.formats = {"0", "8", std::to_string(te)};
  m.rtpmaps = {{.payload_type = 0, .encoding_name = "PCMU", .clock_rate = kAudioClockRate},
               {.payload_type = 8, .encoding_name = "PCMA", .clock_rate = kAudioClockRate},
               {.payload_type = te, .encoding_name = std::string(kTelephoneEvent), .clock_rate = kAudioClockRate}};
  m.fmtps = {{.payload_type = te, .parameters = std::string(kTelephoneEventEvents)}};
  m.ptime = local.ptime;
  m.has_rtcp_mux = local.offers_rtcp_mux;
  // reference/ "Secure Media": only AES_CM_128_HMAC_SHA1_80 is advertised.
  if (local.srtp != SrtpPolicy::none) m.crypto.push_back(crypto_line(1, CryptoSuite::aes_cm_128_hmac_sha1_80, keys()));
  m.direction = local.direction;
  offer.media.push_back(std::move(m));
  return offer;
}

Result<NegotiatedMedia> process_answer(const SessionDescription& offer, const SessionDescription& answer,
                                       SrtpPolicy policy) {
  if (answer.media.size() != offer.media.size()) return make_error_code(Errc::answer_mismatch);
  std::size_t index = 0;
  while (index < offer.media.size() && (offer.media[index].media != "audio" || offer.media[index].port == 0)) ++index;
  if (index == offer.media.size()) return make_error_code(Errc::no_audio_stream);
  const MediaDescription& om = offer.media[index];
  const MediaDescription& am = answer.media[index];
  if (am.port == 0) return make_error_code(Errc::no_audio_stream);
  if (am.protocol != om.protocol) return make_error_code(Errc::answer_mismatch);
  for (const auto& format : am.formats) {
    const auto pt = payload_type_of(format);
    if (!pt || !is_listed(om, *pt)) return make_error_code(Errc::answer_mismatch);
  }

  NegotiatedMedia media;
  media.media_index = index;
  const auto codec = first_codec(am, &om);
  if (!codec) return make_error_code(Errc::no_common_codec);
  media.codec = codec->law;
  media.payload_type = codec->payload_type;
  media.telephone_event_payload_type = telephone_event(am, &om);
  media.ptime = am.ptime.value_or(om.ptime.value_or(20));
  media.is_rtcp_mux = om.has_rtcp_mux && am.has_rtcp_mux;

  const Direction ours = offer.direction_for(om);
  const Direction remote = remote_direction(answer, am);
  media.direction = make_direction(is_receiving(remote) && is_sending(ours), is_sending(remote) && is_receiving(ours));
  media.is_remote_hold = !is_receiving(remote) && is_receiving(reverse(ours));
  set_remote_endpoints(media, answer, am);

  if (!am.crypto.empty()) {
    // RFC 4568 7.1.2: exactly one line, with the tag and suite of one of ours.
    const CryptoAttribute& theirs = am.crypto.front();
    const CryptoAttribute* mine = nullptr;
    for (const auto& c : om.crypto)
      if (c.tag == theirs.tag && c.suite == theirs.suite) mine = &c;
    if (mine == nullptr || am.crypto.size() != 1 || theirs.keys.size() != 1 || mine->keys.empty())
      return make_error_code(Errc::answer_mismatch);
    const auto suite = suite_of(theirs.suite);
    const auto remote_key = decode_key(theirs.keys.front());
    const auto local_key = decode_key(mine->keys.front());
    if (!suite || !remote_key || !local_key) return make_error_code(Errc::answer_mismatch);
    SrtpParameters srtp{.suite = *suite, .tag = theirs.tag, .local_key = *local_key, .remote_key = *remote_key};
    srtp.remote_mki = theirs.keys.front().mki;
    srtp.remote_mki_length = theirs.keys.front().mki_length;
    srtp.remote_lifetime = theirs.keys.front().lifetime;
    media.srtp = std::move(srtp);
  } else if (transport_of(om.protocol) == Transport::secure) {
    return make_error_code(Errc::answer_mismatch);  // RTP/SAVP answered without a key
  }
  if (policy == SrtpPolicy::required && !media.srtp) return make_error_code(Errc::srtp_required);
  return media;
}

}  // namespace sb::media
