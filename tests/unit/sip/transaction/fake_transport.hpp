#pragma once
// A Transport for tests: records what is sent, fails on demand, never touches a socket.

#include <string>
#include <vector>

#include "sip/transport/transport.hpp"

namespace sb::sip::testing {

class FakeTransport final : public Transport {
 public:
  struct Sent {
    Destination destination;
    std::string bytes;
  };
  void send(const Destination& destination, std::string bytes, SendHandler done) override {
    sent.push_back({destination, std::move(bytes)});
    if (done) pending.push_back(std::move(done));
  }
  std::string sent_by(TransportKind) const override { return "192.0.2.1:5060"; }
  bool supports(TransportKind) const override { return true; }
  void set_receive_handler(ReceiveHandler handler) override { receive = std::move(handler); }

  // Completes every pending send with `ec` (as the loop would, after send returned).
  void complete_all(std::error_code ec = {}) {
    auto handlers = std::move(pending);
    pending.clear();
    for (auto& h : handlers) h(ec);
  }
  std::size_t count_starting(std::string_view prefix) const {
    std::size_t n = 0;
    for (const auto& s : sent)
      if (s.bytes.starts_with(prefix)) ++n;
    return n;
  }

  std::vector<Sent> sent;
  std::vector<SendHandler> pending;
  ReceiveHandler receive;
};

}  // namespace sb::sip::testing
