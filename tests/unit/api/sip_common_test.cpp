#include "api/sip_common.hpp"

#include <gtest/gtest.h>

namespace sb::api {
namespace {

constexpr std::string_view kBase = "switchboard.local";

TEST(SipDomainName, AcceptsLabelsUnderTheConfiguredBaseAndLowersCase) {
  EXPECT_EQ(normalize_sip_domain_name("Office.sip.switchboard.local", kBase), "office.sip.switchboard.local");
  EXPECT_EQ(normalize_sip_domain_name("east-1.office.SIP.Switchboard.Local", kBase),
            "east-1.office.sip.switchboard.local");
  EXPECT_EQ(normalize_sip_domain_name("acme.sip.voice.example.com", "voice.example.com"),
            "acme.sip.voice.example.com");
}

TEST(SipDomainName, RefusesOtherSuffixesAndBadLabels) {
  for (const char* bad : {"office.sip.twilio.com", "sip.switchboard.local", ".sip.switchboard.local",
                          "office..sip.switchboard.local", "-office.sip.switchboard.local",
                          "office-.sip.switchboard.local", "of_fice.sip.switchboard.local",
                          "of fice.sip.switchboard.local", "office.switchboard.local",
                          "office.sip.switchboard.local.", "officesip.switchboard.local"}) {
    EXPECT_FALSE(normalize_sip_domain_name(bad, kBase)) << bad;
  }
  EXPECT_FALSE(normalize_sip_domain_name(std::string(64, 'a') + ".sip.switchboard.local", kBase));
  EXPECT_TRUE(normalize_sip_domain_name(std::string(63, 'a') + ".sip.switchboard.local", kBase));
  std::string long_name;
  for (int i = 0; i < 40; ++i) long_name += "abcdef.";
  EXPECT_FALSE(normalize_sip_domain_name(long_name + "sip.switchboard.local", kBase)) << "over 253 characters";
}

TEST(SipDomainName, ParentAndTopLabel) {
  EXPECT_EQ(parent_sip_domain("a.b.sip.switchboard.local", kBase), "b.sip.switchboard.local");
  EXPECT_FALSE(parent_sip_domain("b.sip.switchboard.local", kBase));
  EXPECT_EQ(top_sip_domain_label("a.b.sip.switchboard.local", kBase), "b");
  EXPECT_EQ(top_sip_domain_label("b.sip.switchboard.local", kBase), "b");
}

TEST(SipCredentialRules, PasswordsNeedTwelveCharactersADigitAndBothCases) {
  EXPECT_TRUE(is_valid_sip_password("IWasAtSignal2018"));
  EXPECT_TRUE(is_valid_sip_password("aB3456789012"));
  EXPECT_FALSE(is_valid_sip_password("aB345678901")) << "11 characters";
  EXPECT_FALSE(is_valid_sip_password("ab3456789012")) << "no upper case";
  EXPECT_FALSE(is_valid_sip_password("AB3456789012")) << "no lower case";
  EXPECT_FALSE(is_valid_sip_password("abcdefGHIJKL")) << "no digit";
  EXPECT_FALSE(is_valid_sip_password("aB3" + std::string(253, 'x'))) << "over 255 characters";
}

TEST(SipCredentialRules, UsernamesAreUpTo32SipUserCharacters) {
  EXPECT_TRUE(is_valid_sip_username("alice"));
  EXPECT_TRUE(is_valid_sip_username("ext-101_a.b+c"));
  EXPECT_TRUE(is_valid_sip_username(std::string(32, 'u')));
  EXPECT_FALSE(is_valid_sip_username(std::string(33, 'u')));
  EXPECT_FALSE(is_valid_sip_username(""));
  for (const char* bad : {"al ice", "alice@home", "alice:1", "al\"ice", "al\\ice", "al<ice>"}) {
    EXPECT_FALSE(is_valid_sip_username(bad)) << bad;
  }
}

TEST(SipCidrPrefixLength, ZeroMeansTheWholeAddress) {
  EXPECT_EQ(parse_cidr_prefix_length("24"), 24);
  EXPECT_EQ(parse_cidr_prefix_length("32"), 32);
  EXPECT_EQ(parse_cidr_prefix_length("0"), 32);
  EXPECT_FALSE(parse_cidr_prefix_length("33"));
  EXPECT_FALSE(parse_cidr_prefix_length("-1"));
  EXPECT_FALSE(parse_cidr_prefix_length("24a"));
  EXPECT_FALSE(parse_cidr_prefix_length(""));
}

}  // namespace
}  // namespace sb::api
