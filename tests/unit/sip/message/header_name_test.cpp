#include "sip/message/header_name.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sb::sip {
namespace {

// RFC 3261 7.3.3 and the IANA registry's compact forms.
TEST(HeaderName, MapsEveryCompactForm) {
  const std::pair<char, HeaderId> compact[] = {
      {'a', HeaderId::AcceptContact}, {'b', HeaderId::ReferredBy},    {'c', HeaderId::ContentType},
      {'d', HeaderId::RequestDisposition}, {'e', HeaderId::ContentEncoding}, {'f', HeaderId::From},
      {'i', HeaderId::CallId},        {'j', HeaderId::RejectContact}, {'k', HeaderId::Supported},
      {'l', HeaderId::ContentLength}, {'m', HeaderId::Contact},       {'n', HeaderId::IdentityInfo},
      {'o', HeaderId::Event},         {'r', HeaderId::ReferTo},       {'s', HeaderId::Subject},
      {'t', HeaderId::To},            {'u', HeaderId::AllowEvents},   {'v', HeaderId::Via},
      {'x', HeaderId::SessionExpires}, {'y', HeaderId::Identity},
  };
  for (const auto& [letter, id] : compact) {
    EXPECT_EQ(lookup_header(std::string(1, letter)), id) << letter;
    EXPECT_EQ(lookup_header(std::string(1, static_cast<char>(letter - 'a' + 'A'))), id) << letter;
    EXPECT_EQ(compact_form(id), letter);
  }
  for (char unused : {'g', 'h', 'p', 'q', 'w', 'z', '1', '-'}) EXPECT_EQ(lookup_header(std::string(1, unused)), HeaderId::Other);
}

TEST(HeaderName, LooksUpEveryFullNameInAnyCase) {
  for (int i = 1; i < static_cast<int>(HeaderId::Count_); ++i) {
    const auto id = static_cast<HeaderId>(i);
    std::string name(canonical_name(id));
    ASSERT_FALSE(name.empty());
    EXPECT_EQ(lookup_header(name), id) << name;
    for (char& c : name) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : (c >= 'A' && c <= 'Z' ? c + 32 : c));
    EXPECT_EQ(lookup_header(name), id) << name;
  }
}

TEST(HeaderName, LeavesNearMissesUnknown) {
  for (const char* name : {"", "Vias", "Vi", "Call_ID", "Call-ID2", "C%6Fntact", "Contact ", "X-Via", "Content-Lengthy",
                           "Bontact", "Coatact", "@ia"}) {
    EXPECT_EQ(lookup_header(name), HeaderId::Other) << name;
  }
}

TEST(HeaderName, KnowsWhichHeadersAreLists) {
  for (HeaderId id : {HeaderId::Via, HeaderId::Contact, HeaderId::Route, HeaderId::RecordRoute, HeaderId::Allow,
                      HeaderId::Supported, HeaderId::Require, HeaderId::Accept})
    EXPECT_TRUE(is_list_header(id)) << canonical_name(id);
  for (HeaderId id : {HeaderId::From, HeaderId::To, HeaderId::CallId, HeaderId::CSeq, HeaderId::Date,
                      HeaderId::Authorization, HeaderId::WwwAuthenticate, HeaderId::Subject, HeaderId::Other})
    EXPECT_FALSE(is_list_header(id)) << canonical_name(id);
}

}  // namespace
}  // namespace sb::sip
