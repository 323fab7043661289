#pragma once
// Uri: a parsed sip:, sips: or tel: URI (RFC 3261 19.1, RFC 3966), or an opaque absoluteURI of
// another scheme. A view: every field points into the text given to parse_uri, which must
// outlive it. Parts stay %-escaped as written; syntax::unescape decodes them.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "sip/message/params.hpp"

namespace sb::sip {

inline constexpr std::size_t kDefaultMaxUriLength = 4096;

enum class UriScheme : std::uint8_t { Sip, Sips, Tel, Other };
enum class HostKind : std::uint8_t { None, Name, Ipv4, Ipv6 };

struct Uri {
  UriScheme scheme = UriScheme::Other;
  std::string_view scheme_text;  // as written ("SIP" stays "SIP")
  // sip/sips: the user part, escaped; tel: the telephone-subscriber ("+1-201-555-0123").
  std::string_view user;
  std::string_view password;
  bool has_password = false;
  // sip/sips: hostname, IPv4 address, or IPv6 reference with its brackets.
  std::string_view host;
  HostKind host_kind = HostKind::None;
  std::optional<std::uint16_t> port;
  ParamList params;             // uri-parameters (sip/sips, tel)
  std::string_view headers;     // after "?", without it; "a=b&c=d"
  bool has_headers = false;
  std::string_view opaque;      // Other: everything after "scheme:"
  std::string_view text;        // the whole URI

  bool is_sip() const { return scheme == UriScheme::Sip || scheme == UriScheme::Sips; }
  std::optional<std::string_view> param(std::string_view name) const { return params.find(name); }
  // Values of the parameters RFC 3261 19.1.1 names; empty when absent.
  std::string_view transport() const { return params.find("transport").value_or(""); }
  std::string_view user_param() const { return params.find("user").value_or(""); }
  std::string_view maddr() const { return params.find("maddr").value_or(""); }
  std::string_view method() const { return params.find("method").value_or(""); }
  std::optional<std::uint8_t> ttl() const;
  bool has_lr() const { return params.contains("lr"); }
  // host without the brackets of an IPv6 reference.
  std::string_view host_address() const;
};

// Parses `text` (no surrounding LWS or <>). Errc::UriTooLong past `max_length`, Errc::BadUri on
// any syntax fault.
Result<Uri> parse_uri(std::string_view text, std::size_t max_length = kDefaultMaxUriLength);

// Classifies a host (hostname, IPv4address, IPv6reference); HostKind::None when malformed.
HostKind classify_host(std::string_view host);
// Reads a host from the front of `text` in one pass: its kind (None when malformed) and, in
// `length`, how many characters it spans (the caller checks what follows).
HostKind scan_host(std::string_view text, std::size_t& length);

// URI equivalence of RFC 3261 19.1.4: user/password case-sensitive, host case-insensitive,
// escapes decoded, ports compared as written, the user/ttl/method/maddr/transport parameters
// must agree when either has them, other parameters only when both have them, headers always.
// Other schemes compare their whole text (scheme case-insensitive).
bool equivalent(const Uri& a, const Uri& b);

}  // namespace sb::sip
