#include "app/loop_inbox.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace sb::app {
namespace {

TEST(LoopInbox, RunsEveryFunctionOnTheLoopInEachPostersOrder) {
  boost::asio::io_context loop(1);
  LoopInbox inbox(loop);
  constexpr int kThreads = 4;
  constexpr int kEach = 20000;
  std::vector<std::vector<int>> seen(kThreads);
  std::atomic<int> ran = 0;
  const auto loop_thread = std::this_thread::get_id();
  bool off_loop = false;
  std::vector<std::thread> posters;
  for (int t = 0; t < kThreads; ++t) {
    posters.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        inbox.post([&, t, i] {
          if (std::this_thread::get_id() != loop_thread) off_loop = true;
          seen[t].push_back(i);
          if (++ran == kThreads * kEach) loop.stop();
        });
      }
    });
  }
  boost::asio::steady_timer deadline(loop, std::chrono::seconds(20));
  deadline.async_wait([&](auto) { loop.stop(); });
  loop.run();
  for (auto& p : posters) p.join();
  EXPECT_EQ(ran.load(), kThreads * kEach);
  EXPECT_FALSE(off_loop);
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(seen[t].size(), static_cast<std::size_t>(kEach)) << "thread " << t;
    for (int i = 0; i < kEach; ++i) ASSERT_EQ(seen[t][i], i) << "thread " << t;
  }
}

TEST(LoopInbox, AFunctionPostedFromTheLoopRunsOnALaterWakeUp) {
  boost::asio::io_context loop(1);
  LoopInbox inbox(loop);
  std::vector<int> order;
  inbox.post([&] {
    order.push_back(1);
    inbox.post([&] {
      order.push_back(3);
      loop.stop();
    });
    order.push_back(2);
  });
  loop.run_for(std::chrono::seconds(5));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(LoopInbox, FunctionsLeftWhenItIsDestroyedAreDroppedNotRun) {
  boost::asio::io_context loop(1);
  auto counter = std::make_shared<int>(0);
  {
    LoopInbox inbox(loop);
    inbox.post([counter] { ++*counter; });
    EXPECT_EQ(counter.use_count(), 2);
  }
  EXPECT_EQ(counter.use_count(), 1);  // the function was freed
  EXPECT_EQ(*counter, 0);
}

}  // namespace
}  // namespace sb::app
