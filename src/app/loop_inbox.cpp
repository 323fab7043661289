#include "app/loop_inbox.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>
#include <utility>

namespace sb::app {
namespace {

int make_eventfd() {
  const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  return fd;
}

void free_list(auto* node) {
  while (node != nullptr) delete std::exchange(node, node->next);
}

}  // namespace

LoopInbox::LoopInbox(boost::asio::io_context& loop) : eventfd_(loop, make_eventfd()) { watch(); }

LoopInbox::~LoopInbox() { free_list(head_.exchange(nullptr, std::memory_order_acquire)); }

void LoopInbox::post(std::function<void()> f) {
  auto* node = new Node{std::move(f), head_.load(std::memory_order_relaxed)};
  while (!head_.compare_exchange_weak(node->next, node, std::memory_order_release, std::memory_order_relaxed)) {
  }
  if (node->next != nullptr) return;  // the loop has been told already and has not taken the list yet
  const std::uint64_t one = 1;
  // The counter cannot overflow (the loop resets it at each wake-up); EAGAIN would mean it is
  // already non-zero, which wakes the loop all the same.
  [[maybe_unused]] const auto written = ::write(eventfd_.native_handle(), &one, sizeof one);
}

void LoopInbox::watch() {
  eventfd_.async_wait(boost::asio::posix::descriptor_base::wait_read, [this](const boost::system::error_code& ec) {
    if (ec) return;  // closed: the loop is going away
    run_waiting();
    watch();
  });
}

void LoopInbox::run_waiting() {
  std::uint64_t count = 0;
  [[maybe_unused]] const auto read = ::read(eventfd_.native_handle(), &count, sizeof count);
  // Reset before taking the list: a post after the exchange below finds it empty and writes again.
  Node* newest = head_.exchange(nullptr, std::memory_order_acquire);
  Node* oldest = nullptr;
  while (newest != nullptr) oldest = std::exchange(newest, std::exchange(newest->next, oldest));
  struct Remaining {
    Node* node;
    ~Remaining() { free_list(node); }  // only if a function threw
  } remaining{oldest};
  while (remaining.node != nullptr) {
    Node* node = std::exchange(remaining.node, remaining.node->next);
    auto f = std::move(node->f);
    delete node;
    f();
  }
}

}  // namespace sb::app
