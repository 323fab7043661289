#include "store/sqlite/tables.hpp"

#include "core/sid.hpp"
#include "store/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>

namespace sb::store::sqlite {
namespace {

// Runs the completions the writer posts, standing in for the signalling loop.
class Completions {
 public:
  Poster poster() {
    return [this](std::function<void()> f) {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(f));
      ready_.notify_all();
    };
  }
  void run_one() {
    std::function<void()> f;
    {
      std::unique_lock lock(mutex_);
      ASSERT_TRUE(ready_.wait_for(lock, std::chrono::seconds(10), [&] { return !queue_.empty(); }));
      f = std::move(queue_.front());
      queue_.pop_front();
    }
    f();
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
};

class IncomingPhoneNumberTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sb-pn-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = open_store(dir_ / "test.db", loop_.poster());
    account_ = make_account();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  template <class Write>
  std::error_code wait(Write write) {
    std::error_code result = std::make_error_code(std::errc::interrupted);
    write([&](std::error_code ec) { result = ec; });
    loop_.run_one();
    return result;
  }

  std::string make_account() {
    const auto now = now_seconds();
    Account a{make_sid("AC"), "", "name", "active", "Full", "token", now, now};
    EXPECT_FALSE(wait([&](Completion done) { store_->accounts().insert(a, std::move(done)); }));
    return a.sid;
  }

  IncomingPhoneNumber number(std::string e164, const std::string& account = {}) {
    const auto now = now_seconds();
    IncomingPhoneNumber n;
    n.sid = make_sid("PN");
    n.account_sid = account.empty() ? account_ : account;
    n.phone_number = std::move(e164);
    n.friendly_name = n.phone_number;
    n.voice_url = "https://example.com/voice";
    n.date_created = now;
    n.date_updated = now;
    return n;
  }

  std::error_code save(const IncomingPhoneNumber& n) {
    return wait([&](Completion done) { store_->incoming_phone_numbers().save(n, std::move(done)); });
  }

  std::vector<std::string> listed(IncomingPhoneNumberFilter filter) {
    filter.account_sid = account_;
    std::vector<std::string> numbers;
    for (const auto& n : store_->incoming_phone_numbers().list(filter, PageQuery{}).items) {
      numbers.push_back(n.phone_number);
    }
    return numbers;
  }

  Completions loop_;
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  std::string account_;
};

TEST_F(IncomingPhoneNumberTableTest, SavedNumberIsFoundBySidAndByNumberFromAnyAccount) {
  auto n = number("+14155551212");
  n.voice_method = "GET";
  n.voice_caller_id_lookup = true;
  n.trunk_sid = make_sid("TK");
  n.sms_url = "https://example.com/sms";
  ASSERT_FALSE(save(n));

  const auto found = store_->incoming_phone_numbers().find(account_, n.sid);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->phone_number, "+14155551212");
  EXPECT_EQ(found->voice_url, "https://example.com/voice");
  EXPECT_EQ(found->voice_method, "GET");
  EXPECT_TRUE(found->voice_caller_id_lookup);
  EXPECT_EQ(found->trunk_sid, n.trunk_sid);
  EXPECT_EQ(found->sms_url, "https://example.com/sms");
  EXPECT_FALSE(found->voice_fallback_url);
  EXPECT_EQ(found->date_created, n.date_created);
  EXPECT_FALSE(store_->incoming_phone_numbers().find(make_account(), n.sid)) << "another account does not see it";

  const auto by_number = store_->incoming_phone_numbers().find_by_phone_number("+14155551212");
  ASSERT_TRUE(by_number);
  EXPECT_EQ(by_number->sid, n.sid);
  EXPECT_EQ(by_number->account_sid, account_);
  EXPECT_FALSE(store_->incoming_phone_numbers().find_by_phone_number("+14155551213"));
  EXPECT_FALSE(store_->incoming_phone_numbers().find_by_phone_number("14155551212")) << "exact E.164 only";
}

TEST_F(IncomingPhoneNumberTableTest, ANumberBelongsToOneAccountOnly) {
  ASSERT_FALSE(save(number("+14155551212")));
  const auto other = make_account();
  EXPECT_EQ(save(number("+14155551212", other)), std::errc::file_exists);
  EXPECT_EQ(store_->incoming_phone_numbers().find_by_phone_number("+14155551212")->account_sid, account_);
}

TEST_F(IncomingPhoneNumberTableTest, TheLookupByNumberUsesAnIndex) {
  Connection db(dir_ / "test.db", Connection::Mode::kReadOnly);
  auto stmt = db.prepare("EXPLAIN QUERY PLAN SELECT id FROM incoming_phone_numbers WHERE phone_number = ?1");
  stmt.bind(1, std::string_view("+14155551212"));
  ASSERT_TRUE(stmt.step());
  EXPECT_NE(stmt.column_text(3).find("INDEX"), std::string::npos) << stmt.column_text(3);
}

TEST_F(IncomingPhoneNumberTableTest, UpdateReplacesFieldsAndMovesTheNumberToAnotherAccount) {
  auto n = number("+442071838750");
  ASSERT_FALSE(save(n));
  const auto sub = make_account();
  n.account_sid = sub;
  n.friendly_name = "London";
  n.voice_url.reset();
  n.date_updated = n.date_created + std::chrono::seconds(5);
  ASSERT_FALSE(save(n));
  EXPECT_FALSE(store_->incoming_phone_numbers().find(account_, n.sid));
  const auto moved = store_->incoming_phone_numbers().find(sub, n.sid);
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->friendly_name, "London");
  EXPECT_FALSE(moved->voice_url);
  EXPECT_EQ(moved->date_created, n.date_created);
  EXPECT_EQ(moved->date_updated, n.date_updated);
}

TEST_F(IncomingPhoneNumberTableTest, ListsMatchPartialNumbersWithWildcardsAndFriendlyNames) {
  for (const auto* e164 : {"+14155551212", "+14155550000", "+16505551212", "+441415550001"}) {
    ASSERT_FALSE(save(number(e164)));
  }
  using V = std::vector<std::string>;
  EXPECT_EQ(listed({}).size(), 4u);
  EXPECT_EQ(listed({.phone_number = "+14155551212"}), V{"+14155551212"});
  EXPECT_EQ(listed({.phone_number = "1415"}), (V{"+14155551212", "+14155550000", "+441415550001"}));
  EXPECT_EQ(listed({.phone_number = "+1415"}), (V{"+14155551212", "+14155550000"})) << "+ anchors at the start";
  EXPECT_EQ(listed({.phone_number = "555-1212"}), (V{"+14155551212", "+16505551212"})) << "formatting ignored";
  EXPECT_EQ(listed({.phone_number = "(415) 555-****"}), (V{"+14155551212", "+14155550000"}));
  EXPECT_EQ(listed({.phone_number = "+1***5551212"}), (V{"+14155551212", "+16505551212"}));
  EXPECT_TRUE(listed({.phone_number = "abc"}).empty()) << "nothing to match matches nothing";
  EXPECT_TRUE(listed({.phone_number = "999"}).empty());
  EXPECT_EQ(listed({.friendly_name = "+16505551212"}), V{"+16505551212"});
  EXPECT_TRUE(listed({.phone_number = "1415", .friendly_name = "+16505551212"}).empty());
}

TEST_F(IncomingPhoneNumberTableTest, RemovedNumberCanBeRegisteredAgain) {
  const auto n = number("+14155551212");
  ASSERT_FALSE(save(n));
  ASSERT_FALSE(wait([&](Completion done) { store_->incoming_phone_numbers().remove(n.sid, std::move(done)); }));
  EXPECT_FALSE(store_->incoming_phone_numbers().find_by_phone_number("+14155551212"));
  EXPECT_FALSE(save(number("+14155551212", make_account())));
}

TEST_F(IncomingPhoneNumberTableTest, DeletingTheApplicationClearsItFromItsNumbers) {
  const auto now = now_seconds();
  Application app;
  app.sid = make_sid("AP");
  app.account_sid = account_;
  app.date_created = now;
  app.date_updated = now;
  ASSERT_FALSE(wait([&](Completion done) { store_->applications().save(app, std::move(done)); }));
  auto n = number("+14155551212");
  n.voice_application_sid = app.sid;
  ASSERT_FALSE(save(n));
  EXPECT_EQ(store_->incoming_phone_numbers().find(account_, n.sid)->voice_application_sid, app.sid);
  ASSERT_FALSE(wait([&](Completion done) { store_->applications().remove(app.sid, std::move(done)); }));
  EXPECT_FALSE(store_->incoming_phone_numbers().find(account_, n.sid)->voice_application_sid);
}

}  // namespace
}  // namespace sb::store::sqlite
