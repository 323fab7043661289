#include "sip/message/name_addr.hpp"

#include "sip/message/errc.hpp"
#include "sip/message/syntax.hpp"

namespace sb::sip {
namespace {

using namespace syntax;

std::error_code uri_error(const std::error_code& ec) {
  return ec == Errc::UriTooLong ? ec : make_error_code(Errc::BadNameAddr);
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths.
std::optional<std::uint16_t> parse_qvalue(std::string_view s) {
  if (s.empty() || (s[0] != '0' && s[0] != '1')) return std::nullopt;
  std::uint16_t value = s[0] == '1' ? 1000 : 0;
  if (s.size() == 1) return value;
  if (s[1] != '.' || s.size() > 5) return std::nullopt;
  std::uint16_t scale = 100;
  for (char c : s.substr(2)) {
    if (!is_digit(c) || (value == 1000 && c != '0')) return std::nullopt;
    value = static_cast<std::uint16_t>(value + (c - '0') * scale);
    scale /= 10;
  }
  return value;
}

}  // namespace

Result<NameAddr> parse_name_addr(std::string_view text, bool require_angle_brackets, std::size_t max_uri_length) {
  const std::error_code bad = make_error_code(Errc::BadNameAddr);
  std::string_view rest = trim_lws(text);
  if (rest.empty()) return bad;
  NameAddr out;
  bool is_name_addr = false;
  if (rest.front() == '"') {
    const auto len = quoted_string_length(rest);
    if (len == 0) return bad;
    out.display_name = rest.substr(0, len);
    rest.remove_prefix(len);
    skip_lws(rest);
    if (rest.empty() || rest.front() != '<') return bad;
    is_name_addr = true;
  } else {
    // display-name = *(token LWS): tokens and spaces up to "<" (RFC 4475 "lwsdisp": none needed).
    std::size_t n = 0;
    while (n < rest.size() && (is_token_char(rest[n]) || is_lws(rest[n]))) ++n;
    if (n < rest.size() && rest[n] == '<') {
      out.display_name = trim_lws(rest.substr(0, n));
      rest.remove_prefix(n);
      is_name_addr = true;
    }
  }
  if (is_name_addr) {
    rest.remove_prefix(1);  // "<"
    const auto close = rest.find('>');
    if (close == std::string_view::npos) return bad;
    const auto inner = rest.substr(0, close);
    // LAQUOT / RAQUOT allow no space inside the brackets (RFC 4475 "badaspec").
    if (inner.empty() || is_lws(inner.front()) || is_lws(inner.back())) return bad;
    auto uri = parse_uri(inner, max_uri_length);
    if (!uri) return uri_error(uri.error());
    out.uri = *uri;
    out.has_angle_brackets = true;
    rest.remove_prefix(close + 1);
  } else {
    if (require_angle_brackets) return bad;
    std::size_t n = 0;
    while (n < rest.size() && rest[n] != ';' && !is_lws(rest[n])) ++n;
    const auto uri_text = rest.substr(0, n);
    // RFC 3261 20.10: a URI with a comma, question mark or semicolon needs <> ("regbadct").
    if (uri_text.find_first_of("?,") != std::string_view::npos) return bad;
    auto uri = parse_uri(uri_text, max_uri_length);
    if (!uri) return uri_error(uri.error());
    out.uri = *uri;
    rest.remove_prefix(n);
  }
  const auto params = scan_header_params(rest);
  if (!params) return bad;
  out.params = ParamList(*params);
  skip_lws(rest);
  if (!rest.empty()) return bad;
  return out;
}

Result<Contact> parse_contact(std::string_view text, std::size_t max_uri_length) {
  const std::error_code bad = make_error_code(Errc::BadContact);
  Contact out;
  if (trim_lws(text) == "*") {
    out.is_wildcard = true;
    return out;
  }
  auto address = parse_name_addr(text, false, max_uri_length);
  if (!address) return address.error() == Errc::UriTooLong ? address.error() : bad;
  out.address = *address;
  if (const auto expires = out.address.params.find("expires")) {
    const auto value = parse_uint(*expires, 0xFFFFFFFFu);
    if (!value) return bad;
    out.expires = static_cast<std::uint32_t>(*value);
  }
  if (const auto q = out.address.params.find("q")) {
    out.q = parse_qvalue(*q);
    if (!out.q) return bad;
  }
  return out;
}

}  // namespace sb::sip
