#pragma once
// Routing decisions of RFC 3261 18 that need no socket: where a response goes (18.2.2 with
// RFC 3581 rport), the received/rport stamp on the top Via of a request being answered
// (18.2.1), the UDP-to-TCP switch for large requests (18.1.1), and the destination of a request
// from its next-hop URI without DNS (RFC 3263 lives in sip/dns).
// Pure functions, used on the signalling loop.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "sip/message/message.hpp"
#include "sip/parser/message_builder.hpp"
#include "sip/transport/transport.hpp"

namespace sb::sip {

// RFC 3261 18.1.1: a request over `threshold` bytes (default 1300, a path MTU of 1500 minus
// headroom) goes over TCP instead of UDP unless the target insisted on UDP (transport=udp).
inline constexpr std::size_t kUdpSizeThreshold = 1300;
TransportKind choose_request_transport(TransportKind wanted, std::size_t message_size, bool is_udp_explicit,
                                       bool is_tcp_available, std::size_t threshold = kUdpSizeThreshold);

// The destination of a request whose next hop is `uri` (the Request-URI, or the first Route
// with ;lr): maddr, then host; the port of the URI, or the default port; the transport
// parameter, or `default_kind` (sips: TLS). No DNS: a host name stays a name, which the
// transport resolves with A/AAAA only. Requests outside a dialog go through RFC 3263 first
// (sip/dns/target_resolver.hpp); in-dialog requests use this on the remote target or route.
std::optional<Destination> destination_for_uri(const Uri& uri, TransportKind default_kind);

// RFC 3261 18.2.2 and RFC 3581 4: a response to a request received from `source` goes back on
// the same connection for reliable transports (falling back to received:sent-by port), and for
// UDP to the source address and port when the top Via has rport, else to the source address and
// the sent-by port (5060 by default). nullopt when the request has no usable top Via.
std::optional<Destination> response_destination(const Message& request, const Source& source);

// The top Via of `request` with ";received=<source address>" when it differs from the sent-by
// host or rport was asked for, and ";rport=<source port>" filling in a bare ";rport" (RFC 3581).
// nullopt when the request has no top Via.
std::optional<std::string> stamped_top_via(const Message& request, const Source& source);

// make_response (RFC 3261 8.2.6.2) with the top Via stamped as above. The answer every server
// transaction and the transport itself send.
MessageBuilder make_response_from(const Message& request, const Source& source, int status,
                                  std::string_view reason_phrase = {}, std::string_view to_tag = {});

}  // namespace sb::sip
