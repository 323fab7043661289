#pragma once
// A bound, non-blocking UDP socket (RAII over the file descriptor) with the two calls the media
// path makes: receive a batch of datagrams (recvmmsg: one system call drains a burst) and send
// one. Created on any thread, then used by one thread at a time (its media thread). The hot
// calls are noexcept and do not allocate.

#include "core/result.hpp"
#include "media/rtp/udp_endpoint.hpp"

#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <deque>
#include <span>
#include <string>

namespace sb::media {

// Room for one datagram: bigger than kMaxRtpPacketSize so that oversize packets are seen (and
// counted) rather than silently truncated to something that parses.
inline constexpr std::size_t kReceiveBufferSize = 2048;
inline constexpr std::size_t kReceiveBatchSize = 16;

// Scratch space for one recvmmsg() call; one per media thread, reused for every socket.
struct ReceiveBatch {
  struct Datagram {
    std::array<std::byte, kReceiveBufferSize> buffer;
    std::size_t size = 0;          // bytes received
    bool is_truncated = false;     // larger than the buffer
    UdpEndpoint source;
    std::span<std::byte> bytes() noexcept { return {buffer.data(), size}; }
  };
  std::array<Datagram, kReceiveBatchSize> datagrams;
  std::array<mmsghdr, kReceiveBatchSize> headers;
  std::array<iovec, kReceiveBatchSize> vectors;
};

// One datagram for UdpSocket::send_many(): its bytes stay valid until the call returns.
struct OutgoingDatagram {
  std::span<const std::byte> bytes;
  UdpEndpoint destination;
};

class UdpSocket {
 public:
  UdpSocket() noexcept = default;
  UdpSocket(UdpSocket&& other) noexcept : fd_(other.release()) {}
  UdpSocket& operator=(UdpSocket&& other) noexcept;
  ~UdpSocket();

  // Opens and binds a non-blocking, close-on-exec socket; port 0 picks any. Errors: the errno of
  // socket() or bind() (address_in_use when the port is taken).
  static Result<UdpSocket> bind(const UdpEndpoint& local);

  bool is_open() const noexcept { return fd_ >= 0; }
  int native_handle() const noexcept { return fd_; }
  int release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  Result<UdpEndpoint> local_endpoint() const;

  // Receives up to `limit` (<= kReceiveBatchSize) waiting datagrams into `batch`; returns how
  // many (0 when none is waiting). Never blocks.
  std::size_t receive(ReceiveBatch& batch, std::size_t limit = kReceiveBatchSize) noexcept;

  // Sends one datagram; false if the kernel refused it (buffer full, unreachable): RTP is loss
  // tolerant, the caller counts it and goes on.
  bool send_to(std::span<const std::byte> datagram, const UdpEndpoint& destination) noexcept;

  // Sends up to kReceiveBatchSize datagrams with one sendmmsg() (again for the rest if the
  // kernel takes only some); returns how many were sent, from the front: the kernel refused
  // the next one (buffer full, unreachable) and the rest were not tried. Never blocks.
  std::size_t send_many(std::span<const OutgoingDatagram> datagrams) noexcept;

 private:
  explicit UdpSocket(int fd) noexcept : fd_(fd) {}
  int fd_ = -1;
};

// Hands out RTP/RTCP port pairs (RTP even, RTCP = RTP + 1, RFC 3550 11) from a range, binding
// both sockets. It walks the range from a cursor, skipping the pairs it handed out and that were
// not released yet, and lets bind() say which of the others are taken (by another process, or a
// released pair whose sockets are still closing). Skipping costs nothing, whereas each refused
// bind costs two system calls: with thousands of sessions open, walking through them by bind()
// was most of the signalling loop's time. A pair never released (a leak) is tried again, by
// bind(), once no unheld pair is left. Owned by one thread (the signalling loop, through
// MediaEngine).
class RtpPortAllocator {
 public:
  struct Pair {
    UdpSocket rtp;
    UdpSocket rtcp;
  };
  RtpPortAllocator(std::uint16_t port_min, std::uint16_t port_max);

  // Errors: address_not_available/invalid_argument for a bad local address, and
  // resource_unavailable_try_again when every pair in the range is taken.
  Result<Pair> allocate(std::string_view local_address);
  // The pair whose RTP port is `rtp_port` may be handed out again (its sockets are closed or
  // closing). Ports outside the range are ignored.
  void release(std::uint16_t rtp_port) noexcept;
  // Pairs handed out and not released.
  std::size_t held() const noexcept { return held_count_; }

  // Binds pairs on `local_address` ahead of need until `count` are ready, so that allocate() for
  // that address hands one out without a system call (a call's INVITE leaves sooner). Ready
  // pairs count as held. Preparing for another address releases the ones ready for the old one.
  void prepare(std::string_view local_address, std::size_t count);
  std::size_t prepared() const noexcept { return ready_.size(); }

 private:
  struct Ready {
    std::uint16_t index;
    Pair pair;
  };
  Result<Pair> bind_pair(std::string_view local_address, std::uint16_t* bound_index);
  Result<Pair> try_pair(std::string_view local_address, std::uint16_t index, bool& is_taken);

  std::uint16_t first_;  // even
  std::uint16_t count_;  // pairs in the range
  std::uint16_t cursor_ = 0;
  std::vector<bool> held_;  // by pair index
  std::size_t held_count_ = 0;
  std::string ready_address_;
  std::deque<Ready> ready_;  // bound by prepare(), not handed out yet
};

}  // namespace sb::media
