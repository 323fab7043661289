#include "twiml/url.hpp"

#include <gtest/gtest.h>

namespace sb::twiml {
namespace {

TEST(ResolveUrl, ResolvesRelativePathsAgainstTheDocumentUrl) {
  const std::string base = "https://app.example.com/voice/incoming.xml?from=pbx";
  EXPECT_EQ(resolve_url(base, "next"), "https://app.example.com/voice/next");
  EXPECT_EQ(resolve_url(base, "./next?step=2"), "https://app.example.com/voice/next?step=2");
  EXPECT_EQ(resolve_url(base, "../handle_post_dial"), "https://app.example.com/handle_post_dial");
  EXPECT_EQ(resolve_url(base, "/handle_screening_on_answer"), "https://app.example.com/handle_screening_on_answer");
  EXPECT_EQ(resolve_url(base, "?step=2"), "https://app.example.com/voice/incoming.xml?step=2");
  EXPECT_EQ(resolve_url(base, ""), base);
  EXPECT_EQ(resolve_url(base, "#frag"), "https://app.example.com/voice/incoming.xml?from=pbx#frag");
  EXPECT_EQ(resolve_url(base, "//other.example/x"), "https://other.example/x");
}

TEST(ResolveUrl, KeepsAbsoluteReferences) {
  EXPECT_EQ(resolve_url("https://a.example/x", "http://b.example/y/./z/../w"), "http://b.example/y/w");
}

TEST(ResolveUrl, FollowsRfc3986NormalExamples) {
  // RFC 3986 5.4.1.
  const std::string base = "http://a/b/c/d;p?q";
  EXPECT_EQ(resolve_url(base, "g"), "http://a/b/c/g");
  EXPECT_EQ(resolve_url(base, "./g"), "http://a/b/c/g");
  EXPECT_EQ(resolve_url(base, "g/"), "http://a/b/c/g/");
  EXPECT_EQ(resolve_url(base, "/g"), "http://a/g");
  EXPECT_EQ(resolve_url(base, "//g"), "http://g");
  EXPECT_EQ(resolve_url(base, "?y"), "http://a/b/c/d;p?y");
  EXPECT_EQ(resolve_url(base, "g?y"), "http://a/b/c/g?y");
  EXPECT_EQ(resolve_url(base, "#s"), "http://a/b/c/d;p?q#s");
  EXPECT_EQ(resolve_url(base, ";x"), "http://a/b/c/;x");
  EXPECT_EQ(resolve_url(base, "."), "http://a/b/c/");
  EXPECT_EQ(resolve_url(base, "./"), "http://a/b/c/");
  EXPECT_EQ(resolve_url(base, ".."), "http://a/b/");
  EXPECT_EQ(resolve_url(base, "../g"), "http://a/b/g");
  EXPECT_EQ(resolve_url(base, "../.."), "http://a/");
  EXPECT_EQ(resolve_url(base, "../../g"), "http://a/g");
  // 5.4.2 abnormal examples.
  EXPECT_EQ(resolve_url(base, "../../../g"), "http://a/g");
  EXPECT_EQ(resolve_url(base, "/./g"), "http://a/g");
  EXPECT_EQ(resolve_url(base, "g."), "http://a/b/c/g.");
  EXPECT_EQ(resolve_url(base, "./g/."), "http://a/b/c/g/");
  EXPECT_EQ(resolve_url(base, "g;x=1/../y"), "http://a/b/c/y");
}

TEST(ResolveUrl, ReturnsTheReferenceWhenTheBaseIsNotAbsolute) {
  EXPECT_EQ(resolve_url("/relative/base", "next"), "next");
  EXPECT_EQ(resolve_url("", "/x"), "/x");
}

TEST(ResolveUrl, HandlesBaseWithoutPath) {
  EXPECT_EQ(resolve_url("https://a.example", "next"), "https://a.example/next");
  EXPECT_EQ(resolve_url("https://a.example?x=1", ""), "https://a.example?x=1");
}

}  // namespace
}  // namespace sb::twiml
