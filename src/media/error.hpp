#pragma once
// Errors of the media layer's pure kernels (RTP/RTCP parsing, DTMF, SDP, offer/answer).
// Bad input from the network is normal: every parser returns Result<T> with one of these codes.

#include <system_error>

namespace sb::media {

enum class Errc {
  // RTP (RFC 3550 5.1). The packet is dropped and counted; nothing else happens.
  rtp_truncated = 1,     // shorter than the fixed header, CSRC list or header extension it announces
  rtp_bad_version,       // V is not 2 (probably STUN, DTLS or garbage on the port)
  rtp_bad_padding,       // P set but the padding count is 0 or longer than the payload room
  rtp_too_large,         // larger than kMaxRtpPacketSize
  rtp_bad_header,        // a header to write is invalid (CSRC count > 15, extension not 32-bit aligned)
  buffer_too_small,      // the output buffer cannot hold what is to be written
  // RTCP (RFC 3550 6.4, A.2). The compound packet is dropped.
  rtcp_truncated,        // shorter than a header or its length field says
  rtcp_bad_version,      // V is not 2
  rtcp_bad_padding,      // padding on a packet that is not the last, or a bad padding count
  rtcp_wrong_type,       // asked to parse an SR as an RR or the like (a caller bug or a bad packet)
  // RFC 4733 telephone-event.
  dtmf_truncated,        // payload shorter than the 4-byte event
  dtmf_invalid_digits,   // a digit string holds a character outside 0-9 * # A-D w W
  dtmf_invalid_options,  // a zero or absurd duration or packet interval
  // SDP (RFC 4566). The offer or answer is rejected with 400.
  sdp_malformed_line,    // a line is not "<letter>=<value>"
  sdp_bad_version,       // missing v= line, not first, or not 0
  sdp_bad_origin,        // missing or malformed o= line
  sdp_bad_connection,    // malformed c= line, or an active media stream without any c= line
  sdp_bad_timing,        // malformed t= line
  sdp_bad_media,         // malformed m= line (port, protocol, no formats)
  sdp_bad_attribute,     // malformed rtpmap, fmtp, ptime, maxptime or rtcp attribute
  sdp_bad_crypto,        // malformed a=crypto (RFC 4568 9.1)
  // Offer/answer (RFC 3264). The caller rejects the offer with 488 Not Acceptable Here.
  no_audio_stream,       // no audio m-line we can take (no port, unsupported transport such as DTLS)
  no_common_codec,       // no PCMU or PCMA in the offer
  srtp_required,         // local policy requires SRTP and the peer offered or answered plain RTP
  srtp_not_allowed,      // the peer requires SRTP (RTP/SAVP) and local policy is none
  no_common_crypto_suite,  // SRTP is needed and no a=crypto line carries a suite and key we support
  answer_mismatch,       // the answer does not fit our offer (m-line count, formats, crypto tag)
};

const std::error_category& media_category() noexcept;
std::error_code make_error_code(Errc e) noexcept;

// The SIP status a signalling layer answers with when this error rejects an SDP offer or answer:
// 400 for unparseable SDP, 488 for an offer we cannot accept, 500 otherwise. media/ knows no SIP
// beyond this number; calls/ converts it once, at the boundary (STYLE.md, Errors).
int sip_status(std::error_code e) noexcept;

}  // namespace sb::media

template <>
struct std::is_error_code_enum<sb::media::Errc> : std::true_type {};
