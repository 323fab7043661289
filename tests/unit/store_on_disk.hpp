#pragma once
// A real SQLite store in a fresh directory of its own, for unit tests above the store (API, calls).
// The store's completions are queued here, and the test runs them on its own thread, standing in
// for the signalling loop.

#include "store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>

namespace sb::test {

class StoreOnDisk {
 public:
  // `prefix` names the directory, with the process and the current test.
  explicit StoreOnDisk(const std::string& prefix)
      : dir_(std::filesystem::temp_directory_path() /
             (prefix + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = store::sqlite::open_store(dir_ / "test.db", [this](std::function<void()> f) {
      std::lock_guard lock(mutex_);
      posted_.push_back(std::move(f));
      ready_.notify_all();
    });
  }
  StoreOnDisk(const StoreOnDisk&) = delete;
  StoreOnDisk& operator=(const StoreOnDisk&) = delete;
  ~StoreOnDisk() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  store::Store& store() { return *store_; }
  store::Store* operator->() { return store_.get(); }

  // Runs the queued completions until `done()` holds; fails the test after 10 s.
  void run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done()) {
      std::function<void()> f;
      {
        std::unique_lock lock(mutex_);
        if (!ready_.wait_until(lock, deadline, [&] { return !posted_.empty(); })) {
          ADD_FAILURE() << "no completion within 10 s";
          return;
        }
        f = std::move(posted_.front());
        posted_.pop_front();
      }
      f();
    }
  }

  // Submits one write (`write(done)`), then runs completions until its own has run: the writer
  // commits in order, so every write queued before it is committed too. Expects success.
  template <class Write>
  void commit(Write write) {
    bool is_done = false;
    std::error_code result;
    write([&](std::error_code ec) {
      result = ec;
      is_done = true;
    });
    run_until([&] { return is_done; });
    EXPECT_FALSE(result) << result.message();
  }

 private:
  std::filesystem::path dir_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> posted_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace sb::test
