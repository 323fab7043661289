#pragma once
// NameAddr: the address of From, To, Contact, Route, Record-Route, Refer-To... in name-addr
// (`"Display" <sip:u@h>;tag=x`) or addr-spec (`sip:u@h;tag=x`) form, with its header
// parameters. Contact adds "*" and the expires / q parameters. Views into the parsed text.

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/result.hpp"
#include "sip/message/params.hpp"
#include "sip/message/uri.hpp"

namespace sb::sip {

struct NameAddr {
  // As written: a quoted-string with its quotes and escapes, or the tokens; empty when none.
  // syntax::unquote gives the text.
  std::string_view display_name;
  Uri uri;
  bool has_angle_brackets = false;
  ParamList params;  // header parameters after the address: tag, expires, q, lr...

  std::string_view tag() const { return params.find("tag").value_or(""); }
  bool has_tag() const { return params.contains("tag"); }
};

// Parses the whole of `text` (one list element, LWS-trimmed) as
// ( name-addr / addr-spec ) *( SEMI generic-param ). In addr-spec form the URI ends at the first
// ";" or LWS and must not contain "?" or "," (RFC 3261 20.10). Route and Record-Route require
// the name-addr form (`require_angle_brackets`). Errc::BadNameAddr, or Errc::UriTooLong.
Result<NameAddr> parse_name_addr(std::string_view text, bool require_angle_brackets = false,
                                 std::size_t max_uri_length = kDefaultMaxUriLength);

struct Contact {
  bool is_wildcard = false;  // "Contact: *" (REGISTER removing every binding)
  NameAddr address;          // unset when is_wildcard
  std::optional<std::uint32_t> expires;  // the expires parameter, delta-seconds
  std::optional<std::uint16_t> q;        // the q parameter in thousandths (q=0.5 is 500)
};

// One Contact value: "*" or a NameAddr whose expires (up to 2**32-1) and q (0..1, at most three
// decimals) parameters are valid. Errc::BadContact.
Result<Contact> parse_contact(std::string_view text, std::size_t max_uri_length = kDefaultMaxUriLength);

}  // namespace sb::sip
