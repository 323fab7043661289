#include "media/srtp/srtp_session.hpp"

#include <srtp2/srtp.h>

#include <array>
#include <cstring>
#include <mutex>
#include <system_error>
#include <utility>

namespace sb::media {

static_assert(kSrtpTrailerRoom >= SRTP_MAX_TRAILER_LEN);
static_assert(sizeof(SrtpMasterKey) == SRTP_AES_ICM_128_KEY_LEN_WSALT);

namespace {

// libsrtp2 keeps process-wide state (its crypto kernel): initialise it once, from whichever
// thread first needs it.
bool ensure_srtp_initialised() noexcept {
  static std::once_flag once;
  static bool is_ok = false;
  std::call_once(once, [] { is_ok = srtp_init() == srtp_err_status_ok; });
  return is_ok;
}

// Overwrites key material in a way the optimiser keeps.
void wipe(void* data, std::size_t size) noexcept {
  volatile unsigned char* p = static_cast<volatile unsigned char*>(data);
  while (size--) *p++ = 0;
}

void set_rtp_crypto(srtp_crypto_policy_t& policy, CryptoSuite suite) noexcept {
  if (suite == CryptoSuite::aes_cm_128_hmac_sha1_32)
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy);
  else
    srtp_crypto_policy_set_rtp_default(&policy);
}

SrtpStatus to_status(srtp_err_status_t status) noexcept {
  switch (status) {
    case srtp_err_status_ok:
      return SrtpStatus::ok;
    case srtp_err_status_auth_fail:
      return SrtpStatus::auth_failure;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
      return SrtpStatus::replay;
    default:
      return SrtpStatus::malformed;
  }
}

bool fits_int(std::size_t size) noexcept { return size <= static_cast<std::size_t>(0x7fffffff); }

}  // namespace

Result<SrtpSession> SrtpSession::create(const SrtpParameters& parameters) {
  if (!ensure_srtp_initialised()) return std::make_error_code(std::errc::invalid_argument);
  SrtpSession session;
  session.parameters_ = parameters;

  // RFC 4568 6.1: the remote MKI (when the peer uses one) is carried in each packet it sends.
  std::array<unsigned char, 4> mki{};
  const bool uses_mki = parameters.remote_mki && parameters.remote_mki_length > 0;
  if (uses_mki && parameters.remote_mki_length > mki.size()) return std::make_error_code(std::errc::invalid_argument);
  if (uses_mki) {
    for (std::size_t i = 0; i < parameters.remote_mki_length; ++i)
      mki[parameters.remote_mki_length - 1 - i] = static_cast<unsigned char>(*parameters.remote_mki >> (8 * i));
  }

  for (const bool is_inbound : {true, false}) {
    SrtpMasterKey key = is_inbound ? parameters.remote_key : parameters.local_key;
    srtp_master_key_t master_key{};
    srtp_master_key_t* master_keys[1] = {&master_key};
    srtp_policy_t policy{};
    set_rtp_crypto(policy.rtp, parameters.suite);
    srtp_crypto_policy_set_rtcp_default(&policy.rtcp);  // RFC 4568 6.2.1: SRTCP always uses the _80 tag
    policy.ssrc.type = is_inbound ? ssrc_any_inbound : ssrc_any_outbound;
    if (is_inbound && uses_mki) {
      master_key.key = reinterpret_cast<unsigned char*>(key.data());
      master_key.mki_id = mki.data();
      master_key.mki_size = parameters.remote_mki_length;
      policy.keys = master_keys;
      policy.num_master_keys = 1;
    } else {
      policy.key = reinterpret_cast<unsigned char*>(key.data());
    }
    policy.window_size = 128;
    policy.allow_repeat_tx = 0;  // never reuse keystream for a repeated sequence number
    srtp_t context = nullptr;
    const srtp_err_status_t status = srtp_create(&context, &policy);
    wipe(key.data(), key.size());
    if (status != srtp_err_status_ok) return std::make_error_code(std::errc::invalid_argument);
    (is_inbound ? session.inbound_ : session.outbound_) = context;
  }
  return session;
}

SrtpSession::SrtpSession(SrtpSession&& other) noexcept
    : inbound_(std::exchange(other.inbound_, nullptr)),
      outbound_(std::exchange(other.outbound_, nullptr)),
      parameters_(other.parameters_) {
  other.reset();
}

SrtpSession& SrtpSession::operator=(SrtpSession&& other) noexcept {
  if (this != &other) {
    reset();
    inbound_ = std::exchange(other.inbound_, nullptr);
    outbound_ = std::exchange(other.outbound_, nullptr);
    parameters_ = other.parameters_;
    other.reset();
  }
  return *this;
}

SrtpSession::~SrtpSession() { reset(); }

void SrtpSession::reset() noexcept {
  if (inbound_) srtp_dealloc(inbound_);
  if (outbound_) srtp_dealloc(outbound_);
  inbound_ = nullptr;
  outbound_ = nullptr;
  wipe(parameters_.local_key.data(), parameters_.local_key.size());
  wipe(parameters_.remote_key.data(), parameters_.remote_key.size());
}

bool SrtpSession::is_keyed_by(const SrtpParameters& parameters) const noexcept {
  return inbound_ && parameters.suite == parameters_.suite && parameters.local_key == parameters_.local_key &&
         parameters.remote_key == parameters_.remote_key && parameters.remote_mki == parameters_.remote_mki &&
         parameters.remote_mki_length == parameters_.remote_mki_length;
}

SrtpStatus SrtpSession::unprotect_rtp(std::span<std::byte> packet, std::size_t& size) noexcept {
  if (!inbound_ || size > packet.size() || !fits_int(size)) return SrtpStatus::malformed;
  int length = static_cast<int>(size);
  const bool uses_mki = parameters_.remote_mki && parameters_.remote_mki_length > 0;
  const auto status = uses_mki ? srtp_unprotect_mki(inbound_, packet.data(), &length, 1)
                               : srtp_unprotect(inbound_, packet.data(), &length);
  if (status != srtp_err_status_ok) return to_status(status);
  size = static_cast<std::size_t>(length);
  return SrtpStatus::ok;
}

SrtpStatus SrtpSession::unprotect_rtcp(std::span<std::byte> packet, std::size_t& size) noexcept {
  if (!inbound_ || size > packet.size() || !fits_int(size)) return SrtpStatus::malformed;
  int length = static_cast<int>(size);
  const bool uses_mki = parameters_.remote_mki && parameters_.remote_mki_length > 0;
  const auto status = uses_mki ? srtp_unprotect_rtcp_mki(inbound_, packet.data(), &length, 1)
                               : srtp_unprotect_rtcp(inbound_, packet.data(), &length);
  if (status != srtp_err_status_ok) return to_status(status);
  size = static_cast<std::size_t>(length);
  return SrtpStatus::ok;
}

bool SrtpSession::protect_rtp(std::span<std::byte> buffer, std::size_t& size) noexcept {
  if (!outbound_ || size > buffer.size() || buffer.size() - size < kSrtpTrailerRoom || !fits_int(size)) return false;
  int length = static_cast<int>(size);
  if (srtp_protect(outbound_, buffer.data(), &length) != srtp_err_status_ok) return false;
  size = static_cast<std::size_t>(length);
  return true;
}

bool SrtpSession::protect_rtcp(std::span<std::byte> buffer, std::size_t& size) noexcept {
  if (!outbound_ || size > buffer.size() || buffer.size() - size < kSrtpTrailerRoom || !fits_int(size)) return false;
  int length = static_cast<int>(size);
  if (srtp_protect_rtcp(outbound_, buffer.data(), &length) != srtp_err_status_ok) return false;
  size = static_cast<std::size_t>(length);
  return true;
}

}  // namespace sb::media
