#include "core/sid.hpp"

#include <gtest/gtest.h>

namespace sb {
namespace {

TEST(Sid, HasPrefixAnd32LowercaseHexDigits) {
  const auto sid = make_sid(sid_prefix::kAccount);
  ASSERT_EQ(sid.size(), kSidLength);
  EXPECT_EQ(sid.substr(0, 2), "AC");
  for (char c : sid.substr(2)) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << sid;
  EXPECT_TRUE(is_sid(sid, sid_prefix::kAccount));
}

TEST(Sid, IsUniqueAcrossCalls) { EXPECT_NE(make_sid("CA"), make_sid("CA")); }

TEST(Sid, RejectsWrongPrefixLengthOrDigits) {
  EXPECT_FALSE(is_sid("CA0123456789abcdef0123456789abcdef", "AC"));
  EXPECT_FALSE(is_sid("AC0123456789abcdef0123456789abcde", "AC"));
  EXPECT_FALSE(is_sid("AC0123456789abcdef0123456789abcdeg", "AC"));
  EXPECT_TRUE(is_sid("AC0123456789ABCDEF0123456789abcdef", "AC"));
}

}  // namespace
}  // namespace sb
