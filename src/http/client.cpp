#include "http/client.hpp"

#include "core/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <charconv>
#include <deque>
#include <map>
#include <optional>
#include <set>

namespace sb::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

class ClientCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "sb.http.client"; }
  std::string message(int value) const override {
    switch (static_cast<ClientErrc>(value)) {
      case ClientErrc::invalid_url: return "invalid webhook URL";
      case ClientErrc::dns_failure: return "host name did not resolve";
      case ClientErrc::connect_refused: return "connection refused";
      case ClientErrc::connect_failed: return "connection failed";
      case ClientErrc::connect_timeout: return "connection not established in time";
      case ClientErrc::tls_failed: return "TLS handshake failed";
      case ClientErrc::tls_verify_failed: return "TLS certificate verification failed";
      case ClientErrc::timeout: return "no complete response in time";
      case ClientErrc::body_too_large: return "response body too large";
      case ClientErrc::malformed_response: return "malformed HTTP response";
      case ClientErrc::closed_early: return "connection closed before a complete response";
      case ClientErrc::cancelled: return "request cancelled";
    }
    return "unknown HTTP client error";
  }
};

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

struct Target {
  bool is_tls = false;
  std::string host;         // without brackets: for DNS, SNI and certificate checks
  std::string port;         // decimal
  std::string host_header;  // as in the URL, brackets and explicit port included
  std::string target;       // path and query, as sent in the request line
  std::string pool_key;     // scheme://host:port
  bool is_ip_literal = false;
};

bool is_idempotent(const ClientRequest& request) {
  for (const std::string_view m : {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}) {
    if (request.method == m) return true;
  }
  for (const auto& h : request.headers) {
    if (iequals(h.name, "I-Twilio-Idempotency-Token") || iequals(h.name, "Idempotency-Key")) return true;
  }
  return false;
}

Result<Target> parse_target(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return make_error_code(ClientErrc::invalid_url);
  const auto& u = *parsed;
  Target t;
  if (u.scheme_id() == boost::urls::scheme::https) {
    t.is_tls = true;
  } else if (u.scheme_id() != boost::urls::scheme::http) {
    return make_error_code(ClientErrc::invalid_url);
  }
  if (!u.has_authority() || u.encoded_host().empty()) return make_error_code(ClientErrc::invalid_url);
  t.host = u.host_address();
  t.is_ip_literal = u.host_type() == boost::urls::host_type::ipv4 ||
                    u.host_type() == boost::urls::host_type::ipv6;
  if (u.host_type() == boost::urls::host_type::ipvfuture) return make_error_code(ClientErrc::invalid_url);
  if (u.has_port() && !u.port().empty()) {
    const std::string_view port = u.port();
    if (port.size() > 5 || u.port_number() == 0 || std::to_string(u.port_number()) != port) {
      return make_error_code(ClientErrc::invalid_url);
    }
    t.port = port;
  } else {
    t.port = t.is_tls ? "443" : "80";
  }
  t.host_header = u.encoded_host_and_port();
  if (t.host_header.ends_with(':')) t.host_header.pop_back();
  t.target = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) {
    t.target += '?';
    t.target += u.encoded_query();
  }
  t.pool_key = std::string(u.scheme()) + "://" + t.host_header + ":" + t.port;
  return t;
}

// A keep-alive connection, plain or TLS; owned by one request at a time or by the pool.
struct Connection {
  Connection(asio::io_context& io, ssl::context* tls) {
    if (tls) {
      secure.emplace(io, *tls);
    } else {
      plain.emplace(io);
    }
  }
  beast::tcp_stream& tcp() { return secure ? secure->next_layer() : *plain; }

  std::optional<beast::tcp_stream> plain;
  std::optional<ssl::stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  Clock::time_point idle_since;
};

// Whether a pooled connection still looks usable: no EOF, reset or unexpected bytes pending.
bool is_still_open(Connection& c) {
  auto& socket = c.tcp().socket();
  if (!socket.is_open()) return false;
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  if (ec) return false;
  char byte = 0;
  socket.receive(asio::buffer(&byte, 1), tcp::socket::message_peek, ec);
  boost::system::error_code ignored;
  socket.non_blocking(false, ignored);
  return ec == asio::error::would_block;
}

struct Exchange {
  std::error_code error;
  bool is_retryable = false;  // failed on a reused connection before any response byte
  bool is_reusable = false;
  ClientResponse response;
};

}  // namespace

const std::error_category& client_category() {
  static const ClientCategory category;
  return category;
}

std::error_code make_error_code(ClientErrc e) { return {static_cast<int>(e), client_category()}; }

int twilio_error_code(ClientErrc e) {
  switch (e) {
    case ClientErrc::invalid_url: return 11100;
    case ClientErrc::dns_failure: return 11210;
    case ClientErrc::connect_refused:
    case ClientErrc::connect_failed:
    case ClientErrc::connect_timeout: return 11205;
    case ClientErrc::tls_failed: return 11220;
    // Digest section 7 groups 11235-11237 as certificate errors without telling them apart.
    case ClientErrc::tls_verify_failed: return 11237;
    case ClientErrc::timeout:
    case ClientErrc::closed_early: return 11200;
    case ClientErrc::body_too_large: return 11750;
    case ClientErrc::malformed_response: return 11206;
    case ClientErrc::cancelled: return 0;
  }
  return 11200;
}

std::string_view ClientResponse::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (iequals(h.name, name)) return h.value;
  }
  return {};
}

std::string request_url(const ClientRequest& request) {
  const std::string_view without_fragment = std::string_view(request.url).substr(0, request.url.find('#'));
  auto parsed = boost::urls::parse_uri(without_fragment);
  if (!parsed || !parsed->has_authority()) return std::string(without_fragment);
  const auto& u = *parsed;
  std::string url = std::string(u.scheme()) + "://" + std::string(u.encoded_authority());
  url += u.encoded_path().empty() ? std::string_view("/") : std::string_view(u.encoded_path());
  std::string query = u.has_query() ? std::string(u.encoded_query()) : std::string();
  if (request.method == "GET" && !request.params.fields().empty()) {
    if (!query.empty()) query += '&';
    query += request.params.encode();
  }
  if (u.has_query() || !query.empty()) url += '?' + query;
  return url;
}

// One request in flight: shared by its coroutine, its resolve timer and shutdown().
struct Op {
  ClientRequest request;
  ClientCallback done;
  Clock::time_point deadline;
  bool is_cancelled = false;
  bool is_delivered = false;
  tcp::resolver* resolver = nullptr;  // while resolving
  Connection* connection = nullptr;   // while connecting or exchanging

  void deliver(ClientResult result) {
    if (std::exchange(is_delivered, true)) return;
    auto callback = std::move(done);
    callback(std::move(result));
  }
};

struct Client::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, ClientOptions opts)
      : loop(io), options(std::move(opts)), tls(ssl::context::tls_client), sweep_timer(io) {}

  asio::io_context& loop;
  ClientOptions options;
  ssl::context tls;
  std::map<std::string, std::deque<std::unique_ptr<Connection>>> idle;  // oldest first
  std::size_t idle_count = 0;
  asio::steady_timer sweep_timer;
  bool is_sweep_armed = false;
  std::set<std::shared_ptr<Op>> ops;
  bool is_shut_down = false;
  std::size_t opened = 0;

  asio::awaitable<void> run(std::shared_ptr<Op> op);
  asio::awaitable<Result<std::unique_ptr<Connection>>> connect(const std::shared_ptr<Op>& op,
                                                               const Target& target);
  template <class Stream>
  asio::awaitable<Exchange> exchange(Stream& stream, Connection& c, Op& op,
                                     const bhttp::request<bhttp::string_body>& request, bool is_reused);
  std::unique_ptr<Connection> take_idle(const std::string& key);
  void put_idle(const std::string& key, std::unique_ptr<Connection> c);
  void sweep();
  void arm_sweep(Clock::time_point when);
  void shutdown();
};

std::unique_ptr<Connection> Client::Impl::take_idle(const std::string& key) {
  const auto it = idle.find(key);
  if (it == idle.end()) return nullptr;
  auto& list = it->second;
  std::unique_ptr<Connection> found;
  const auto now = Clock::now();
  while (!list.empty() && !found) {
    auto c = std::move(list.back());  // most recently used first: the least likely to be closed
    list.pop_back();
    --idle_count;
    if (now - c->idle_since < options.idle_timeout && is_still_open(*c)) found = std::move(c);
  }
  if (list.empty()) idle.erase(it);
  return found;
}

void Client::Impl::put_idle(const std::string& key, std::unique_ptr<Connection> c) {
  if (is_shut_down || options.max_idle_per_host == 0 || idle_count >= options.max_idle_total) return;
  auto& list = idle[key];
  if (list.size() >= options.max_idle_per_host) {
    list.pop_front();
    --idle_count;
  }
  c->tcp().expires_never();
  c->idle_since = Clock::now();
  list.push_back(std::move(c));
  ++idle_count;
  if (!is_sweep_armed) arm_sweep(Clock::now() + options.idle_timeout);
}

void Client::Impl::arm_sweep(Clock::time_point when) {
  is_sweep_armed = true;
  sweep_timer.expires_at(when);
  sweep_timer.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (!self) return;
    self->is_sweep_armed = false;
    if (!ec) self->sweep();
  });
}

void Client::Impl::sweep() {
  const auto now = Clock::now();
  std::optional<Clock::time_point> oldest;
  for (auto it = idle.begin(); it != idle.end();) {
    auto& list = it->second;
    while (!list.empty() && now - list.front()->idle_since >= options.idle_timeout) {
      list.pop_front();
      --idle_count;
    }
    if (list.empty()) {
      it = idle.erase(it);
    } else {
      if (!oldest || list.front()->idle_since < *oldest) oldest = list.front()->idle_since;
      ++it;
    }
  }
  if (oldest && !is_shut_down) arm_sweep(*oldest + options.idle_timeout);
}

void Client::Impl::shutdown() {
  if (is_shut_down) return;
  is_shut_down = true;
  sweep_timer.cancel();
  idle.clear();
  idle_count = 0;
  for (const auto& op : ops) {
    op->is_cancelled = true;
    if (op->resolver) op->resolver->cancel();
    if (op->connection) op->connection->tcp().close();
  }
}

asio::awaitable<Result<std::unique_ptr<Connection>>> Client::Impl::connect(const std::shared_ptr<Op>& op,
                                                                           const Target& target) {
  tcp::resolver::results_type endpoints;
  if (target.is_ip_literal) {
    // An address needs no lookup. The resolver would still run getaddrinfo on Asio's resolver
    // thread, and every new connection would wait for that thread to be scheduled (ms on a busy
    // machine, measured as the tail of "200 OK in -> webhook out").
    boost::system::error_code aec;
    const auto address = asio::ip::make_address(target.host, aec);
    std::uint16_t port = 0;
    const auto [end, pec] = std::from_chars(target.port.data(), target.port.data() + target.port.size(), port);
    if (!aec && pec == std::errc{} && end == target.port.data() + target.port.size()) {
      endpoints = tcp::resolver::results_type::create(tcp::endpoint(address, port), target.host, target.port);
    }
  }
  if (endpoints.empty()) {
    // The resolver has no timeout of its own: a timer cancels it at the deadline. Both share
    // this state, since the timer's handler may run after this frame has moved on.
    struct Resolving {
      explicit Resolving(asio::io_context& io) : resolver(io), timer(io) {}
      tcp::resolver resolver;
      asio::steady_timer timer;
      bool is_finished = false;
      bool is_timed_out = false;
    };
    auto resolving = std::make_shared<Resolving>(loop);
    op->resolver = &resolving->resolver;
    resolving->timer.expires_at(op->deadline);
    resolving->timer.async_wait([resolving](boost::system::error_code ec) {
      if (ec || resolving->is_finished) return;
      resolving->is_timed_out = true;
      resolving->resolver.cancel();
    });
    auto [rec, resolved] = co_await resolving->resolver.async_resolve(
        target.host, target.port, tcp::resolver::numeric_service, kUseTuple);
    op->resolver = nullptr;
    resolving->is_finished = true;
    resolving->timer.cancel();
    if (op->is_cancelled) co_return make_error_code(ClientErrc::cancelled);
    if (resolving->is_timed_out) co_return make_error_code(ClientErrc::connect_timeout);
    if (rec) {
      spdlog::debug("http client: resolving {} failed: {}", target.host, rec.message());
      co_return make_error_code(ClientErrc::dns_failure);
    }
    endpoints = std::move(resolved);
  }

  auto c = std::make_unique<Connection>(loop, target.is_tls ? &tls : nullptr);
  op->connection = c.get();
  ++opened;
  c->tcp().expires_at(op->deadline);
  auto [cec, endpoint] = co_await c->tcp().async_connect(endpoints, kUseTuple);
  if (op->is_cancelled) co_return make_error_code(ClientErrc::cancelled);
  if (cec) {
    spdlog::debug("http client: connecting to {}:{} failed: {}", target.host, target.port, cec.message());
    if (cec == beast::error::timeout) co_return make_error_code(ClientErrc::connect_timeout);
    if (cec == asio::error::connection_refused) co_return make_error_code(ClientErrc::connect_refused);
    co_return make_error_code(ClientErrc::connect_failed);
  }
  boost::system::error_code ignored;
  c->tcp().socket().set_option(tcp::no_delay(true), ignored);

  if (target.is_tls) {
    SSL* handle = c->secure->native_handle();
    // RFC 6066 section 3: SNI carries host names only, never address literals.
    if (!target.is_ip_literal) SSL_set_tlsext_host_name(handle, target.host.c_str());
    if (options.verify_peer) {
      c->secure->set_verify_mode(ssl::verify_peer);
      // OpenSSL checks the name during verification (RFC 6125), so a mismatch reports as a
      // verification failure: X509_V_ERR_HOSTNAME_MISMATCH / X509_V_ERR_IP_ADDRESS_MISMATCH.
      X509_VERIFY_PARAM* param = SSL_get0_param(handle);
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      const int is_set = target.is_ip_literal ? X509_VERIFY_PARAM_set1_ip_asc(param, target.host.c_str())
                                              : X509_VERIFY_PARAM_set1_host(param, target.host.c_str(), 0);
      if (is_set != 1) co_return make_error_code(ClientErrc::tls_failed);
    } else {
      c->secure->set_verify_mode(ssl::verify_none);
    }
    auto [hec] = co_await c->secure->async_handshake(ssl::stream_base::client, kUseTuple);
    if (op->is_cancelled) co_return make_error_code(ClientErrc::cancelled);
    if (hec) {
      if (hec == beast::error::timeout) co_return make_error_code(ClientErrc::connect_timeout);
      const long verify = SSL_get_verify_result(handle);
      if (verify != X509_V_OK) {
        spdlog::debug("http client: certificate of {} rejected: {}", target.host,
                      X509_verify_cert_error_string(verify));
        co_return make_error_code(ClientErrc::tls_verify_failed);
      }
      spdlog::debug("http client: TLS handshake with {} failed: {}", target.host, hec.message());
      co_return make_error_code(ClientErrc::tls_failed);
    }
  }
  co_return std::move(c);
}

template <class Stream>
asio::awaitable<Exchange> Client::Impl::exchange(Stream& stream, Connection& c, Op& op,
                                                 const bhttp::request<bhttp::string_body>& request,
                                                 bool is_reused) {
  Exchange result;
  static const auto& kHttpErrors = boost::system::error_code(bhttp::error::bad_version).category();
  const auto fail = [&](const boost::system::error_code& ec, bool got_some) {
    if (op.is_cancelled) {
      result.error = make_error_code(ClientErrc::cancelled);
    } else if (ec == beast::error::timeout) {
      result.error = make_error_code(ClientErrc::timeout);
    } else if (ec == bhttp::error::body_limit) {
      result.error = make_error_code(ClientErrc::body_too_large);
    } else if (ec == bhttp::error::header_limit) {
      result.error = make_error_code(ClientErrc::malformed_response);
    } else if (ec.category() == kHttpErrors && ec != bhttp::error::end_of_stream &&
               ec != bhttp::error::partial_message) {
      result.error = make_error_code(ClientErrc::malformed_response);
    } else {
      // EOF, reset, broken pipe, TLS truncation: the server went away.
      result.error = make_error_code(ClientErrc::closed_early);
      result.is_retryable = is_reused && !got_some;
    }
    if (ec) spdlog::debug("http client: exchange failed: {}", ec.message());
    return result;
  };

  auto [wec, written] = co_await bhttp::async_write(stream, request, kUseTuple);
  if (wec) co_return fail(wec, false);

  for (;;) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    parser.body_limit(op.request.max_body_bytes);
    if (request.method() == bhttp::verb::head) parser.skip(true);
    auto [rec, read] = co_await bhttp::async_read(stream, c.buffer, parser, kUseTuple);
    if (rec) co_return fail(rec, parser.got_some());
    auto& message = parser.get();
    const unsigned status = message.result_int();
    if (status >= 100 && status < 200 && status != 101) continue;  // 100 Continue, 103 Early Hints
    result.response.status = status;
    for (const auto& field : message) {
      result.response.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    }
    result.response.body = std::move(message.body());
    result.is_reusable = message.keep_alive() && !parser.need_eof() && c.buffer.size() == 0 && status != 101;
    co_return result;
  }
}

asio::awaitable<void> Client::Impl::run(std::shared_ptr<Op> op) {
  co_await asio::post(loop, asio::use_awaitable);  // never complete from within send()
  if (op->is_cancelled) {
    op->deliver(make_error_code(ClientErrc::cancelled));
    co_return;
  }
  auto target = parse_target(op->request.url);
  if (!target) {
    op->deliver(target.error());
    co_return;
  }

  bhttp::request<bhttp::string_body> request;
  request.version(11);
  request.method_string(op->request.method);
  request.target(target->target);
  request.set(bhttp::field::host, target->host_header);
  if (!options.user_agent.empty()) request.set(bhttp::field::user_agent, options.user_agent);
  for (const auto& h : op->request.headers) request.insert(h.name, h.value);
  if (op->request.method == "GET") {
    if (!op->request.params.fields().empty()) {
      request.target(target->target + (target->target.find('?') == std::string::npos ? "?" : "&") +
                     op->request.params.encode());
    }
  } else if (op->request.method != "HEAD") {
    request.set(bhttp::field::content_type, "application/x-www-form-urlencoded");
    request.body() = op->request.params.encode();
  }
  request.keep_alive(true);
  request.prepare_payload();

  const bool may_retry = is_idempotent(op->request);
  bool has_retried = false;
  for (;;) {
    std::unique_ptr<Connection> c = has_retried ? nullptr : take_idle(target->pool_key);
    const bool is_reused = c != nullptr;
    if (!c) {
      auto connected = co_await connect(op, *target);
      op->connection = nullptr;
      if (!connected) {
        op->deliver(connected.error());
        co_return;
      }
      c = std::move(*connected);
    }
    op->connection = c.get();
    c->tcp().expires_at(op->deadline);
    // Not a conditional expression: g++ 12 mishandles co_await inside ?: (temporaries freed twice).
    Exchange result;
    if (c->secure) {
      result = co_await exchange(*c->secure, *c, *op, request, is_reused);
    } else {
      result = co_await exchange(*c->plain, *c, *op, request, is_reused);
    }
    op->connection = nullptr;
    if (result.error) {
      if (result.is_retryable && may_retry && !has_retried && !op->is_cancelled &&
          Clock::now() < op->deadline) {
        spdlog::debug("http client: reused connection to {} was closed; retrying", target->pool_key);
        has_retried = true;
        continue;
      }
      op->deliver(result.error);
      co_return;
    }
    if (result.is_reusable) put_idle(target->pool_key, std::move(c));
    op->deliver(std::move(result.response));
    co_return;
  }
}

Client::Client(asio::io_context& loop, ClientOptions options)
    : impl_(std::make_shared<Impl>(loop, std::move(options))) {
  auto& tls = impl_->tls;
  tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  if (impl_->options.use_system_cas) tls.set_default_verify_paths();
  if (!impl_->options.ca_file.empty()) {
    boost::system::error_code ec;
    tls.load_verify_file(impl_->options.ca_file, ec);
    if (ec) {
      throw std::system_error(ec, "cannot load the CA file " + impl_->options.ca_file);
    }
  }
}

Client::~Client() { impl_->shutdown(); }

void Client::send(ClientRequest request, ClientCallback done) {
  auto op = std::make_shared<Op>();
  op->deadline = Clock::now() + request.timeout;
  op->request = std::move(request);
  op->done = std::move(done);
  if (impl_->is_shut_down) {
    asio::post(impl_->loop, [op] { op->deliver(make_error_code(ClientErrc::cancelled)); });
    return;
  }
  impl_->ops.insert(op);
  asio::co_spawn(impl_->loop, impl_->run(op), [self = impl_, op](std::exception_ptr e) {
    self->ops.erase(op);
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("http client: request to {} ended by an exception: {}", op->request.url, ex.what());
    }
    op->deliver(make_error_code(ClientErrc::closed_early));
  });
}

void Client::shutdown() { impl_->shutdown(); }

std::size_t Client::idle_connection_count() const { return impl_->idle_count; }

std::size_t Client::connections_opened() const { return impl_->opened; }

}  // namespace sb::http
