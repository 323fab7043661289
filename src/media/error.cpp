#include "media/error.hpp"

#include <string>

namespace sb::media {
namespace {

class MediaCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "media"; }

  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::rtp_truncated: return "RTP packet truncated";
      case Errc::rtp_bad_version: return "RTP version is not 2";
      case Errc::rtp_bad_padding: return "RTP padding count invalid";
      case Errc::rtp_too_large: return "RTP packet larger than the maximum";
      case Errc::rtp_bad_header: return "RTP header to write is invalid";
      case Errc::buffer_too_small: return "output buffer too small";
      case Errc::rtcp_truncated: return "RTCP packet truncated";
      case Errc::rtcp_bad_version: return "RTCP version is not 2";
      case Errc::rtcp_bad_padding: return "RTCP padding invalid";
      case Errc::rtcp_wrong_type: return "RTCP packet of another type";
      case Errc::dtmf_truncated: return "telephone-event payload shorter than 4 bytes";
      case Errc::dtmf_invalid_digits: return "digits must be 0-9 * # A-D w W";
      case Errc::dtmf_invalid_options: return "invalid DTMF timing options";
      case Errc::sdp_malformed_line: return "SDP line is not <type>=<value>";
      case Errc::sdp_bad_version: return "SDP must start with v=0";
      case Errc::sdp_bad_origin: return "SDP o= line missing or malformed";
      case Errc::sdp_bad_connection: return "SDP c= line missing or malformed";
      case Errc::sdp_bad_timing: return "SDP t= line malformed";
      case Errc::sdp_bad_media: return "SDP m= line malformed";
      case Errc::sdp_bad_attribute: return "SDP rtpmap/fmtp/ptime/maxptime/rtcp attribute malformed";
      case Errc::sdp_bad_crypto: return "SDP a=crypto attribute malformed";
      case Errc::no_audio_stream: return "no acceptable audio stream offered";
      case Errc::no_common_codec: return "no common codec (PCMU or PCMA)";
      case Errc::srtp_required: return "SRTP required but not offered";
      case Errc::srtp_not_allowed: return "peer requires SRTP, which is disabled";
      case Errc::no_common_crypto_suite: return "no supported SRTP crypto suite offered";
      case Errc::answer_mismatch: return "SDP answer does not match the offer";
    }
    return "unknown media error";
  }
};

}  // namespace

const std::error_category& media_category() noexcept {
  static const MediaCategory category;
  return category;
}

std::error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), media_category()}; }

int sip_status(std::error_code e) noexcept {
  if (e.category() != media_category()) return 500;
  const auto code = static_cast<Errc>(e.value());
  if (code >= Errc::sdp_malformed_line && code <= Errc::sdp_bad_crypto) return 400;
  if (code >= Errc::no_audio_stream && code <= Errc::answer_mismatch) return 488;
  return 500;
}

}  // namespace sb::media
