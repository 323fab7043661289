#include "media/sdp/offer_answer.hpp"

#include "media/error.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace sb::media {
namespace {

// Golden cases: tests/data/sdp/offer_answer/<name>.offer.sdp is answered with the local setup
// below, and the result must equal <name>.answer.sdp, or the error named in <name>.error.
// SB_UPDATE_GOLDEN=1 rewrites the expected files from the actual results (review the diff).

std::filesystem::path data_dir() {
  const char* dir = std::getenv("SB_TEST_DATA_DIR");
  return std::filesystem::path(dir != nullptr ? dir : SB_TEST_DATA_DIR) / "sdp" / "offer_answer";
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

const char* errc_name(std::error_code ec) {
  if (ec.category() != media_category()) return "foreign";
  switch (static_cast<Errc>(ec.value())) {
#define SB_NAME(x) \
  case Errc::x: return #x;
    SB_NAME(sdp_malformed_line) SB_NAME(sdp_bad_version) SB_NAME(sdp_bad_origin) SB_NAME(sdp_bad_connection)
    SB_NAME(sdp_bad_timing) SB_NAME(sdp_bad_media) SB_NAME(sdp_bad_attribute) SB_NAME(sdp_bad_crypto)
    SB_NAME(no_audio_stream) SB_NAME(no_common_codec) SB_NAME(srtp_required) SB_NAME(srtp_not_allowed)
    SB_NAME(no_common_crypto_suite) SB_NAME(answer_mismatch)
#undef SB_NAME
    default: return "other";
  }
}

// Deterministic stand-in for the CSPRNG: 30 bytes counting up from `next`.
KeyGenerator counting_keys(std::uint8_t first = 0) {
  return [next = first]() mutable {
    SrtpMasterKey key{};
    for (auto& b : key) b = static_cast<std::byte>(next++);
    return key;
  };
}

LocalMedia local_setup(SrtpPolicy policy = SrtpPolicy::none, bool is_ipv6 = false) {
  LocalMedia local;
  local.address_type = is_ipv6 ? AddressType::ip6 : AddressType::ip4;
  local.address = is_ipv6 ? "2001:db8::10" : "192.0.2.10";
  local.port = 20000;
  local.session_id = "4000";
  local.session_version = 1;
  local.srtp = policy;
  return local;
}

struct GoldenCase {
  const char* name;
  SrtpPolicy policy = SrtpPolicy::none;
  bool is_ipv6 = false;
};

const GoldenCase kCases[] = {
    {"basic_pcmu_pcma_te"},
    {"pcma_preferred"},
    {"unsupported_codecs_first"},
    {"dynamic_te_pt_and_pcmu"},
    {"pcma_dynamic_pt"},
    {"no_telephone_event"},
    {"no_common_codec"},
    {"pcmu_at_16k_is_not_pcmu"},
    {"ptime_30_echoed"},
    {"hold_sendonly"},
    {"hold_inactive"},
    {"hold_null_address"},
    {"recvonly_offer"},
    {"session_level_sendonly"},
    {"media_direction_overrides_session"},
    {"rtcp_mux_and_rtcp_attribute"},
    {"ipv6", SrtpPolicy::none, true},
    {"media_level_connection"},
    {"video_rejected_audio_accepted"},
    {"second_audio_rejected"},
    {"disabled_audio_only"},
    {"dtls_srtp_only", SrtpPolicy::optional},
    {"srtp_32_preferred", SrtpPolicy::optional},
    {"srtp_unknown_suite_first", SrtpPolicy::required},
    {"srtp_session_params_skipped", SrtpPolicy::required},
    {"srtp_no_supported_suite", SrtpPolicy::optional},
    {"srtp_short_key", SrtpPolicy::optional},
    {"srtp_offered_policy_none", SrtpPolicy::none},
    {"plain_offered_policy_required", SrtpPolicy::required},
    {"best_effort_crypto_in_avp", SrtpPolicy::optional},
    {"best_effort_crypto_policy_none", SrtpPolicy::none},
    {"malformed_line"},
    {"malformed_version"},
    {"malformed_origin"},
    {"malformed_connection"},
    {"missing_connection"},
    {"malformed_media_port"},
    {"malformed_media_no_formats"},
    {"malformed_rtpmap"},
    {"malformed_ptime"},
    {"malformed_crypto", SrtpPolicy::optional},
    {"malformed_timing"},
    {"lenient_lf_unknown_lines"},
};

class OfferAnswerGolden : public testing::TestWithParam<GoldenCase> {};

TEST_P(OfferAnswerGolden, AnswerMatchesGoldenFile) {
  const GoldenCase& c = GetParam();
  const auto dir = data_dir();
  const auto offer_text = read_file(dir / (std::string(c.name) + ".offer.sdp"));
  ASSERT_TRUE(offer_text) << "missing offer for " << c.name;

  std::string actual;
  bool is_error = true;
  auto offer = SessionDescription::parse(*offer_text);
  if (!offer) {
    actual = errc_name(offer.error());
  } else {
    auto result = answer_offer(*offer, local_setup(c.policy, c.is_ipv6), counting_keys());
    if (!result) {
      actual = errc_name(result.error());
    } else {
      actual = result->answer.to_string();
      is_error = false;
      // Every answer we write parses back to the same text.
      auto reparsed = SessionDescription::parse(actual);
      ASSERT_TRUE(reparsed) << reparsed.error().message();
      EXPECT_EQ(reparsed->to_string(), actual);
      // RFC 3264 6: as many m-lines as the offer, in the same order.
      ASSERT_EQ(result->answer.media.size(), offer->media.size());
      for (std::size_t i = 0; i < offer->media.size(); ++i)
        EXPECT_EQ(result->answer.media[i].media, offer->media[i].media);
    }
  }
  const auto answer_path = dir / (std::string(c.name) + ".answer.sdp");
  const auto error_path = dir / (std::string(c.name) + ".error");
  if (std::getenv("SB_UPDATE_GOLDEN") != nullptr) {
    std::filesystem::remove(answer_path);
    std::filesystem::remove(error_path);
    write_file(is_error ? error_path : answer_path, is_error ? actual + "\n" : actual);
    return;
  }
  if (const auto expected_error = read_file(error_path)) {
    EXPECT_EQ(actual + "\n", *expected_error) << c.name;
  } else {
    const auto expected = read_file(answer_path);
    ASSERT_TRUE(expected) << "no " << answer_path << " or .error; got:\n" << actual;
    EXPECT_EQ(actual, *expected) << c.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, OfferAnswerGolden, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<GoldenCase>& info) { return std::string(info.param.name); });

Result<AnswerResult> answer_file(const char* name, SrtpPolicy policy = SrtpPolicy::none,
                                 Direction local_direction = Direction::send_recv) {
  const auto text = read_file(data_dir() / (std::string(name) + ".offer.sdp"));
  auto offer = SessionDescription::parse(text.value_or(""));
  if (!offer) return offer.error();
  auto local = local_setup(policy);
  local.direction = local_direction;
  return answer_offer(*offer, local, counting_keys());
}

TEST(OfferAnswer, NegotiatedMediaDescribesTheRemoteEndpointAndCodec) {
  auto result = answer_file("basic_pcmu_pcma_te");
  ASSERT_TRUE(result);
  const NegotiatedMedia& m = result->media;
  EXPECT_EQ(m.codec, G711Law::ulaw);
  EXPECT_EQ(m.payload_type, 0);
  EXPECT_EQ(m.telephone_event_payload_type, 101);
  EXPECT_EQ(m.ptime, 20u);
  EXPECT_EQ(m.direction, Direction::send_recv);
  EXPECT_EQ(m.remote_address, "198.51.100.7");
  EXPECT_EQ(m.remote_port, 49170);
  EXPECT_EQ(m.remote_rtcp_port, 49171);
  EXPECT_FALSE(m.is_rtcp_mux);
  EXPECT_FALSE(m.is_remote_hold);
  EXPECT_FALSE(m.srtp);
}

TEST(OfferAnswer, HoldAndResume) {
  for (const char* hold : {"hold_sendonly", "hold_inactive", "hold_null_address"}) {
    auto held = answer_file(hold);
    ASSERT_TRUE(held) << hold;
    EXPECT_TRUE(held->media.is_remote_hold) << hold;
    EXPECT_FALSE(is_sending(held->media.direction)) << hold;
  }
  auto resumed = answer_file("basic_pcmu_pcma_te");
  ASSERT_TRUE(resumed);
  EXPECT_FALSE(resumed->media.is_remote_hold);
  EXPECT_EQ(resumed->media.direction, Direction::send_recv);
  // We hold the peer: our sendonly meets their sendrecv.
  auto holding = answer_file("basic_pcmu_pcma_te", SrtpPolicy::none, Direction::send_only);
  ASSERT_TRUE(holding);
  EXPECT_EQ(holding->answer.media[0].direction, Direction::send_only);
  EXPECT_EQ(holding->media.direction, Direction::send_only);
}

TEST(OfferAnswer, RtcpMuxAndRtcpAttributeSetTheRtcpEndpoint) {
  auto muxed = answer_file("rtcp_mux_and_rtcp_attribute");
  ASSERT_TRUE(muxed);
  EXPECT_TRUE(muxed->media.is_rtcp_mux);
  EXPECT_EQ(muxed->media.remote_rtcp_port, 40000);
  EXPECT_EQ(muxed->media.remote_rtcp_address, "198.51.100.7");
  // Without rtcp-mux the a=rtcp port and address apply (RFC 3605).
  auto text = read_file(data_dir() / "rtcp_mux_and_rtcp_attribute.offer.sdp").value();
  text.erase(text.find("a=rtcp-mux\r\n"), 12);
  auto offer = SessionDescription::parse(text);
  ASSERT_TRUE(offer);
  auto plain = answer_offer(*offer, local_setup(), counting_keys());
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->media.is_rtcp_mux);
  EXPECT_EQ(plain->media.remote_rtcp_port, 40001);
  EXPECT_EQ(plain->media.remote_rtcp_address, "198.51.100.8");
  EXPECT_FALSE(plain->answer.media[0].has_rtcp_mux);
}

TEST(OfferAnswer, SrtpAnswerCarriesBothKeysAndTheOfferersTag) {
  auto result = answer_file("srtp_32_preferred", SrtpPolicy::optional);
  ASSERT_TRUE(result);
  ASSERT_TRUE(result->media.srtp);
  const SrtpParameters& srtp = *result->media.srtp;
  EXPECT_EQ(srtp.suite, CryptoSuite::aes_cm_128_hmac_sha1_32);
  EXPECT_EQ(srtp.tag, 1u);
  EXPECT_EQ(srtp.local_key, counting_keys()());
  EXPECT_EQ(srtp.remote_mki, 1u);
  EXPECT_EQ(srtp.remote_mki_length, 4);
  EXPECT_EQ(srtp.remote_lifetime, 1u << 20);
  // RFC 4568's example key "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz" is "YS__semctl () {\t220;}\n}\nunles".
  EXPECT_EQ(std::to_integer<char>(srtp.remote_key[0]), 'Y');
  EXPECT_EQ(std::to_integer<char>(srtp.remote_key[29]), 's');
}

TEST(OfferAnswer, ErrorsMapTo488AndParseErrorsTo400) {
  EXPECT_EQ(sip_status(answer_file("no_common_codec").error()), 488);
  EXPECT_EQ(sip_status(answer_file("srtp_offered_policy_none").error()), 488);
  EXPECT_EQ(sip_status(answer_file("malformed_rtpmap").error()), 400);
  EXPECT_EQ(sip_status(std::make_error_code(std::errc::io_error)), 500);
}

TEST(OfferAnswer, OfferGoldenPlainAndSecure) {
  struct Case {
    const char* file;
    SrtpPolicy policy;
  };
  for (const Case& c : {Case{"local_offer_plain", SrtpPolicy::none}, Case{"local_offer_srtp_required", SrtpPolicy::required},
                        Case{"local_offer_srtp_optional", SrtpPolicy::optional}}) {
    const auto actual = make_offer(local_setup(c.policy), counting_keys(100)).to_string();
    const auto path = data_dir() / (std::string(c.file) + ".sdp");
    if (std::getenv("SB_UPDATE_GOLDEN") != nullptr) write_file(path, actual);
    EXPECT_EQ(actual, read_file(path).value_or("<missing>")) << c.file;
  }
}

// The peer's side of our offer, as text, to run through process_answer.
SessionDescription peer_answer(const std::string& media_lines, const std::string& connection = "198.51.100.7") {
  auto sdp = SessionDescription::parse("v=0\r\no=- 7 7 IN IP4 " + connection + "\r\ns=-\r\nc=IN IP4 " + connection +
                                       "\r\nt=0 0\r\n" + media_lines);
  EXPECT_TRUE(sdp) << media_lines;
  return sdp ? *sdp : SessionDescription{};
}

TEST(OfferAnswer, ProcessAnswerPicksTheAnsweredCodecAndEvents) {
  const auto offer = make_offer(local_setup(), counting_keys());
  auto media = process_answer(offer, peer_answer("m=audio 30000 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=ptime:30\r\n"),
                              SrtpPolicy::none);
  ASSERT_TRUE(media) << media.error().message();
  EXPECT_EQ(media->codec, G711Law::alaw);
  EXPECT_EQ(media->payload_type, 8);
  EXPECT_EQ(media->telephone_event_payload_type, 101);
  EXPECT_EQ(media->ptime, 30u);
  EXPECT_EQ(media->remote_port, 30000);
  EXPECT_EQ(media->direction, Direction::send_recv);
  // Without an rtpmap in the answer, ours names the dynamic type.
  media = process_answer(offer, peer_answer("m=audio 30000 RTP/AVP 0 101\r\n"), SrtpPolicy::none);
  ASSERT_TRUE(media);
  EXPECT_EQ(media->telephone_event_payload_type, 101);
  EXPECT_EQ(media->ptime, 20u);
}

TEST(OfferAnswer, ProcessAnswerReadsDirectionAndHold) {
  const auto offer = make_offer(local_setup(), counting_keys());
  auto media = process_answer(offer, peer_answer("m=audio 30000 RTP/AVP 0\r\na=recvonly\r\n"), SrtpPolicy::none);
  ASSERT_TRUE(media);
  EXPECT_EQ(media->direction, Direction::send_only);
  media = process_answer(offer, peer_answer("m=audio 30000 RTP/AVP 0\r\n", "0.0.0.0"), SrtpPolicy::none);
  ASSERT_TRUE(media);
  EXPECT_EQ(media->direction, Direction::recv_only);
  EXPECT_TRUE(media->is_remote_hold);
}

TEST(OfferAnswer, ProcessAnswerRejectsWhatWeDidNotOffer) {
  const auto offer = make_offer(local_setup(), counting_keys());
  const auto mismatch = make_error_code(Errc::answer_mismatch);
  EXPECT_EQ(process_answer(offer, peer_answer("m=audio 30000 RTP/AVP 18\r\n"), SrtpPolicy::none).error(), mismatch);
  EXPECT_EQ(process_answer(offer, peer_answer("m=audio 30000 RTP/SAVP 0\r\n"), SrtpPolicy::none).error(), mismatch);
  EXPECT_EQ(process_answer(offer, peer_answer("m=audio 30000 RTP/AVP 0\r\nm=video 0 RTP/AVP 96\r\n"), SrtpPolicy::none)
                .error(),
            mismatch);
  EXPECT_EQ(process_answer(offer, peer_answer("m=audio 0 RTP/AVP 0\r\n"), SrtpPolicy::none).error(),
            make_error_code(Errc::no_audio_stream));
  EXPECT_EQ(process_answer(offer, peer_answer("m=audio 30000 RTP/AVP 101\r\n"), SrtpPolicy::none).error(),
            make_error_code(Errc::no_common_codec));
}

TEST(OfferAnswer, ProcessAnswerNegotiatesSrtp) {
  const auto offer = make_offer(local_setup(SrtpPolicy::required), counting_keys(100));
  const std::string key = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";
  auto media = process_answer(
      offer, peer_answer("m=audio 30000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + key + "\r\n"),
      SrtpPolicy::required);
  ASSERT_TRUE(media) << media.error().message();
  ASSERT_TRUE(media->srtp);
  EXPECT_EQ(media->srtp->suite, CryptoSuite::aes_cm_128_hmac_sha1_80);
  EXPECT_EQ(media->srtp->local_key, counting_keys(100)());
  EXPECT_EQ(std::to_integer<char>(media->srtp->remote_key[0]), 'Y');
  const auto mismatch = make_error_code(Errc::answer_mismatch);
  // Wrong tag, wrong suite, no crypto at all on RTP/SAVP.
  EXPECT_EQ(process_answer(offer, peer_answer("m=audio 30000 RTP/SAVP 0\r\na=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" + key + "\r\n"),
                           SrtpPolicy::required)
                .error(),
            mismatch);
  EXPECT_EQ(process_answer(offer, peer_answer("m=audio 30000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:" + key + "\r\n"),
                           SrtpPolicy::required)
                .error(),
            mismatch);
  EXPECT_EQ(process_answer(offer, peer_answer("m=audio 30000 RTP/SAVP 0\r\n"), SrtpPolicy::required).error(), mismatch);
  // Best-effort SRTP: a plain answer is fine when optional, refused when required.
  const auto optional_offer = make_offer(local_setup(SrtpPolicy::optional), counting_keys(100));
  auto plain = process_answer(optional_offer, peer_answer("m=audio 30000 RTP/AVP 0\r\n"), SrtpPolicy::optional);
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->srtp);
  EXPECT_EQ(process_answer(optional_offer, peer_answer("m=audio 30000 RTP/AVP 0\r\n"), SrtpPolicy::required).error(),
            make_error_code(Errc::srtp_required));
}

TEST(OfferAnswer, OurOfferAnsweredByOurselvesAgrees) {
  for (auto policy : {SrtpPolicy::none, SrtpPolicy::optional, SrtpPolicy::required}) {
    const auto offer = make_offer(local_setup(policy), counting_keys(0));
    auto reparsed = SessionDescription::parse(offer.to_string());
    ASSERT_TRUE(reparsed);
    auto peer = local_setup(policy);
    peer.address = "198.51.100.7";
    peer.port = 30000;
    auto answer = answer_offer(*reparsed, peer, counting_keys(50));
    ASSERT_TRUE(answer);
    auto ours = process_answer(offer, *SessionDescription::parse(answer->answer.to_string()), policy);
    ASSERT_TRUE(ours) << ours.error().message();
    EXPECT_EQ(ours->codec, G711Law::ulaw);
    EXPECT_EQ(ours->telephone_event_payload_type, 101);
    EXPECT_EQ(ours->remote_address, "198.51.100.7");
    EXPECT_EQ(ours->srtp.has_value(), policy != SrtpPolicy::none);
    if (ours->srtp) {
      EXPECT_EQ(ours->srtp->local_key, answer->media.srtp->remote_key);
      EXPECT_EQ(ours->srtp->remote_key, answer->media.srtp->local_key);
    }
  }
}

}  // namespace
}  // namespace sb::media
