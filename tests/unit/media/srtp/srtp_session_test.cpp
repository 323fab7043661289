#include "media/srtp/srtp_session.hpp"

#include "media/rtp/rtcp_packet.hpp"
#include "media/rtp/rtp_packet.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace sb::media {
namespace {

SrtpMasterKey key_of(std::uint8_t seed) {
  SrtpMasterKey key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::byte>(seed + i * 7);
  return key;
}

SrtpParameters parameters(CryptoSuite suite, std::uint8_t local, std::uint8_t remote) {
  SrtpParameters p;
  p.suite = suite;
  p.local_key = key_of(local);
  p.remote_key = key_of(remote);
  return p;
}

// A plain RTP packet in a buffer with room for the trailer.
struct Packet {
  std::array<std::byte, 1500 + kSrtpTrailerRoom> buffer{};
  std::size_t size = 0;
  std::span<std::byte> bytes() { return {buffer.data(), size}; }
};

Packet rtp_packet(std::uint16_t sequence, std::uint8_t fill = 0x55) {
  Packet packet;
  std::vector<std::byte> payload(160, static_cast<std::byte>(fill));
  auto size = write_rtp({.payload_type = 0, .sequence_number = sequence, .timestamp = sequence * 160u, .ssrc = Ssrc{0x1234}},
                        payload, packet.buffer);
  EXPECT_TRUE(size);
  packet.size = *size;
  return packet;
}

class SrtpSessionTest : public ::testing::TestWithParam<CryptoSuite> {};

TEST_P(SrtpSessionTest, RoundTripsRtpBetweenMirroredSessions) {
  auto alice = SrtpSession::create(parameters(GetParam(), 1, 2));
  auto bob = SrtpSession::create(parameters(GetParam(), 2, 1));
  ASSERT_TRUE(alice);
  ASSERT_TRUE(bob);
  for (std::uint16_t sequence = 65530; sequence != 10; ++sequence) {  // across the rollover
    Packet packet = rtp_packet(sequence);
    const std::vector<std::byte> plain(packet.buffer.begin(), packet.buffer.begin() + static_cast<std::ptrdiff_t>(packet.size));
    ASSERT_TRUE(alice->protect_rtp(packet.buffer, packet.size));
    EXPECT_EQ(packet.size, plain.size() + (GetParam() == CryptoSuite::aes_cm_128_hmac_sha1_80 ? 10u : 4u));
    EXPECT_NE(std::vector<std::byte>(packet.buffer.begin() + 12, packet.buffer.begin() + 172),
              std::vector<std::byte>(plain.begin() + 12, plain.end()));  // encrypted payload
    ASSERT_EQ(bob->unprotect_rtp(packet.buffer, packet.size), SrtpStatus::ok);
    EXPECT_EQ(std::vector<std::byte>(packet.buffer.begin(), packet.buffer.begin() + static_cast<std::ptrdiff_t>(packet.size)),
              plain);
  }
}

TEST_P(SrtpSessionTest, RejectsFlippedTagAndReplay) {
  auto alice = SrtpSession::create(parameters(GetParam(), 1, 2));
  auto bob = SrtpSession::create(parameters(GetParam(), 2, 1));
  ASSERT_TRUE(alice && bob);
  Packet packet = rtp_packet(100);
  ASSERT_TRUE(alice->protect_rtp(packet.buffer, packet.size));
  Packet tampered = packet;
  tampered.buffer[tampered.size - 1] ^= std::byte{0x01};
  EXPECT_EQ(bob->unprotect_rtp(tampered.buffer, tampered.size), SrtpStatus::auth_failure);
  Packet copy = packet;
  EXPECT_EQ(bob->unprotect_rtp(packet.buffer, packet.size), SrtpStatus::ok);
  EXPECT_EQ(bob->unprotect_rtp(copy.buffer, copy.size), SrtpStatus::replay);
}

TEST_P(SrtpSessionTest, RoundTripsRtcpWithThe80BitTag) {
  auto alice = SrtpSession::create(parameters(GetParam(), 1, 2));
  auto bob = SrtpSession::create(parameters(GetParam(), 2, 1));
  ASSERT_TRUE(alice && bob);
  RtcpReport report;
  report.ssrc = Ssrc{0x1234};
  Packet packet;
  auto size = write_rtcp_report(report, std::span(packet.buffer).first(256));
  ASSERT_TRUE(size);
  packet.size = *size;
  const std::vector<std::byte> plain(packet.buffer.begin(), packet.buffer.begin() + static_cast<std::ptrdiff_t>(packet.size));
  ASSERT_TRUE(alice->protect_rtcp(packet.buffer, packet.size));
  EXPECT_EQ(packet.size, plain.size() + 4 + 10);  // E flag + SRTCP index, then the _80 tag (RFC 3711 3.4)
  Packet copy = packet;
  ASSERT_EQ(bob->unprotect_rtcp(packet.buffer, packet.size), SrtpStatus::ok);
  EXPECT_EQ(std::vector<std::byte>(packet.buffer.begin(), packet.buffer.begin() + static_cast<std::ptrdiff_t>(packet.size)), plain);
  EXPECT_EQ(bob->unprotect_rtcp(copy.buffer, copy.size), SrtpStatus::replay);
}

INSTANTIATE_TEST_SUITE_P(Suites, SrtpSessionTest,
                         ::testing::Values(CryptoSuite::aes_cm_128_hmac_sha1_80, CryptoSuite::aes_cm_128_hmac_sha1_32));

TEST(SrtpSession, WrongKeyFailsAuthentication) {
  auto alice = SrtpSession::create(parameters(CryptoSuite::aes_cm_128_hmac_sha1_80, 1, 2));
  auto mallory = SrtpSession::create(parameters(CryptoSuite::aes_cm_128_hmac_sha1_80, 2, 9));
  ASSERT_TRUE(alice && mallory);
  Packet packet = rtp_packet(1);
  ASSERT_TRUE(alice->protect_rtp(packet.buffer, packet.size));
  EXPECT_EQ(mallory->unprotect_rtp(packet.buffer, packet.size), SrtpStatus::auth_failure);
}

TEST(SrtpSession, UnprotectsWithTheRemoteMki) {
  // The peer sends a 1-byte MKI (RFC 3711 3.1) after the payload: build its packets with a
  // session that has our keys swapped, then insert the MKI before the tag.
  auto peer = SrtpSession::create(parameters(CryptoSuite::aes_cm_128_hmac_sha1_80, 2, 1));
  SrtpParameters ours = parameters(CryptoSuite::aes_cm_128_hmac_sha1_80, 1, 2);
  ours.remote_mki = 7;
  ours.remote_mki_length = 1;
  auto session = SrtpSession::create(ours);
  ASSERT_TRUE(peer && session);
  EXPECT_TRUE(session->is_keyed_by(ours));
  EXPECT_FALSE(session->is_keyed_by(parameters(CryptoSuite::aes_cm_128_hmac_sha1_80, 1, 2)));
  Packet packet = rtp_packet(5);
  const std::size_t plain_size = packet.size;
  ASSERT_TRUE(peer->protect_rtp(packet.buffer, packet.size));
  // RFC 3711 3.1: the MKI sits between the encrypted portion and the tag; the tag covers neither it.
  std::array<std::byte, 10> tag{};
  std::copy_n(packet.buffer.begin() + static_cast<std::ptrdiff_t>(plain_size), 10, tag.begin());
  packet.buffer[plain_size] = std::byte{7};
  std::copy(tag.begin(), tag.end(), packet.buffer.begin() + static_cast<std::ptrdiff_t>(plain_size) + 1);
  packet.size += 1;
  ASSERT_EQ(session->unprotect_rtp(packet.buffer, packet.size), SrtpStatus::ok);
  EXPECT_EQ(packet.size, plain_size);
}

TEST(SrtpSession, RefusesProtectWithoutTrailerRoom) {
  auto alice = SrtpSession::create(parameters(CryptoSuite::aes_cm_128_hmac_sha1_80, 1, 2));
  ASSERT_TRUE(alice);
  Packet packet = rtp_packet(1);
  std::size_t size = packet.size;
  EXPECT_FALSE(alice->protect_rtp(std::span(packet.buffer).first(packet.size + 10), size));
  EXPECT_EQ(size, packet.size);
}

}  // namespace
}  // namespace sb::media
