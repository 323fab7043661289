#include "sip/parser/parser.hpp"

#include <gtest/gtest.h>

#include <string>

#include "test_data.hpp"

namespace sb::sip {
namespace {

constexpr std::string_view kHead =
    "OPTIONS sip:a@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n"
    "From: <sip:b@example.com>;tag=2\r\n"
    "To: <sip:a@example.com>\r\n"
    "Call-ID: y@h\r\n"
    "CSeq: 1 OPTIONS\r\n";

std::string with(std::string_view extra, std::string_view body = {}) {
  std::string s(kHead);
  s.append(extra);
  s.append("\r\n");
  s.append(body);
  return s;
}

Errc errc_of(std::string text, ParseOptions options = {}) { return parse_message(std::move(text), options).errc(); }

TEST(Parser, AcceptsAMinimalRequest) {
  auto r = parse_message(with("Content-Length: 0\r\n"));
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(r.message().is_request());
  EXPECT_EQ(r.message().method(), "OPTIONS");
  EXPECT_EQ(r.message().version(), "SIP/2.0");
  EXPECT_FALSE(r.can_answer());
}

TEST(Parser, SkipsLeadingCrlfAndAcceptsBareLf) {
  std::string text = "\r\n\r\n" + with("Content-Length: 0\r\n");
  EXPECT_TRUE(parse_message(text).ok());
  std::string lf;
  for (char c : with("Content-Length: 0\r\n"))
    if (c != '\r') lf.push_back(c);
  auto r = parse_message(lf);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r.message().cseq()->method, "OPTIONS");
}

TEST(Parser, DatagramBodyFollowsContentLength) {
  auto r = parse_message(with("Content-Length: 3\r\n", "abcdef"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.message().body(), "abc");
  r = parse_message(with("", "abcdef"));  // no Content-Length on a datagram: the rest
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.message().body(), "abcdef");
  EXPECT_EQ(errc_of(with("Content-Length: 7\r\n", "abcdef")), Errc::BodyTruncated);
  EXPECT_EQ(errc_of(with("Content-Length: 3\r\nl: 4\r\n", "abcdef")), Errc::ConflictingContentLength);
  EXPECT_TRUE(parse_message(with("Content-Length: 3\r\nl: 3\r\n", "abcdef")).ok());
  EXPECT_EQ(errc_of(with("Content-Length: 0x10\r\n")), Errc::BadContentLength);
  EXPECT_EQ(errc_of(with("Content-Length: 99999999999999999999999\r\n")), Errc::BadContentLength);
}

TEST(Parser, StreamRequiresContentLength) {
  ParseOptions stream;
  stream.is_stream = true;
  EXPECT_EQ(errc_of(with(""), stream), Errc::MissingContentLength);
  EXPECT_TRUE(parse_message(with("l: 0\r\n"), stream).ok());
}

TEST(Parser, ReportsStartLineFaults) {
  EXPECT_EQ(errc_of("OPTIONS sip:a@example.com SIP/2.0 extra\r\n\r\n"), Errc::BadRequestLine);
  EXPECT_EQ(errc_of("OPTIONS sip:a@example.com\r\n\r\n"), Errc::BadRequestLine);
  EXPECT_EQ(errc_of("OPT:IONS sip:a@example.com SIP/2.0\r\n\r\n"), Errc::BadRequestLine);
  EXPECT_EQ(errc_of("OPTIONS sip:a@example.com HTTP/1.1\r\n\r\n"), Errc::BadRequestLine);
  EXPECT_EQ(errc_of("OPTIONS sip:a@ SIP/2.0\r\n\r\n"), Errc::BadRequestUri);
  EXPECT_EQ(errc_of("OPTIONS sip:a@example.com SIP/3.0\r\n\r\n"), Errc::UnsupportedVersion);
  EXPECT_EQ(errc_of("SIP/2.0 99 Low\r\n\r\n"), Errc::BadStatusLine);
  EXPECT_EQ(errc_of("SIP/2.0 700 High\r\n\r\n"), Errc::BadStatusLine);
  EXPECT_EQ(errc_of("SIP/2.0 2000 OK\r\n\r\n"), Errc::BadStatusLine);
  EXPECT_EQ(errc_of("SIP/2.0\r\n\r\n"), Errc::BadStatusLine);
  EXPECT_EQ(errc_of(""), Errc::HeadersIncomplete);
  EXPECT_EQ(errc_of("OPTIONS sip:a@example.com SIP/2.0\r\nVia: x\r\n"), Errc::HeadersIncomplete);
}

TEST(Parser, ReportsHeaderLineFaults) {
  EXPECT_EQ(errc_of(with("NoColonHere\r\n")), Errc::BadHeaderLine);
  EXPECT_EQ(errc_of(with(": empty name\r\n")), Errc::BadHeaderLine);
  EXPECT_EQ(errc_of(with("Bad Name: x\r\n")), Errc::BadHeaderLine);
  EXPECT_EQ(errc_of("OPTIONS sip:a@example.com SIP/2.0\r\n folded-first\r\n\r\n"), Errc::BadHeaderLine);
  // A bare CR may not hide a line break inside a value or the start line.
  EXPECT_EQ(errc_of(with("Subject: a\rInjected: b\r\n")), Errc::BadHeaderLine);
  EXPECT_EQ(errc_of("OPTIONS sip:a@example.com\r SIP/2.0\r\n\r\n"), Errc::BadRequestUri);
  EXPECT_EQ(errc_of("SIP/2.0 200 O\rK\r\n\r\n"), Errc::BadStatusLine);
}

TEST(Parser, EnforcesLimits) {
  ParseOptions options;
  options.max_message_size = 200;
  EXPECT_EQ(errc_of(with("Content-Length: 0\r\n", "") + std::string(300, 'x'), options), Errc::MessageTooLarge);
  std::string many;
  for (int i = 0; i < 300; ++i) many += "X-H: " + std::to_string(i) + "\r\n";
  auto r = parse_message(with(many));
  EXPECT_EQ(r.errc(), Errc::TooManyHeaders);
  EXPECT_TRUE(r.can_answer());
  EXPECT_EQ(r.answer_reason(), "Bad Request - Too Many Header Fields");
  const std::string long_uri = "sip:" + std::string(5000, 'u') + "@example.com";
  r = parse_message("OPTIONS " + long_uri + " SIP/2.0\r\n" + std::string(kHead.substr(kHead.find('\n') + 1)) + "\r\n");
  EXPECT_EQ(r.errc(), Errc::UriTooLong);
  EXPECT_EQ(r.answer_status(), 414);
  ParseOptions big_uris;
  big_uris.max_uri_length = 8192;
  EXPECT_EQ(parse_message("OPTIONS " + long_uri + " SIP/2.0\r\n" + std::string(kHead.substr(kHead.find('\n') + 1)) + "\r\n",
                          big_uris).errc(), Errc{});
}

TEST(Parser, ValidatesMandatoryHeaders) {
  EXPECT_EQ(errc_of(with("Max-Forwards: 256\r\n")), Errc::BadMaxForwards);
  EXPECT_EQ(errc_of(with("Expires: soon\r\n")), Errc::BadExpires);
  EXPECT_EQ(errc_of(with("Route: sip:p.example.com\r\n")), Errc::BadRoute);
  EXPECT_EQ(errc_of(with("Content-Type: sdp\r\n")), Errc::BadContentType);
  EXPECT_EQ(errc_of(with("Retry-After: 18446744073709551616\r\n")), Errc::BadRetryAfter);
  EXPECT_EQ(errc_of(with("Retry-After: 120 (in a meeting);duration=60\r\n")), Errc{});
  EXPECT_EQ(errc_of(with("Contact: *\r\nExpires: 0\r\n")), Errc{});
  EXPECT_EQ(errc_of(with("Call-ID: again\r\n")), Errc::DuplicateHeader);
  ParseOptions no_validation;
  no_validation.validate = false;
  EXPECT_EQ(errc_of(with("Max-Forwards: 256\r\n"), no_validation), Errc{});
}

TEST(Parser, ErrorCategoryNamesEveryFault) {
  for (int i = 1; i <= static_cast<int>(Errc::HeaderAbsent); ++i) {
    const std::error_code ec = static_cast<Errc>(i);
    EXPECT_STREQ(ec.category().name(), "sip");
    EXPECT_NE(ec.message(), "unknown sip error") << i;
  }
  EXPECT_EQ(reason_phrase_for(Errc::MissingCallId), "Bad Request - Missing Call-ID");
  EXPECT_EQ(status_for(Errc::UnsupportedUriScheme), 416);
  EXPECT_EQ(status_for(Errc::MessageTooLarge), 513);
  EXPECT_EQ(status_for(Errc::BadStatusLine), 0);
}

TEST(FrameStream, FindsMessageBoundaries) {
  const std::string a = with("Content-Length: 5\r\n", "hello");
  const std::string b = with("l: 0\r\n");
  const std::string stream = "\r\n\r\n" + a + b;
  auto f = frame_stream(stream);
  ASSERT_EQ(f.status, FrameStatus::Complete);
  EXPECT_EQ(f.skip, 4u);
  EXPECT_EQ(f.length, a.size());
  f = frame_stream(std::string_view(stream).substr(4 + a.size()));
  ASSERT_EQ(f.status, FrameStatus::Complete);
  EXPECT_EQ(f.length, b.size());
  // Every strict prefix needs more.
  for (std::size_t n = 0; n < a.size(); ++n) EXPECT_EQ(frame_stream(std::string_view(a).substr(0, n)).status, FrameStatus::NeedMore) << n;
  // A keep-alive alone.
  f = frame_stream("\r\n\r\n");
  EXPECT_EQ(f.status, FrameStatus::NeedMore);
  EXPECT_EQ(f.skip, 4u);
}

TEST(FrameStream, ReadsFoldedContentLengthAndRejectsBadFraming) {
  auto f = frame_stream(with("Content-Length:\r\n 2\r\n", "ok"));
  ASSERT_EQ(f.status, FrameStatus::Complete);
  EXPECT_EQ(frame_stream(with("")).error, Errc::MissingContentLength);
  EXPECT_EQ(frame_stream(with("Content-Length: -1\r\n")).error, Errc::BadContentLength);
  EXPECT_EQ(frame_stream(with("Content-Length: 1\r\nl: 2\r\n")).error, Errc::ConflictingContentLength);
  EXPECT_EQ(frame_stream(with("garbage\r\n")).error, Errc::BadHeaderLine);
  ParseOptions small;
  small.max_message_size = 300;
  EXPECT_EQ(frame_stream(with("Content-Length: 1000\r\n"), small).error, Errc::MessageTooLarge);
  EXPECT_EQ(frame_stream(std::string(400, 'a'), small).error, Errc::MessageTooLarge);
}

TEST(FrameStream, SplitsTheDblreqStreamIntoTwoMessages) {
  const std::string data = test::load_torture("dblreq");
  auto f = frame_stream(data);
  ASSERT_EQ(f.status, FrameStatus::Complete);
  auto first = parse_message(data.substr(f.skip, f.length), {.is_stream = true});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.message().method(), "REGISTER");
  const auto rest = std::string_view(data).substr(f.skip + f.length);
  auto g = frame_stream(rest);
  ASSERT_EQ(g.status, FrameStatus::Complete);
  EXPECT_EQ(g.skip, 2u);
  EXPECT_EQ(g.skip + g.length, rest.size());
  auto second = parse_message(std::string(rest.substr(g.skip, g.length)), {.is_stream = true});
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_EQ(second.message().method(), "INVITE");
}

}  // namespace
}  // namespace sb::sip
