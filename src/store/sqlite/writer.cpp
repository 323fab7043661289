#include "store/sqlite/writer.hpp"

#include "core/log.hpp"

#include <pthread.h>
#include <sched.h>

#include <cstring>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sb::store::sqlite {

Writer::Writer(std::unique_ptr<Connection> connection, Poster post_to_loop, Poster defer_wake,
               std::chrono::microseconds commit_delay)
    : connection_(std::move(connection)),
      post_(std::move(post_to_loop)),
      defer_wake_(std::move(defer_wake)),
      commit_delay_(commit_delay) {
  thread_ = std::thread([this] { run(); });
}

Writer::~Writer() { close(); }

void Writer::submit(Job job, Done done, std::string row_key) {
  bool must_post_wake = false;
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back({std::move(job), std::move(done), std::move(row_key)});
      if (!defer_wake_) {
        wake_.notify_one();
        return;
      }
      if (is_wake_posted_) return;
      is_wake_posted_ = true;
      must_post_wake = true;
    }
  }
  if (must_post_wake) {
    // Waking the writer costs a system call here and a context switch there; the rest of this
    // pass's writes ride on the same wake, and most often on the same commit.
    defer_wake_([this, alive = std::weak_ptr<void>(alive_)] {
      if (alive.lock()) wake_from_loop();
    });
    return;
  }
  // Refused: the writer has stopped.
  if (done) post_([done = std::move(done)] { done(std::make_error_code(std::errc::operation_canceled)); });
}

void Writer::wake_from_loop() {
  std::lock_guard lock(mutex_);
  is_wake_posted_ = false;
  // A writer that finished a batch in the meantime may have taken the jobs already.
  if (!queue_.empty()) wake_.notify_one();
}

void Writer::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

bool Writer::is_idle() {
  std::lock_guard lock(mutex_);
  return !stopping_ && queue_.empty() && !is_committing_;
}

bool Writer::is_stopped() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void Writer::close() {
  stop();
  connection_.reset();
}

void Writer::run() {
  // Throughput, not latency: SCHED_BATCH keeps the writer from preempting the signalling loop
  // each time the loop wakes it with a job (the loop would otherwise wait for a CPU mid-call).
  // Best effort: without it the writer only competes as any other thread does.
  sched_param param{};
  param.sched_priority = 0;
  if (int e = pthread_setschedparam(pthread_self(), SCHED_BATCH, &param); e != 0) {
    spdlog::debug("store: writer thread stays in the default scheduling class ({})", std::strerror(e));
  }
  pthread_setname_np(pthread_self(), "sb-store");  // top -H, perf, the benchmarks' per-thread CPU
  for (;;) {
    std::deque<Entry> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to write
      if (commit_delay_.count() > 0 && !stopping_) {
        // Submits meanwhile only queue (nobody waits on wake_), so this costs one timer wake.
        lock.unlock();
        std::this_thread::sleep_for(commit_delay_);
        lock.lock();
      }
      batch.swap(queue_);
      is_committing_ = true;
    }
    auto completions = commit_batch(batch);
    {
      std::lock_guard lock(mutex_);
      is_committing_ = false;  // before the completions run: a barrier made in one sees idle
    }
    // One hand-off to the loop per batch, not per job: each post wakes the loop, and the
    // completions run there in submission order anyway.
    if (completions.empty()) continue;
    post_([completions = std::move(completions)]() mutable {
      for (auto& [done, ec] : completions) done(ec);
    });
  }
}

std::vector<std::pair<Writer::Done, std::error_code>> Writer::commit_batch(std::deque<Entry>& batch) {
  // A job that writes a whole row makes the earlier jobs of this batch writing the same row moot:
  // only the newest state is written, and their completions report its result (they fire after
  // the same commit). runs_as[i] is the job whose result job i reports, i itself if it runs.
  // Barriers (empty jobs) run nothing and report success.
  std::vector<std::size_t> runs_as(batch.size());
  std::size_t running = batch.size();
  {
    std::unordered_map<std::string_view, std::size_t> newest;
    for (std::size_t i = batch.size(); i-- > 0;) {
      runs_as[i] = i;
      if (!batch[i].job) --running;
      if (!batch[i].job || batch[i].row_key.empty() || batch.size() == 1) continue;
      const auto [it, is_newest] = newest.try_emplace(batch[i].row_key, i);
      if (!is_newest) {
        runs_as[i] = it->second;
        --running;
      }
    }
  }
  // Transaction control goes through the connection's statement cache: these run for every job,
  // and compiling them each time cost more than the small writes themselves. A lone job needs no
  // savepoint: its failure rolls the whole transaction back.
  auto run = [this](std::string_view sql) { return connection_->prepare(sql).run(); };
  const bool is_single = running == 1;
  std::vector<std::error_code> results(batch.size());
  // A batch of barriers only opens no transaction.
  std::error_code batch_error;
  if (running > 0) batch_error = run("BEGIN IMMEDIATE");
  if (running > 0 && !batch_error) {
    std::size_t last_run = 0;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (runs_as[i] != i || !batch[i].job) continue;
      last_run = i;
      if (!is_single) run("SAVEPOINT job");
      std::error_code ec;
      try {
        ec = batch[i].job(*connection_);
      } catch (const std::exception& e) {
        spdlog::error("store: write failed: {}", e.what());
        ec = std::make_error_code(std::errc::io_error);
      }
      if (!is_single) {
        if (ec) run("ROLLBACK TO job");
        run("RELEASE job");
      }
      results[i] = ec;
    }
    if (is_single && results[last_run]) {
      run("ROLLBACK");
    } else {
      batch_error = run("COMMIT");
      if (batch_error) {
        spdlog::error("store: commit failed: {}", batch_error.message());
        run("ROLLBACK");
      }
    }
  } else if (batch_error) {
    spdlog::error("store: cannot begin a transaction: {}", batch_error.message());
  }
  for (std::size_t i = 0; i < batch.size(); ++i) results[i] = results[runs_as[i]];
  std::vector<std::pair<Done, std::error_code>> completions;
  completions.reserve(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!batch[i].done) continue;
    completions.emplace_back(std::move(batch[i].done), batch_error ? batch_error : results[i]);
  }
  return completions;
}

}  // namespace sb::store::sqlite
