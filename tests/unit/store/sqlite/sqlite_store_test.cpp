#include "store/sqlite/sqlite_store.hpp"

#include "core/sid.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/migrations.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>

namespace sb::store::sqlite {
namespace {

// Stands in for the signalling loop: completions posted by the writer run when the test drains.
class TestLoop {
 public:
  Poster poster() {
    return [this](std::function<void()> f) {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(f));
      ready_.notify_all();
    };
  }
  // Runs `count` posts (the writer posts once per committed batch).
  void run(std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
      std::function<void()> f;
      {
        std::unique_lock lock(mutex_);
        ASSERT_TRUE(ready_.wait_for(lock, std::chrono::seconds(10), [&] { return !queue_.empty(); }));
        f = std::move(queue_.front());
        queue_.pop_front();
      }
      f();
    }
  }

  // Runs posts until `done()` holds.
  void run_until(const std::function<bool()>& done) {
    while (!done()) {
      run(1);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
};

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sb-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = open_store(dir_ / "test.db", loop_.poster());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  Account account(std::string owner = "") {
    const auto now = now_seconds();
    return {make_sid("AC"), std::move(owner), "name", "active", "Full", "token", now, now};
  }

  std::error_code insert(const Account& a) {
    std::error_code result = std::make_error_code(std::errc::interrupted);
    store_->accounts().insert(a, [&](std::error_code ec) { result = ec; });
    loop_.run(1);
    return result;
  }

  std::filesystem::path dir_;
  TestLoop loop_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteStoreTest, InsertedAccountIsReadBackAfterCompletion) {
  const auto main = account();
  ASSERT_FALSE(insert(main));
  const auto found = store_->accounts().find(main.sid);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->auth_token, "token");
  EXPECT_TRUE(found->is_main());
  EXPECT_EQ(found->date_created, main.date_created);
  EXPECT_EQ(store_->accounts().find_first_main()->sid, main.sid);
}

TEST_F(SqliteStoreTest, ForeignKeysRejectASubaccountOfAnUnknownOwner) {
  EXPECT_TRUE(insert(account(make_sid("AC"))));
}

TEST_F(SqliteStoreTest, OneFailedJobInABatchDoesNotUndoTheOthers) {
  const auto main = account();
  auto duplicate = account();
  duplicate.sid = main.sid;  // violates UNIQUE(sid)
  const auto other = account();
  std::vector<std::error_code> results(3, std::make_error_code(std::errc::interrupted));
  store_->accounts().insert(main, [&](std::error_code ec) { results[0] = ec; });
  store_->accounts().insert(duplicate, [&](std::error_code ec) { results[1] = ec; });
  store_->accounts().insert(other, [&](std::error_code ec) { results[2] = ec; });
  const auto interrupted = std::make_error_code(std::errc::interrupted);
  loop_.run_until([&] { return std::ranges::none_of(results, [&](auto ec) { return ec == interrupted; }); });
  EXPECT_FALSE(results[0]);
  EXPECT_TRUE(results[1]);
  EXPECT_FALSE(results[2]);
  EXPECT_TRUE(store_->accounts().find(main.sid));
  EXPECT_TRUE(store_->accounts().find(other.sid));
}

TEST_F(SqliteStoreTest, ALoneFailedJobLeavesNothingBehind) {
  const auto main = account();
  ASSERT_FALSE(insert(main));
  auto duplicate = account();
  duplicate.sid = main.sid;  // violates UNIQUE(sid)
  duplicate.auth_token = "other";
  EXPECT_TRUE(insert(duplicate));
  // The next write still commits: the failed transaction was rolled back, not left open.
  const auto other = account();
  EXPECT_FALSE(insert(other));
  EXPECT_EQ(store_->accounts().find(main.sid)->auth_token, "token");
  EXPECT_TRUE(store_->accounts().find(other.sid));
}

TEST_F(SqliteStoreTest, ListsPageByOffsetAndByKeysetWithoutOverlap) {
  const auto main = account();
  ASSERT_FALSE(insert(main));
  std::vector<std::string> subs;
  for (int i = 0; i < 5; ++i) {
    const auto sub = account(main.sid);
    ASSERT_FALSE(insert(sub));
    subs.push_back(sub.sid);
  }
  AccountFilter filter{.visible_to = main.sid};
  const auto first = store_->accounts().list(filter, {.page_size = 4, .page = 0});
  ASSERT_EQ(first.items.size(), 4u);
  EXPECT_TRUE(first.has_more);
  EXPECT_EQ(first.items[0].sid, main.sid);
  const auto by_offset = store_->accounts().list(filter, {.page_size = 4, .page = 1});
  const auto by_key = store_->accounts().list(filter, {.page_size = 4, .page = 1, .after_key = first.last_key});
  ASSERT_EQ(by_offset.items.size(), 2u);
  ASSERT_EQ(by_key.items.size(), 2u);
  EXPECT_FALSE(by_key.has_more);
  EXPECT_EQ(by_offset.items[0].sid, subs[3]);
  EXPECT_EQ(by_key.items[1].sid, subs[4]);
  // A subaccount sees only itself.
  const auto own = store_->accounts().list({.visible_to = subs[0]}, {.page_size = 50});
  ASSERT_EQ(own.items.size(), 1u);
  EXPECT_EQ(own.items[0].sid, subs[0]);
}

TEST_F(SqliteStoreTest, UpdateAndRemoveKeys) {
  const auto main = account();
  ASSERT_FALSE(insert(main));
  const auto now = now_seconds();
  ApiKey key{make_sid("SK"), main.sid, "k", "hash", false, now, now};
  std::error_code ec = std::make_error_code(std::errc::interrupted);
  store_->keys().insert(key, [&](std::error_code e) { ec = e; });
  loop_.run(1);
  ASSERT_FALSE(ec);
  key.friendly_name = "renamed";
  store_->keys().update(key, [&](std::error_code e) { ec = e; });
  loop_.run(1);
  EXPECT_EQ(store_->keys().find(key.sid)->friendly_name, "renamed");
  store_->keys().remove(key.sid, [&](std::error_code e) { ec = e; });
  loop_.run(1);
  EXPECT_FALSE(store_->keys().find(key.sid));
}

// Account lookups are cached (row_cache.hpp): each case reads before the write commits (what
// the next request on the loop sees), after it, and from a new store on the same file (what the
// database holds).
class AccountCacheTest : public SqliteStoreTest {
 protected:
  void reopen() {
    store_.reset();
    store_ = open_store(dir_ / "test.db", loop_.poster());
  }
  // Submits an update; the caller runs the loop for its completion.
  void submit_update(const Account& a, std::error_code& result) {
    result = std::make_error_code(std::errc::interrupted);
    store_->accounts().update(a, [&](std::error_code ec) { result = ec; });
  }
};

TEST_F(AccountCacheTest, AnUnknownSidIsFoundOnceInserted) {
  const auto main = account();
  EXPECT_FALSE(store_->accounts().find(main.sid));  // cached as absent
  std::error_code ec = std::make_error_code(std::errc::interrupted);
  store_->accounts().insert(main, [&](std::error_code e) { ec = e; });
  EXPECT_TRUE(store_->accounts().find(main.sid)) << "seen before the commit";
  loop_.run(1);
  ASSERT_FALSE(ec);
  EXPECT_EQ(store_->accounts().find(main.sid)->auth_token, "token");
  reopen();
  EXPECT_TRUE(store_->accounts().find(main.sid));
}

TEST_F(AccountCacheTest, AChangedAuthTokenReplacesTheOldOne) {
  auto main = account();
  ASSERT_FALSE(insert(main));
  ASSERT_EQ(store_->accounts().find(main.sid)->auth_token, "token");  // cached
  main.auth_token = "rotated";
  main.friendly_name = "renamed";
  std::error_code ec;
  submit_update(main, ec);
  EXPECT_EQ(store_->accounts().find(main.sid)->auth_token, "rotated") << "seen before the commit";
  loop_.run(1);
  ASSERT_FALSE(ec);
  const auto found = store_->accounts().find(main.sid);
  EXPECT_EQ(found->auth_token, "rotated");
  EXPECT_EQ(found->friendly_name, "renamed");
  reopen();
  EXPECT_EQ(store_->accounts().find(main.sid)->auth_token, "rotated");
}

TEST_F(AccountCacheTest, AStatusChangeIsSeenAndUnwrittenColumnsKept) {
  const auto main = account();
  ASSERT_FALSE(insert(main));
  const auto sub = account(main.sid);
  ASSERT_FALSE(insert(sub));
  EXPECT_EQ(store_->accounts().find(sub.sid)->status, "active");
  for (const std::string status : {"suspended", "closed"}) {
    auto changed = sub;
    changed.status = status;
    changed.owner_account_sid = "";  // not written by update(): the stored owner stays
    changed.type = "Trial";
    std::error_code ec;
    submit_update(changed, ec);
    EXPECT_EQ(store_->accounts().find(sub.sid)->status, status) << "seen before the commit";
    loop_.run(1);
    ASSERT_FALSE(ec);
    const auto found = store_->accounts().find(sub.sid);
    EXPECT_EQ(found->status, status);
    EXPECT_EQ(found->owner_account_sid, main.sid);
    EXPECT_EQ(found->type, "Full");
  }
  reopen();
  EXPECT_EQ(store_->accounts().find(sub.sid)->status, "closed");
}

TEST_F(AccountCacheTest, AnUpdateOfAnUnknownSidFindsNothing) {
  const auto ghost = account();
  EXPECT_FALSE(store_->accounts().find(ghost.sid));
  std::error_code ec;
  submit_update(ghost, ec);
  EXPECT_FALSE(store_->accounts().find(ghost.sid));
  loop_.run(1);
  EXPECT_FALSE(store_->accounts().find(ghost.sid));
}

TEST_F(AccountCacheTest, RefusedInsertsLeaveTheStoredAccount) {
  const auto main = account();
  ASSERT_FALSE(insert(main));
  auto duplicate = account();
  duplicate.sid = main.sid;
  duplicate.auth_token = "other";
  const auto orphan = account(make_sid("AC"));
  std::vector<std::error_code> results(2, std::make_error_code(std::errc::interrupted));
  store_->accounts().insert(duplicate, [&](std::error_code ec) { results[0] = ec; });
  store_->accounts().insert(orphan, [&](std::error_code ec) { results[1] = ec; });
  EXPECT_EQ(store_->accounts().find(main.sid)->auth_token, "token") << "the duplicate will fail: not seen";
  EXPECT_FALSE(store_->accounts().find(orphan.sid)) << "the orphan will fail: not seen";
  const auto interrupted = std::make_error_code(std::errc::interrupted);
  loop_.run_until([&] { return std::ranges::none_of(results, [&](auto ec) { return ec == interrupted; }); });
  EXPECT_TRUE(results[0]);
  EXPECT_TRUE(results[1]);
  EXPECT_EQ(store_->accounts().find(main.sid)->auth_token, "token");
  EXPECT_FALSE(store_->accounts().find(orphan.sid));
  // After the failures, the cache fills again from the database.
  EXPECT_EQ(store_->accounts().find(main.sid)->auth_token, "token");
}

TEST_F(SqliteStoreTest, WritesAfterCloseAreRefusedNotLost) {
  store_->close();
  std::error_code ec;
  store_->accounts().insert(account(), [&](std::error_code e) { ec = e; });
  loop_.run(1);
  EXPECT_EQ(ec, std::make_error_code(std::errc::operation_canceled));
}

TEST_F(SqliteStoreTest, CallsListNewestFirstWithFiltersAndKeysetPaging) {
  const auto main = account();
  ASSERT_FALSE(insert(main));
  const auto now = now_seconds();
  std::vector<std::string> sids;
  for (int i = 0; i < 5; ++i) {
    Call call;
    call.sid = make_sid("CA");
    call.account_sid = main.sid;
    call.to = i % 2 ? "sip:odd@example.com" : "sip:even@example.com";
    call.from = "Jack";
    call.status = i == 4 ? "in-progress" : "completed";
    call.start_time = now + std::chrono::hours{i};
    call.date_created = call.date_updated = now;
    std::error_code ec = std::make_error_code(std::errc::interrupted);
    store_->calls().save(call, [&](std::error_code e) { ec = e; });
    loop_.run(1);
    ASSERT_FALSE(ec);
    sids.push_back(call.sid);
  }
  CallFilter all{.account_sid = main.sid};
  const auto first = store_->calls().list(all, {.page_size = 2});
  ASSERT_EQ(first.items.size(), 2u);
  EXPECT_EQ(first.items[0].sid, sids[4]);  // newest first
  const auto second = store_->calls().list(all, {.page_size = 2, .page = 1, .after_key = first.last_key});
  ASSERT_EQ(second.items.size(), 2u);
  EXPECT_EQ(second.items[0].sid, sids[2]);
  EXPECT_EQ(store_->calls().list({.account_sid = main.sid, .to = "sip:odd@example.com"}, {}).items.size(), 2u);
  EXPECT_EQ(store_->calls().list({.account_sid = main.sid, .status = "in-progress"}, {}).items.size(), 1u);
  const auto late = store_->calls().list({.account_sid = main.sid, .start_time_from = now + std::chrono::hours{3}}, {});
  EXPECT_EQ(late.items.size(), 2u);

  // Saving again updates the same row.
  auto call = *store_->calls().find(main.sid, sids[4]);
  call.status = "completed";
  call.duration = 42;
  call.sip_response_code = 200;
  std::error_code ec = std::make_error_code(std::errc::interrupted);
  store_->calls().save(call, [&](std::error_code e) { ec = e; });
  loop_.run(1);
  ASSERT_FALSE(ec);
  const auto reread = *store_->calls().find(main.sid, sids[4]);
  EXPECT_EQ(reread.status, "completed");
  EXPECT_EQ(reread.duration, 42);
  EXPECT_EQ(reread.sip_response_code, 200);
  EXPECT_EQ(reread.start_time, call.start_time);
  EXPECT_FALSE(store_->calls().find(make_sid("AC"), sids[4])) << "another account does not see it";
}

// The signalling loop's queue behind the handler running now: wakes the writer only when run.
class DeferredWakes {
 public:
  Poster poster() {
    return [this](std::function<void()> f) {
      std::lock_guard lock(mutex_);
      wakes_.push_back(std::move(f));
    };
  }
  std::size_t size() {
    std::lock_guard lock(mutex_);
    return wakes_.size();
  }
  void run_all() {
    std::deque<std::function<void()>> wakes;
    {
      std::lock_guard lock(mutex_);
      wakes.swap(wakes_);
    }
    for (auto& f : wakes) f();
  }

 private:
  std::mutex mutex_;
  std::deque<std::function<void()>> wakes_;
};

TEST_F(SqliteStoreTest, ADeferredWakeCommitsThePassesWritesTogether) {
  DeferredWakes wakes;
  store_ = open_store(dir_ / "deferred.db", loop_.poster(), wakes.poster());
  const auto first = account();
  const auto second = account();
  std::vector<std::error_code> results(2, std::make_error_code(std::errc::interrupted));
  store_->accounts().insert(first, [&](std::error_code ec) { results[0] = ec; });
  store_->accounts().insert(second, [&](std::error_code ec) { results[1] = ec; });
  EXPECT_EQ(wakes.size(), 1u) << "one wake per pass, not per write";
  wakes.run_all();
  loop_.run(1);  // one batch, one post
  EXPECT_FALSE(results[0]);
  EXPECT_FALSE(results[1]);
  EXPECT_TRUE(store_->accounts().find(second.sid));

  // A wake the loop runs after the store is gone does nothing.
  store_->accounts().insert(account(), {});
  store_.reset();
  wakes.run_all();
}

TEST_F(SqliteStoreTest, ACommitDelayGathersWritesSubmittedMeanwhileIntoOneCommit) {
  // Without deferred wakes every submit wakes the writer: only the delay can join them.
  store_ = open_store(dir_ / "delayed.db", loop_.poster(), {}, std::chrono::milliseconds{200});
  std::vector<std::error_code> results(3, std::make_error_code(std::errc::interrupted));
  std::vector<Account> accounts{account(), account(), account()};
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    store_->accounts().insert(accounts[i], [&, i](std::error_code ec) { results[i] = ec; });
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  loop_.run(1);  // one batch, one post: all three completed
  for (const auto& ec : results) EXPECT_FALSE(ec);
  for (const auto& a : accounts) EXPECT_TRUE(store_->accounts().find(a.sid));
  // Closing in the middle of a delay still commits what is queued.
  store_->accounts().insert(account(), [&](std::error_code ec) { results[0] = ec; });
  store_.reset();
  loop_.run(1);
  EXPECT_FALSE(results[0]);
}

TEST_F(SqliteStoreTest, AfterWritesRunsOnceEveryEarlierWriteIsReadableAndNeverAfterClose) {
  DeferredWakes wakes;
  store_ = open_store(dir_ / "barrier.db", loop_.poster(), wakes.poster(), std::chrono::milliseconds{30});
  const auto owner = account();
  store_->accounts().insert(owner, {});
  auto notification = [&] {
    const auto now = now_seconds();
    Notification n;
    n.sid = make_sid("NO");
    n.account_sid = owner.sid;
    n.error_code = "13224";
    n.message_date = n.date_created = n.date_updated = now;
    return n;
  };
  const auto first = notification();
  const auto second = notification();
  std::vector<std::string> seen;  // what each step found readable when it ran
  auto readable = [&] {
    return std::to_string(store_->notifications().find(owner.sid, first.sid).has_value()) +
           std::to_string(store_->notifications().find(owner.sid, second.sid).has_value());
  };
  store_->notifications().insert(first, {});
  store_->notifications().insert(second, {});
  store_->after_writes([&] { seen.push_back("barrier " + readable()); });
  seen.push_back("submitted " + readable());
  wakes.run_all();
  loop_.run_until([&] { return seen.size() == 2; });
  EXPECT_EQ(seen, (std::vector<std::string>{"submitted 00", "barrier 11"}));

  // With nothing left to write it runs at once.
  store_->after_writes([&] { seen.push_back("at once"); });
  EXPECT_EQ(seen.back(), "at once");

  // Refused after close: it never runs.
  store_->close();
  store_->after_writes([&] { seen.push_back("after close"); });
  loop_.run(1);  // the refusal is posted, and swallowed
  EXPECT_EQ(seen.size(), 3u);
}

TEST_F(SqliteStoreTest, SavesOfOneCallInABatchWriteTheNewestAndCompleteInOrderAfterTheCommit) {
  DeferredWakes wakes;
  store_ = open_store(dir_ / "deferred.db", loop_.poster(), wakes.poster());
  const auto main = account();
  store_->accounts().insert(main, {});
  Call call;
  call.sid = make_sid("CA");
  call.account_sid = main.sid;
  call.to = "sip:b@example.com";
  call.from = "Jack";
  call.date_created = call.date_updated = now_seconds();
  Call other = call;
  other.sid = make_sid("CA");

  std::vector<std::string> completed;  // "<status> <stored status>", in completion order
  auto save = [&](const Call& c) {
    store_->calls().save(c, [&, c](std::error_code ec) {
      EXPECT_FALSE(ec);
      const auto stored = store_->calls().find(main.sid, c.sid);
      completed.push_back(c.status + " " + (stored ? stored->status : "missing"));
    });
  };
  save(call);  // queued: the insert
  call.status = "ringing";
  save(call);
  save(other);  // another row in between keeps its own write
  call.status = "in-progress";
  call.sip_response_code = 200;
  save(call);
  wakes.run_all();
  loop_.run_until([&] { return completed.size() == 4; });
  EXPECT_EQ(completed, (std::vector<std::string>{"queued in-progress", "ringing in-progress", "queued queued",
                                                 "in-progress in-progress"}));
  const auto stored = store_->calls().find(main.sid, call.sid);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->sip_response_code, 200);
  EXPECT_EQ(stored->to, "sip:b@example.com");
}

TEST_F(SqliteStoreTest, ASupersededSaveReportsTheFailureOfTheSaveThatReplacedIt) {
  DeferredWakes wakes;
  store_ = open_store(dir_ / "deferred.db", loop_.poster(), wakes.poster());
  Call call;
  call.sid = make_sid("CA");
  call.account_sid = make_sid("AC");  // no such account: the foreign key refuses the row
  call.date_created = call.date_updated = now_seconds();
  std::vector<std::error_code> results(2, std::make_error_code(std::errc::interrupted));
  store_->calls().save(call, [&](std::error_code ec) { results[0] = ec; });
  call.status = "ringing";
  store_->calls().save(call, [&](std::error_code ec) { results[1] = ec; });
  wakes.run_all();
  loop_.run(1);
  EXPECT_TRUE(results[0]);
  EXPECT_EQ(results[0], results[1]);
  EXPECT_NE(results[0], std::make_error_code(std::errc::interrupted));
}

TEST(Migrations, ApplyOnceAndRefuseANewerDatabase) {
  const auto file = std::filesystem::temp_directory_path() / ("sb-migrate-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(file);
  {
    Connection db(file, Connection::Mode::kReadWrite);
    migrate(db);
    migrate(db);  // idempotent
    auto stmt = db.prepare("PRAGMA user_version");
    ASSERT_TRUE(stmt.step());
    EXPECT_EQ(stmt.column_int(0), latest_schema_version());
    db.exec("PRAGMA user_version = 999");
    EXPECT_THROW(migrate(db), std::runtime_error);
  }
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace sb::store::sqlite
