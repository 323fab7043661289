#pragma once
// The HTTP/1.1 server (REST API and /health) on Boost.Beast, keep-alive, with limits on header
// and body size and on slow clients. Lives on the signalling loop; handlers run there.

#include "http/message.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace sb::http {

struct ServerOptions {
  std::size_t max_body_bytes = 1024 * 1024;    // larger bodies are answered 413
  std::size_t max_header_bytes = 16 * 1024;    // larger headers are answered 431
  std::chrono::seconds request_timeout{30};    // from a request's first byte to its last: else 408
  std::chrono::seconds idle_timeout{60};       // a keep-alive connection with no request is closed
  std::chrono::seconds shutdown_grace{10};     // in-flight requests get this long at shutdown
  // Renders the errors the server answers by itself (400, 408, 413, 431), e.g. as Twilio JSON.
  std::function<Response(unsigned status, std::string_view message)> error_response;
};

class Server {
 public:
  Server(boost::asio::io_context& loop, ServerOptions options, Handler handler);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Binds host:port (port 0 picks a free one) and starts accepting; returns the bound port.
  // Throws std::system_error when the address cannot be bound (a start-up failure).
  std::uint16_t listen(const std::string& host, std::uint16_t port);

  // Stops accepting, closes idle connections, lets requests in flight be answered, then calls
  // `done` (at the latest after shutdown_grace, closing what is left).
  void shutdown(std::function<void()> done);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sb::http
