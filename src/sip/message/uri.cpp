#include "sip/message/uri.hpp"

#include <array>

#include "sip/message/errc.hpp"
#include "sip/message/syntax.hpp"

namespace sb::sip {
namespace {

using namespace syntax;

bool is_escaped_run(std::string_view s, std::uint16_t classes) { return is_escaped_text(s, classes); }

bool valid_ipv4(std::string_view s) {
  int parts = 0;
  while (true) {
    std::size_t n = 0;
    while (n < s.size() && is_digit(s[n])) ++n;
    if (n == 0 || n > 3) return false;
    if (*parse_uint(s.substr(0, n), 999) > 255) return false;
    ++parts;
    s.remove_prefix(n);
    if (s.empty()) break;
    if (s.front() != '.') return false;
    s.remove_prefix(1);
  }
  return parts == 4;
}

bool valid_ipv6_reference(std::string_view s) {
  if (s.size() < 4 || s.front() != '[' || s.back() != ']') return false;
  s = s.substr(1, s.size() - 2);
  bool has_colon = false;
  for (char c : s) {
    if (c == ':') has_colon = true;
    else if (!is_hex(c) && c != '.') return false;
  }
  return has_colon && s.size() <= 45;
}

bool valid_hostname(std::string_view s) {
  if (s.empty()) return false;
  if (s.back() == '.') s.remove_suffix(1);
  std::string_view last_label;
  while (!s.empty()) {
    const auto dot = s.find('.');
    const auto label = s.substr(0, dot);
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!is(c, kAlnum) && c != '-') return false;
    last_label = label;
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  return !last_label.empty() && is_alpha(last_label.front());
}

bool only_digits_and_dots(std::string_view s) {
  for (char c : s)
    if (!is_digit(c) && c != '.') return false;
  return true;
}

// hname "=" hvalue *( "&" hname "=" hvalue ), RFC 3261 25.1.
bool valid_uri_headers(std::string_view s) {
  constexpr std::uint16_t kHnv = kUnreserved | kHeaderExtra;
  while (true) {
    const auto amp = s.find('&');
    const auto header = s.substr(0, amp);
    const auto eq = header.find('=');
    if (eq == 0 || eq == std::string_view::npos) return false;
    if (!is_escaped_run(header.substr(0, eq), kHnv) || !is_escaped_run(header.substr(eq + 1), kHnv)) return false;
    if (amp == std::string_view::npos) return true;
    s.remove_prefix(amp + 1);
  }
}

bool valid_telephone_subscriber(std::string_view s) {
  if (s.empty()) return false;
  bool has_digit = false;
  if (s.front() == '+') {
    for (char c : s.substr(1)) {
      if (is_digit(c)) has_digit = true;
      else if (c != '-' && c != '.' && c != '(' && c != ')') return false;
    }
  } else {
    for (char c : s) {
      if (is_hex(c) || c == '*' || c == '#') has_digit = true;
      else if (c != '-' && c != '.' && c != '(' && c != ')') return false;
    }
  }
  return has_digit;
}

Result<Uri> bad() { return make_error_code(Errc::BadUri); }

Result<Uri> parse_sip(Uri uri, std::string_view rest) {
  if (const auto at = rest.find('@'); at != std::string_view::npos) {
    const auto userinfo = rest.substr(0, at);
    const auto colon = userinfo.find(':');
    uri.user = userinfo.substr(0, colon);
    if (uri.user.empty() || !is_escaped_run(uri.user, kUnreserved | kUserExtra)) return bad();
    if (colon != std::string_view::npos) {
      uri.has_password = true;
      uri.password = userinfo.substr(colon + 1);
      if (!is_escaped_run(uri.password, kUnreserved | kPasswordExtra)) return bad();
    }
    rest.remove_prefix(at + 1);
  }
  // host
  std::size_t n = 0;
  if (!rest.empty() && rest.front() == '[') {
    n = rest.find(']');
    if (n == std::string_view::npos) return bad();
    ++n;
    uri.host = rest.substr(0, n);
    if (!valid_ipv6_reference(uri.host)) return bad();
    uri.host_kind = HostKind::Ipv6;
  } else {
    while (n < rest.size() && is(rest[n], kHostChar)) ++n;
    uri.host = rest.substr(0, n);
    uri.host_kind = classify_host(uri.host);
    if (uri.host_kind == HostKind::None) return bad();
  }
  rest.remove_prefix(n);
  if (!rest.empty() && rest.front() == ':') {
    rest.remove_prefix(1);
    n = 0;
    while (n < rest.size() && is_digit(rest[n])) ++n;
    const auto port = parse_uint(rest.substr(0, n), 65535);
    if (!port) return bad();
    uri.port = static_cast<std::uint16_t>(*port);
    rest.remove_prefix(n);
  }
  const auto params = scan_uri_params(rest);
  if (!params) return bad();
  uri.params = ParamList(*params, true);
  if (!rest.empty() && rest.front() == '?') {
    uri.headers = rest.substr(1);
    uri.has_headers = true;
    if (!valid_uri_headers(uri.headers)) return bad();
    rest = {};
  }
  if (!rest.empty()) return bad();
  return uri;
}

Result<Uri> parse_tel(Uri uri, std::string_view rest) {
  const auto semi = rest.find(';');
  uri.user = rest.substr(0, semi);
  if (!valid_telephone_subscriber(uri.user)) return bad();
  rest.remove_prefix(uri.user.size());
  const auto params = scan_uri_params(rest);
  if (!params || !rest.empty()) return bad();
  uri.params = ParamList(*params, true);
  return uri;
}

// Case-insensitive equality after %HH decoding on both sides.
bool iequals_both_escaped(std::string_view a, std::string_view b) {
  return iequals(unescape(a), unescape(b));
}

bool is_significant_param(std::string_view raw_name) {
  for (std::string_view name : {"user", "ttl", "method", "maddr", "transport"})
    if (iequals_unescaped(raw_name, name)) return true;
  return false;
}

// Looks up a parameter of `list` whose decoded name equals the decoded `raw_name`.
std::optional<std::string_view> find_escaped(const ParamList& list, std::string_view raw_name) {
  for (const Param& p : list)
    if (iequals_both_escaped(p.name, raw_name)) return p.value;
  return std::nullopt;
}

bool params_agree(const Uri& a, const Uri& b) {
  for (const Param& p : a.params) {
    const auto other = find_escaped(b.params, p.name);
    if (!other) {
      if (is_significant_param(p.name)) return false;
    } else if (!iequals_both_escaped(p.value, *other)) {
      return false;
    }
  }
  for (const Param& p : b.params)
    if (is_significant_param(p.name) && !find_escaped(a.params, p.name)) return false;
  return true;
}

// Every header of `a` is in `b` with the same value (names case-insensitive, values decoded).
bool headers_contained(std::string_view a, std::string_view b) {
  while (!a.empty()) {
    const auto amp = a.find('&');
    const auto header = a.substr(0, amp);
    const auto eq = header.find('=');
    const auto name = header.substr(0, eq);
    const auto value = eq == std::string_view::npos ? std::string_view{} : header.substr(eq + 1);
    bool found = false;
    std::string_view rest = b;
    while (!rest.empty() && !found) {
      const auto amp_b = rest.find('&');
      const auto hb = rest.substr(0, amp_b);
      const auto eq_b = hb.find('=');
      const auto vb = eq_b == std::string_view::npos ? std::string_view{} : hb.substr(eq_b + 1);
      found = iequals_both_escaped(hb.substr(0, eq_b), name) && equals_unescaped(vb, value);
      rest = amp_b == std::string_view::npos ? std::string_view{} : rest.substr(amp_b + 1);
    }
    if (!found) return false;
    a = amp == std::string_view::npos ? std::string_view{} : a.substr(amp + 1);
  }
  return true;
}

std::string strip_visual_separators(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '-' && c != '.' && c != '(' && c != ')') out.push_back(to_lower(c));
  return out;
}

}  // namespace

std::optional<std::uint8_t> Uri::ttl() const {
  const auto v = params.find("ttl");
  if (!v) return std::nullopt;
  const auto n = parse_uint(*v, 255);
  if (!n) return std::nullopt;
  return static_cast<std::uint8_t>(*n);
}

std::string_view Uri::host_address() const {
  if (host_kind == HostKind::Ipv6 && host.size() >= 2) return host.substr(1, host.size() - 2);
  return host;
}

HostKind classify_host(std::string_view host) {
  if (host.empty()) return HostKind::None;
  if (host.front() == '[') return valid_ipv6_reference(host) ? HostKind::Ipv6 : HostKind::None;
  if (only_digits_and_dots(host)) return valid_ipv4(host) ? HostKind::Ipv4 : HostKind::None;
  return valid_hostname(host) ? HostKind::Name : HostKind::None;
}

Result<Uri> parse_uri(std::string_view text, std::size_t max_length) {
  if (text.size() > max_length) return make_error_code(Errc::UriTooLong);
  Uri uri;
  uri.text = text;
  std::size_t n = 0;
  while (n < text.size() && (is(text[n], kAlnum) || text[n] == '+' || text[n] == '-' || text[n] == '.')) ++n;
  if (n == 0 || n >= text.size() || text[n] != ':' || !is_alpha(text[0])) return bad();
  uri.scheme_text = text.substr(0, n);
  std::string_view rest = text.substr(n + 1);
  if (iequals(uri.scheme_text, "sip")) {
    uri.scheme = UriScheme::Sip;
    return parse_sip(uri, rest);
  }
  if (iequals(uri.scheme_text, "sips")) {
    uri.scheme = UriScheme::Sips;
    return parse_sip(uri, rest);
  }
  if (iequals(uri.scheme_text, "tel")) {
    uri.scheme = UriScheme::Tel;
    return parse_tel(uri, rest);
  }
  uri.scheme = UriScheme::Other;
  uri.opaque = rest;
  if (rest.empty()) return bad();
  for (char c : rest)
    if (!is(c, kUric)) return bad();
  return uri;
}

bool equivalent(const Uri& a, const Uri& b) {
  if (a.scheme != b.scheme) return false;
  switch (a.scheme) {
    case UriScheme::Other:
      return iequals(a.scheme_text, b.scheme_text) && a.opaque == b.opaque;
    case UriScheme::Tel:
      return strip_visual_separators(unescape(a.user)) == strip_visual_separators(unescape(b.user)) &&
             params_agree(a, b);
    case UriScheme::Sip:
    case UriScheme::Sips:
      break;
  }
  if (!equals_unescaped(a.user, b.user)) return false;
  if (a.has_password != b.has_password || !equals_unescaped(a.password, b.password)) return false;
  if (!iequals(a.host, b.host) || a.port != b.port) return false;
  if (!params_agree(a, b)) return false;
  return a.has_headers == b.has_headers && headers_contained(a.headers, b.headers) &&
         headers_contained(b.headers, a.headers);
}

}  // namespace sb::sip
