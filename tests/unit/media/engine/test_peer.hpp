#pragma once
// Test helpers for the media engine: a UDP peer on 127.0.0.1 that sends and receives RTP, and a
// queue that collects the engine's events (pushed from media threads) for the test thread.

#include "media/engine/media_engine.hpp"
#include "media/rtp/rtp_packet.hpp"
#include "media/rtp/udp_socket.hpp"

#include <poll.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

namespace sb::media::test {

class EventQueue {
 public:
  MediaEngine::EventHandler handler() {
    return [this](MediaEvent event) {
      {
        std::lock_guard lock(mutex_);
        events_.push_back(std::move(event));
      }
      cv_.notify_all();
    };
  }

  // The first event of type T for `session` (others stay queued), or nullopt after `timeout`.
  template <class T>
  std::optional<T> wait_for(SessionId session, std::chrono::milliseconds timeout = std::chrono::milliseconds{3000}) {
    std::unique_lock lock(mutex_);
    std::optional<T> found;
    cv_.wait_for(lock, timeout, [&] {
      for (auto it = events_.begin(); it != events_.end(); ++it) {
        if (it->session != session) continue;
        if (auto* value = std::get_if<T>(&it->detail)) {
          found = std::move(*value);
          events_.erase(it);
          return true;
        }
      }
      return false;
    });
    return found;
  }

  template <class T>
  std::size_t count(SessionId session) {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& e : events_)
      if (e.session == session && std::holds_alternative<T>(e.detail)) ++n;
    return n;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<MediaEvent> events_;
};

struct ReceivedPacket {
  std::vector<std::byte> bytes;
  RtpHeader header;
  std::vector<std::byte> payload;
  UdpEndpoint source;
};

class TestPeer {
 public:
  explicit TestPeer(const char* address = "127.0.0.1") : socket_(*UdpSocket::bind(*UdpEndpoint::parse(address, 0))) {}

  std::uint16_t port() const { return socket_.local_endpoint()->port(); }
  UdpSocket& socket() { return socket_; }

  void send(std::span<const std::byte> datagram, std::uint16_t to_port, const char* to_address = "127.0.0.1") {
    socket_.send_to(datagram, *UdpEndpoint::parse(to_address, to_port));
  }
  void send_rtp(const RtpHeader& header, std::span<const std::byte> payload, std::uint16_t to_port) {
    std::vector<std::byte> packet(kRtpFixedHeaderSize + payload.size() + 64);
    auto size = write_rtp(header, payload, packet);
    packet.resize(*size);
    send(packet, to_port);
  }

  // The next RTP datagram, or nullopt after `timeout`.
  std::optional<ReceivedPacket> receive(std::chrono::milliseconds timeout = std::chrono::milliseconds{1000}) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto n = socket_.receive(batch_, 1);
      if (n == 1) {
        auto& d = batch_.datagrams[0];
        std::vector<std::byte> bytes(d.buffer.begin(), d.buffer.begin() + static_cast<std::ptrdiff_t>(d.size));
        if (is_rtcp(bytes)) continue;  // tests look at RTP
        auto parsed = parse_rtp(bytes);
        if (!parsed) continue;
        ReceivedPacket packet{bytes, parsed->header, {parsed->payload.begin(), parsed->payload.end()}, d.source};
        packet.header.extension = {};
        return packet;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd fd{socket_.native_handle(), POLLIN, 0};
      ::poll(&fd, 1, static_cast<int>(left.count()));
    }
  }

  // Discards whatever is waiting.
  void drain() {
    while (socket_.receive(batch_) > 0) {
    }
  }

 private:
  UdpSocket socket_;
  ReceiveBatch batch_;
};

inline NegotiatedMedia media_to(std::uint16_t port, G711Law codec = G711Law::ulaw,
                                std::optional<std::uint8_t> telephone_event = 101) {
  NegotiatedMedia media;
  media.codec = codec;
  media.payload_type = codec == G711Law::ulaw ? 0 : 8;
  media.telephone_event_payload_type = telephone_event;
  media.remote_address = "127.0.0.1";
  media.remote_port = port;
  return media;
}

}  // namespace sb::media::test
