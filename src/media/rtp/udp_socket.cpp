#include "media/rtp/udp_socket.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace sb::media {

namespace {
std::error_code last_error() noexcept { return {errno, std::generic_category()}; }
}  // namespace

UdpSocket& UdpSocket::operator=(UdpSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

Result<UdpSocket> UdpSocket::bind(const UdpEndpoint& local) {
  if (!local.is_valid()) return std::make_error_code(std::errc::invalid_argument);
  const int fd = ::socket(local.data()->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return last_error();
  UdpSocket socket(fd);
  if (local.is_ipv6()) {
    const int only = 1;  // an IPv6 session takes IPv6 only; IPv4 gets its own session
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof only);
  }
  if (::bind(fd, local.data(), local.size()) != 0) return last_error();
  return socket;
}

Result<UdpEndpoint> UdpSocket::local_endpoint() const {
  UdpEndpoint endpoint;
  socklen_t size = UdpEndpoint::capacity();
  if (::getsockname(fd_, endpoint.data(), &size) != 0) return last_error();
  return endpoint;
}

std::size_t UdpSocket::receive(ReceiveBatch& batch, std::size_t limit) noexcept {
  if (limit > kReceiveBatchSize) limit = kReceiveBatchSize;
  for (std::size_t i = 0; i < limit; ++i) {
    auto& d = batch.datagrams[i];
    batch.vectors[i] = {d.buffer.data(), d.buffer.size()};
    auto& h = batch.headers[i].msg_hdr;
    h = {};
    h.msg_name = d.source.data();
    h.msg_namelen = UdpEndpoint::capacity();
    h.msg_iov = &batch.vectors[i];
    h.msg_iovlen = 1;
  }
  const int n = ::recvmmsg(fd_, batch.headers.data(), static_cast<unsigned>(limit), MSG_DONTWAIT, nullptr);
  if (n <= 0) return 0;
  for (int i = 0; i < n; ++i) {
    auto& d = batch.datagrams[static_cast<std::size_t>(i)];
    d.size = batch.headers[static_cast<std::size_t>(i)].msg_len;
    d.is_truncated = (batch.headers[static_cast<std::size_t>(i)].msg_hdr.msg_flags & MSG_TRUNC) != 0;
  }
  return static_cast<std::size_t>(n);
}

bool UdpSocket::send_to(std::span<const std::byte> datagram, const UdpEndpoint& destination) noexcept {
  const auto sent = ::sendto(fd_, datagram.data(), datagram.size(), MSG_DONTWAIT, destination.data(), destination.size());
  return sent == static_cast<ssize_t>(datagram.size());
}

std::size_t UdpSocket::send_many(std::span<const OutgoingDatagram> datagrams) noexcept {
  if (datagrams.size() > kReceiveBatchSize) datagrams = datagrams.first(kReceiveBatchSize);
  std::array<mmsghdr, kReceiveBatchSize> headers;
  std::array<iovec, kReceiveBatchSize> vectors;
  for (std::size_t i = 0; i < datagrams.size(); ++i) {
    const auto& d = datagrams[i];
    vectors[i] = {const_cast<std::byte*>(d.bytes.data()), d.bytes.size()};
    auto& h = headers[i].msg_hdr;
    h = {};
    h.msg_name = const_cast<sockaddr*>(d.destination.data());
    h.msg_namelen = d.destination.size();
    h.msg_iov = &vectors[i];
    h.msg_iovlen = 1;
  }
  std::size_t sent = 0;
  while (sent < datagrams.size()) {
    const int n = ::sendmmsg(fd_, headers.data() + sent, static_cast<unsigned>(datagrams.size() - sent), MSG_DONTWAIT);
    if (n <= 0) break;  // refused (buffer full, unreachable): the rest count as not sent
    sent += static_cast<std::size_t>(n);
  }
  return sent;
}

RtpPortAllocator::RtpPortAllocator(std::uint16_t port_min, std::uint16_t port_max) {
  const std::uint32_t first = (port_min + 1u) & ~1u;  // round up to even
  first_ = static_cast<std::uint16_t>(first);
  count_ = port_max > first ? static_cast<std::uint16_t>((port_max - first + 1u) / 2u) : 0;
  held_.assign(count_, false);
}

Result<RtpPortAllocator::Pair> RtpPortAllocator::try_pair(std::string_view local_address, std::uint16_t index,
                                                          bool& is_taken) {
  is_taken = false;
  const auto port = static_cast<std::uint16_t>(first_ + 2u * index);
  auto rtp = UdpSocket::bind(*UdpEndpoint::parse(local_address, port));
  if (!rtp) {
    is_taken = rtp.error() == std::errc::address_in_use;
    return rtp.error();
  }
  auto rtcp = UdpSocket::bind(*UdpEndpoint::parse(local_address, static_cast<std::uint16_t>(port + 1)));
  if (!rtcp) {
    is_taken = rtcp.error() == std::errc::address_in_use;
    return rtcp.error();
  }
  return Pair{std::move(*rtp), std::move(*rtcp)};
}

Result<RtpPortAllocator::Pair> RtpPortAllocator::allocate(std::string_view local_address) {
  if (!ready_.empty() && ready_address_ == local_address) {
    Pair pair = std::move(ready_.front().pair);
    ready_.pop_front();
    return pair;
  }
  return bind_pair(local_address, nullptr);
}

void RtpPortAllocator::prepare(std::string_view local_address, std::size_t count) {
  if (ready_address_ != local_address) {
    for (const Ready& r : ready_) release(static_cast<std::uint16_t>(first_ + 2u * r.index));
    ready_.clear();
    ready_address_ = std::string(local_address);
  }
  while (ready_.size() < count) {
    std::uint16_t index = 0;
    auto pair = bind_pair(local_address, &index);
    if (!pair) return;  // full, or a bad address: allocate() will say so when it is asked
    ready_.push_back(Ready{index, std::move(*pair)});
  }
}

Result<RtpPortAllocator::Pair> RtpPortAllocator::bind_pair(std::string_view local_address,
                                                           std::uint16_t* bound_index) {
  auto base = UdpEndpoint::parse(local_address, 0);
  if (!base) return base.error();
  // First the pairs not held, then (a leak, or a release that never came) a few held ones: when
  // the range is truly full, trying every held pair would cost two refused system calls each,
  // per new session, just when the server is busiest. The cursor moves on, so successive
  // allocations still visit every held pair.
  constexpr std::uint32_t kHeldTries = 16;
  for (const bool want_held : {false, true}) {
    if (!want_held && held_count_ >= count_) continue;
    std::uint32_t held_tries = 0;
    for (std::uint32_t tried = 0; tried < count_ && held_tries < kHeldTries; ++tried) {
      const std::uint16_t index = cursor_;
      cursor_ = static_cast<std::uint16_t>((cursor_ + 1u) % count_);
      if (held_[index] != want_held) continue;
      if (want_held) ++held_tries;
      bool is_taken = false;
      auto pair = try_pair(local_address, index, is_taken);
      if (pair) {
        if (!held_[index]) {
          held_[index] = true;
          ++held_count_;
        }
        if (bound_index != nullptr) *bound_index = index;
        return pair;
      }
      if (!is_taken) return pair.error();
    }
  }
  return std::make_error_code(std::errc::resource_unavailable_try_again);
}

void RtpPortAllocator::release(std::uint16_t rtp_port) noexcept {
  if (rtp_port < first_ || (rtp_port - first_) % 2 != 0) return;
  const auto index = static_cast<std::size_t>((rtp_port - first_) / 2);
  if (index >= held_.size() || !held_[index]) return;
  held_[index] = false;
  --held_count_;
}

}  // namespace sb::media
