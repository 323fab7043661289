#pragma once
// RFC 3264 offer/answer for switchboard's one audio stream: answer a remote offer, make a local
// offer, and read the answer to it. Pure: keys come from a caller-supplied generator, addresses
// and ports from the caller. Signalling thread; the resulting NegotiatedMedia is posted to the
// media engine.
//
// What we support (DESIGN.md, reference/ "Media codec", "Secure Media"): PCMU (0) and PCMA (8)
// at 8 kHz, telephone-event/8000 (RFC 4733) on the offerer's payload type, SDES-SRTP (RFC 4568)
// with AES_CM_128_HMAC_SHA1_80 and _32 when answering, and only _80 in our offers.

#include "core/result.hpp"
#include "media/codec/g711.hpp"
#include "media/sdp/session_description.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace sb::media {

enum class SrtpPolicy : std::uint8_t {
  none,      // plain RTP only; an RTP/SAVP offer is refused (srtp_not_allowed)
  optional,  // SRTP when the peer offers a usable a=crypto, plain RTP otherwise
  required,  // SRTP only; a plain offer or answer is refused (srtp_required)
};

enum class CryptoSuite : std::uint8_t { aes_cm_128_hmac_sha1_80, aes_cm_128_hmac_sha1_32 };

std::string_view to_string(CryptoSuite suite) noexcept;

// SRTP master key (16 bytes) followed by master salt (14 bytes), RFC 4568 6.2.1. Secret.
using SrtpMasterKey = std::array<std::byte, 30>;
// Fresh random key material, one call per a=crypto line we write.
using KeyGenerator = std::function<SrtpMasterKey()>;

// Our side of the session: where we receive, and what we are willing to do.
struct LocalMedia {
  AddressType address_type = AddressType::ip4;
  std::string address;        // advertised in o= and c=
  std::uint16_t port = 0;     // RTP; RTCP on port + 1 unless rtcp-mux
  std::string username = "switchboard";
  std::string session_id = "0";   // o= fields; the caller bumps session_version per new offer
  std::uint64_t session_version = 0;
  SrtpPolicy srtp = SrtpPolicy::none;
  Direction direction = Direction::send_recv;  // send_only or inactive to hold the peer
  std::uint8_t telephone_event_payload_type = 101;  // in our offers
  std::uint32_t ptime = 20;                         // in our offers; default when none offered
  bool offers_rtcp_mux = false;                     // add a=rtcp-mux to our offers
};

struct SrtpParameters {
  CryptoSuite suite = CryptoSuite::aes_cm_128_hmac_sha1_80;
  std::uint32_t tag = 0;
  SrtpMasterKey local_key{};   // protects what we send
  SrtpMasterKey remote_key{};  // unprotects what we receive
  std::optional<std::uint32_t> remote_mki;  // the peer's MKI and its length, when it uses one
  std::uint8_t remote_mki_length = 0;
  std::optional<std::uint64_t> remote_lifetime;
};

// The agreed stream, from our point of view.
struct NegotiatedMedia {
  std::size_t media_index = 0;  // the m-line, in both offer and answer
  G711Law codec = G711Law::ulaw;
  std::uint8_t payload_type = 0;
  std::optional<std::uint8_t> telephone_event_payload_type;
  std::uint32_t ptime = 20;     // ms of audio per packet we send
  Direction direction = Direction::send_recv;  // ours: may we send, should we expect to receive
  std::string remote_address;   // where we send RTP (empty / 0.0.0.0 when on hold)
  std::uint16_t remote_port = 0;
  std::string remote_rtcp_address;
  std::uint16_t remote_rtcp_port = 0;
  bool is_rtcp_mux = false;
  bool is_remote_hold = false;  // the peer holds us (sendonly, inactive or c=0.0.0.0)
  std::optional<SrtpParameters> srtp;
};

struct AnswerResult {
  SessionDescription answer;
  NegotiatedMedia media;
};

// RFC 3264 6: answers `offer`. The first audio m-line we can take is accepted: codec = the first
// PCMU/PCMA in the offerer's order, telephone-event on the offerer's PT, ptime echoed, direction
// answered (sendonly -> recvonly, inactive -> inactive, c=0.0.0.0 treated as the offerer not
// receiving), rtcp-mux accepted if offered, crypto = the offerer's first usable line with a new
// key from `keys`. Every other m-line is rejected with port 0.
// Errors (all map to 488): no_audio_stream, no_common_codec, srtp_required, srtp_not_allowed,
// no_common_crypto_suite.
Result<AnswerResult> answer_offer(const SessionDescription& offer, const LocalMedia& local, const KeyGenerator& keys);

// Our offer: one audio m-line with PCMU, PCMA, telephone-event/8000 on
// local.telephone_event_payload_type (fmtp 0-15), ptime; with SRTP required it is RTP/SAVP with
// one AES_CM_128_HMAC_SHA1_80 key, with SRTP optional RTP/AVP carrying the same a=crypto
// (best-effort SRTP: peers that understand it may answer with crypto, others ignore it).
SessionDescription make_offer(const LocalMedia& local, const KeyGenerator& keys);

// Reads the answer to our `offer` (as made by make_offer). Errors: answer_mismatch (m-line count
// or protocol differs, a format or crypto tag we did not offer), no_audio_stream (audio
// rejected), no_common_codec, srtp_required (plain answer while our policy requires SRTP).
Result<NegotiatedMedia> process_answer(const SessionDescription& offer, const SessionDescription& answer,
                                       SrtpPolicy policy);

}  // namespace sb::media
