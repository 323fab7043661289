#pragma once
// RFC 4566 session descriptions: the model of what switchboard reads and writes (v, o, s, c, t,
// m, and the attributes that matter to audio calls), parse() and to_string(). Pure; any thread.
//
// Parsing is lenient where interop needs it: unknown line types, b=/i=/k=/z= lines and unknown
// attributes are skipped or kept as generic attributes, blank lines and bare LF are accepted,
// s= and t= may be missing. It is strict where a wrong guess would misroute media: v, o, c, m,
// rtpmap, fmtp, ptime, maxptime, rtcp and crypto must be well formed.

#include "core/result.hpp"
#include "media/sdp/crypto_attribute.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::media {

enum class AddressType : std::uint8_t { ip4, ip6 };

// RFC 4566 6 / RFC 3264 5.1, from the point of view of the side that wrote the description.
enum class Direction : std::uint8_t { send_recv, send_only, recv_only, inactive };

std::string_view to_string(Direction direction) noexcept;  // "sendrecv", ...
// The direction the other side answers with: sendonly <-> recvonly (RFC 3264 6.1).
Direction reverse(Direction direction) noexcept;
bool is_sending(Direction direction) noexcept;
bool is_receiving(Direction direction) noexcept;
Direction make_direction(bool is_sending, bool is_receiving) noexcept;

struct Connection {
  AddressType address_type = AddressType::ip4;
  std::string address;  // unicast address or host name; a multicast /ttl suffix is dropped

  // RFC 3264 8.4 / RFC 2543 hold: "c=IN IP4 0.0.0.0" (and "::" for IPv6).
  bool is_null() const noexcept { return address == "0.0.0.0" || address == "::"; }
  bool operator==(const Connection&) const = default;
};

struct Origin {
  std::string username = "-";
  std::string session_id = "0";       // digits, kept as text: some stacks exceed 64 bits
  std::string session_version = "0";
  AddressType address_type = AddressType::ip4;
  std::string address = "0.0.0.0";
};

struct Timing {
  std::uint64_t start = 0;
  std::uint64_t stop = 0;
};

struct RtpMap {
  std::uint8_t payload_type = 0;
  std::string encoding_name;   // "PCMU", "telephone-event" (compare case-insensitively)
  std::uint32_t clock_rate = 0;
  std::uint8_t channels = 0;   // 0 when the rtpmap omits it (means 1 for audio)
};

struct Fmtp {
  std::uint8_t payload_type = 0;
  std::string parameters;      // "0-15"
};

// RFC 3605: the RTCP port (and address) when it is not RTP port + 1.
struct RtcpAttribute {
  std::uint16_t port = 0;
  std::optional<Connection> connection;
};

// An attribute switchboard does not interpret, kept in order for round trips.
struct Attribute {
  std::string name;
  std::optional<std::string> value;  // nullopt for a property attribute (a=name)
};

struct MediaDescription {
  std::string media = "audio";
  std::uint16_t port = 0;      // 0 rejects or disables the stream (RFC 3264 6)
  std::optional<std::uint16_t> port_count;
  std::string protocol = "RTP/AVP";
  std::vector<std::string> formats;  // payload types as text, in preference order
  std::optional<Connection> connection;
  std::vector<RtpMap> rtpmaps;
  std::vector<Fmtp> fmtps;
  std::optional<std::uint32_t> ptime;     // ms
  std::optional<std::uint32_t> maxptime;  // ms
  std::optional<Direction> direction;
  std::optional<RtcpAttribute> rtcp;
  bool has_rtcp_mux = false;              // RFC 5761
  std::vector<CryptoAttribute> crypto;    // RFC 4568, in the offerer's preference order
  std::vector<Attribute> attributes;

  const RtpMap* find_rtpmap(std::uint8_t payload_type) const noexcept;
  const Fmtp* find_fmtp(std::uint8_t payload_type) const noexcept;
};

// Where parsing stopped, for the log line at the SIP boundary. An a=crypto line's text is never
// copied here (it holds a key).
struct SdpParseError {
  std::size_t line_number = 0;  // 1-based; 0 when the problem is not one line (missing o=)
  std::string line;
};

struct SessionDescription {
  Origin origin;
  std::string session_name = "-";
  std::optional<Connection> connection;
  Timing timing;
  std::optional<Direction> direction;  // session-level default for every m-line
  std::vector<Attribute> attributes;
  std::vector<MediaDescription> media;

  // Errors: sdp_malformed_line, sdp_bad_version, sdp_bad_origin, sdp_bad_connection,
  // sdp_bad_timing, sdp_bad_media, sdp_bad_attribute, sdp_bad_crypto.
  static Result<SessionDescription> parse(std::string_view text, SdpParseError* error = nullptr);

  // CRLF-terminated lines in RFC 4566 order.
  std::string to_string() const;

  // The m-line's connection, else the session's; nullptr if neither exists.
  const Connection* connection_for(const MediaDescription& m) const noexcept;
  // The m-line's direction attribute, else the session's, else sendrecv.
  Direction direction_for(const MediaDescription& m) const noexcept;
};

}  // namespace sb::media
