#include "media/sdp/crypto_attribute.hpp"

#include "media/error.hpp"

#include <gtest/gtest.h>

namespace sb::media {
namespace {

TEST(CryptoAttribute, ParsesRfc4568Example) {
  // RFC 4568 4.
  auto crypto = parse_crypto_attribute(
      "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4");
  ASSERT_TRUE(crypto);
  EXPECT_EQ(crypto->tag, 1u);
  EXPECT_EQ(crypto->suite, "AES_CM_128_HMAC_SHA1_80");
  ASSERT_EQ(crypto->keys.size(), 1u);
  EXPECT_EQ(crypto->keys[0].key_salt, "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR");
  EXPECT_EQ(crypto->keys[0].lifetime, 1u << 20);
  EXPECT_EQ(crypto->keys[0].mki, 1u);
  EXPECT_EQ(crypto->keys[0].mki_length, 4);
  EXPECT_TRUE(crypto->session_params.empty());
}

TEST(CryptoAttribute, ParsesSeveralKeysAndSessionParams) {
  auto crypto = parse_crypto_attribute(
      "22 AES_CM_128_HMAC_SHA1_32 inline:AAAA|1048576;inline:BBBB|2:1 KDR=1 UNENCRYPTED_SRTCP");
  ASSERT_TRUE(crypto);
  EXPECT_EQ(crypto->tag, 22u);
  ASSERT_EQ(crypto->keys.size(), 2u);
  EXPECT_EQ(crypto->keys[0].lifetime, 1048576u);
  EXPECT_FALSE(crypto->keys[0].mki);
  EXPECT_FALSE(crypto->keys[1].lifetime);
  EXPECT_EQ(crypto->keys[1].mki, 2u);
  EXPECT_EQ(crypto->session_params, (std::vector<std::string>{"KDR=1", "UNENCRYPTED_SRTCP"}));
}

TEST(CryptoAttribute, FormatRoundTrips) {
  for (const char* text : {"1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4",
                           "2 AES_CM_128_HMAC_SHA1_32 inline:AAAA",
                           "3 AES_CM_128_HMAC_SHA1_80 inline:AAAA|1000;inline:BBBB|2:1 KDR=1"}) {
    auto crypto = parse_crypto_attribute(text);
    ASSERT_TRUE(crypto) << text;
    EXPECT_EQ(format_crypto_attribute(*crypto), text);
  }
}

TEST(CryptoAttribute, RejectsMalformedValues) {
  for (const char* text : {"", "1", "1 AES_CM_128_HMAC_SHA1_80", "x AES_CM_128_HMAC_SHA1_80 inline:AAAA",
                           "1234567890 AES_CM_128_HMAC_SHA1_80 inline:AAAA",
                           "1 AES_CM_128_HMAC_SHA1_80 uri:http://example.com/key",
                           "1 AES_CM_128_HMAC_SHA1_80 inline:", "1 AES_CM_128_HMAC_SHA1_80 inline:AA*A",
                           "1 AES_CM_128_HMAC_SHA1_80 inline:AAAA|2^x", "1 AES_CM_128_HMAC_SHA1_80 inline:AAAA|1:0",
                           "1 AES_CM_128_HMAC_SHA1_80 inline:AAAA|1:4|2^20",
                           "1 AES_CM_128_HMAC_SHA1_80 inline:AAAA;"}) {
    auto crypto = parse_crypto_attribute(text);
    ASSERT_FALSE(crypto) << text;
    EXPECT_EQ(crypto.error(), make_error_code(Errc::sdp_bad_crypto)) << text;
  }
}

}  // namespace
}  // namespace sb::media
