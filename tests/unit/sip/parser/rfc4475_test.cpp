// RFC 4475 torture messages (tests/data/sip/rfc4475/*.dat, CRLF exact): each one gets the
// treatment the RFC describes for it.
#include "sip/parser/parser.hpp"

#include <gtest/gtest.h>

#include <string>

#include "sip/message/syntax.hpp"
#include "test_data.hpp"

namespace sb::sip {
namespace {

ParseResult parse_torture(std::string_view name) { return parse_message(test::load_torture(name)); }

Message valid(std::string_view name) {
  auto r = parse_torture(name);
  EXPECT_TRUE(r.ok()) << name << ": " << r.error().message();
  EXPECT_TRUE(r.has_message());
  return r.has_message() ? std::move(r.message()) : Message{};
}

// An invalid request answered with `status` and the fault `errc`.
void expect_answered(std::string_view name, Errc errc, int status = 400) {
  auto r = parse_torture(name);
  EXPECT_EQ(r.errc(), errc) << name << ": " << r.error().message();
  EXPECT_TRUE(r.can_answer()) << name;
  EXPECT_EQ(r.answer_status(), status) << name;
}

// --- 3.1.1 valid messages -------------------------------------------------------------------

TEST(Rfc4475, Wsinv) {
  const auto m = valid("wsinv");
  EXPECT_EQ(m.method_id(), Method::Invite);
  EXPECT_EQ(m.request_uri()->params.text(), ";unknownparam");
  EXPECT_EQ(m.to()->tag(), "1918181833n");
  EXPECT_EQ(m.to()->uri.user, "vivekg");
  const auto from = m.from();
  ASSERT_TRUE(from);
  EXPECT_EQ(syntax::unquote(from->display_name), "J Rosenberg \\\"");
  EXPECT_EQ(from->tag(), "98asjd8");
  EXPECT_EQ(*m.max_forwards(), 68);
  EXPECT_EQ(m.cseq()->number, 9u);
  EXPECT_EQ(m.cseq()->method, "INVITE");
  const auto vias = m.vias();
  ASSERT_TRUE(vias);
  ASSERT_EQ(vias->size(), 3u);
  EXPECT_EQ((*vias)[0].transport, "UDP");
  EXPECT_EQ((*vias)[0].host, "192.0.2.2");
  EXPECT_TRUE((*vias)[0].has_rport);
  EXPECT_EQ((*vias)[0].branch, "390skdjuw");
  EXPECT_EQ((*vias)[1].transport, "TCP");
  EXPECT_EQ((*vias)[1].host, "spindle.example.com");
  EXPECT_EQ((*vias)[1].branch, "z9hG4bK9ikj8");
  EXPECT_EQ((*vias)[2].host, "192.168.255.111");
  EXPECT_EQ((*vias)[2].branch, "z9hG4bK30239");
  EXPECT_EQ(m.header(HeaderId::Subject), "");
  EXPECT_EQ(m.header("NewFangledHeader"), "newfangled value   continued newfangled value");
  EXPECT_EQ(m.header("UnknownHeaderWithUnusualValue"), ";;,,;;,;");
  const auto routes = m.routes();
  ASSERT_TRUE(routes);
  ASSERT_EQ(routes->size(), 1u);
  EXPECT_TRUE((*routes)[0].uri.has_lr());
  const auto contacts = m.contacts();
  ASSERT_TRUE(contacts);
  ASSERT_EQ(contacts->size(), 1u);
  EXPECT_EQ((*contacts)[0].q, 330);
  EXPECT_EQ((*contacts)[0].address.params.find("newparam"), "newvalue");
  EXPECT_EQ(m.body().size(), 150u);
}

TEST(Rfc4475, Intmeth) {
  const auto m = valid("intmeth");
  EXPECT_EQ(m.method(), "!interesting-Method0123456789_*+`.%indeed'~");
  EXPECT_EQ(m.method_id(), Method::Other);
  EXPECT_EQ(m.request_uri()->password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
  EXPECT_EQ(m.top_via()->branch, "z9hG4bK-.!%66*_+`'~");
  const auto to = m.to();
  ASSERT_TRUE(to);
  EXPECT_EQ(syntax::unquote(to->display_name), std::string("BEL:\x07 NUL:\0 DEL:\x7F", 17));
  const auto from = m.from();
  ASSERT_TRUE(from);
  EXPECT_EQ(from->display_name, "token1~` token2'+_ token3*%!.-");
  EXPECT_EQ(from->tag(), "_token~1'+`*%!-.");
  EXPECT_EQ(m.call_id().value(), "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
  EXPECT_EQ(*m.max_forwards(), 255);
  EXPECT_TRUE(m.header("extensionHeader-!.%*+_`'~"));
}

TEST(Rfc4475, Esc01) {
  const auto m = valid("esc01");
  EXPECT_EQ(syntax::unescape(m.request_uri()->user), "sips:user@example.com");
  const auto to = m.to();
  EXPECT_TRUE(equivalent(to->uri, *parse_uri("sip:user@example.com")));
  EXPECT_EQ(syntax::unescape(m.from()->uri.user), "I have spaces");
  EXPECT_EQ(m.call_id().value(), "esc01.239409asdfakjkn23onasd0-3234");
  EXPECT_TRUE(m.content_type()->is("application", "sdp"));
  const auto contacts = m.contacts();
  ASSERT_TRUE(contacts);
  const auto& uri = (*contacts)[0].address.uri;
  EXPECT_EQ(syntax::unescape(uri.user), "caller");
  EXPECT_TRUE(uri.has_lr());
  EXPECT_EQ(syntax::unescape(*uri.param("name")), "value%41");
}

TEST(Rfc4475, Escnull) {
  const auto m = valid("escnull");
  EXPECT_EQ(syntax::unescape(m.to()->uri.user), std::string("null-\0-null", 11));
  const auto contacts = m.contacts();
  ASSERT_TRUE(contacts);
  ASSERT_EQ(contacts->size(), 2u);
  EXPECT_EQ(syntax::unescape((*contacts)[1].address.uri.user), std::string("\0\0", 2));
  EXPECT_EQ(m.content_length(), 0u);
}

TEST(Rfc4475, Esc02) {
  const auto m = valid("esc02");
  EXPECT_EQ(m.method(), "RE%47IST%45R");  // a method token, not an escape
  EXPECT_EQ(m.method_id(), Method::Other);
  EXPECT_EQ(m.cseq()->method, "RE%47IST%45R");
  EXPECT_EQ(syntax::unquote(m.to()->display_name), "%Z%45");
  EXPECT_EQ(m.contacts()->size(), 2u);
  EXPECT_EQ(m.header("C%6Fntact"), "<sip:alias2@host2.example.com>");
}

TEST(Rfc4475, Lwsdisp) {
  const auto m = valid("lwsdisp");
  EXPECT_EQ(m.from()->display_name, "caller");
  EXPECT_EQ(m.from()->tag(), "323");
}

TEST(Rfc4475, Longreq) {
  const auto m = valid("longreq");
  EXPECT_GT(m.to()->display_name.size(), 250u);
  EXPECT_EQ(m.to()->uri.port, 6000);
  EXPECT_GT(m.from()->tag().size(), 300u);
  EXPECT_GT(m.call_id().value().size(), 300u);
  const auto vias = m.vias();
  ASSERT_TRUE(vias);
  EXPECT_EQ(vias->size(), 35u);
  EXPECT_EQ(vias->back().received, "192.0.2.35");
  EXPECT_EQ(vias->back().rport, 5060);
  EXPECT_EQ(m.body().size(), 150u);
}

TEST(Rfc4475, DblreqIgnoresTrailingDatagramBytes) {
  const auto m = valid("dblreq");
  EXPECT_EQ(m.method(), "REGISTER");
  EXPECT_EQ(m.body(), "");
  EXPECT_EQ(m.call_id().value(), "dblreq.0ha0isndaksdj99sdfafnl3lk233412");
  EXPECT_EQ(m.text().find("INVITE"), std::string_view::npos);
}

TEST(Rfc4475, Semiuri) {
  const auto m = valid("semiuri");
  const auto uri = m.request_uri();
  EXPECT_EQ(uri->user, "user;par=u%40example.net");
  EXPECT_EQ(uri->host, "example.com");
  EXPECT_TRUE(uri->params.empty());
  int accepts = 0;
  for (auto v : m.values(HeaderId::Accept)) accepts += v.empty() ? 0 : 1;
  EXPECT_EQ(accepts, 6);
}

TEST(Rfc4475, Transports) {
  const auto m = valid("transports");
  const auto vias = m.vias();
  ASSERT_TRUE(vias);
  ASSERT_EQ(vias->size(), 5u);
  const char* expected[] = {"UDP", "SCTP", "TLS", "UNKNOWN", "TCP"};
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ((*vias)[i].transport, expected[i]);
}

TEST(Rfc4475, Mpart01PassesMultipartBodyThroughAsBytes) {
  const auto m = valid("mpart01");
  EXPECT_TRUE(m.content_type()->is("multipart", "mixed"));
  EXPECT_EQ(m.content_type()->params.find("boundary"), "7a9cbec02ceef655");
  EXPECT_EQ(m.body().size(), std::stoul(std::string(*m.header(HeaderId::ContentLength))));
  EXPECT_NE(m.body().find(std::string_view("\0\x01\x02", 3)), std::string_view::npos);
  EXPECT_TRUE(m.body().ends_with("--7a9cbec02ceef655--\r\n"));
}

TEST(Rfc4475, Unreason) {
  const auto m = valid("unreason");
  EXPECT_EQ(m.status_code(), 200);
  EXPECT_TRUE(m.reason_phrase().starts_with("= 2**3 * 5**2 "));
  EXPECT_GT(m.reason_phrase().size(), 40u);
}

TEST(Rfc4475, Noreason) {
  const auto m = valid("noreason");
  EXPECT_EQ(m.status_code(), 100);
  EXPECT_EQ(m.reason_phrase(), "");
}

// --- 3.1.2 invalid messages -----------------------------------------------------------------

TEST(Rfc4475, Badinv01) { expect_answered("badinv01", Errc::BadVia); }
TEST(Rfc4475, Clerr) { expect_answered("clerr", Errc::BodyTruncated); }
TEST(Rfc4475, Ncl) { expect_answered("ncl", Errc::BadContentLength); }
TEST(Rfc4475, Scalar02) { expect_answered("scalar02", Errc::BadCSeq); }

TEST(Rfc4475, ScalarlgResponseIsDropped) {
  auto r = parse_torture("scalarlg");
  EXPECT_EQ(r.errc(), Errc::BadCSeq);
  EXPECT_FALSE(r.can_answer());
}

TEST(Rfc4475, Quotbal) { expect_answered("quotbal", Errc::BadTo); }
TEST(Rfc4475, Ltgtruri) { expect_answered("ltgtruri", Errc::BadRequestUri); }
TEST(Rfc4475, Lwsruri) { expect_answered("lwsruri", Errc::BadRequestLine); }
TEST(Rfc4475, Lwsstart) { expect_answered("lwsstart", Errc::BadRequestLine); }
TEST(Rfc4475, Trws) { expect_answered("trws", Errc::BadRequestLine); }
TEST(Rfc4475, Escruri) { expect_answered("escruri", Errc::BadRequestUri); }
TEST(Rfc4475, Baddate) { expect_answered("baddate", Errc::BadDate); }
TEST(Rfc4475, Regbadct) { expect_answered("regbadct", Errc::BadContact); }
TEST(Rfc4475, Badaspec) { expect_answered("badaspec", Errc::BadTo); }
TEST(Rfc4475, Baddn) { expect_answered("baddn", Errc::BadFrom); }
TEST(Rfc4475, Badvers) { expect_answered("badvers", Errc::UnsupportedVersion, 505); }
TEST(Rfc4475, Mismatch01) { expect_answered("mismatch01", Errc::CSeqMethodMismatch); }
TEST(Rfc4475, Mismatch02) { expect_answered("mismatch02", Errc::CSeqMethodMismatch); }

TEST(Rfc4475, BigcodeResponseIsDropped) {
  auto r = parse_torture("bigcode");
  EXPECT_EQ(r.errc(), Errc::BadStatusLine);
  EXPECT_FALSE(r.can_answer());
}

// --- 3.2 transaction layer, 3.3 application layer, 3.4 backward compatibility ----------------

TEST(Rfc4475, BadbranchIsAnRfc2543Transaction) {
  const auto m = valid("badbranch");
  EXPECT_EQ(m.top_via()->branch, "z9hG4bK");
  EXPECT_FALSE(m.top_via()->has_rfc3261_branch());
}

TEST(Rfc4475, Insuf) {
  expect_answered("insuf", Errc::MissingFrom);
  auto r = parse_torture("insuf");
  EXPECT_EQ(r.answer_reason(), "Bad Request - Missing From");
  EXPECT_EQ(r.message().call_id().error(), Errc::MissingCallId);
  EXPECT_EQ(r.message().to().error(), Errc::MissingTo);
}

TEST(Rfc4475, Unkscm) { expect_answered("unkscm", Errc::UnsupportedUriScheme, 416); }
TEST(Rfc4475, Novelsc) { expect_answered("novelsc", Errc::UnsupportedUriScheme, 416); }

TEST(Rfc4475, Unksm2AcceptsUnknownSchemesInHeaders) {
  const auto m = valid("unksm2");
  EXPECT_EQ(m.to()->uri.scheme, UriScheme::Other);
  EXPECT_EQ(m.to()->uri.scheme_text, "isbn");
  EXPECT_EQ(m.from()->uri.scheme_text, "http");
  EXPECT_EQ((*m.contacts())[0].address.uri.opaque, "John_Smith");
}

TEST(Rfc4475, Multi01) { expect_answered("multi01", Errc::DuplicateHeader); }
TEST(Rfc4475, Mcl01) { expect_answered("mcl01", Errc::ConflictingContentLength); }

TEST(Rfc4475, Bcast) {
  const auto m = valid("bcast");
  EXPECT_EQ((*m.vias())[1].host, "255.255.255.255");
}

TEST(Rfc4475, Zeromf) { EXPECT_EQ(*valid("zeromf").max_forwards(), 0); }

TEST(Rfc4475, Cparam01And02) {
  // Contacts are views into their Message: keep it alive.
  const auto m1 = valid("cparam01");
  const auto c1 = m1.contacts();
  ASSERT_TRUE(c1);
  EXPECT_TRUE((*c1)[0].address.params.contains("unknownparam"));
  EXPECT_TRUE((*c1)[0].address.uri.params.empty());
  const auto m2 = valid("cparam02");
  const auto c2 = m2.contacts();
  ASSERT_TRUE(c2);
  EXPECT_TRUE((*c2)[0].address.uri.params.contains("unknownparam"));
  EXPECT_TRUE((*c2)[0].address.params.empty());
}

TEST(Rfc4475, Regescrt) {
  const auto m = valid("regescrt");
  const auto contacts = m.contacts();
  ASSERT_TRUE(contacts);
  EXPECT_EQ((*contacts)[0].address.uri.headers, "Route=%3Csip:sip.example.com%3E");
}

TEST(Rfc4475, Inv2543) {
  const auto m = valid("inv2543");
  EXPECT_TRUE(m.top_via()->branch.empty());
  EXPECT_FALSE(m.top_via()->has_rfc3261_branch());
  EXPECT_FALSE(m.from()->has_tag());
  EXPECT_EQ(m.max_forwards().error(), Errc::HeaderAbsent);
  EXPECT_EQ(m.body().size(), 150u);  // no Content-Length: the rest of the datagram
}

}  // namespace
}  // namespace sb::sip
