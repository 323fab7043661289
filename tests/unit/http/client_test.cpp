#include "http/client.hpp"

#include "http/client_awaitable.hpp"
#include "http/server.hpp"
#include "http/twilio_signature.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>

namespace sb::http {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using namespace std::chrono_literals;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// Runs `loop` until `is_done()` holds; fails the test after 10 s of wall time.
template <class Predicate>
void run_until(asio::io_context& loop, Predicate is_done) {
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while (!is_done() && std::chrono::steady_clock::now() < give_up) {
    if (loop.run_one_for(50ms) == 0 && loop.stopped()) loop.restart();
  }
  ASSERT_TRUE(is_done()) << "timed out waiting for the event loop";
}

// What the scripted server does with one request.
struct Action {
  enum Kind { respond, respond_and_close, close_without_response, hang } kind = respond;
  std::string bytes;  // the raw response, for respond*
};

Action respond(std::string bytes) { return {Action::respond, std::move(bytes)}; }

std::string ok(std::string_view body, std::string_view extra_headers = "") {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n" + std::string(extra_headers) + "\r\n" + std::string(body);
}

// A small HTTP/1.1 server on 127.0.0.1 port 0, plain or TLS, whose answers a test scripts; it
// counts connections and records requests. Runs on the test's loop.
class ScriptedServer {
 public:
  using Script = std::function<Action(const bhttp::request<bhttp::string_body>&, std::size_t index)>;

  ScriptedServer(asio::io_context& loop, Script script, ssl::context* tls = nullptr)
      : state_(std::make_shared<State>(loop, std::move(script), tls)) {
    tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), 0};
    state_->acceptor.open(endpoint.protocol());
    state_->acceptor.bind(endpoint);
    state_->acceptor.listen();
    asio::co_spawn(loop, accept_loop(state_), asio::detached);
  }
  ~ScriptedServer() {
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    for (auto* socket : state_->sockets) socket->close(ignored);
  }

  std::uint16_t port() const { return state_->acceptor.local_endpoint().port(); }
  std::size_t connections() const { return state_->connections; }
  const std::vector<bhttp::request<bhttp::string_body>>& requests() const { return state_->requests; }
  const std::vector<std::string>& server_names() const { return state_->server_names; }

 private:
  struct State {
    State(asio::io_context& io, Script s, ssl::context* t) : loop(io), script(std::move(s)), tls(t), acceptor(io) {}
    asio::io_context& loop;
    Script script;
    ssl::context* tls;
    tcp::acceptor acceptor;
    std::size_t connections = 0;
    std::vector<bhttp::request<bhttp::string_body>> requests;
    std::vector<std::string> server_names;  // SNI received per TLS connection ("" when none)
    std::set<tcp::socket*> sockets;
  };

  static asio::awaitable<void> accept_loop(std::shared_ptr<State> state) {
    for (;;) {
      auto [ec, socket] = co_await state->acceptor.async_accept(kUseTuple);
      if (ec) co_return;
      ++state->connections;
      asio::co_spawn(state->loop, serve(state, std::move(socket)), asio::detached);
    }
  }

  static asio::awaitable<void> serve(std::shared_ptr<State> state, tcp::socket socket) {
    if (!state->tls) {
      state->sockets.insert(&socket);
      co_await exchange(state, socket);
      state->sockets.erase(&socket);
      co_return;
    }
    ssl::stream<tcp::socket> stream(std::move(socket), *state->tls);
    state->sockets.insert(&stream.next_layer());
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, kUseTuple);
    if (!ec) {
      const char* name = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
      state->server_names.push_back(name ? name : "");
      co_await exchange(state, stream);
    }
    state->sockets.erase(&stream.next_layer());
  }

  template <class Stream>
  static asio::awaitable<void> exchange(std::shared_ptr<State> state, Stream& stream) {
    boost::beast::flat_buffer buffer;
    for (;;) {
      bhttp::request<bhttp::string_body> request;
      auto [ec, n] = co_await bhttp::async_read(stream, buffer, request, kUseTuple);
      if (ec) co_return;
      state->requests.push_back(request);
      const Action action = state->script(request, state->requests.size() - 1);
      if (action.kind == Action::hang) {
        // Wait until the client gives up (or the server is destroyed).
        char byte;
        co_await asio::async_read(stream, asio::buffer(&byte, 1), kUseTuple);
        co_return;
      }
      if (action.kind == Action::close_without_response) co_return;
      auto [wec, written] = co_await asio::async_write(stream, asio::buffer(action.bytes), kUseTuple);
      if (wec || action.kind == Action::respond_and_close) co_return;
    }
  }

  std::shared_ptr<State> state_;
};

// Sends one request and runs the loop until its result arrives.
ClientResult fetch(asio::io_context& loop, Client& client, ClientRequest request) {
  std::optional<ClientResult> result;
  client.send(std::move(request), [&](ClientResult r) { result = std::move(r); });
  run_until(loop, [&] { return result.has_value(); });
  return result ? std::move(*result) : ClientResult(make_error_code(ClientErrc::cancelled));
}

ClientRequest post(std::string url) {
  ClientRequest request;
  request.url = std::move(url);
  request.params.add("CallSid", "CA1");
  request.params.add("From", "+1 555");
  return request;
}

ClientRequest get(std::string url) {
  auto request = post(std::move(url));
  request.method = "GET";
  return request;
}

std::string local_url(std::string_view scheme, std::uint16_t port, std::string_view path = "/hook") {
  return std::string(scheme) + "://127.0.0.1:" + std::to_string(port) + std::string(path);
}

TEST(Client, PostsAFormToSwitchboardsOwnServer) {
  asio::io_context loop;
  std::vector<Request> seen;
  Server server(loop, ServerOptions{}, [&](Request request, Reply reply) {
    seen.push_back(request);
    Response response;
    response.set("Content-Type", "text/xml");
    response.body = "<Response/>";
    reply(std::move(response));
  });
  const auto port = server.listen("127.0.0.1", 0);
  Client client(loop, ClientOptions{});

  auto request = post(local_url("http", port, "/voice?x=1"));
  request.headers.push_back({"X-Twilio-Signature", "abc="});
  const auto result = fetch(loop, client, std::move(request));

  ASSERT_TRUE(result) << result.error().message();
  EXPECT_EQ(result->status, 200u);
  EXPECT_EQ(result->header("content-type"), "text/xml");
  EXPECT_EQ(result->body, "<Response/>");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/voice?x=1");
  EXPECT_EQ(seen[0].body, "CallSid=CA1&From=%2B1%20555");
  EXPECT_EQ(seen[0].header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(seen[0].header("X-Twilio-Signature"), "abc=");
  EXPECT_EQ(seen[0].header("User-Agent"), "TwilioProxy/1.1");
  EXPECT_EQ(seen[0].header("Host"), "127.0.0.1:" + std::to_string(port));
}

TEST(Client, AppendsGetParametersToTheQueryString) {
  asio::io_context loop;
  ScriptedServer server(loop, [](const auto&, std::size_t) { return respond(ok("<Response/>")); });
  Client client(loop, ClientOptions{});

  const auto result = fetch(loop, client, get(local_url("http", server.port(), "/twiml?x=1#rc=2")));

  ASSERT_TRUE(result) << result.error().message();
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].method(), bhttp::verb::get);
  EXPECT_EQ(server.requests()[0].target(), "/twiml?x=1&CallSid=CA1&From=%2B1%20555");
  EXPECT_TRUE(server.requests()[0].body().empty());
}

TEST(Client, ReusesAKeepAliveConnection) {
  asio::io_context loop;
  ScriptedServer server(loop, [](const auto&, std::size_t i) { return respond(ok(std::to_string(i))); });
  Client client(loop, ClientOptions{});

  for (int i = 0; i < 3; ++i) {
    const auto result = fetch(loop, client, post(local_url("http", server.port())));
    ASSERT_TRUE(result) << result.error().message();
    EXPECT_EQ(result->body, std::to_string(i));
  }
  EXPECT_EQ(server.connections(), 1u);
  EXPECT_EQ(client.connections_opened(), 1u);
  EXPECT_EQ(client.idle_connection_count(), 1u);
}

TEST(Client, DoesNotReuseAConnectionTheServerCloses) {
  asio::io_context loop;
  ScriptedServer server(loop, [](const auto&, std::size_t) {
    return Action{Action::respond_and_close, ok("x", "Connection: close\r\n")};
  });
  Client client(loop, ClientOptions{});

  for (int i = 0; i < 2; ++i) ASSERT_TRUE(fetch(loop, client, post(local_url("http", server.port()))));
  EXPECT_EQ(server.connections(), 2u);
  EXPECT_EQ(client.idle_connection_count(), 0u);
}

TEST(Client, DetectsAPooledConnectionClosedWhileIdle) {
  asio::io_context loop;
  // Keep-alive by the headers, but the server closes right after each response.
  ScriptedServer server(loop, [](const auto&, std::size_t) { return Action{Action::respond_and_close, ok("x")}; });
  Client client(loop, ClientOptions{});

  ASSERT_TRUE(fetch(loop, client, post(local_url("http", server.port()))));
  const auto result = fetch(loop, client, post(local_url("http", server.port())));

  ASSERT_TRUE(result) << result.error().message();  // a POST: not retried, so never sent on the dead one
  EXPECT_EQ(server.connections(), 2u);
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(Client, ClosesIdleConnectionsAfterTheIdleTimeout) {
  asio::io_context loop;
  ScriptedServer server(loop, [](const auto&, std::size_t) { return respond(ok("x")); });
  ClientOptions options;
  options.idle_timeout = 0s;
  Client client(loop, options);

  ASSERT_TRUE(fetch(loop, client, post(local_url("http", server.port()))));
  run_until(loop, [&] { return client.idle_connection_count() == 0; });
  ASSERT_TRUE(fetch(loop, client, post(local_url("http", server.port()))));
  EXPECT_EQ(server.connections(), 2u);
}

TEST(Client, KeepsAtMostMaxIdlePerHostConnections) {
  asio::io_context loop;
  ScriptedServer server(loop, [](const auto&, std::size_t) { return respond(ok("x")); });
  ClientOptions options;
  options.max_idle_per_host = 2;
  Client client(loop, options);

  int done = 0;
  for (int i = 0; i < 4; ++i) {
    client.send(post(local_url("http", server.port())), [&](ClientResult r) {
      EXPECT_TRUE(r) << r.error().message();
      ++done;
    });
  }
  run_until(loop, [&] { return done == 4; });

  EXPECT_EQ(server.connections(), 4u);
  EXPECT_EQ(client.idle_connection_count(), 2u);
}

// The server drops the pooled connection on reading the second request, as a server whose idle
// timer fires just then would: nothing in the response, so a retry on a new connection is safe.
ScriptedServer::Script drop_second_request() {
  return [](const auto&, std::size_t i) {
    return i == 1 ? Action{Action::close_without_response, {}} : respond(ok("fine"));
  };
}

TEST(Client, RetriesAnIdempotentRequestOnceWhenAPooledConnectionWasClosed) {
  asio::io_context loop;
  ScriptedServer server(loop, drop_second_request());
  Client client(loop, ClientOptions{});

  ASSERT_TRUE(fetch(loop, client, get(local_url("http", server.port()))));
  const auto result = fetch(loop, client, get(local_url("http", server.port())));

  ASSERT_TRUE(result) << result.error().message();
  EXPECT_EQ(result->body, "fine");
  EXPECT_EQ(server.connections(), 2u);
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(Client, RetriesAPostCarryingAnIdempotencyToken) {
  asio::io_context loop;
  ScriptedServer server(loop, drop_second_request());
  Client client(loop, ClientOptions{});
  auto request = post(local_url("http", server.port()));
  request.headers.push_back({"I-Twilio-Idempotency-Token", "token-1"});

  ASSERT_TRUE(fetch(loop, client, request));
  const auto result = fetch(loop, client, request);

  ASSERT_TRUE(result) << result.error().message();
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(Client, DoesNotRetryAPlainPost) {
  asio::io_context loop;
  ScriptedServer server(loop, drop_second_request());
  Client client(loop, ClientOptions{});

  ASSERT_TRUE(fetch(loop, client, post(local_url("http", server.port()))));
  const auto result = fetch(loop, client, post(local_url("http", server.port())));

  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), ClientErrc::closed_early);
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(Client, ReturnsRedirectsWithoutFollowingThem) {
  asio::io_context loop;
  ScriptedServer server(loop, [](const auto&, std::size_t) {
    return respond("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/elsewhere\r\nContent-Length: 0\r\n\r\n");
  });
  Client client(loop, ClientOptions{});

  const auto result = fetch(loop, client, post(local_url("http", server.port())));

  ASSERT_TRUE(result) << result.error().message();
  EXPECT_EQ(result->status, 302u);
  EXPECT_EQ(result->header("Location"), "http://127.0.0.1:1/elsewhere");
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(Client, ReadsChunkedBodiesAndSkipsInterimResponses) {
  asio::io_context loop;
  ScriptedServer server(loop, [](const auto&, std::size_t) {
    return respond(
        "HTTP/1.1 100 Continue\r\n\r\n"
        "HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  });
  Client client(loop, ClientOptions{});

  const auto result = fetch(loop, client, post(local_url("http", server.port())));

  ASSERT_TRUE(result) << result.error().message();
  EXPECT_EQ(result->status, 500u);
  EXPECT_EQ(result->body, "hello world");
}

TEST(Client, TimesOutWhenTheServerNeverAnswers) {
  asio::io_context loop;
  ScriptedServer server(loop, [](const auto&, std::size_t) { return Action{Action::hang, {}}; });
  Client client(loop, ClientOptions{});
  auto request = post(local_url("http", server.port()));
  request.timeout = 200ms;

  const auto started = std::chrono::steady_clock::now();
  const auto result = fetch(loop, client, std::move(request));

  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), ClientErrc::timeout);
  EXPECT_EQ(twilio_error_code(ClientErrc::timeout), 11200);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_EQ(client.idle_connection_count(), 0u);
}

TEST(Client, RejectsABodyOverTheLimitWithoutReadingIt) {
  asio::io_context loop;
  const std::string big(100'000, 'x');
  ScriptedServer server(loop, [&](const auto&, std::size_t) { return respond(ok(big)); });
  Client client(loop, ClientOptions{});

  const auto result = fetch(loop, client, post(local_url("http", server.port())));

  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), ClientErrc::body_too_large);
  EXPECT_EQ(twilio_error_code(ClientErrc::body_too_large), 11750);
  EXPECT_EQ(client.idle_connection_count(), 0u);
}

TEST(Client, RejectsAChunkedBodyOverTheLimit) {
  asio::io_context loop;
  ScriptedServer server(loop, [](const auto&, std::size_t) {
    std::string chunk(1000, 'y');
    std::string bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 10; ++i) bytes += "3e8\r\n" + chunk + "\r\n";
    return respond(bytes + "0\r\n\r\n");
  });
  Client client(loop, ClientOptions{});
  auto request = post(local_url("http", server.port()));
  request.max_body_bytes = 4096;

  const auto result = fetch(loop, client, std::move(request));

  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), ClientErrc::body_too_large);
}

TEST(Client, ReportsAMalformedResponse) {
  asio::io_context loop;
  ScriptedServer server(loop, [](const auto&, std::size_t) {
    return Action{Action::respond_and_close, "HELLO THERE\r\n\r\n"};
  });
  Client client(loop, ClientOptions{});

  const auto result = fetch(loop, client, post(local_url("http", server.port())));

  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), ClientErrc::malformed_response);
  EXPECT_EQ(twilio_error_code(ClientErrc::malformed_response), 11206);
}

TEST(Client, ReportsAConnectionClosedBeforeTheResponse) {
  asio::io_context loop;
  ScriptedServer server(loop, [](const auto&, std::size_t) { return Action{Action::close_without_response, {}}; });
  Client client(loop, ClientOptions{});

  const auto result = fetch(loop, client, get(local_url("http", server.port())));

  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), ClientErrc::closed_early);
  EXPECT_EQ(server.connections(), 1u);  // a fresh connection is not retried
}

TEST(Client, ReportsConnectionRefused) {
  asio::io_context loop;
  std::uint16_t port = 0;
  {
    tcp::acceptor unused(loop, tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0});
    port = unused.local_endpoint().port();
  }
  Client client(loop, ClientOptions{});

  const auto result = fetch(loop, client, post(local_url("http", port)));

  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), ClientErrc::connect_refused);
  EXPECT_EQ(twilio_error_code(ClientErrc::connect_refused), 11205);
}

TEST(Client, ReportsAnUnresolvableHost) {
  asio::io_context loop;
  Client client(loop, ClientOptions{});
  auto request = post("http://switchboard-test.invalid/hook");  // RFC 6761: never resolves
  request.timeout = 5s;

  const auto result = fetch(loop, client, std::move(request));

  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), ClientErrc::dns_failure);
  EXPECT_EQ(twilio_error_code(ClientErrc::dns_failure), 11210);
}

TEST(Client, RejectsInvalidUrls) {
  asio::io_context loop;
  Client client(loop, ClientOptions{});
  for (const char* url : {"ftp://example.com/", "not a url", "/relative", "http://example.com:99999/",
                          "http://example.com:0/", "http:///path"}) {
    const auto result = fetch(loop, client, post(url));
    ASSERT_FALSE(result) << url;
    EXPECT_EQ(result.error(), ClientErrc::invalid_url) << url;
  }
}

TEST(Client, CompletesRequestsInFlightAsCancelledOnShutdown) {
  asio::io_context loop;
  ScriptedServer server(loop, [](const auto&, std::size_t) { return Action{Action::hang, {}}; });
  Client client(loop, ClientOptions{});
  std::optional<ClientResult> result;
  client.send(post(local_url("http", server.port())), [&](ClientResult r) { result = std::move(r); });
  run_until(loop, [&] { return server.requests().size() == 1; });

  client.shutdown();
  run_until(loop, [&] { return result.has_value(); });

  ASSERT_FALSE(*result);
  EXPECT_EQ(result->error(), ClientErrc::cancelled);
  const auto later = fetch(loop, client, post(local_url("http", server.port())));
  EXPECT_EQ(later.error(), ClientErrc::cancelled);
}

TEST(Client, NeverCompletesFromWithinSend) {
  asio::io_context loop;
  Client client(loop, ClientOptions{});
  bool is_done = false;
  client.send(post("bad url"), [&](ClientResult) { is_done = true; });
  EXPECT_FALSE(is_done);
  run_until(loop, [&] { return is_done; });
}

TEST(Client, WorksFromACoroutine) {
  asio::io_context loop;
  ScriptedServer server(loop, [](const auto&, std::size_t) { return respond(ok("<Response/>")); });
  Client client(loop, ClientOptions{});
  std::optional<ClientResult> result;
  asio::co_spawn(
      loop,
      [&]() -> asio::awaitable<void> { result = co_await async_send(client, post(local_url("http", server.port()))); },
      asio::detached);
  run_until(loop, [&] { return result.has_value(); });
  ASSERT_TRUE(*result) << result->error().message();
  EXPECT_EQ((*result)->body, "<Response/>");
}

TEST(RequestUrl, IsTheUrlAsRequested) {
  ClientRequest request = get("https://example.com/twiml?x=1#ct=500");
  EXPECT_EQ(request_url(request), "https://example.com/twiml?x=1&CallSid=CA1&From=%2B1%20555");
  request = get("https://example.com:8443");
  EXPECT_EQ(request_url(request), "https://example.com:8443/?CallSid=CA1&From=%2B1%20555");
  request = post("https://example.com/hook?x=1#rc=2");
  EXPECT_EQ(request_url(request), "https://example.com/hook?x=1");
}

TEST(RequestUrl, IsWhatTwilioNodeVerifiesForAGet) {
  ClientRequest request;
  request.method = "GET";
  request.url = "http://127.0.0.1:3000/twiml";
  request.params.add("CallSid", "CA3");
  request.params.add("From", "+15551234567");
  request.params.add("To", "sip:100@acme.sip.twilio.com");
  // Value from twilio-node 5.13.1 getExpectedTwilioSignature (see twilio_signature_test.cpp).
  EXPECT_EQ(request_url(request),
            "http://127.0.0.1:3000/twiml?CallSid=CA3&From=%2B15551234567&To=sip%3A100%40acme.sip.twilio.com");
  EXPECT_EQ(twilio_signature("secret-token", request_url(request), Form{}), "T52ymJ6Pdm4v0v7Kmau47Ikv1V0=");
}

TEST(ClientErrc, HasMessagesAndACategory) {
  const std::error_code ec = ClientErrc::tls_verify_failed;
  EXPECT_EQ(ec.category().name(), std::string("sb.http.client"));
  EXPECT_EQ(ec.message(), "TLS certificate verification failed");
}

// A throwaway CA and a server certificate for IP 127.0.0.1 and DNS switchboard.test, made with the
// openssl CLI once per test binary.
class ClientTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char pattern[] = "/tmp/sb-http-client-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    std::ofstream(dir_ / "ext.cnf") << "subjectAltName=IP:127.0.0.1,DNS:switchboard.test\n"
                                       "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";
    const std::string d = dir_.string();
    const std::string key = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    const std::string commands =
        "cd " + d + " && (openssl req -x509" + key + " -keyout ca.key -out ca.pem -days 2 -subj /CN=sb-test-ca" +
        " && openssl req" + key + " -keyout server.key -out server.csr -subj /CN=switchboard.test" +
        " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2" +
        " -extfile ext.cnf -out server.pem)";
    ASSERT_EQ(std::system((commands + " >/dev/null 2>&1").c_str()), 0) << commands;
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  ClientTls() : server_tls_(ssl::context::tls_server) {
    server_tls_.use_certificate_chain_file((dir_ / "server.pem").string());
    server_tls_.use_private_key_file((dir_ / "server.key").string(), ssl::context::pem);
  }

  ClientOptions trusting_test_ca() const {
    ClientOptions options;
    options.ca_file = (dir_ / "ca.pem").string();
    return options;
  }

  static inline std::filesystem::path dir_;
  asio::io_context loop_;
  ssl::context server_tls_;
};

TEST_F(ClientTls, RejectsACertificateFromAnUntrustedCa) {
  ScriptedServer server(loop_, [](const auto&, std::size_t) { return respond(ok("x")); }, &server_tls_);
  Client client(loop_, ClientOptions{});

  const auto result = fetch(loop_, client, post(local_url("https", server.port())));

  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), ClientErrc::tls_verify_failed);
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(ClientTls, AcceptsTheServerWhenGivenTheCaFileAndReusesTheConnection) {
  ScriptedServer server(loop_, [](const auto&, std::size_t) { return respond(ok("<Response/>")); }, &server_tls_);
  Client client(loop_, trusting_test_ca());

  for (int i = 0; i < 3; ++i) {
    const auto result = fetch(loop_, client, post(local_url("https", server.port())));
    ASSERT_TRUE(result) << result.error().message();
    EXPECT_EQ(result->body, "<Response/>");
  }
  EXPECT_EQ(server.connections(), 1u);
  ASSERT_EQ(server.server_names().size(), 1u);
  EXPECT_EQ(server.server_names()[0], "");  // no SNI for an address literal
}

TEST_F(ClientTls, RejectsACertificateForAnotherHostName) {
  ScriptedServer server(loop_, [](const auto&, std::size_t) { return respond(ok("x")); }, &server_tls_);
  Client client(loop_, trusting_test_ca());

  // localhost resolves to 127.0.0.1, but the certificate names only 127.0.0.1 and switchboard.test.
  const auto result = fetch(loop_, client, post("https://localhost:" + std::to_string(server.port()) + "/"));

  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), ClientErrc::tls_verify_failed);
}

TEST_F(ClientTls, SendsTheHostNameAsSni) {
  ScriptedServer server(loop_, [](const auto&, std::size_t) { return respond(ok("x")); }, &server_tls_);
  auto options = trusting_test_ca();
  options.verify_peer = false;
  Client client(loop_, options);

  const auto result = fetch(loop_, client, post("https://localhost:" + std::to_string(server.port()) + "/"));

  ASSERT_TRUE(result) << result.error().message();
  ASSERT_EQ(server.server_names().size(), 1u);
  EXPECT_EQ(server.server_names()[0], "localhost");
}

TEST_F(ClientTls, ReportsAFailedHandshakeWithAPlainServer) {
  ScriptedServer server(loop_, [](const auto&, std::size_t) { return respond(ok("x")); });
  Client client(loop_, trusting_test_ca());
  auto request = post(local_url("https", server.port()));
  request.timeout = 5s;

  const auto result = fetch(loop_, client, std::move(request));

  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), ClientErrc::tls_failed);
}

TEST_F(ClientTls, TimesOutWhenTheServerNeverAnswers) {
  ScriptedServer server(loop_, [](const auto&, std::size_t) { return Action{Action::hang, {}}; }, &server_tls_);
  Client client(loop_, trusting_test_ca());
  auto request = post(local_url("https", server.port()));
  request.timeout = 300ms;

  const auto result = fetch(loop_, client, std::move(request));

  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), ClientErrc::timeout);
}

TEST_F(ClientTls, RefusesToStartWithAMissingCaFile) {
  ClientOptions options;
  options.ca_file = (dir_ / "missing.pem").string();
  EXPECT_THROW(Client(loop_, options), std::system_error);
}

}  // namespace
}  // namespace sb::http
