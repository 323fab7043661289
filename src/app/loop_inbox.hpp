#pragma once
// Functions handed from other threads (the store writer, the media threads) to the signalling
// loop, without a lock shared with the loop.
//
// asio::post() from another thread takes the io_context's mutex. With the loop under SCHED_RR
// (realtime_priority), a poster preempted by another process while it holds that mutex stalls the
// loop for the rest of that process's time slice: a priority inversion, measured as ms-long
// outliers in call set-up on a busy machine. Here a poster pushes onto a lock-free list and writes
// an eventfd only when the list was empty; the loop takes the whole list at once and runs it in
// posting order.

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <atomic>
#include <functional>

namespace sb::app {

class LoopInbox {
 public:
  // Starts watching on `loop`; call from the loop's thread (before it runs, or on it).
  explicit LoopInbox(boost::asio::io_context& loop);
  LoopInbox(const LoopInbox&) = delete;
  LoopInbox& operator=(const LoopInbox&) = delete;
  // Functions still waiting are dropped without running (as the io_context drops its handlers).
  ~LoopInbox();

  // Any thread: `f` runs on the loop, after everything this thread posted before it.
  void post(std::function<void()> f);

 private:
  struct Node {
    std::function<void()> f;
    Node* next = nullptr;
  };
  void watch();
  void run_waiting();

  std::atomic<Node*> head_{nullptr};  // newest first
  boost::asio::posix::stream_descriptor eventfd_;
};

}  // namespace sb::app
