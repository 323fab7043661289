#include "media/jitter/jitter_buffer.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sb::media {
namespace {

std::vector<std::int16_t> frame(std::int16_t value) { return std::vector<std::int16_t>(160, value); }

std::vector<std::uint32_t> pop_all(JitterBuffer& buffer, bool is_draining) {
  std::vector<std::uint32_t> timestamps;
  while (auto f = buffer.pop(is_draining)) timestamps.push_back(f->timestamp);
  return timestamps;
}

TEST(JitterBuffer, ReleasesInSequenceOrder) {
  JitterBuffer buffer(3);
  EXPECT_EQ(buffer.push(10, 0, frame(1)), JitterBuffer::Push::accepted);
  EXPECT_EQ(buffer.push(12, 320, frame(3)), JitterBuffer::Push::accepted);
  EXPECT_EQ(pop_all(buffer, false), (std::vector<std::uint32_t>{0}));  // 11 missing, only one waits
  EXPECT_EQ(buffer.push(11, 160, frame(2)), JitterBuffer::Push::accepted);
  EXPECT_EQ(pop_all(buffer, false), (std::vector<std::uint32_t>{160, 320}));
}

TEST(JitterBuffer, SkipsAGapOnceDepthPacketsWaitBehindIt) {
  JitterBuffer buffer(2);
  buffer.push(65535, 0, frame(1));
  EXPECT_EQ(pop_all(buffer, false).size(), 1u);
  buffer.push(1, 320, frame(3));  // 0 lost, across the wrap
  buffer.push(2, 480, frame(4));
  EXPECT_TRUE(pop_all(buffer, false).empty());
  buffer.push(3, 640, frame(5));
  EXPECT_EQ(pop_all(buffer, false), (std::vector<std::uint32_t>{320, 480, 640}));
  EXPECT_EQ(buffer.skipped_packets(), 1u);
  EXPECT_EQ(buffer.push(0, 160, frame(2)), JitterBuffer::Push::late);
  EXPECT_EQ(buffer.late_packets(), 1u);
}

TEST(JitterBuffer, DropsDuplicatesAndDrainsEverything) {
  JitterBuffer buffer(5);
  buffer.push(1, 0, frame(1));
  buffer.push(3, 320, frame(3));
  EXPECT_EQ(buffer.push(3, 320, frame(3)), JitterBuffer::Push::late);
  EXPECT_EQ(pop_all(buffer, false), (std::vector<std::uint32_t>{0}));
  EXPECT_EQ(pop_all(buffer, true), (std::vector<std::uint32_t>{320}));
}

TEST(JitterBuffer, OverflowAsksTheCallerToDrain) {
  JitterBuffer buffer(3);
  buffer.push(1, 0, frame(1));
  buffer.push(3, 320, frame(1));
  pop_all(buffer, false);
  EXPECT_EQ(buffer.push(100, 16000, frame(1)), JitterBuffer::Push::overflow);
  EXPECT_EQ(pop_all(buffer, true).size(), 1u);
  EXPECT_EQ(buffer.push(100, 16000, frame(1)), JitterBuffer::Push::accepted);
}

TEST(JitterBuffer, CutsOverlongFrames) {
  JitterBuffer buffer(0);
  std::vector<std::int16_t> huge(5000, 7);
  buffer.push(1, 0, huge);
  auto f = buffer.pop();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->samples.size(), JitterBuffer::kMaxFrameSamples);
}

}  // namespace
}  // namespace sb::media
