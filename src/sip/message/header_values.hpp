#pragma once
// Typed values of the headers RFC 3261 routes and matches on: Via, CSeq, Content-Type, and the
// scalar checks (Call-ID, delta-seconds, Max-Forwards, Date). Views into the parsed text; each
// parser takes one value (one list element for Via) and returns a Result.

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/result.hpp"
#include "sip/message/params.hpp"
#include "sip/message/uri.hpp"

namespace sb::sip {

// RFC 3261 8.1.1.7: branches of RFC 3261 elements start with this magic cookie.
inline constexpr std::string_view kBranchMagicCookie = "z9hG4bK";

struct Via {
  std::string_view protocol_name;     // "SIP"
  std::string_view protocol_version;  // "2.0"
  std::string_view transport;         // "UDP", "TCP", "TLS", "SCTP", "WS"... as written
  std::string_view host;              // sent-by host; IPv6 keeps its brackets
  HostKind host_kind = HostKind::None;
  std::optional<std::uint16_t> port;  // sent-by port
  ParamList params;

  std::string_view branch;    // empty when absent
  std::string_view received;  // empty when absent
  std::string_view maddr;     // empty when absent
  bool has_rport = false;     // RFC 3581: ";rport" asks for it, ";rport=5060" carries it
  std::optional<std::uint16_t> rport;
  std::optional<std::uint8_t> ttl;

  // True when the branch starts with the magic cookie and has more after it (RFC 4475
  // "badbranch": "z9hG4bK" alone does not identify a transaction).
  bool has_rfc3261_branch() const;
};

// One via-parm: sent-protocol LWS sent-by *( SEMI via-params ), LWS allowed around "/", ":",
// ";" and "=". branch must be a token, rport/ttl numbers in range, received/maddr hosts.
// Errc::BadVia.
Result<Via> parse_via(std::string_view text);
// The first via-parm of a Via header value; with `allow_more`, a "," and further values may
// follow (they are not looked at). Saves splitting the list when only the top Via matters.
Result<Via> parse_first_via(std::string_view text, bool allow_more);

struct CSeq {
  std::uint32_t number = 0;  // < 2**31 (RFC 3261 8.1.1.5)
  std::string_view method;
};

// 1*DIGIT LWS Method. Errc::BadCSeq.
Result<CSeq> parse_cseq(std::string_view text);

struct ContentType {
  std::string_view type;     // "application"
  std::string_view subtype;  // "sdp"
  ParamList params;          // ";boundary=..."

  // type/subtype compared case-insensitively.
  bool is(std::string_view type_name, std::string_view subtype_name) const;
};

// m-type SLASH m-subtype *( SEMI m-parameter ). Errc::BadContentType.
Result<ContentType> parse_content_type(std::string_view text);

// callid = word [ "@" word ].
bool is_valid_call_id(std::string_view text);

// delta-seconds up to 2**32-1 (Expires, Retry-After's number, Min-Expires).
std::optional<std::uint32_t> parse_delta_seconds(std::string_view text);

// Max-Forwards: 1*DIGIT, 0..255 (leading zeros allowed: "0068" is 68).
std::optional<std::uint8_t> parse_max_forwards(std::string_view text);

// SIP-date = rfc1123-date: `wkday "," SP 2DIGIT SP month SP 4DIGIT SP time SP "GMT"`.
bool is_valid_sip_date(std::string_view text);

}  // namespace sb::sip
