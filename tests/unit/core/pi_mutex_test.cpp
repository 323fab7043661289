#include "core/pi_mutex.hpp"

#include <gtest/gtest.h>

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

namespace sb {
namespace {

// Field 18 of /proc/<tid>/stat: 20 + nice for normal threads, -1 - rt_priority for realtime ones.
int kernel_priority(pid_t tid) {
  std::ifstream file("/proc/self/task/" + std::to_string(tid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  for (int i = 3; i <= 18; ++i) fields >> field;
  return std::stoi(field);
}

TEST(PiMutex, LocksAndExcludes) {
  PiMutex m;
  int counter = 0;
  std::thread other([&] {
    for (int i = 0; i < 100000; ++i) {
      std::lock_guard lock(m);
      ++counter;
    }
  });
  for (int i = 0; i < 100000; ++i) {
    std::lock_guard lock(m);
    ++counter;
  }
  other.join();
  EXPECT_EQ(counter, 200000);
  ASSERT_TRUE(m.try_lock());
  std::thread([&] { EXPECT_FALSE(m.try_lock()); }).join();
  m.unlock();
}

TEST(PiMutex, AHolderRunsAtThePriorityOfARealtimeWaiter) {
  PiMutex m;
  m.lock();  // held by this thread, at normal priority
  const pid_t holder = gettid();
  const int before = kernel_priority(holder);
  std::atomic<int> state = 0;  // 1: waiting under SCHED_RR, 2: no right to SCHED_RR here
  std::thread waiter([&] {
    sched_param param{};
    param.sched_priority = 10;
    if (pthread_setschedparam(pthread_self(), SCHED_RR, &param) != 0) {
      state = 2;
      return;
    }
    state = 1;
    std::lock_guard lock(m);
  });
  while (state == 0) std::this_thread::yield();
  int during = before;
  for (int i = 0; i < 200 && state == 1 && during == before; ++i) {  // until the waiter blocks
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    during = kernel_priority(holder);
  }
  m.unlock();
  waiter.join();
  if (state == 2) GTEST_SKIP() << "no permission for SCHED_RR here";
  EXPECT_EQ(before, 20);
  EXPECT_EQ(during, -11);  // boosted to the waiter's SCHED_RR 10
  EXPECT_EQ(kernel_priority(holder), 20);
}

}  // namespace
}  // namespace sb
