#include "store/sqlite/writer.hpp"

#include "core/log.hpp"

#include <vector>

namespace sb::store::sqlite {

Writer::Writer(std::unique_ptr<Connection> connection, Poster post_to_loop)
    : connection_(std::move(connection)), post_(std::move(post_to_loop)) {
  thread_ = std::thread([this] { run(); });
}

Writer::~Writer() { close(); }

void Writer::submit(Job job, Done done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back({std::move(job), std::move(done)});
      wake_.notify_one();
      return;
    }
  }
  if (done) post_([done = std::move(done)] { done(std::make_error_code(std::errc::operation_canceled)); });
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

void Writer::close() {
  stop();
  connection_.reset();
}

void Writer::run() {
  for (;;) {
    std::deque<Entry> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to write
      batch.swap(queue_);
    }
    commit_batch(batch);
  }
}

void Writer::commit_batch(std::deque<Entry>& batch) {
  std::vector<std::error_code> results(batch.size());
  std::error_code batch_error = connection_->try_exec("BEGIN IMMEDIATE");
  if (!batch_error) {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      connection_->exec("SAVEPOINT job");
      std::error_code ec;
      try {
        ec = batch[i].job(*connection_);
      } catch (const std::exception& e) {
        spdlog::error("store: write failed: {}", e.what());
        ec = std::make_error_code(std::errc::io_error);
      }
      if (ec) connection_->exec("ROLLBACK TO job");
      connection_->exec("RELEASE job");
      results[i] = ec;
    }
    batch_error = connection_->try_exec("COMMIT");
    if (batch_error) {
      spdlog::error("store: commit failed: {}", batch_error.message());
      connection_->try_exec("ROLLBACK");
    }
  } else {
    spdlog::error("store: cannot begin a transaction: {}", batch_error.message());
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!batch[i].done) continue;
    const std::error_code ec = batch_error ? batch_error : results[i];
    post_([done = std::move(batch[i].done), ec] { done(ec); });
  }
}

}  // namespace sb::store::sqlite
