#include "sip/message/header_values.hpp"

#include <array>

#include "sip/message/errc.hpp"
#include "sip/message/syntax.hpp"

namespace sb::sip {
namespace {

using namespace syntax;

std::string_view take_token(std::string_view& s) {
  std::size_t n = 0;
  while (n < s.size() && is_token_char(s[n])) ++n;
  const auto out = s.substr(0, n);
  s.remove_prefix(n);
  return out;
}

// SWS c SWS: true (and consumed) when `c` comes next, spaces around it allowed.
bool take_separator(std::string_view& s, char c) {
  std::string_view t = s;
  skip_lws(t);
  if (t.empty() || t.front() != c) return false;
  t.remove_prefix(1);
  skip_lws(t);
  s = t;
  return true;
}

// via-received = IPv4address / IPv6address (RFC 3261 without brackets; brackets tolerated).
bool valid_received(std::string_view s) {
  if (s.find(':') == std::string_view::npos) return classify_host(s) == HostKind::Ipv4;
  if (s.front() == '[') return classify_host(s) == HostKind::Ipv6;
  for (char c : s)
    if (!is_hex(c) && c != ':' && c != '.') return false;
  return s.size() <= 45;
}

// Records and checks the via-params RFC 3261 and RFC 3581 define, as they are scanned.
bool take_via_param(void* context, const Param& p) {
  Via& via = *static_cast<Via*>(context);
  switch (p.name.size()) {
    case 6:
      if (token_equals_lower(p.name, "branch")) {
        if (!p.is_token_value) return false;
        via.branch = p.value;
      }
      break;
    case 8:
      if (token_equals_lower(p.name, "received")) {
        if (!valid_received(p.value)) return false;
        via.received = p.value;
      }
      break;
    case 5:
      if (token_equals_lower(p.name, "maddr")) {
        if (classify_host(p.value) == HostKind::None) return false;
        via.maddr = p.value;
      } else if (token_equals_lower(p.name, "rport")) {
        via.has_rport = true;
        if (p.has_value) {
          const auto port = parse_uint(p.value, 65535);
          if (!port) return false;
          via.rport = static_cast<std::uint16_t>(*port);
        }
      }
      break;
    case 3:
      if (token_equals_lower(p.name, "ttl")) {
        const auto ttl = parse_uint(p.value, 255);
        if (!ttl) return false;
        via.ttl = static_cast<std::uint8_t>(*ttl);
      }
      break;
    default:
      break;
  }
  return true;
}

}  // namespace

bool Via::has_rfc3261_branch() const {
  return branch.size() > kBranchMagicCookie.size() && branch.substr(0, kBranchMagicCookie.size()) == kBranchMagicCookie;
}

Result<Via> parse_via(std::string_view text) { return parse_first_via(text, false); }

Result<Via> parse_first_via(std::string_view text, bool allow_more) {
  const std::error_code bad = make_error_code(Errc::BadVia);
  std::string_view rest = trim_lws(text);
  Via via;
  via.protocol_name = take_token(rest);
  if (via.protocol_name.empty() || !take_separator(rest, '/')) return bad;
  via.protocol_version = take_token(rest);
  if (via.protocol_version.empty() || !take_separator(rest, '/')) return bad;
  via.transport = take_token(rest);
  if (via.transport.empty() || rest.empty() || !is_lws(rest.front())) return bad;
  skip_lws(rest);
  std::size_t host_length = 0;
  via.host_kind = scan_host(rest, host_length);
  via.host = rest.substr(0, host_length);
  rest.remove_prefix(host_length);
  if (via.host_kind == HostKind::None) return bad;
  if (take_separator(rest, ':')) {
    std::size_t n = 0;
    while (n < rest.size() && is_digit(rest[n])) ++n;
    const auto port = parse_uint(rest.substr(0, n), 65535);
    if (!port) return bad;
    via.port = static_cast<std::uint16_t>(*port);
    rest.remove_prefix(n);
  }
  const auto params = scan_header_params(rest, &take_via_param, &via);
  if (!params) return bad;
  skip_lws(rest);
  if (!rest.empty() && !(allow_more && rest.front() == ',')) return bad;
  via.params = ParamList(*params);
  return via;
}

Result<CSeq> parse_cseq(std::string_view text) {
  const std::error_code bad = make_error_code(Errc::BadCSeq);
  std::string_view rest = trim_lws(text);
  std::size_t n = 0;
  while (n < rest.size() && is_digit(rest[n])) ++n;
  const auto number = parse_uint(rest.substr(0, n), 0x7FFFFFFFu);
  if (!number) return bad;
  rest.remove_prefix(n);
  if (rest.empty() || !is_lws(rest.front())) return bad;
  skip_lws(rest);
  CSeq out{.number = static_cast<std::uint32_t>(*number), .method = rest};
  if (!is_token(rest)) return bad;
  return out;
}

bool ContentType::is(std::string_view type_name, std::string_view subtype_name) const {
  return iequals(type, type_name) && iequals(subtype, subtype_name);
}

Result<ContentType> parse_content_type(std::string_view text) {
  const std::error_code bad = make_error_code(Errc::BadContentType);
  std::string_view rest = trim_lws(text);
  ContentType out;
  out.type = take_token(rest);
  if (out.type.empty() || !take_separator(rest, '/')) return bad;
  out.subtype = take_token(rest);
  if (out.subtype.empty()) return bad;
  const auto params = scan_header_params(rest);
  if (!params) return bad;
  skip_lws(rest);
  if (!rest.empty()) return bad;
  out.params = ParamList(*params);
  return out;
}

bool is_valid_call_id(std::string_view text) {
  const auto at = text.find('@');
  const auto word1 = text.substr(0, at);
  const auto word2 = at == std::string_view::npos ? std::string_view{} : text.substr(at + 1);
  auto is_word = [](std::string_view w) {
    if (w.empty()) return false;
    for (char c : w)
      if (!syntax::is(c, kWord)) return false;
    return true;
  };
  return is_word(word1) && (at == std::string_view::npos || is_word(word2));
}

std::optional<std::uint32_t> parse_delta_seconds(std::string_view text) {
  const auto v = parse_uint(trim_lws(text), 0xFFFFFFFFu);
  if (!v) return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

std::optional<std::uint8_t> parse_max_forwards(std::string_view text) {
  const auto v = parse_uint(trim_lws(text), 255);
  if (!v) return std::nullopt;
  return static_cast<std::uint8_t>(*v);
}

bool is_valid_sip_date(std::string_view text) {
  static constexpr std::array<std::string_view, 7> kDays{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::string_view s = trim_lws(text);
  // "Sat, 13 Nov 2010 23:29:00 GMT"
  if (s.size() != 29) return false;
  auto one_of = [](std::string_view v, const auto& set) {
    for (auto x : set)
      if (v == x) return true;
    return false;
  };
  auto digits = [&](std::size_t pos, std::size_t count) {
    for (std::size_t i = pos; i < pos + count; ++i)
      if (!is_digit(s[i])) return false;
    return true;
  };
  return one_of(s.substr(0, 3), kDays) && s.substr(3, 2) == ", " && digits(5, 2) && s[7] == ' ' &&
         one_of(s.substr(8, 3), kMonths) && s[11] == ' ' && digits(12, 4) && s[16] == ' ' && digits(17, 2) &&
         s[19] == ':' && digits(20, 2) && s[22] == ':' && digits(23, 2) && s.substr(25) == " GMT";
}

}  // namespace sb::sip
