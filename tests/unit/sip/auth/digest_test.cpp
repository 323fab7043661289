#include "sip/auth/digest.hpp"

#include <gtest/gtest.h>

#include "sip/auth/digest_server.hpp"

namespace sb::sip {
namespace {

TEST(Digest, Rfc2617Vector) {
  // RFC 2617 3.5.
  const auto ha1 = digest_ha1(DigestAlgorithm::Md5, "Mufasa", "testrealm@host.com", "Circle Of Life");
  EXPECT_EQ(digest_response(DigestAlgorithm::Md5, ha1, "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b",
                            "auth", "GET", "/dir/index.html"),
            "6629fae49393a05397450978507c4ef1");
}

TEST(Digest, Rfc7616Md5Vector) {
  // RFC 7616 3.9.1, MD5.
  const auto ha1 = digest_ha1(DigestAlgorithm::Md5, "Mufasa", "http-auth@example.org", "Circle of Life");
  EXPECT_EQ(digest_response(DigestAlgorithm::Md5, ha1, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", "00000001",
                            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", "auth", "GET", "/dir/index.html"),
            "8ca523f5e9506fed4657c9700eebdbec");
}

TEST(Digest, Rfc7616Sha256Vector) {
  // RFC 7616 3.9.1, SHA-256 (the algorithm RFC 8760 brings to SIP).
  const auto ha1 = digest_ha1(DigestAlgorithm::Sha256, "Mufasa", "http-auth@example.org", "Circle of Life");
  EXPECT_EQ(digest_response(DigestAlgorithm::Sha256, ha1, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", "00000001",
                            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", "auth", "GET", "/dir/index.html"),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

TEST(Digest, ParsesChallengeWithQopListAndStale) {
  auto c = parse_digest_challenge(
      R"(Digest realm="sip.example.com", nonce="abc", qop="auth,auth-int", algorithm=SHA-256, opaque="x", stale=TRUE)");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->realm, "sip.example.com");
  EXPECT_EQ(c->nonce, "abc");
  EXPECT_TRUE(c->has_qop_auth);
  EXPECT_TRUE(c->is_stale);
  EXPECT_EQ(c->algorithm, DigestAlgorithm::Sha256);
  EXPECT_FALSE(parse_digest_challenge(R"(Basic realm="x")"));
  EXPECT_FALSE(parse_digest_challenge(R"(Digest realm="x", nonce="n", algorithm=SHA-512-256)"));
}

TEST(Digest, ClientAnswerMatchesRfc7616Sha256Vector) {
  DigestChallenge c;
  c.realm = "http-auth@example.org";
  c.nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
  c.algorithm = DigestAlgorithm::Sha256;
  c.has_qop_auth = true;
  const auto value = make_digest_authorization(c, "Mufasa", "Circle of Life", "GET", "/dir/index.html", 1,
                                               "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");
  auto parsed = parse_digest_credentials(value);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->response, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  EXPECT_EQ(parsed->nc, "00000001");
  EXPECT_EQ(parsed->algorithm, "SHA-256");
}

class DigestServerTest : public ::testing::TestWithParam<DigestAlgorithm> {
 protected:
  DigestServer server{"sip.example.com", "secret-key", std::chrono::seconds(300)};
  DigestServer::Clock::time_point now = DigestServer::Clock::time_point(std::chrono::seconds(1700000000));
  DigestServer::PasswordLookup lookup = [](std::string_view user) -> std::optional<std::string> {
    if (user == "alice") return std::string("wonderland");
    return std::nullopt;
  };
  std::string answer(std::string_view challenge, std::string_view password, std::uint32_t nc = 1) {
    auto c = parse_digest_challenge(challenge);
    EXPECT_TRUE(c);
    return make_digest_authorization(*c, "alice", password, "INVITE", "sip:bob@example.com", nc);
  }
};

TEST_P(DigestServerTest, AcceptsTheRightPasswordOnce) {
  const auto challenge = server.challenge(GetParam(), false, now);
  const auto credentials = answer(challenge, "wonderland");
  EXPECT_EQ(server.verify(credentials, "INVITE", lookup, now), DigestVerdict::Accepted);
  // The same nonce-count again is a replay.
  EXPECT_EQ(server.verify(credentials, "INVITE", lookup, now), DigestVerdict::Replay);
  EXPECT_EQ(server.verify(answer(challenge, "wonderland", 2), "INVITE", lookup, now), DigestVerdict::Accepted);
}

TEST_P(DigestServerTest, RejectsWrongPasswordMethodAndUser) {
  const auto challenge = server.challenge(GetParam(), false, now);
  EXPECT_EQ(server.verify(answer(challenge, "guess"), "INVITE", lookup, now), DigestVerdict::WrongResponse);
  EXPECT_EQ(server.verify(answer(challenge, "wonderland"), "BYE", lookup, now), DigestVerdict::WrongResponse);
  auto c = parse_digest_challenge(challenge);
  EXPECT_EQ(server.verify(make_digest_authorization(*c, "mallory", "x", "INVITE", "sip:bob@example.com"), "INVITE",
                          lookup, now),
            DigestVerdict::UnknownUser);
}

TEST_P(DigestServerTest, StoredHa1sVerifyWithoutThePassword) {
  // A store keeping only HA1s, the user in two lists with different passwords: either matches.
  const auto algorithm = GetParam();
  DigestServer::Ha1Lookup ha1s = [&](std::string_view user, DigestAlgorithm a) -> std::vector<std::string> {
    if (user != "alice" || a != algorithm) return {};
    return {digest_ha1(a, "alice", "sip.example.com", "old-password"),
            digest_ha1(a, "alice", "sip.example.com", "wonderland")};
  };
  const auto challenge = server.challenge(algorithm, false, now);
  std::string username;
  EXPECT_EQ(server.verify_ha1(answer(challenge, "wonderland"), "INVITE", ha1s, now, &username), DigestVerdict::Accepted);
  EXPECT_EQ(username, "alice");
  EXPECT_EQ(server.verify_ha1(answer(challenge, "guess", 2), "INVITE", ha1s, now), DigestVerdict::WrongResponse);
  EXPECT_EQ(server.verify_ha1(answer(challenge, "old-password", 3), "INVITE", ha1s, now), DigestVerdict::Accepted);
}

TEST_P(DigestServerTest, ExpiredNonceIsStaleAndForgedNonceIsBad) {
  const auto challenge = server.challenge(GetParam(), false, now);
  EXPECT_EQ(server.verify(answer(challenge, "wonderland"), "INVITE", lookup, now + std::chrono::seconds(301)),
            DigestVerdict::Stale);
  auto c = parse_digest_challenge(challenge);
  c->nonce[0] = c->nonce[0] == 'f' ? 'e' : 'f';  // alter the time stamp
  EXPECT_EQ(server.verify(make_digest_authorization(*c, "alice", "wonderland", "INVITE", "sip:bob@example.com"),
                          "INVITE", lookup, now),
            DigestVerdict::BadNonce);
  EXPECT_NE(server.challenge(GetParam(), true, now).find("stale=true"), std::string::npos);
}

TEST_P(DigestServerTest, NonceOfAnotherSecretIsBad) {
  DigestServer other{"sip.example.com", "other-key"};
  const auto challenge = other.challenge(GetParam(), false, now);
  EXPECT_EQ(server.verify(answer(challenge, "wonderland"), "INVITE", lookup, now), DigestVerdict::BadNonce);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, DigestServerTest, ::testing::Values(DigestAlgorithm::Md5, DigestAlgorithm::Sha256));

}  // namespace
}  // namespace sb::sip
