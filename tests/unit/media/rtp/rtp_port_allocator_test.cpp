#include "media/rtp/udp_socket.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace sb::media {
namespace {

// Each test has a range of 4 pairs of its own (ctest runs them in parallel; other tests bind
// 31000-35999): 36100-36107 for the first, 36110-36117 for the second, and so on.

std::uint16_t rtp_port(const RtpPortAllocator::Pair& pair) { return pair.rtp.local_endpoint()->port(); }

TEST(RtpPortAllocator, HandsOutEvenOddPairsUntilTheRangeIsFull) {
  constexpr std::uint16_t kMin = 36100;
  constexpr std::uint16_t kMax = kMin + 7;
  RtpPortAllocator ports(kMin, kMax);
  std::vector<RtpPortAllocator::Pair> pairs;
  for (int i = 0; i < 4; ++i) {
    auto pair = ports.allocate("127.0.0.1");
    ASSERT_TRUE(pair) << pair.error().message();
    const auto port = rtp_port(*pair);
    EXPECT_EQ(port % 2, 0);
    EXPECT_GE(port, kMin);
    EXPECT_LE(port + 1, kMax);
    EXPECT_EQ(pair->rtcp.local_endpoint()->port(), port + 1);
    pairs.push_back(std::move(*pair));
  }
  EXPECT_EQ(ports.held(), 4u);
  auto none = ports.allocate("127.0.0.1");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error(), std::errc::resource_unavailable_try_again);
}

TEST(RtpPortAllocator, AReleasedPairComesBackOnceItsSocketsClose) {
  constexpr std::uint16_t kMin = 36110;
  constexpr std::uint16_t kMax = kMin + 7;
  RtpPortAllocator ports(kMin, kMax);
  std::vector<std::optional<RtpPortAllocator::Pair>> pairs;
  for (int i = 0; i < 4; ++i) pairs.emplace_back(std::move(*ports.allocate("127.0.0.1")));
  const auto freed = rtp_port(*pairs[2]);
  // Released while its sockets are still open (they close on a media thread): bind() refuses it.
  ports.release(freed);
  EXPECT_EQ(ports.held(), 3u);
  EXPECT_FALSE(ports.allocate("127.0.0.1"));
  pairs[2].reset();
  auto again = ports.allocate("127.0.0.1");
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(rtp_port(*again), freed);
  EXPECT_EQ(ports.held(), 4u);
}

TEST(RtpPortAllocator, SkipsPortsAnotherSocketHolds) {
  constexpr std::uint16_t kMin = 36120;
  constexpr std::uint16_t kMax = kMin + 7;
  auto squatter = UdpSocket::bind(*UdpEndpoint::parse("127.0.0.1", kMin));
  ASSERT_TRUE(squatter);
  RtpPortAllocator ports(kMin, kMax);
  std::vector<RtpPortAllocator::Pair> pairs;
  for (int i = 0; i < 3; ++i) {
    auto pair = ports.allocate("127.0.0.1");
    ASSERT_TRUE(pair);
    EXPECT_NE(rtp_port(*pair), kMin);
    pairs.push_back(std::move(*pair));
  }
  EXPECT_FALSE(ports.allocate("127.0.0.1"));
}

TEST(RtpPortAllocator, APairNeverReleasedIsRecoveredOnceItsSocketsAreGone) {
  constexpr std::uint16_t kMin = 36130;
  constexpr std::uint16_t kMax = kMin + 7;
  RtpPortAllocator ports(kMin, kMax);
  {
    std::vector<RtpPortAllocator::Pair> leaked;
    for (int i = 0; i < 4; ++i) leaked.push_back(std::move(*ports.allocate("127.0.0.1")));
  }  // closed without release()
  EXPECT_EQ(ports.held(), 4u);
  auto pair = ports.allocate("127.0.0.1");
  ASSERT_TRUE(pair) << pair.error().message();
  EXPECT_EQ(ports.held(), 4u);
}

TEST(RtpPortAllocator, IgnoresReleasesOutsideItsRange) {
  constexpr std::uint16_t kMin = 36140;
  constexpr std::uint16_t kMax = kMin + 7;
  RtpPortAllocator ports(kMin, kMax);
  auto pair = ports.allocate("127.0.0.1");
  ASSERT_TRUE(pair);
  ports.release(kMin - 2);
  ports.release(kMax + 1);
  ports.release(rtp_port(*pair) + 1);  // an RTCP port is not a pair
  EXPECT_EQ(ports.held(), 1u);
}

TEST(RtpPortAllocator, PreparedPairsAreHandedOutFirstAndReleasedForAnotherAddress) {
  constexpr std::uint16_t kMin = 36150;
  constexpr std::uint16_t kMax = kMin + 7;
  RtpPortAllocator ports(kMin, kMax);
  ports.prepare("127.0.0.1", 3);
  EXPECT_EQ(ports.prepared(), 3u);
  EXPECT_EQ(ports.held(), 3u);  // bound: nobody else gets them
  auto first = ports.allocate("127.0.0.1");
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(ports.prepared(), 2u);
  EXPECT_EQ(ports.held(), 3u);
  EXPECT_EQ(rtp_port(*first) % 2, 0);
  EXPECT_EQ(first->rtcp.local_endpoint()->port(), rtp_port(*first) + 1);
  // Only one pair is neither handed out nor prepared; a fourth allocation takes a prepared one.
  auto second = ports.allocate("127.0.0.1");
  auto third = ports.allocate("127.0.0.1");
  auto fourth = ports.allocate("127.0.0.1");
  ASSERT_TRUE(second && third && fourth);
  EXPECT_EQ(ports.prepared(), 0u);
  EXPECT_FALSE(ports.allocate("127.0.0.1"));
  // Ready pairs for another address are given back when preparing for this one.
  RtpPortAllocator other(kMin, kMax);
  second = {};
  other.prepare("127.0.0.2", 2);
  EXPECT_EQ(other.held(), 2u);
  other.prepare("127.0.0.1", 1);
  EXPECT_EQ(other.prepared(), 1u);
  EXPECT_EQ(other.held(), 1u);
}

}  // namespace
}  // namespace sb::media
