#pragma once
// NetworkTransport: SIP over UDP, TCP and TLS sockets (RFC 3261 18, 26.2) on the signalling loop's
// io_context: listeners on one address (IPv4 or IPv6, port 0 picks one), connection reuse per
// peer with an idle timeout, stream framing, RFC 3581 symmetric responses, RFC 5626 CRLF
// keep-alive pongs, malformed messages answered 400 (or dropped) and counted.
// TLS uses the TCP framing and connection reuse. Owned by the SIP stack; every method and
// handler runs on the loop thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/timer_wheel.hpp"
#include "sip/dns/resolver.hpp"
#include "sip/parser/parser.hpp"
#include "sip/transport/transport.hpp"

namespace boost::asio {
class io_context;
}

namespace sb::sip {

struct TransportConfig {
  std::string address = "0.0.0.0";  // listen address, IPv4 or IPv6 literal
  std::uint16_t port = 5060;         // UDP and TCP share it; 0 picks a free one
  bool has_udp = true;
  bool has_tcp = true;
  // Advertised in Via sent-by; empty: the listen address (127.0.0.1 when it is unspecified).
  std::string public_address;
  std::chrono::seconds tcp_idle_timeout{300};     // TCP and TLS connections
  std::chrono::seconds tcp_connect_timeout{10};   // TCP connect; for TLS, handshake included
  // TLS (RFC 3261 26.2.1): a listener on tls_port when has_tls, serving tls_cert_file (a PEM
  // chain, leaf first) with tls_key_file; both are required then. TLS 1.2 and above only, with
  // Twilio's cipher list. Outgoing TLS needs has_tls too (its Via names the listener).
  bool has_tls = false;
  std::uint16_t tls_port = 5061;  // 0 picks a free one
  std::string tls_cert_file;
  std::string tls_key_file;
  // Outgoing TLS trusts the system CAs plus this PEM file when set, and checks the target's
  // name (or IP address) against the certificate. tls_verify_peer = false skips both (tests).
  std::string tls_ca_file;
  bool tls_verify_peer = true;
  ParseOptions parse;  // limits; is_stream is set per transport
  // DNS for host names (c-ares on the loop): the server to ask (default /etc/resolv.conf),
  // timeouts and cache.
  ResolverConfig dns;
};

class NetworkTransport final : public Transport {
 public:
  // Binds the listeners; throws std::system_error when a bind fails or a TLS file cannot be
  // loaded (start-up errors).
  NetworkTransport(boost::asio::io_context& loop, TimerWheel& wheel, TransportConfig config);
  ~NetworkTransport() override;
  NetworkTransport(const NetworkTransport&) = delete;
  NetworkTransport& operator=(const NetworkTransport&) = delete;

  void send(const Destination& destination, std::string bytes, SendHandler done) override;
  std::string sent_by(TransportKind kind) const override;
  bool supports(TransportKind kind) const override;
  void set_receive_handler(ReceiveHandler handler) override;

  // The bound port of `kind`'s listener (the chosen one when configured as 0); 0 when none.
  std::uint16_t local_port(TransportKind kind) const;
  const TransportStats& stats() const;
  std::size_t connection_count() const;
  // Closes listeners and connections; pending sends fail with operation_aborted.
  void close();

  // Called (posted on the loop) when a TCP or TLS connection that was established closes, for
  // any reason other than close(): the peer closed it, an error, the idle timeout. `source`
  // names it as the messages received on it did (flow = the connection id). The registrar drops
  // the bindings reached through it (RFC 5626 spirit: a flow that is gone reaches nobody).
  using ConnectionClosedHandler = std::function<void(const Source& source)>;
  void set_connection_closed_handler(ConnectionClosedHandler handler);
  // Exempts the connection `flow` from the idle timeout for `duration` from now (a registered
  // device's only path back to it must stay open while its binding lives). Unknown flows are
  // ignored; a later call replaces the deadline.
  void keep_open(std::uint64_t flow, std::chrono::seconds duration);

  // The resolver of config.dns. A Destination with a host name is sent to the first A/AAAA
  // address of that name (no NAPTR/SRV: the UserAgent resolves next hops with RFC 3263 before).
  Resolver& resolver();
  // Whether our listeners can send to IPv4 / IPv6 addresses (an IPv4 socket cannot reach IPv6;
  // a dual-stack one reaches both).
  bool can_send_ipv4() const;
  bool can_send_ipv6() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sb::sip
