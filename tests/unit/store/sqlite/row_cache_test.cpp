#include "store/sqlite/row_cache.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sb::store::sqlite {
namespace {

TEST(RowCache, MissesUntilFilledThenAnswersRowsAndAbsence) {
  RowCache<int> cache;
  EXPECT_EQ(cache.find("a"), nullptr);
  cache.fill("a", 1);
  cache.fill("b", std::nullopt);
  ASSERT_NE(cache.find("a"), nullptr);
  EXPECT_EQ(*cache.find("a"), 1);
  ASSERT_NE(cache.find("b"), nullptr);
  EXPECT_FALSE(*cache.find("b"));
}

TEST(RowCache, PutReplacesAnAbsentEntry) {
  RowCache<int> cache;
  cache.fill("a", std::nullopt);
  auto done = cache.track({});
  cache.put("a", 7);
  EXPECT_EQ(*cache.find("a"), 7);
  done({});
  EXPECT_EQ(*cache.find("a"), 7);
}

TEST(RowCache, AbsentEntriesAreBoundedAndRowsKept) {
  RowCache<int> cache(/*max_absent=*/4, /*max_entries=*/100);
  cache.fill("row", 1);
  for (int i = 0; i < 10; ++i) cache.fill("host" + std::to_string(i), std::nullopt);
  EXPECT_LE(cache.size(), 1u + 4u);
  EXPECT_EQ(*cache.find("row"), 1) << "dropping absent entries keeps the rows";
  EXPECT_NE(cache.find("host9"), nullptr) << "the newest absent entry is kept";
}

TEST(RowCache, AllEntriesAreBounded) {
  RowCache<int> cache(/*max_absent=*/4, /*max_entries=*/8);
  for (int i = 0; i < 20; ++i) cache.fill("k" + std::to_string(i), i);
  EXPECT_LE(cache.size(), 8u);
  EXPECT_EQ(*cache.find("k19"), 19);
}

TEST(RowCache, NothingIsDroppedWhileAWriteIsInFlight) {
  RowCache<int> cache(/*max_absent=*/2, /*max_entries=*/100);
  auto done = cache.track({});
  cache.put("removed", std::nullopt);  // what the write in flight makes it
  for (int i = 0; i < 10; ++i) cache.fill("host" + std::to_string(i), std::nullopt);
  ASSERT_NE(cache.find("removed"), nullptr) << "a write's key must outlive the bound until it commits";
  EXPECT_FALSE(*cache.find("removed"));
  EXPECT_LE(cache.size(), 2u);
  done({});
  for (int i = 10; i < 20; ++i) cache.fill("host" + std::to_string(i), std::nullopt);
  EXPECT_LE(cache.size(), 2u);
}

TEST(RowCache, LongKeysAreNotCached) {
  RowCache<int> cache;
  const std::string key(RowCache<int>::kMaxKeySize + 1, 'x');
  cache.fill(key, std::nullopt);
  EXPECT_EQ(cache.find(key), nullptr);
}

TEST(RowCache, AFailedWriteClearsAndBypassesUntilNoWriteIsInFlight) {
  RowCache<int> cache;
  cache.fill("kept", 1);
  std::error_code seen;
  auto failed = cache.track([&](std::error_code ec) { seen = ec; });
  cache.put("a", 2);
  auto pending = cache.track({});
  cache.put("b", 3);

  failed(std::make_error_code(std::errc::io_error));
  EXPECT_EQ(seen, std::errc::io_error) << "the caller's completion still runs";
  EXPECT_TRUE(cache.is_bypassed());
  EXPECT_EQ(cache.find("a"), nullptr) << "the failed write's row is not the database's";
  EXPECT_EQ(cache.find("kept"), nullptr);
  cache.fill("b", std::nullopt);  // read before the pending write committed: must not stay
  cache.put("c", 4);
  EXPECT_EQ(cache.find("b"), nullptr);

  pending({});
  EXPECT_FALSE(cache.is_bypassed());
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.find("b"), nullptr);
  EXPECT_EQ(cache.find("c"), nullptr);
}

TEST(RowCache, CompletionsMayOutliveTheCache) {
  Completion done;
  {
    RowCache<int> cache;
    done = cache.track({});
  }
  done(std::make_error_code(std::errc::io_error));  // a write completing after the store is gone
}

TEST(RowCache, FindIfScansRowsOnly) {
  RowCache<int> cache;
  cache.fill("a", std::nullopt);
  cache.fill("b", 5);
  const int* found = cache.find_if([](int v) { return v == 5; });
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(*found, 5);
  EXPECT_EQ(cache.find_if([](int v) { return v == 6; }), nullptr);
}

}  // namespace
}  // namespace sb::store::sqlite
