#pragma once
// The store writer: one thread with its own connection runs every write, committing whatever has
// queued up in one transaction (group commit) with a savepoint per job, so one failed job does
// not undo the others. Completions are posted back to the signalling loop, after the commit.
//
// Two things make batches larger without delaying any commit beyond the loop's current pass:
// - with `defer_wake`, the writer is woken once per pass of the signalling loop (the wake is
//   posted behind the handlers already queued), not once per submit, so the writes one pass makes
//   commit together;
// - a job submitted with a `row_key` writes a whole row; an earlier job of the same batch with the
//   same key is superseded: it is not run, and its completion gets the superseding job's result.

#include "core/pi_mutex.hpp"
#include "store/sqlite/connection.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace sb::store::sqlite {

// Hands a function to the signalling loop (app/ wires it to asio::post).
using Poster = std::function<void(std::function<void()>)>;

class Writer {
 public:
  using Job = std::function<std::error_code(Connection&)>;
  using Done = std::function<void(std::error_code)>;

  // `defer_wake`, when set, posts to the signalling loop's queue (behind what is queued there):
  // submit() then wakes the writer through it, once per pass. Without it, every submit wakes the
  // writer directly.
  // `commit_delay` (zero: none): once woken, the writer waits this long before it takes the queue,
  // so the writes of the next passes join the same commit. Most of a commit's cost is per commit
  // (WAL frames, locks, a wake of the loop), so at low rates, when each pass brings one or two
  // writes, this trades that much latency of every completion for fewer commits.
  Writer(std::unique_ptr<Connection> connection, Poster post_to_loop, Poster defer_wake = {},
         std::chrono::microseconds commit_delay = {});
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer();

  // Any thread (with `defer_wake`, the job runs once the loop has run the posted wake, or at
  // stop()). After stop(), the job is refused and `done` gets operation_canceled. Completions run
  // on the loop in submission order, each after the commit of its job (or of the job that
  // superseded it). `row_key` (empty: none) names the one row the job writes in full, its SID,
  // unique across tables: a later job with the same key in the same batch makes this one moot.
  // An empty `job` writes nothing: `done` runs after the commit of every job submitted before it.
  void submit(Job job, Done done, std::string row_key = {});
  // Runs every queued job, then joins the thread. Idempotent.
  void stop();
  // True after stop(): submit() refuses every job (and the store's read connection may be closed).
  bool is_stopped();
  // True when every job submitted so far is committed (nothing queued, no batch being written)
  // and the writer still takes jobs.
  bool is_idle();
  // stop(), then closes the connection (after the other connections, so SQLite checkpoints the
  // write-ahead log and removes it). Idempotent.
  void close();

 private:
  struct Entry {
    Job job;
    Done done;
    std::string row_key;
  };
  void run();
  void wake_from_loop();
  // Commits the batch; returns the completions to hand to the loop.
  std::vector<std::pair<Done, std::error_code>> commit_batch(std::deque<Entry>& batch);

  std::unique_ptr<Connection> connection_;
  Poster post_;
  Poster defer_wake_;
  std::chrono::microseconds commit_delay_;
  // Shared with the signalling loop (submit), which may run under SCHED_RR: priority inheritance.
  PiMutex mutex_;
  std::condition_variable_any wake_;
  std::deque<Entry> queue_;
  bool stopping_ = false;
  bool is_wake_posted_ = false;  // with defer_wake_: a wake is queued on the loop
  bool is_committing_ = false;   // the writer thread holds a batch it has not committed yet
  // A posted wake checks this first: the loop may run it after the writer is gone (the writer
  // is destroyed on the loop's thread, or after the loop has stopped).
  std::shared_ptr<void> alive_ = std::make_shared<int>(0);
  std::thread thread_;
};

}  // namespace sb::store::sqlite
