#include "sip/message/uri.hpp"

#include <array>

#include "sip/message/errc.hpp"
#include "sip/message/syntax.hpp"

namespace sb::sip {
namespace {

using namespace syntax;

bool is_escaped_run(std::string_view s, std::uint16_t classes) { return is_escaped_text(s, classes); }

// IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, each at most 255.
bool valid_ipv4(std::string_view s) {
  int parts = 1;
  int digits = 0;
  int value = 0;
  for (char c : s) {
    if (c == '.') {
      if (digits == 0 || ++parts > 4) return false;
      digits = 0;
      value = 0;
    } else if (is_digit(c)) {
      value = value * 10 + (c - '0');
      if (++digits > 3 || value > 255) return false;
    } else {
      return false;
    }
  }
  return parts == 4 && digits > 0;
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

// hostname = *( domainlabel "." ) toplabel [ "." ]: labels of alphanum and inner "-", the last
// starting with a letter. One pass.
bool valid_hostname(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  if (s.empty()) return false;
  char prev = '.';
  char label_first = 0;
  for (char c : s) {
    if (c == '.') {
      if (prev == '.' || prev == '-') return false;
    } else if (is(c, kAlnum)) {
      if (prev == '.') label_first = c;
    } else if (c != '-' || prev == '.') {
      return false;
    }
    prev = c;
  }
  return prev != '-' && is_alpha(label_first);
}

// Reads a hostname or IPv4address from the front of `s` in one pass (stopping at the first
// character that cannot be part of one) and classifies it; `length` gets its size.
HostKind scan_name_or_ipv4(std::string_view s, std::size_t& length) {
  char prev = '.';
  char label_first = 0;
  bool digits_and_dots = true;
  bool is_name = true;
  std::size_t i = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.') {
      if (prev == '.' || prev == '-') is_name = false;
    } else if (is_digit(c)) {
      if (prev == '.') label_first = c;
    } else if (is(c, kAlnum)) {
      if (prev == '.') label_first = c;
      digits_and_dots = false;
    } else if (c == '-') {
      if (prev == '.') is_name = false;
      digits_and_dots = false;
    } else {
      break;
    }
    prev = c;
  }
  length = i;
  if (i == 0) return HostKind::None;
  if (digits_and_dots) return valid_ipv4(s.substr(0, i)) ? HostKind::Ipv4 : HostKind::None;
  // A trailing dot is allowed after the toplabel; label_first then belongs to the toplabel.
  return is_name && prev != '-' && is_alpha(label_first) ? HostKind::Name : HostKind::None;
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

bool parse_sip(Uri& uri, std::string_view rest) {
  if (const auto at = rest.find('@'); at != std::string_view::npos) {
    const auto userinfo = rest.substr(0, at);
    const auto colon = userinfo.find(':');
    uri.user = userinfo.substr(0, colon);
    if (uri.user.empty() || !is_escaped_run(uri.user, kUnreserved | kUserExtra)) return false;
    if (colon != std::string_view::npos) {
      uri.has_password = true;
      uri.password = userinfo.substr(colon + 1);
      if (!is_escaped_run(uri.password, kUnreserved | kPasswordExtra)) return false;
    }
    rest.remove_prefix(at + 1);
  }
  std::size_t n = 0;
  uri.host_kind = scan_host(rest, n);
  uri.host = rest.substr(0, n);
  if (uri.host_kind == HostKind::None) return false;
  rest.remove_prefix(n);
  if (!rest.empty() && rest.front() == ':') {
    rest.remove_prefix(1);
    n = 0;
    while (n < rest.size() && is_digit(rest[n])) ++n;
    const auto port = parse_uint(rest.substr(0, n), 65535);
    if (!port) return false;
    uri.port = static_cast<std::uint16_t>(*port);
    rest.remove_prefix(n);
  }
  const auto params = scan_uri_params(rest);
  if (!params) return false;
  uri.params = ParamList(*params, true);
  if (!rest.empty() && rest.front() == '?') {
    uri.headers = rest.substr(1);
    uri.has_headers = true;
    if (!valid_uri_headers(uri.headers)) return false;
    rest = {};
  }
  if (!rest.empty()) return false;
  return true;
}

bool parse_tel(Uri& uri, std::string_view rest) {
  const auto semi = rest.find(';');
  uri.user = rest.substr(0, semi);
  if (!valid_telephone_subscriber(uri.user)) return false;
  rest.remove_prefix(uri.user.size());
  const auto params = scan_uri_params(rest);
  if (!params || !rest.empty()) return false;
  uri.params = ParamList(*params, true);
  return true;
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

// Whether `list` has a parameter named like `p` (names decoded, any case), and whether one of
// those has the same value. A name may repeat, so each occurrence is considered: comparison
// stays reflexive for ";x=1;x=2" (found by fuzzing).
struct ParamMatch {
  bool has_name = false;
  bool has_value = false;
};

ParamMatch find_match(const ParamList& list, const Param& p) {
  ParamMatch m;
  for (const Param& q : list) {
    if (!iequals_both_escaped(q.name, p.name)) continue;
    m.has_name = true;
    if (iequals_both_escaped(q.value, p.value)) {
      m.has_value = true;
      break;
    }
  }
  return m;
}

bool params_agree(const Uri& a, const Uri& b) {
  for (const Param& p : a.params) {
    const auto match = find_match(b.params, p);
    if (!match.has_name ? is_significant_param(p.name) : !match.has_value) return false;
  }
  for (const Param& p : b.params) {
    const auto match = find_match(a.params, p);
    if (!match.has_name ? is_significant_param(p.name) : !match.has_value) return false;
  }
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

HostKind scan_host(std::string_view s, std::size_t& length) {
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find(']');
    length = close == std::string_view::npos ? s.size() : close + 1;
    return valid_ipv6_reference(s.substr(0, length)) ? HostKind::Ipv6 : HostKind::None;
  }
  return scan_name_or_ipv4(s, length);
}

HostKind classify_host(std::string_view host) {
  if (host.empty()) return HostKind::None;
  if (host.front() == '[') return valid_ipv6_reference(host) ? HostKind::Ipv6 : HostKind::None;
  if (is_digit(host.front()) && only_digits_and_dots(host)) return valid_ipv4(host) ? HostKind::Ipv4 : HostKind::None;
  return valid_hostname(host) ? HostKind::Name : HostKind::None;
}

Result<Uri> parse_uri(std::string_view text, std::size_t max_length) {
  if (text.size() > max_length) return make_error_code(Errc::UriTooLong);
  Uri uri;
  uri.text = text;
  std::size_t n = 0;
  while (n < text.size() && (is(text[n], kAlnum) || text[n] == '+' || text[n] == '-' || text[n] == '.')) ++n;
  const std::error_code bad = make_error_code(Errc::BadUri);
  if (n == 0 || n >= text.size() || text[n] != ':' || !is_alpha(text[0])) return bad;
  uri.scheme_text = text.substr(0, n);
  std::string_view rest = text.substr(n + 1);
  if (iequals(uri.scheme_text, "sip")) {
    uri.scheme = UriScheme::Sip;
    if (!parse_sip(uri, rest)) return bad;
    return uri;
  }
  if (iequals(uri.scheme_text, "sips")) {
    uri.scheme = UriScheme::Sips;
    if (!parse_sip(uri, rest)) return bad;
    return uri;
  }
  if (iequals(uri.scheme_text, "tel")) {
    uri.scheme = UriScheme::Tel;
    if (!parse_tel(uri, rest)) return bad;
    return uri;
  }
  uri.scheme = UriScheme::Other;
  uri.opaque = rest;
  if (rest.empty()) return bad;
  for (char c : rest)
    if (!is(c, kUric)) return bad;
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
