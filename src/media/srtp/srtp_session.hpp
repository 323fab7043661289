#pragma once
// SRTP/SRTCP (RFC 3711) for one RTP session, over libsrtp2: an inbound context keyed with the
// remote master key (unprotects what we receive) and an outbound one keyed with ours (protects
// what we send), for the SDES suite negotiated (RFC 4568). Owned by one MediaSession and used
// only on its media thread. The packet calls are noexcept, work in place and do not allocate
// (libsrtp2 clones a stream once per new SSRC, after that SSRC's first packet authenticated).
// Keys are copied into libsrtp2 and never logged.

#include "core/result.hpp"
#include "media/sdp/offer_answer.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

struct srtp_ctx_t_;  // libsrtp2's srtp_t, kept opaque so that includers need no libsrtp2

namespace sb::media {

// Bytes a send buffer keeps free after the packet for srtp_protect()/srtp_protect_rtcp()
// (libsrtp2's SRTP_MAX_TRAILER_LEN: authentication tag plus the largest MKI; checked in the .cpp).
inline constexpr std::size_t kSrtpTrailerRoom = 144;

enum class SrtpStatus : std::uint8_t {
  ok,
  auth_failure,  // the tag did not verify (wrong key, tampered, or a plain packet)
  replay,        // already received, or older than the replay window (RFC 3711 3.3.2)
  malformed,     // too short, or any other libsrtp2 refusal
};

class SrtpSession {
 public:
  // Creates both contexts. Errors: invalid_argument if libsrtp2 refuses the policy (the error
  // says nothing about the keys).
  static Result<SrtpSession> create(const SrtpParameters& parameters);

  SrtpSession(SrtpSession&& other) noexcept;
  SrtpSession& operator=(SrtpSession&& other) noexcept;
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;
  ~SrtpSession();

  // `packet` holds `size` bytes of SRTP (SRTCP); on ok `size` is the plain packet's size.
  SrtpStatus unprotect_rtp(std::span<std::byte> packet, std::size_t& size) noexcept;
  SrtpStatus unprotect_rtcp(std::span<std::byte> packet, std::size_t& size) noexcept;
  // `buffer` holds `size` bytes of plain RTP (RTCP) and at least kSrtpTrailerRoom more; on ok
  // `size` is the protected packet's size. False if the buffer is too small or libsrtp2 refuses
  // (a repeated sequence number).
  bool protect_rtp(std::span<std::byte> buffer, std::size_t& size) noexcept;
  bool protect_rtcp(std::span<std::byte> buffer, std::size_t& size) noexcept;

  // Whether `parameters` would key this session exactly as it is (a re-INVITE that kept the keys
  // keeps the contexts, their rollover counters and replay windows).
  bool is_keyed_by(const SrtpParameters& parameters) const noexcept;

 private:
  SrtpSession() noexcept = default;
  void reset() noexcept;

  srtp_ctx_t_* inbound_ = nullptr;   // srtp_t
  srtp_ctx_t_* outbound_ = nullptr;
  SrtpParameters parameters_{};      // for is_keyed_by; wiped on destruction
};

}  // namespace sb::media
