#pragma once
// A write-through cache of the rows one table is looked up by on every call (an account by SID, a
// SIP domain by name), so those lookups cost a hash probe instead of an SQLite query. It keeps
// the row for a key, or that there is none (hosts that are not SIP domains are the common case).
// Owned by a table of the SQLite store; signalling loop only (the thread that opened the store),
// which is also where the writer's completions run: no lock.
//
// Why a read through the cache equals a read of the database once the writes submitted so far
// have committed:
// - The table puts every key a write changes into the cache when the write is submitted (put),
//   so the next lookup sees it (a database read would not until the commit).
// - So a key that is not cached is untouched by the writes in flight, and the database's answer
//   for it is current: a miss fills the cache with it (fill).
// - Entries are dropped only while no write is in flight, so a submitted write's keys stay until
//   its commit. The absent entries are bounded (attacker-chosen hosts and SIDs), then cleared.
// - A failed write leaves entries that the database does not hold: the cache is cleared and
//   bypassed (reads go to the database and fill nothing) until no write is in flight.

#include "core/string_map.hpp"
#include "store/account_repository.hpp"

#include <cassert>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace sb::store::sqlite {

template <class Row>
class RowCache {
 public:
  // Longer keys are never cached: no SID or DNS name is that long, and each would cost memory.
  static constexpr std::size_t kMaxKeySize = 255;

  // `max_absent`: absent entries kept before they are dropped; `max_entries`: all entries.
  explicit RowCache(std::size_t max_absent = 4096, std::size_t max_entries = 65536)
      : state_(std::make_shared<State>()), max_absent_(max_absent), max_entries_(max_entries) {}

  // The cached answer for `key`: the row, or std::nullopt when there is no such row; nullptr when
  // the caller must read the database (then fill()).
  const std::optional<Row>* find(std::string_view key) const {
    assert(is_owner_thread());
    if (state_->is_bypassed) return nullptr;
    auto it = state_->entries.find(key);
    return it == state_->entries.end() ? nullptr : &it->second;
  }

  // Records what the database answered for `key`, after find() missed.
  void fill(std::string_view key, const std::optional<Row>& row) {
    assert(is_owner_thread());
    State& s = *state_;
    if (s.is_bypassed || key.size() > kMaxKeySize) return;
    if (s.in_flight == 0) {
      if (s.entries.size() >= max_entries_) {
        s.entries.clear();
        s.absent = 0;
      } else if (!row && s.absent >= max_absent_) {
        std::erase_if(s.entries, [](const auto& entry) { return !entry.second; });
        s.absent = 0;
      }
    } else if (s.entries.size() >= max_entries_ || (!row && s.absent >= max_absent_)) {
      return;  // full, and nothing may be dropped now: answer uncached
    }
    set(key, row);
  }

  // Records what a write about to be submitted makes `key` hold. Call track() for that write.
  void put(std::string_view key, const std::optional<Row>& row) {
    assert(is_owner_thread());
    if (state_->is_bypassed) return;
    set(key, row);
  }

  // The first cached row that `pred` accepts, or nullptr. Scans: for writes, not lookups.
  template <class Pred>
  const Row* find_if(Pred pred) const {
    assert(is_owner_thread());
    if (state_->is_bypassed) return nullptr;
    for (const auto& [key, row] : state_->entries) {
      if (row && pred(*row)) return &*row;
    }
    return nullptr;
  }

  // True while a failed write is being sorted out: then put() does nothing, and the table need
  // not work out what its write changes.
  bool is_bypassed() const { return state_->is_bypassed; }

  // Counts a submitted write in flight until its completion, which the result wraps.
  Completion track(Completion done) {
    assert(is_owner_thread());
    ++state_->in_flight;
    return [state = state_, done = std::move(done)](std::error_code ec) {
      State& s = *state;
      --s.in_flight;
      if (ec) {
        s.entries.clear();
        s.absent = 0;
        s.is_bypassed = true;
      }
      if (s.in_flight == 0) s.is_bypassed = false;  // the database holds every write now
      if (done) done(ec);
    };
  }

  std::size_t size() const { return state_->entries.size(); }

 private:
  // Shared with the completions of writes in flight, which may run after the table is gone.
  struct State {
    StringMap<std::optional<Row>> entries;
    std::size_t absent = 0;  // entries holding std::nullopt
    std::size_t in_flight = 0;
    bool is_bypassed = false;
  };

  void set(std::string_view key, const std::optional<Row>& row) {
    State& s = *state_;
    auto it = s.entries.find(key);
    if (it == s.entries.end()) {
      s.entries.emplace(std::string(key), row);
      if (!row) ++s.absent;
      return;
    }
    if (it->second && !row) ++s.absent;
    if (!it->second && row) --s.absent;
    it->second = row;
  }

  bool is_owner_thread() const { return std::this_thread::get_id() == owner_; }

  std::shared_ptr<State> state_;
  std::size_t max_absent_;
  std::size_t max_entries_;
  std::thread::id owner_ = std::this_thread::get_id();
};

}  // namespace sb::store::sqlite
