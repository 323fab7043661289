#include "http/server.hpp"

#include "core/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <set>

namespace sb::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  bool is_busy = false;  // between a request's first byte and the end of its response
};

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, ServerOptions opts, Handler h)
      : loop(io), options(std::move(opts)), handler(std::move(h)), grace_timer(io) {}

  asio::io_context& loop;
  ServerOptions options;
  Handler handler;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::set<std::shared_ptr<Connection>> connections;
  bool is_stopping = false;
  std::function<void()> on_drained;
  asio::steady_timer grace_timer;

  asio::awaitable<void> accept_loop(tcp::acceptor& acceptor);
  asio::awaitable<void> serve(std::shared_ptr<Connection> connection);
  asio::awaitable<bool> write(Connection& c, Response response, unsigned version, bool keep_alive);
  Response error(unsigned status, std::string_view message) const;
  void forget(const std::shared_ptr<Connection>& connection);
  void finish_shutdown();
};

Response Server::Impl::error(unsigned status, std::string_view message) const {
  if (options.error_response) return options.error_response(status, message);
  Response r;
  r.status = status;
  r.set("Content-Type", "text/plain");
  r.body = std::string(message);
  return r;
}

asio::awaitable<void> Server::Impl::accept_loop(tcp::acceptor& acceptor) {
  auto self = shared_from_this();
  while (!is_stopping) {
    auto [ec, socket] = co_await acceptor.async_accept(kUseTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || is_stopping) co_return;
      // Out of descriptors or similar: log and keep accepting rather than die.
      spdlog::warn("http: accept failed: {}", ec.message());
      continue;
    }
    socket.set_option(tcp::no_delay(true));
    auto connection = std::make_shared<Connection>(std::move(socket));
    connections.insert(connection);
    // The lambda owns `self` for the coroutine's whole life (a member coroutine alone would not).
    asio::co_spawn(loop, [self, connection] { return self->serve(connection); }, [self, connection](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::error("http: connection ended by an exception: {}", ex.what());
        }
      }
      self->forget(connection);
    });
  }
}

asio::awaitable<bool> Server::Impl::write(Connection& c, Response response, unsigned version,
                                           bool keep_alive) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(response.status), version};
  res.set(bhttp::field::server, "switchboard");
  for (auto& h : response.headers) res.insert(h.name, h.value);
  res.body() = std::move(response.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  c.stream.expires_after(options.request_timeout);
  auto [ec, n] = co_await bhttp::async_write(c.stream, res, kUseTuple);
  co_return !ec;
}

asio::awaitable<void> Server::Impl::serve(std::shared_ptr<Connection> connection) {
  auto self = shared_from_this();
  Connection& c = *connection;
  beast::flat_buffer buffer;
  boost::system::error_code ignored;
  std::string remote = c.stream.socket().remote_endpoint(ignored).address().to_string();

  while (!is_stopping) {
    // Idle: wait for a request's first byte.
    if (buffer.size() == 0) {
      c.stream.expires_after(options.idle_timeout);
      auto [ec, n] = co_await c.stream.async_read_some(buffer.prepare(4096), kUseTuple);
      if (ec) co_return;  // idle timeout, peer closed, or shutdown: nothing to answer
      buffer.commit(n);
    }
    c.is_busy = true;
    // The whole request must arrive within request_timeout. A timer cancels the reads rather than
    // the stream's own expiry, which would close the socket before a 408 could be sent.
    c.stream.expires_never();
    bool is_timed_out = false;
    asio::steady_timer deadline(loop);
    deadline.expires_after(options.request_timeout);
    deadline.async_wait([connection, &is_timed_out](boost::system::error_code ec) {
      if (ec) return;
      is_timed_out = true;
      boost::system::error_code ignored_ec;
      connection->stream.socket().cancel(ignored_ec);
    });

    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    parser.body_limit(options.max_body_bytes);
    unsigned version = 11;
    std::optional<Response> failure;
    auto classify = [&](boost::system::error_code ec) -> bool {  // false: the peer is gone
      if (!ec) return true;
      if (is_timed_out) {
        failure = error(408, "The request was not received in time");
      } else if (ec == bhttp::error::header_limit) {
        failure = error(431, "The request's headers are too large");
      } else if (ec == bhttp::error::body_limit) {
        failure = error(413, fmt::format("The request body is larger than {} bytes", options.max_body_bytes));
      } else if (ec == bhttp::error::end_of_stream || ec == asio::error::connection_reset ||
                 ec == asio::error::eof) {
        return false;
      } else {
        failure = error(400, fmt::format("Malformed HTTP request: {}", ec.message()));
      }
      return true;
    };
    auto [hec, hn] = co_await bhttp::async_read_header(c.stream, buffer, parser, kUseTuple);
    if (!classify(hec)) co_return;
    if (!failure) {
      version = parser.get().version();
      if (bhttp::token_list{parser.get()[bhttp::field::expect]}.exists("100-continue")) {
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, version};
        co_await bhttp::async_write(c.stream, cont, kUseTuple);
      }
      auto [bec, bn] = co_await bhttp::async_read(c.stream, buffer, parser, kUseTuple);
      if (!classify(bec)) co_return;
    }
    deadline.cancel();
    if (failure) {
      spdlog::info("http: {} from {}: answered {}", failure->status == 408 ? "slow request" : "bad request",
                   remote, failure->status);
      co_await write(c, std::move(*failure), version, false);
      c.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }

    auto message = parser.release();
    Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
      request.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    }
    request.body = std::move(message.body());
    request.remote_address = remote;
    const bool wants_keep_alive = message.keep_alive();

    Response response = co_await asio::async_initiate<decltype(asio::use_awaitable), void(Response)>(
        [this, &request](auto completion) {
          auto shared = std::make_shared<decltype(completion)>(std::move(completion));
          auto reply = [this, shared](Response r) {
            asio::post(loop, [shared, r = std::move(r)]() mutable { (*shared)(std::move(r)); });
          };
          try {
            handler(std::move(request), reply);
          } catch (const std::exception& e) {
            spdlog::error("http: handler failed: {}", e.what());
            reply(error(500, "Internal server error"));
          }
        },
        asio::use_awaitable);

    const bool keep_alive = wants_keep_alive && !is_stopping;
    const bool written = co_await write(c, std::move(response), version, keep_alive);
    c.is_busy = false;
    if (!written) co_return;
    if (!keep_alive) {
      c.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }
  }
}

void Server::Impl::forget(const std::shared_ptr<Connection>& connection) {
  connections.erase(connection);
  if (is_stopping && connections.empty()) finish_shutdown();
}

void Server::Impl::finish_shutdown() {
  grace_timer.cancel();
  if (auto done = std::exchange(on_drained, nullptr)) done();
}

Server::Server(asio::io_context& loop, ServerOptions options, Handler handler)
    : impl_(std::make_shared<Impl>(loop, std::move(options), std::move(handler))) {}

Server::~Server() {
  impl_->is_stopping = true;
  for (auto& a : impl_->acceptors) a->close();
}

std::uint16_t Server::listen(const std::string& host, std::uint16_t port) {
  const auto address = asio::ip::make_address(host);
  auto acceptor = std::make_unique<tcp::acceptor>(impl_->loop);
  const tcp::endpoint endpoint{address, port};
  acceptor->open(endpoint.protocol());
  acceptor->set_option(asio::socket_base::reuse_address(true));
  acceptor->bind(endpoint);
  acceptor->listen(asio::socket_base::max_listen_connections);
  const auto bound = acceptor->local_endpoint().port();
  auto* ref = acceptor.get();
  impl_->acceptors.push_back(std::move(acceptor));
  // The coroutine starts later, on the loop: the lambda keeps Impl (and so the acceptor) alive
  // even if the Server is destroyed first.
  asio::co_spawn(impl_->loop, [self = impl_, ref] { return self->accept_loop(*ref); }, asio::detached);
  return bound;
}

void Server::shutdown(std::function<void()> done) {
  auto& impl = *impl_;
  impl.is_stopping = true;
  impl.on_drained = std::move(done);
  for (auto& a : impl.acceptors) {
    boost::system::error_code ignored;
    a->close(ignored);
  }
  for (const auto& c : impl.connections) {
    if (!c->is_busy) c->stream.cancel();  // idle: its read ends and the session exits
  }
  if (impl.connections.empty()) {
    impl.finish_shutdown();
    return;
  }
  impl.grace_timer.expires_after(impl.options.shutdown_grace);
  impl.grace_timer.async_wait([self = impl_](boost::system::error_code ec) {
    if (ec) return;
    spdlog::warn("http: {} connection(s) still open after the shutdown grace period; closing",
                 self->connections.size());
    for (const auto& c : self->connections) c->stream.socket().close();
    self->finish_shutdown();
  });
}

}  // namespace sb::http
