#include "api/params.hpp"

#include <gtest/gtest.h>

namespace sb::api {
namespace {

using namespace std::chrono;

http::Form query(std::string_view text) { return http::Form::parse(text).value(); }

TEST(DateFilter, ADateIsThatWholeDayAndTheComparisonsAreInclusive) {
  std::optional<SystemTime> from, before;
  EXPECT_FALSE(read_date_filter(query("StartTime=2009-07-06"), "StartTime", from, before));
  EXPECT_EQ(from, SystemTime{sys_days{2009y / July / 6}});
  EXPECT_EQ(before, SystemTime{sys_days{2009y / July / 7}});

  from.reset();
  before.reset();
  EXPECT_FALSE(read_date_filter(query("StartTime%3C=2009-07-06"), "StartTime", from, before));  // on or before
  EXPECT_FALSE(from);
  EXPECT_EQ(before, SystemTime{sys_days{2009y / July / 7}});
  EXPECT_FALSE(read_date_filter(query("StartTime%3E=2009-07-01"), "StartTime", from, before));  // on or after
  EXPECT_EQ(from, SystemTime{sys_days{2009y / July / 1}});
}

TEST(DateFilter, ADateTimeIsThatSecondAndABadValueNamesTheParameter) {
  std::optional<SystemTime> from, before;
  EXPECT_FALSE(read_date_filter(query("EndTime=2009-07-06+10%3A00%3A00"), "EndTime", from, before));
  EXPECT_EQ(from, SystemTime{sys_days{2009y / July / 6} + 10h});
  EXPECT_EQ(before, SystemTime{sys_days{2009y / July / 6} + 10h + 1s});
  const auto error = read_date_filter(query("EndTime%3E=yesterday"), "EndTime", from, before);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->status, 400u);
  EXPECT_NE(error->message.find("EndTime>"), std::string::npos);
}

TEST(Params, UrlMethodAndBoolReadersKeepTwiliosCodes) {
  std::optional<std::string> url = "https://old.example.com/";
  EXPECT_FALSE(read_url(query("VoiceUrl="), "VoiceUrl", url));
  EXPECT_FALSE(url) << "an empty value clears the URL";
  const auto bad_url = read_url(query("VoiceUrl=ftp%3A%2F%2Fx"), "VoiceUrl", url);
  ASSERT_TRUE(bad_url);
  EXPECT_EQ(bad_url->code, 21205);
  std::string method = "POST";
  EXPECT_FALSE(read_method(query("Method=get"), "Method", method));
  EXPECT_EQ(method, "GET");
  EXPECT_EQ(read_method(query("Method=PUT"), "Method", method)->code, 20001);
  bool flag = false;
  EXPECT_FALSE(read_bool(query("Record=TRUE"), "Record", flag));
  EXPECT_TRUE(flag);
  EXPECT_EQ(read_bool(query("Record=yes"), "Record", flag)->code, 20001);
}

}  // namespace
}  // namespace sb::api
