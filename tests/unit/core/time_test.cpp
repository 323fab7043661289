#include "core/time.hpp"

#include <gtest/gtest.h>

namespace sb {
namespace {

using namespace std::chrono;

TEST(Time, FormatsRfc2822InUtcAsTwilioDoes) {
  const SystemTime t = sys_days{2010y / August / 31} + 20h + 36min + 28s;
  EXPECT_EQ(format_rfc2822(t), "Tue, 31 Aug 2010 20:36:28 +0000");
  EXPECT_EQ(format_rfc2822(SystemTime{}), "Thu, 01 Jan 1970 00:00:00 +0000");
}

TEST(Time, ParsesDateFilters) {
  EXPECT_EQ(parse_date_filter("2009-07-06"), SystemTime{sys_days{2009y / July / 6}});
  EXPECT_EQ(parse_date_filter("2009-07-06 10:11:12"), SystemTime{sys_days{2009y / July / 6} + 10h + 11min + 12s});
  EXPECT_FALSE(parse_date_filter("2009-02-30"));
  EXPECT_FALSE(parse_date_filter("2009-7-6"));
  EXPECT_FALSE(parse_date_filter("yesterday"));
}

}  // namespace
}  // namespace sb
