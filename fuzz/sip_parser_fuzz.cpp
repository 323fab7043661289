// libFuzzer target for the SIP parser: stream framing, datagram and stream parsing, every typed
// accessor, error responses, and the serializer round trip (parse(serialize(m)) serializes to the
// same bytes). Any crash, sanitizer report or broken invariant is a bug.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sip/message/serializer.hpp"
#include "sip/message/syntax.hpp"
#include "sip/parser/message_builder.hpp"
#include "sip/parser/parser.hpp"

namespace {

using namespace sb::sip;

void check(bool condition) {
  if (!condition) std::abort();
}

void touch_uri(const Uri& uri) {
  check(equivalent(uri, uri));
  for (const Param& p : uri.params) (void)syntax::unescape(p.value);
  (void)uri.ttl();
  (void)syntax::unescape(uri.user);
}

void touch_address(const NameAddr& a) {
  touch_uri(a.uri);
  (void)syntax::unquote(a.display_name);
  for (const Param& p : a.params) (void)syntax::unquote(p.value);
}

void exercise(const Message& m) {
  if (m.is_request()) {
    if (auto uri = m.request_uri()) touch_uri(*uri);
  }
  if (auto vias = m.vias()) {
    for (const Via& v : *vias) (void)v.has_rfc3261_branch();
  }
  if (auto from = m.from()) touch_address(*from);
  if (auto to = m.to()) touch_address(*to);
  if (auto contacts = m.contacts()) {
    for (const Contact& c : *contacts)
      if (!c.is_wildcard) touch_address(c.address);
  }
  if (auto routes = m.routes()) {
    for (const NameAddr& r : *routes) touch_address(r);
  }
  (void)m.record_routes();
  (void)m.call_id();
  (void)m.cseq();
  (void)m.max_forwards();
  (void)m.expires();
  if (auto type = m.content_type()) (void)type->is("application", "sdp");
  for (std::size_t i = 0; i < m.header_count(); ++i) {
    const auto h = m.header_at(i);
    (void)m.header(h.name);
    for (std::string_view v : m.values(h.id)) (void)v;
  }
  (void)validate(m);
}

void round_trip(const Message& m, const ParseOptions& options) {
  const std::string once = serialize(m);
  ParseOptions again = options;
  again.is_stream = false;
  again.max_message_size = once.size();
  auto second = parse_message(once, again);
  check(second.ok());
  check(serialize(second.message()) == once);
  check(second.message().body() == m.body());
  check(second.message().header_count() <= m.header_count() + 1);
}

void parse_one(std::string_view data, ParseOptions options) {
  auto result = parse_message(std::string(data), options);
  if (result.has_message()) exercise(result.message());
  if (result.ok()) round_trip(result.message(), options);
  if (result.can_answer()) {
    auto response = make_error_response(result, "fuzz");
    check(response.has_value());
    check(response->build().has_value());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ParseOptions options;
  options.max_message_size = 16 * 1024;
  options.max_header_count = 64;
  options.max_uri_length = 512;
  parse_one(bytes, options);

  // The same bytes as a TCP stream: frame, then parse each complete message.
  options.is_stream = true;
  std::string_view rest = bytes;
  for (int i = 0; i < 8; ++i) {
    const auto frame = frame_stream(rest, options);
    check(frame.skip <= rest.size());
    if (frame.status != FrameStatus::Complete) break;
    check(frame.length > 0 && frame.skip + frame.length <= rest.size());
    parse_one(rest.substr(frame.skip, frame.length), options);
    rest.remove_prefix(frame.skip + frame.length);
  }

  // Values on their own, as a header accessor would see them.
  (void)parse_uri(bytes, 512);
  (void)parse_name_addr(bytes);
  (void)parse_contact(bytes);
  (void)parse_via(bytes);
  (void)parse_cseq(bytes);
  (void)parse_content_type(bytes);
  (void)is_valid_sip_date(bytes);
  return 0;
}
