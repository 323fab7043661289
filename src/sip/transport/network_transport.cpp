#include "sip/transport/network_transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <deque>
#include <map>
#include <unordered_map>

#include "core/log.hpp"
#include "sip/transport/routing.hpp"
#include "sip/transport/tls_context.hpp"

namespace sb::sip {
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using asio::ip::udp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxDatagram = 65535;

Endpoint endpoint_of(const asio::ip::address& address, std::uint16_t port) {
  // An IPv4-mapped IPv6 source (dual-stack socket) is reported as the IPv4 address.
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return {asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string(), port};
  }
  return {address.to_string(), port};
}

std::string_view strip_brackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

bool is_only_crlf(std::string_view bytes) {
  return bytes.find_first_not_of("\r\n") == std::string_view::npos;
}

void log_exception(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("sip/transport: task ended by an exception: {}", ex.what());
  }
}

}  // namespace

struct NetworkTransport::Impl : std::enable_shared_from_this<Impl> {
  struct Pending {
    std::string bytes;
    SendHandler done;
  };

  // A TCP or TLS connection. TLS connects (or accepts) on `socket`, then moves it into `tls`
  // for the handshake and everything after.
  struct Connection {
    explicit Connection(asio::io_context& io) : socket(io) {}
    tcp::socket socket;
    std::unique_ptr<ssl::stream<tcp::socket>> tls;
    tcp::socket& raw() { return tls ? tls->next_layer() : socket; }
    TransportKind kind = TransportKind::Tcp;
    std::string key;  // in connection_by_peer; empty when not reusable by address
    std::uint64_t id = 0;
    Endpoint remote;
    Endpoint local;
    std::string inbound;
    std::deque<Pending> outbound;
    bool is_connected = false;
    bool is_writing = false;
    bool is_closed = false;
    TimerWheel::TimePoint last_active{};
    TimerWheel::TimePoint kept_open_until{};  // no idle close before it (keep_open)
    TimerWheel::TimerId connect_timer;
  };

  Impl(asio::io_context& io, TimerWheel& w, TransportConfig c)
      : loop(io),
        wheel(w),
        config(std::move(c)),
        udp_socket(io),
        acceptor(io),
        tls_acceptor(io),
        resolver(io, config.dns),
        tls_server(ssl::context::tls_server),
        tls_client(ssl::context::tls_client) {}

  asio::io_context& loop;
  TimerWheel& wheel;
  TransportConfig config;
  ReceiveHandler on_receive;
  ConnectionClosedHandler on_connection_closed;
  TransportStats stats;
  udp::socket udp_socket;
  tcp::acceptor acceptor;
  tcp::acceptor tls_acceptor;
  Resolver resolver;
  ssl::context tls_server;
  ssl::context tls_client;
  std::uint16_t udp_port = 0;
  bool is_udp_v6 = false;  // the UDP socket's family, kept (getsockname per send costs a syscall)
  std::uint16_t tcp_port = 0;
  std::uint16_t tls_port = 0;
  std::string advertised;
  std::unordered_map<std::uint64_t, std::shared_ptr<Connection>> connections;
  // "TCP|1.2.3.4:5060" -> id; outgoing TLS adds the verified name: "TLS|1.2.3.4:5061|example.com".
  std::map<std::string, std::uint64_t> connection_by_peer;
  std::uint64_t next_connection_id = 1;
  TimerWheel::TimerId sweep_timer;
  bool is_closed = false;

  void open();
  void start();
  asio::awaitable<void> udp_loop();
  void listen(tcp::acceptor& listener, const tcp::endpoint& ep);
  asio::awaitable<void> accept_loop(tcp::acceptor& listener, TransportKind kind);
  void start_server_handshake(const std::shared_ptr<Connection>& c);
  void start_client_handshake(const std::shared_ptr<Connection>& c, const std::string& server_name);
  void on_connected(const std::shared_ptr<Connection>& c);
  bool is_listener_v6() const;
  asio::awaitable<void> read_loop(std::shared_ptr<Connection> c);
  void deliver(ParseResult& result, const Source& source);
  void process_stream(Connection& c);
  void send(const Destination& d, std::string bytes, SendHandler done);
  void send_to_address(const Destination& d, const asio::ip::address& address, std::uint16_t port,
                       std::string bytes, SendHandler done);
  void send_udp(const udp::endpoint& to, std::string bytes, SendHandler done);
  void send_stream(TransportKind kind, const tcp::endpoint& to, const std::string& server_name, std::string bytes,
                   SendHandler done);
  void enqueue(const std::shared_ptr<Connection>& c, std::string bytes, SendHandler done);
  void flush(const std::shared_ptr<Connection>& c);
  void close_connection(const std::shared_ptr<Connection>& c, std::error_code why);
  std::shared_ptr<Connection> add_connection(tcp::socket socket, TransportKind kind);
  void complete(SendHandler done, std::error_code ec);
  void sweep();
  Source source_of(const Connection& c) const {
    return {c.kind, c.remote, c.local, c.id};
  }
  static std::string peer_key(TransportKind kind, const Endpoint& e, std::string_view server_name = {}) {
    std::string key = std::string(transport_name(kind)) + "|" + to_string(e);
    if (!server_name.empty()) key.append("|").append(server_name);
    return key;
  }
};

void NetworkTransport::Impl::open() {
  const auto address = asio::ip::make_address(config.address);
  // With port 0, TCP takes the port UDP was given so that one sent-by serves both. That number
  // can already be in use for TCP (any outgoing connection may hold it): then try another pair.
  constexpr int kAttempts = 16;
  for (int attempt = 1;; ++attempt) {
    if (config.has_udp) {
      udp::endpoint ep(address, config.port);
      udp_socket.open(ep.protocol());
      if (address.is_v6()) udp_socket.set_option(asio::ip::v6_only(false));
      // Bursts of requests must queue in the kernel rather than be dropped: ask for 4 MiB (the
      // kernel caps it at net.core.rmem_max; the default of about 200 KiB overflows under load).
      boost::system::error_code buffer_ec;
      udp_socket.set_option(asio::socket_base::receive_buffer_size(4 * 1024 * 1024), buffer_ec);
      udp_socket.set_option(asio::socket_base::send_buffer_size(1024 * 1024), buffer_ec);
      udp_socket.bind(ep);
      udp_port = udp_socket.local_endpoint().port();
      is_udp_v6 = udp_socket.local_endpoint().address().is_v6();
    }
    if (!config.has_tcp) break;
    try {
      listen(acceptor, tcp::endpoint(address, config.has_udp ? udp_port : config.port));
      tcp_port = acceptor.local_endpoint().port();
      break;
    } catch (const boost::system::system_error& e) {  // what Asio throws
      const bool is_retryable = config.port == 0 && config.has_udp && attempt < kAttempts &&
                                e.code() == asio::error::address_in_use;
      if (!is_retryable) throw;
      boost::system::error_code ignored;
      acceptor.close(ignored);
      udp_socket.close(ignored);
    }
  }
  if (config.has_tls) {
    if (config.tls_cert_file.empty() || config.tls_key_file.empty()) {
      throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                              "a TLS listener needs a certificate and a key");
    }
    configure_tls_server(tls_server, config);
    configure_tls_client(tls_client, config);
    listen(tls_acceptor, tcp::endpoint(address, config.tls_port));
    tls_port = tls_acceptor.local_endpoint().port();
  }
  std::string host = config.public_address;
  if (host.empty()) host = address.is_unspecified() ? "127.0.0.1" : address.to_string();
  advertised = host_for_uri(host);
}

void NetworkTransport::Impl::listen(tcp::acceptor& listener, const tcp::endpoint& ep) {
  listener.open(ep.protocol());
  listener.set_option(tcp::acceptor::reuse_address(true));
  if (ep.address().is_v6()) listener.set_option(asio::ip::v6_only(false));
  listener.bind(ep);
  listener.listen();
}

void NetworkTransport::Impl::start() {
  auto self = shared_from_this();
  if (udp_socket.is_open()) asio::co_spawn(loop, udp_loop(), [self](std::exception_ptr e) { log_exception(e); });
  if (acceptor.is_open()) {
    asio::co_spawn(loop, accept_loop(acceptor, TransportKind::Tcp), [self](std::exception_ptr e) { log_exception(e); });
  }
  if (tls_acceptor.is_open()) {
    asio::co_spawn(loop, accept_loop(tls_acceptor, TransportKind::Tls),
                   [self](std::exception_ptr e) { log_exception(e); });
  }
  // A quarter of the timeout (in nanoseconds: a timeout under 4 s must not round to 0), at most 5 s.
  const auto period = std::min<TimerWheel::Duration>(TimerWheel::Duration(config.tcp_idle_timeout) / 4, std::chrono::seconds(5));
  std::weak_ptr<Impl> weak = self;
  sweep_timer = wheel.schedule(period, [weak] {
    if (auto s = weak.lock()) s->sweep();
  });
}

void NetworkTransport::Impl::sweep() {
  if (is_closed) return;
  const auto now = TimerWheel::Clock::now();
  std::vector<std::shared_ptr<Connection>> idle;
  for (auto& [id, c] : connections) {
    if (c->is_connected && c->outbound.empty() && now - c->last_active > config.tcp_idle_timeout &&
        now >= c->kept_open_until) {
      idle.push_back(c);
    }
  }
  for (auto& c : idle) close_connection(c, std::make_error_code(std::errc::timed_out));
  const auto period = std::min<TimerWheel::Duration>(TimerWheel::Duration(config.tcp_idle_timeout) / 4, std::chrono::seconds(5));
  std::weak_ptr<Impl> weak = shared_from_this();
  sweep_timer = wheel.schedule(period, [weak] {
    if (auto s = weak.lock()) s->sweep();
  });
}

asio::awaitable<void> NetworkTransport::Impl::udp_loop() {
  auto self = shared_from_this();
  std::string buffer(kMaxDatagram, '\0');
  const Endpoint local = endpoint_of(udp_socket.local_endpoint().address(), udp_port);
  while (!is_closed) {
    udp::endpoint from;
    auto [ec, n] = co_await udp_socket.async_receive_from(asio::buffer(buffer), from, kUseTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || is_closed) co_return;
      continue;  // ICMP errors surface here on some systems; keep receiving
    }
    std::string_view bytes(buffer.data(), n);
    if (is_only_crlf(bytes)) continue;  // a keep-alive
    ParseOptions options = config.parse;
    options.is_stream = false;
    auto result = parse_message(std::string(bytes), options);
    deliver(result, {TransportKind::Udp, endpoint_of(from.address(), from.port()), local, 0});
  }
}

void NetworkTransport::Impl::deliver(ParseResult& result, const Source& source) {
  if (result.ok()) {
    ++stats.messages_received;
    if (on_receive) on_receive(std::move(result.message()), source);
    return;
  }
  ++stats.malformed_received;
  if (!result.can_answer()) {
    spdlog::debug("sip/transport: dropped a malformed message from {}: {}", to_string(source.remote),
                  result.error().message());
    return;
  }
  ++stats.malformed_answered;
  auto response = make_response_from(result.message(), source, result.answer_status(), result.answer_reason());
  Destination d{source.kind, source.remote.address, source.remote.port, source.flow};
  if (auto routed = response_destination(result.message(), source)) d = *routed;
  spdlog::debug("sip/transport: answered a malformed request from {}: {}", to_string(source.remote),
                result.answer_reason());
  send(d, response.to_string(), nullptr);
}

asio::awaitable<void> NetworkTransport::Impl::accept_loop(tcp::acceptor& listener, TransportKind kind) {
  auto self = shared_from_this();
  while (!is_closed) {
    auto [ec, socket] = co_await listener.async_accept(kUseTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || is_closed) co_return;
      spdlog::warn("sip/transport: accept failed: {}", ec.message());
      continue;
    }
    auto c = add_connection(std::move(socket), kind);
    if (!c) continue;
    if (kind == TransportKind::Tls) {
      start_server_handshake(c);
      continue;
    }
    on_connected(c);
  }
}

void NetworkTransport::Impl::on_connected(const std::shared_ptr<Connection>& c) {
  auto self = shared_from_this();
  c->is_connected = true;
  c->last_active = TimerWheel::Clock::now();
  asio::co_spawn(loop, read_loop(c), [self](std::exception_ptr e) { log_exception(e); });
  flush(c);
}

void NetworkTransport::Impl::start_server_handshake(const std::shared_ptr<Connection>& c) {
  auto self = shared_from_this();
  c->tls = std::make_unique<ssl::stream<tcp::socket>>(std::move(c->socket), tls_server);
  std::weak_ptr<Connection> weak = c;
  // A peer that connects and never completes the handshake is dropped like a stalled connect.
  c->connect_timer = wheel.schedule(config.tcp_connect_timeout, [self, weak] {
    if (auto conn = weak.lock(); conn && !conn->is_connected) {
      self->close_connection(conn, std::make_error_code(std::errc::timed_out));
    }
  });
  c->tls->async_handshake(ssl::stream_base::server, [self, c](boost::system::error_code ec) {
    self->wheel.cancel(c->connect_timer);
    if (c->is_closed) return;
    if (ec) {
      spdlog::debug("sip/transport: TLS handshake from {} failed: {}", to_string(c->remote), ec.message());
      return self->close_connection(c, ec);
    }
    self->on_connected(c);
  });
}

void NetworkTransport::Impl::start_client_handshake(const std::shared_ptr<Connection>& c,
                                                    const std::string& server_name) {
  auto self = shared_from_this();
  c->tls = std::make_unique<ssl::stream<tcp::socket>>(std::move(c->socket), tls_client);
  boost::system::error_code ec;
  asio::ip::make_address(server_name, ec);
  const bool is_ip_literal = !ec;
  if (!prepare_tls_client(c->tls->native_handle(), server_name, is_ip_literal, config.tls_verify_peer)) {
    return close_connection(c, std::make_error_code(std::errc::invalid_argument));
  }
  c->tls->async_handshake(ssl::stream_base::client, [self, c, server_name](boost::system::error_code hec) {
    self->wheel.cancel(c->connect_timer);
    if (c->is_closed) return;
    if (hec) {
      if (const auto rejected = tls_verify_failure(c->tls->native_handle()); !rejected.empty()) {
        spdlog::warn("sip/transport: certificate of {} ({}) rejected: {}", server_name, to_string(c->remote), rejected);
      } else {
        spdlog::debug("sip/transport: TLS handshake with {} failed: {}", to_string(c->remote), hec.message());
      }
      return self->close_connection(c, hec);
    }
    self->on_connected(c);
  });
}

bool NetworkTransport::Impl::is_listener_v6() const {
  if (udp_socket.is_open()) return udp_socket.local_endpoint().address().is_v6();
  if (acceptor.is_open()) return acceptor.local_endpoint().address().is_v6();
  if (tls_acceptor.is_open()) return tls_acceptor.local_endpoint().address().is_v6();
  return false;
}

std::shared_ptr<NetworkTransport::Impl::Connection> NetworkTransport::Impl::add_connection(tcp::socket socket,
                                                                                           TransportKind kind) {
  boost::system::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  if (ec) return nullptr;
  auto local = socket.local_endpoint(ec);
  if (ec) return nullptr;
  socket.set_option(tcp::no_delay(true), ec);
  auto c = std::make_shared<Connection>(loop);
  c->socket = std::move(socket);
  c->kind = kind;
  c->id = next_connection_id++;
  c->remote = endpoint_of(remote.address(), remote.port());
  c->local = endpoint_of(local.address(), local.port());
  c->last_active = TimerWheel::Clock::now();
  connections[c->id] = c;
  // An accepted TLS peer proved no name to us: requests reuse it only through its flow.
  if (kind == TransportKind::Tcp) {
    c->key = peer_key(kind, c->remote);
    connection_by_peer[c->key] = c->id;
  }
  ++stats.connections_opened;
  return c;
}

asio::awaitable<void> NetworkTransport::Impl::read_loop(std::shared_ptr<Connection> c) {
  auto self = shared_from_this();
  char chunk[8192];
  while (!c->is_closed) {
    boost::system::error_code ec;
    std::size_t n = 0;
    if (c->tls) {
      auto [tls_ec, tls_n] = co_await c->tls->async_read_some(asio::buffer(chunk), kUseTuple);
      ec = tls_ec;
      n = tls_n;
    } else {
      auto [tcp_ec, tcp_n] = co_await c->socket.async_read_some(asio::buffer(chunk), kUseTuple);
      ec = tcp_ec;
      n = tcp_n;
    }
    if (ec) {
      close_connection(c, ec);
      co_return;
    }
    c->last_active = TimerWheel::Clock::now();
    c->inbound.append(chunk, n);
    process_stream(*c);
    if (c->inbound.size() > config.parse.max_message_size + 4096) {
      close_connection(c, std::make_error_code(std::errc::message_size));
      co_return;
    }
  }
}

void NetworkTransport::Impl::process_stream(Connection& c) {
  ParseOptions options = config.parse;
  options.is_stream = true;
  auto self_connection = connections.find(c.id);
  if (self_connection == connections.end()) return;
  auto keep = self_connection->second;
  while (!c.is_closed && !c.inbound.empty()) {
    const auto frame = frame_stream(c.inbound, options);
    if (frame.skip > 0) {
      // RFC 5626 3.5.1: a double CRLF is a ping, answered with one CRLF (the pong).
      const std::string_view crlfs(c.inbound.data(), frame.skip);
      if (crlfs.find("\r\n\r\n") != std::string_view::npos) {
        ++stats.keepalive_pongs;
        enqueue(keep, "\r\n", nullptr);
      }
      c.inbound.erase(0, frame.skip);
    }
    if (frame.status == FrameStatus::NeedMore) return;
    if (frame.status == FrameStatus::Invalid) {
      // The framing is lost: answer what can be answered, then close (RFC 3261 18.3).
      auto result = parse_message(c.inbound, options);
      if (result.ok() || !result.has_message()) result = ParseResult(frame.error, std::nullopt);
      deliver(result, source_of(c));
      c.inbound.clear();
      close_connection(keep, std::make_error_code(std::errc::invalid_argument));
      return;
    }
    auto result = parse_message(c.inbound.substr(0, frame.length), options);
    c.inbound.erase(0, frame.length);
    deliver(result, source_of(c));
  }
}

void NetworkTransport::Impl::complete(SendHandler done, std::error_code ec) {
  if (ec) ++stats.send_failures;
  if (!done) return;
  asio::post(loop, [done = std::move(done), ec] { done(ec); });
}

void NetworkTransport::Impl::send(const Destination& d, std::string bytes, SendHandler done) {
  if (is_closed) return complete(std::move(done), std::make_error_code(std::errc::operation_canceled));
  if (d.kind == TransportKind::Tls && !tls_acceptor.is_open()) {
    return complete(std::move(done), std::make_error_code(std::errc::operation_not_supported));
  }
  if (d.kind != TransportKind::Udp && d.flow != 0) {
    if (auto it = connections.find(d.flow);
        it != connections.end() && !it->second->is_closed && it->second->kind == d.kind) {
      return enqueue(it->second, std::move(bytes), std::move(done));
    }
  }
  const auto host = strip_brackets(d.host);
  const std::uint16_t port = d.port ? d.port : default_port(d.kind);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (!ec) return send_to_address(d, address, port, std::move(bytes), std::move(done));
  // A host name (an in-dialog target, a stateless send): its first usable A/AAAA address.
  auto self = shared_from_this();
  resolver.addresses(std::string(host), [self, d, port, bytes = std::move(bytes), done = std::move(done)](
                                            std::error_code rec, std::vector<std::string> addresses) mutable {
    if (self->is_closed) return self->complete(std::move(done), std::make_error_code(std::errc::operation_canceled));
    // An IPv6 listener (dual stack) reaches both families; an IPv4 one only IPv4.
    const bool can_v6 = self->is_listener_v6();
    for (const auto& a : addresses) {
      boost::system::error_code pec;
      const auto address = asio::ip::make_address(a, pec);
      if (pec || (address.is_v6() && !can_v6)) continue;
      return self->send_to_address(d, address, port, std::move(bytes), std::move(done));
    }
    spdlog::debug("sip/transport: cannot resolve {}: {}", d.host, rec ? rec.message() : "no usable address");
    self->complete(std::move(done), rec ? rec : std::make_error_code(std::errc::host_unreachable));
  });
}

void NetworkTransport::Impl::send_to_address(const Destination& d, const asio::ip::address& address,
                                             std::uint16_t port, std::string bytes, SendHandler done) {
  if (d.kind == TransportKind::Udp) return send_udp(udp::endpoint(address, port), std::move(bytes), std::move(done));
  std::string server_name = d.tls_name.empty() ? std::string(strip_brackets(d.host)) : d.tls_name;
  send_stream(d.kind, tcp::endpoint(address, port), server_name, std::move(bytes), std::move(done));
}

void NetworkTransport::Impl::send_udp(const udp::endpoint& to, std::string bytes, SendHandler done) {
  if (!udp_socket.is_open()) return complete(std::move(done), std::make_error_code(std::errc::operation_not_supported));
  auto target = to;
  const bool is_v6_socket = is_udp_v6;
  if (is_v6_socket && target.address().is_v4()) {
    target = udp::endpoint(asio::ip::make_address_v6(asio::ip::v4_mapped, target.address().to_v4()), target.port());
  } else if (!is_v6_socket && target.address().is_v6()) {
    return complete(std::move(done), std::make_error_code(std::errc::address_family_not_supported));
  }
  auto payload = std::make_shared<std::string>(std::move(bytes));
  auto self = shared_from_this();
  udp_socket.async_send_to(asio::buffer(*payload), target,
                           [self, payload, done = std::move(done)](boost::system::error_code ec, std::size_t) mutable {
                             if (!ec) ++self->stats.messages_sent;
                             if (done) done(ec);
                             else if (ec) ++self->stats.send_failures;
                           });
}

void NetworkTransport::Impl::send_stream(TransportKind kind, const tcp::endpoint& to, const std::string& server_name,
                                         std::string bytes, SendHandler done) {
  const Endpoint peer = endpoint_of(to.address(), to.port());
  // A TLS connection is reusable for the name it was verified against (RFC 5922 7.3).
  const std::string key = peer_key(kind, peer, kind == TransportKind::Tls ? server_name : std::string_view{});
  if (auto it = connection_by_peer.find(key); it != connection_by_peer.end()) {
    if (auto c = connections.find(it->second); c != connections.end() && !c->second->is_closed) {
      return enqueue(c->second, std::move(bytes), std::move(done));
    }
  }
  auto c = std::make_shared<Connection>(loop);
  c->kind = kind;
  c->key = key;
  c->id = next_connection_id++;
  c->remote = peer;
  c->last_active = TimerWheel::Clock::now();
  connections[c->id] = c;
  connection_by_peer[key] = c->id;
  c->outbound.push_back({std::move(bytes), std::move(done)});
  ++stats.connections_opened;
  auto self = shared_from_this();
  std::weak_ptr<Connection> weak = c;
  c->connect_timer = wheel.schedule(config.tcp_connect_timeout, [self, weak] {
    if (auto conn = weak.lock(); conn && !conn->is_connected) self->close_connection(conn, std::make_error_code(std::errc::timed_out));
  });
  c->socket.async_connect(to, [self, c, server_name](boost::system::error_code ec) {
    if (c->is_closed) return;
    if (ec) {
      self->wheel.cancel(c->connect_timer);
      return self->close_connection(c, ec);
    }
    boost::system::error_code ignored;
    c->socket.set_option(tcp::no_delay(true), ignored);
    auto local = c->socket.local_endpoint(ignored);
    c->local = endpoint_of(local.address(), local.port());
    // The connect timer keeps running through the TLS handshake.
    if (c->kind == TransportKind::Tls) return self->start_client_handshake(c, server_name);
    self->wheel.cancel(c->connect_timer);
    self->on_connected(c);
  });
}

void NetworkTransport::Impl::enqueue(const std::shared_ptr<Connection>& c, std::string bytes, SendHandler done) {
  c->outbound.push_back({std::move(bytes), std::move(done)});
  flush(c);
}

void NetworkTransport::Impl::flush(const std::shared_ptr<Connection>& c) {
  if (!c->is_connected || c->is_writing || c->is_closed || c->outbound.empty()) return;
  c->is_writing = true;
  auto self = shared_from_this();
  auto written = [self, c](boost::system::error_code ec, std::size_t) {
    c->is_writing = false;
    if (c->is_closed) return;
    if (ec) return self->close_connection(c, ec);
    auto done = std::move(c->outbound.front().done);
    c->outbound.pop_front();
    c->last_active = TimerWheel::Clock::now();
    ++self->stats.messages_sent;
    if (done) done({});
    self->flush(c);
  };
  const auto buffer = asio::buffer(c->outbound.front().bytes);
  if (c->tls) {
    asio::async_write(*c->tls, buffer, std::move(written));
  } else {
    asio::async_write(c->socket, buffer, std::move(written));
  }
}

void NetworkTransport::Impl::close_connection(const std::shared_ptr<Connection>& c, std::error_code why) {
  if (c->is_closed) return;
  c->is_closed = true;
  wheel.cancel(c->connect_timer);
  boost::system::error_code ignored;
  // TLS: no close_notify; the peer sees the TCP close (RFC 3261 sets no TLS shutdown rule).
  c->raw().close(ignored);
  connections.erase(c->id);
  if (auto it = connection_by_peer.find(c->key); !c->key.empty() && it != connection_by_peer.end() && it->second == c->id) {
    connection_by_peer.erase(it);
  }
  ++stats.connections_closed;
  if (c->is_connected && on_connection_closed && !is_closed) {
    asio::post(loop, [handler = on_connection_closed, source = source_of(*c)] { handler(source); });
  }
  const std::error_code failure = why ? why : std::error_code(std::make_error_code(std::errc::connection_aborted));
  while (!c->outbound.empty()) {
    complete(std::move(c->outbound.front().done), failure);
    c->outbound.pop_front();
  }
}

NetworkTransport::NetworkTransport(asio::io_context& loop, TimerWheel& wheel, TransportConfig config)
    : impl_(std::make_shared<Impl>(loop, wheel, std::move(config))) {
  impl_->open();
  impl_->start();
}

NetworkTransport::~NetworkTransport() { close(); }

void NetworkTransport::close() {
  if (impl_->is_closed) return;
  impl_->is_closed = true;
  impl_->wheel.cancel(impl_->sweep_timer);
  boost::system::error_code ignored;
  impl_->udp_socket.close(ignored);
  impl_->acceptor.close(ignored);
  impl_->tls_acceptor.close(ignored);
  impl_->resolver.close();
  std::vector<std::shared_ptr<Impl::Connection>> all;
  for (auto& [id, c] : impl_->connections) all.push_back(c);
  for (auto& c : all) impl_->close_connection(c, std::make_error_code(std::errc::operation_canceled));
}

void NetworkTransport::send(const Destination& destination, std::string bytes, SendHandler done) {
  impl_->send(destination, std::move(bytes), std::move(done));
}

std::string NetworkTransport::sent_by(TransportKind kind) const {
  const auto port = local_port(kind);
  if (port == 0) return {};
  return impl_->advertised + ":" + std::to_string(port);
}

bool NetworkTransport::supports(TransportKind kind) const { return local_port(kind) != 0; }

void NetworkTransport::set_receive_handler(ReceiveHandler handler) { impl_->on_receive = std::move(handler); }

void NetworkTransport::set_connection_closed_handler(ConnectionClosedHandler handler) {
  impl_->on_connection_closed = std::move(handler);
}

void NetworkTransport::keep_open(std::uint64_t flow, std::chrono::seconds duration) {
  if (auto it = impl_->connections.find(flow); it != impl_->connections.end()) {
    it->second->kept_open_until = TimerWheel::Clock::now() + duration;
  }
}

std::uint16_t NetworkTransport::local_port(TransportKind kind) const {
  switch (kind) {
    case TransportKind::Udp: return impl_->udp_port;
    case TransportKind::Tcp: return impl_->tcp_port;
    case TransportKind::Tls: return impl_->tls_port;
  }
  return 0;
}

const TransportStats& NetworkTransport::stats() const { return impl_->stats; }

Resolver& NetworkTransport::resolver() { return impl_->resolver; }

bool NetworkTransport::can_send_ipv6() const { return impl_->is_listener_v6(); }

bool NetworkTransport::can_send_ipv4() const {
  // A dual-stack socket bound to "::" reaches IPv4 through mapped addresses; one bound to a
  // specific IPv6 address does not.
  if (!impl_->is_listener_v6()) return true;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(impl_->config.address, ec);
  return !ec && address.is_unspecified();
}
std::size_t NetworkTransport::connection_count() const { return impl_->connections.size(); }

}  // namespace sb::sip
