#pragma once
// The store writer: one thread with its own connection runs every write, committing whatever has
// queued up in one transaction (group commit) with a savepoint per job, so one failed job does
// not undo the others. Completions are posted back to the signalling loop.

#include "store/sqlite/connection.hpp"

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace sb::store::sqlite {

// Hands a function to the signalling loop (app/ wires it to asio::post).
using Poster = std::function<void(std::function<void()>)>;

class Writer {
 public:
  using Job = std::function<std::error_code(Connection&)>;
  using Done = std::function<void(std::error_code)>;

  Writer(std::unique_ptr<Connection> connection, Poster post_to_loop);
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer();

  // Any thread. After stop(), the job is refused and `done` gets operation_canceled.
  void submit(Job job, Done done);
  // Runs every queued job, then joins the thread. Idempotent.
  void stop();
  // True after stop(): submit() refuses every job (and the store's read connection may be closed).
  bool is_stopped();
  // stop(), then closes the connection (after the other connections, so SQLite checkpoints the
  // write-ahead log and removes it). Idempotent.
  void close();

 private:
  struct Entry {
    Job job;
    Done done;
  };
  void run();
  void commit_batch(std::deque<Entry>& batch);

  std::unique_ptr<Connection> connection_;
  Poster post_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Entry> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sb::store::sqlite
