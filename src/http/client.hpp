#pragma once
// The HTTP/1.1 client for webhooks (TwiML fetches, actions, status callbacks) on Boost.Beast:
// http:// and https:// URLs, keep-alive pooling per scheme+host+port, verified TLS, one total
// timeout per request, a bounded response body. Lives on the signalling loop: construct it, call
// send() and receive callbacks on that loop's thread only.

#include "http/form.hpp"
#include "http/message.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace sb::http {

// Why a request got no complete response. Each value says when it happens; twilio_error_code()
// gives the Twilio error the calls layer reports (digest section 7). An HTTP status (4xx, 5xx,
// 3xx: redirects are not followed) is not an error here: it arrives as a ClientResponse.
enum class ClientErrc {
  invalid_url = 1,     // not an absolute http:// or https:// URL with a host and a valid port
  dns_failure,         // the host name did not resolve (NXDOMAIN, no address, resolver failure)
  connect_refused,     // every address answered the TCP connect with a reset (nothing listening)
  connect_failed,      // TCP connect failed otherwise (unreachable network, host down)
  connect_timeout,     // the total timeout passed before the TCP and TLS handshakes completed
  tls_failed,          // the TLS handshake failed (protocol, cipher, peer aborted)
  tls_verify_failed,   // the server's certificate is not trusted or does not name the host
  timeout,             // the total timeout passed after connecting, before the whole response
  body_too_large,      // the response body exceeds max_body_bytes; the rest is not read
  malformed_response,  // the bytes received are not an HTTP/1.x response (or headers too large)
  closed_early,        // the server closed or reset the connection before a complete response
  cancelled,           // the client was shut down or destroyed with the request in flight
};

const std::error_category& client_category();
std::error_code make_error_code(ClientErrc e);
// 11100, 11200, 11205, 11206, 11210, 11220, 11237 or 11750; 0 for `cancelled`.
int twilio_error_code(ClientErrc e);

struct ClientRequest {
  std::string method = "POST";  // GET: params go to the query string; POST: a form body
  // Absolute http:// or https:// URL. A #fragment is not sent (Twilio's connection overrides live
  // there: the caller parses them). User info ("user:pass@") is not sent either.
  std::string url;
  Form params;
  std::vector<Header> headers;  // added as given; Host, Content-Type, Content-Length are set here
  std::chrono::milliseconds timeout{15000};  // from send() to the last byte of the response
  std::size_t max_body_bytes = 64 * 1024;    // TwiML is limited to 64 kB (11750)
};

struct ClientResponse {
  unsigned status = 0;
  std::vector<Header> headers;  // in the order received
  std::string body;

  // The value of the first header named `name` (case-insensitive); empty when absent.
  std::string_view header(std::string_view name) const;
};

using ClientResult = Result<ClientResponse>;
using ClientCallback = std::function<void(ClientResult)>;

// The URL a request goes to as it will be requested: fragment removed, an empty path as "/", GET
// parameters appended to the query. This is the URL to sign (twilio_signature) for GET and POST.
std::string request_url(const ClientRequest& request);

struct ClientOptions {
  bool use_system_cas = true;  // OpenSSL's default verify paths
  std::string ca_file;         // extra trusted CAs, PEM (--tls-ca); empty: none
  bool verify_peer = true;     // certificate and host name verification; off only for tests
  std::size_t max_idle_per_host = 4;  // idle keep-alive connections kept per scheme+host+port
  std::size_t max_idle_total = 64;
  // An idle connection older than this is closed. While any is pooled a timer is pending on the
  // loop, so io_context::run() returns only after they expire or shutdown().
  std::chrono::seconds idle_timeout{30};
  std::string user_agent = "TwilioProxy/1.1";
  std::size_t max_header_bytes = 16 * 1024;  // larger response headers: malformed_response
};

class Client {
 public:
  // Throws std::system_error when ca_file cannot be loaded (a start-up failure).
  Client(boost::asio::io_context& loop, ClientOptions options);
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  // Shuts down (see shutdown()).
  ~Client();

  // Sends `request`; `done` runs exactly once on the loop, never from within send(). A request
  // that is idempotent (GET, HEAD, OPTIONS, PUT, DELETE, or carrying I-Twilio-Idempotency-Token or
  // Idempotency-Key) is sent again once on a new connection when a reused keep-alive connection
  // turns out to be closed before any response byte arrived.
  void send(ClientRequest request, ClientCallback done);

  // Closes idle connections and ends requests in flight with ClientErrc::cancelled; later send()s
  // complete with `cancelled` too.
  void shutdown();

  // Idle keep-alive connections now pooled, and TCP connections opened so far (for tests, metrics).
  std::size_t idle_connection_count() const;
  std::size_t connections_opened() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sb::http

template <>
struct std::is_error_code_enum<sb::http::ClientErrc> : std::true_type {};
