#include "api/paging.hpp"

#include <gtest/gtest.h>

namespace sb::api {
namespace {

http::Form query(std::string_view text) { return http::Form::parse(text).value(); }

TEST(Paging, DefaultsToFiftyFromPageZero) {
  store::PageQuery q;
  EXPECT_FALSE(parse_paging(query(""), q));
  EXPECT_EQ(q.page_size, 50u);
  EXPECT_EQ(q.page, 0u);
  EXPECT_FALSE(q.after_key);
}

TEST(Paging, RejectsOutOfRangeValuesNamingTheParameter) {
  store::PageQuery q;
  for (auto bad : {"PageSize=0", "PageSize=1001", "PageSize=1x", "Page=-2", "PageToken=PAx", "PageToken=12"}) {
    auto error = parse_paging(query(bad), q);
    ASSERT_TRUE(error) << bad;
    EXPECT_EQ(error->status, 400u);
    EXPECT_NE(error->message.find(std::string_view(bad).substr(0, std::string_view(bad).find('='))),
              std::string::npos);
  }
  EXPECT_FALSE(parse_paging(query("PageSize=1000&Page=3&PageToken=PA77"), q));
  EXPECT_EQ(q.page_size, 1000u);
  EXPECT_EQ(q.after_key, 77);
}

TEST(Paging, EnvelopeKeepsFiltersAndCountsLikeTwilio) {
  store::PageQuery q{.page_size = 2, .page = 1, .after_key = 5};
  const auto env = page_envelope("calls", boost::json::array{1, 2}, "/2010-04-01/Accounts/AC1/Calls.json",
                                 query("Status=busy&PageSize=2&Page=1&PageToken=PA5"), q,
                                 PageResult{.count = 2, .has_more = true, .last_key = 9});
  EXPECT_EQ(env.at("start").as_uint64(), 2u);
  EXPECT_EQ(env.at("end").as_uint64(), 3u);
  EXPECT_EQ(env.at("uri").as_string(), "/2010-04-01/Accounts/AC1/Calls.json?Status=busy&PageSize=2&Page=1&PageToken=PA5");
  EXPECT_EQ(env.at("first_page_uri").as_string(), "/2010-04-01/Accounts/AC1/Calls.json?Status=busy&PageSize=2&Page=0");
  EXPECT_EQ(env.at("next_page_uri").as_string(), "/2010-04-01/Accounts/AC1/Calls.json?Status=busy&PageSize=2&Page=2&PageToken=PA9");
  EXPECT_EQ(env.at("previous_page_uri").as_string(), "/2010-04-01/Accounts/AC1/Calls.json?Status=busy&PageSize=2&Page=0");
  const auto empty = page_envelope("calls", {}, "/x.json", query(""), {.page_size = 50}, PageResult{});
  EXPECT_EQ(empty.at("end").as_uint64(), 0u);
  EXPECT_TRUE(empty.at("next_page_uri").is_null());
  EXPECT_TRUE(empty.at("previous_page_uri").is_null());
}

}  // namespace
}  // namespace sb::api
