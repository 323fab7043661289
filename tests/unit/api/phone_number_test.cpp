#include "api/phone_number.hpp"

#include <gtest/gtest.h>

namespace sb::api {
namespace {

TEST(PhoneNumber, AcceptsE164Only) {
  EXPECT_TRUE(is_e164("+14155551212"));
  EXPECT_TRUE(is_e164("+442071838750"));
  EXPECT_TRUE(is_e164("+123456789012345")) << "15 digits";
  EXPECT_TRUE(is_e164("+49"));
  EXPECT_FALSE(is_e164("+1234567890123456")) << "16 digits";
  EXPECT_FALSE(is_e164("14155551212")) << "no +";
  EXPECT_FALSE(is_e164("+04155551212")) << "country codes never start with 0";
  EXPECT_FALSE(is_e164("+1 415 555 1212"));
  EXPECT_FALSE(is_e164("+1(415)5551212"));
  EXPECT_FALSE(is_e164("+"));
  EXPECT_FALSE(is_e164("+1"));
  EXPECT_FALSE(is_e164(""));
  EXPECT_FALSE(is_e164("+1415555121a"));
}

TEST(PhoneNumber, FriendlyNameFormatsNorthAmericanNumbers) {
  EXPECT_EQ(default_friendly_name("+14155551212"), "(415) 555-1212");
  EXPECT_EQ(default_friendly_name("+18089255327"), "(808) 925-5327");
  EXPECT_EQ(default_friendly_name("+442071838750"), "+442071838750");
  EXPECT_EQ(default_friendly_name("+1415555121"), "+1415555121") << "not ten digits after +1";
  EXPECT_EQ(default_friendly_name("+33123456789"), "+33123456789");
}

}  // namespace
}  // namespace sb::api
