#include "calls/audio_cache.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace sb::calls {
namespace {

http::ClientResponse response(std::vector<http::Header> headers) {
  http::ClientResponse r;
  r.status = 200;
  r.headers = std::move(headers);
  return r;
}

TEST(AudioCache, FreshnessFollowsCacheControlAndValidators) {
  const auto etag_only = cached_audio_from(response({{"ETag", "\"a\""}}), 1000);
  EXPECT_EQ(etag_only.etag, "\"a\"");
  EXPECT_FALSE(is_fresh(etag_only, 1000));  // a validator without max-age: ask every time
  const auto max_age = cached_audio_from(response({{"Cache-Control", "public, max-age=60"}, {"ETag", "\"a\""}}), 1000);
  EXPECT_TRUE(is_fresh(max_age, 1059));
  EXPECT_FALSE(is_fresh(max_age, 1060));
  const auto no_cache = cached_audio_from(response({{"Cache-Control", "max-age=60, no-cache"}}), 1000);
  EXPECT_FALSE(is_fresh(no_cache, 1000));
  const auto nothing = cached_audio_from(response({}), 1000);
  EXPECT_TRUE(is_fresh(nothing, 1000 + 3599));  // no validator, no rule: kept an hour
  const auto headers = revalidation_headers(cached_audio_from(
      response({{"ETag", "\"b\""}, {"Last-Modified", "Sat, 21 Nov 2026 08:00:00 GMT"}}), 1000));
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[0].name, "If-None-Match");
  EXPECT_EQ(headers[1].name, "If-Modified-Since");
}

TEST(AudioCache, MetadataSurvivesAWriteAndARead) {
  const auto file = std::filesystem::temp_directory_path() / "sb_audio_cache_test.meta";
  const CachedAudio c{.etag = "\"e\"", .last_modified = "", .fetched_at = 42, .max_age = 7};
  ASSERT_TRUE(write_cached_audio(file, c));
  const auto back = read_cached_audio(file);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->etag, c.etag);
  EXPECT_EQ(back->last_modified, "");
  EXPECT_EQ(back->fetched_at, 42);
  EXPECT_EQ(back->max_age, 7);
  std::filesystem::remove(file);
  EXPECT_FALSE(read_cached_audio(file));
}

}  // namespace
}  // namespace sb::calls
