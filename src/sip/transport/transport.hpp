#pragma once
// Transport: the seam between the transaction layer and the network (RFC 3261 18). Plain types,
// no Asio: NetworkTransport implements it on sockets, tests implement it with a fake. Every
// Transport belongs to the signalling loop; its methods and handlers run on that thread only.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "sip/message/message.hpp"

namespace sb::sip {

enum class TransportKind : std::uint8_t { Udp, Tcp, Tls };

// "UDP", "TCP", "TLS": the Via transport token.
std::string_view transport_name(TransportKind kind) noexcept;
// The kind named by a Via transport or a URI transport parameter, any case; nullopt otherwise.
std::optional<TransportKind> transport_from(std::string_view name) noexcept;
constexpr bool is_reliable(TransportKind kind) noexcept { return kind != TransportKind::Udp; }
// RFC 3261 19.1.2: 5060, or 5061 for TLS.
constexpr std::uint16_t default_port(TransportKind kind) noexcept { return kind == TransportKind::Tls ? 5061 : 5060; }

// A numeric IP address (IPv6 without brackets) and a port.
struct Endpoint {
  std::string address;
  std::uint16_t port = 0;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};
// "192.0.2.1:5060", "[2001:db8::1]:5060".
std::string to_string(const Endpoint& endpoint);
// The host part of a URI or Via: IPv6 addresses get their brackets.
std::string host_for_uri(std::string_view address);

// Where to send a message. `host` is a name or an IP literal (brackets allowed); port 0 means the
// default port of `kind`. A non-zero `flow` names a connection to use if it is still open
// (symmetric responses, RFC 3261 18.2.2); otherwise an open connection to the same address is
// reused or a new one opened. For TLS, `tls_name` is the name the peer's certificate must carry
// (RFC 5922 4: the domain of the URI, when `host` is an address resolved from it); empty: `host`.
struct Destination {
  TransportKind kind = TransportKind::Udp;
  std::string host;
  std::uint16_t port = 0;
  std::uint64_t flow = 0;
  std::string tls_name;
};

// Where a message came from: the transport, the peer, our local address, and the connection
// (0 for UDP) that a response should go back on.
struct Source {
  TransportKind kind = TransportKind::Udp;
  Endpoint remote;
  Endpoint local;
  std::uint64_t flow = 0;
};

// Counters of the transport's traffic (metrics).
struct TransportStats {
  std::uint64_t messages_received = 0;
  std::uint64_t messages_sent = 0;
  std::uint64_t malformed_received = 0;  // could not be parsed or failed validation
  std::uint64_t malformed_answered = 0;  // of those, answered with 400/414/416/505/513
  std::uint64_t keepalive_pongs = 0;     // RFC 5626 3.5.1 CRLF pongs sent
  std::uint64_t send_failures = 0;
  std::uint64_t connections_opened = 0;
  std::uint64_t connections_closed = 0;
};

class Transport {
 public:
  // Called with the outcome of one send: success, or why the message could not be delivered
  // (resolution failure, connection refused, connection closed...). Always runs after send()
  // has returned, never inside it.
  using SendHandler = std::function<void(std::error_code)>;
  // Called for every well-formed message received (malformed ones are answered or dropped by the
  // transport itself).
  using ReceiveHandler = std::function<void(Message message, const Source& source)>;

  virtual ~Transport() = default;

  virtual void send(const Destination& destination, std::string bytes, SendHandler done) = 0;
  // The sent-by ("host:port") our Via carries for `kind`; empty when there is no such listener.
  virtual std::string sent_by(TransportKind kind) const = 0;
  virtual bool supports(TransportKind kind) const = 0;
  virtual void set_receive_handler(ReceiveHandler handler) = 0;
};

}  // namespace sb::sip
