#include "sip/message/name_addr.hpp"

#include <gtest/gtest.h>

#include "sip/message/errc.hpp"
#include "sip/message/syntax.hpp"

namespace sb::sip {
namespace {

TEST(NameAddr, ParsesQuotedDisplayNameAndTag) {
  auto a = parse_name_addr("\"Bob \\\"B\\\" Biloxi\" <sip:bob@biloxi.com;transport=tcp>;tag=a6c85cf");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->display_name, "\"Bob \\\"B\\\" Biloxi\"");
  EXPECT_EQ(syntax::unquote(a->display_name), "Bob \"B\" Biloxi");
  EXPECT_TRUE(a->has_angle_brackets);
  EXPECT_EQ(a->uri.user, "bob");
  EXPECT_EQ(a->uri.transport(), "tcp");
  EXPECT_EQ(a->tag(), "a6c85cf");
}

TEST(NameAddr, ParsesTokenDisplayNameWithAndWithoutSpace) {
  auto a = parse_name_addr("Alice Liddell <sip:alice@atlanta.com>");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->display_name, "Alice Liddell");
  a = parse_name_addr("caller<sip:caller@example.com>;tag=323");  // RFC 4475 lwsdisp
  ASSERT_TRUE(a);
  EXPECT_EQ(a->display_name, "caller");
  EXPECT_EQ(a->tag(), "323");
}

TEST(NameAddr, AddrSpecParamsBelongToTheHeader) {
  auto a = parse_name_addr("sip:+19725552222@gw1.example.net;unknownparam");  // RFC 4475 cparam01
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->has_angle_brackets);
  EXPECT_TRUE(a->uri.params.empty());
  EXPECT_TRUE(a->params.contains("unknownparam"));
  a = parse_name_addr("<sip:+19725552222@gw1.example.net;unknownparam>");  // cparam02
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->uri.params.contains("unknownparam"));
  EXPECT_TRUE(a->params.empty());
  a = parse_name_addr("sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n");  // wsinv
  ASSERT_TRUE(a);
  EXPECT_EQ(a->tag(), "1918181833n");
}

TEST(NameAddr, RejectsMalformedAddresses) {
  for (std::string_view bad : {"", "\"Mr. J. User <sip:j.user@example.com>", "\"Watson, Thomas\" < sip:t.watson@example.org >",
                               "Bell, Alexander <sip:a.g.bell@example.com>;tag=43", "sip:caller@example.net;;tag=1",
                               "<sip:a@b.com", "sip:user@example.com?Route=%3Csip:sip.example.com%3E",
                               "<sip:a@b.com> trailing", "<sip:a@b.com>;tag=\"open", "<>"}) {
    EXPECT_FALSE(parse_name_addr(bad)) << bad;
  }
  auto r = parse_name_addr("sip:a@b.com", true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), Errc::BadNameAddr);
}

TEST(Contact, ParsesWildcardExpiresAndQ) {
  auto c = parse_contact("*");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->is_wildcard);
  c = parse_contact("<sip:alice@192.0.2.4:5060>;expires=3600;q=0.7");
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->is_wildcard);
  EXPECT_EQ(c->expires, 3600u);
  EXPECT_EQ(c->q, 700);
  c = parse_contact("\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam = newvalue ; secondparam ; q = 0.33");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->q, 330);
  EXPECT_EQ(c->address.params.find("newparam"), "newvalue");
  EXPECT_TRUE(c->address.params.contains("secondparam"));
}

TEST(Contact, RejectsOutOfRangeParams) {
  EXPECT_FALSE(parse_contact("<sip:user@host129.example.com>;expires=280297596632815"));
  EXPECT_FALSE(parse_contact("<sip:a@b.com>;q=1.5"));
  EXPECT_FALSE(parse_contact("<sip:a@b.com>;q=0.1234"));
  EXPECT_FALSE(parse_contact("<sip:a@b.com>;expires=-1"));
  EXPECT_TRUE(parse_contact("<sip:a@b.com>;q=1.000;expires=4294967295"));
}

}  // namespace
}  // namespace sb::sip
