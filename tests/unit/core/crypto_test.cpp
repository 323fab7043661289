#include "core/crypto.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <set>
#include <string>

namespace sb::crypto {
namespace {

TEST(Crypto, Sha256MatchesFips180Vector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, Md5MatchesRfc1321Vector) { EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72"); }

TEST(Crypto, HmacSha1MatchesRfc2202Vector) {
  // RFC 2202 test case 2.
  EXPECT_EQ(base64_encode(hmac_sha1("Jefe", "what do ya want for nothing?")),
            base64_encode(std::string("\xef\xfc\xdf\x6a\xe5\xeb\x2f\xa2\xd2\x74\x16\xd5\xf1\x84\xdf\x9c"
                                      "\x25\x9a\x7c\x79", 20)));
}

TEST(Crypto, HmacSha1MatchesRfc2202LongKeyAndOpenSslOneShot) {
  // RFC 2202 test case 6: an 80-byte key (longer than the block: hashed first).
  EXPECT_EQ(base64_encode(hmac_sha1(std::string(80, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First")),
            base64_encode(std::string("\xaa\x4a\xe5\xe1\x52\x72\xd0\x0e\x95\x70\x56\x37\xce\x8a\x3b\x55"
                                      "\xed\x40\x21\x12", 20)));
  // Keys of every length around the block size, against OpenSSL's own HMAC.
  const std::string text = "https://example.com/voice?a=1CallSidCA123From+15550001111";
  for (std::size_t length : {0u, 1u, 32u, 63u, 64u, 65u, 200u}) {
    const std::string key(length, static_cast<char>('a' + length % 26));
    unsigned char expected[20];
    unsigned int size = 0;
    HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(text.data()),
         text.size(), expected, &size);
    EXPECT_EQ(hmac_sha1(key, text), std::string(reinterpret_cast<const char*>(expected), size)) << "key length " << length;
  }
}

TEST(Crypto, HmacSha256MatchesRfc4231VectorsAndOpenSsl) {
  auto hex = [](const unsigned char* p, std::size_t n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
      out += kDigits[p[i] >> 4];
      out += kDigits[p[i] & 0x0f];
    }
    return out;
  };
  unsigned char mac[32];
  // RFC 4231 test case 2 (a short key).
  HmacSha256 jefe("Jefe");
  jefe.sign("what do ya want for nothing?", mac);
  EXPECT_EQ(hex(mac, 32), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // The same key signs again (the keyed states are reused, not consumed).
  jefe.sign("what do ya want for nothing?", mac);
  EXPECT_EQ(hex(mac, 32), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // RFC 4231 test case 6: a 131-byte key (longer than the block: hashed first).
  HmacSha256 long_key(std::string(131, '\xaa'));
  long_key.sign("Test Using Larger Than Block-Size Key - Hash Key First", mac);
  EXPECT_EQ(hex(mac, 32), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(Crypto, Base64RoundTripsWithPadding) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    const auto encoded = base64_encode(s);
    const auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded) << encoded;
    EXPECT_EQ(*decoded, s);
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");  // RFC 4648 section 10
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
}

TEST(Crypto, Base64RejectsMalformedText) {
  EXPECT_FALSE(base64_decode("abc"));
  EXPECT_FALSE(base64_decode("ab!d"));
}

TEST(Crypto, RandomHexHasRequestedLengthAndDiffers) {
  const auto a = random_hex(16);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, random_hex(16));
}

TEST(Crypto, RandomHexNeverRepeatsAcrossRefills) {
  // Thousands of short draws cross several refills of the per-thread block; a block served
  // twice, or bytes handed out twice, would repeat values. Large draws bypass the block.
  std::set<std::string> seen;
  for (int i = 0; i < 3000; ++i) {
    auto v = random_hex(6);
    ASSERT_EQ(v.size(), 12u);
    ASSERT_TRUE(v.find_first_not_of("0123456789abcdef") == std::string::npos);
    ASSERT_TRUE(seen.insert(std::move(v)).second) << "repeated after " << i << " draws";
  }
  const auto big = random_hex(5000);
  EXPECT_EQ(big.size(), 10000u);
  EXPECT_NE(big.substr(0, 32), random_hex(5000).substr(0, 32));
}

TEST(Crypto, ConstantTimeEqualComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equal("secret", "secret"));
  EXPECT_FALSE(constant_time_equal("secret", "secreT"));
  EXPECT_FALSE(constant_time_equal("secret", "secrets"));
}

}  // namespace
}  // namespace sb::crypto
