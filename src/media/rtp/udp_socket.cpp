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

RtpPortAllocator::RtpPortAllocator(std::uint16_t port_min, std::uint16_t port_max) noexcept {
  const std::uint32_t first = (port_min + 1u) & ~1u;  // round up to even
  first_ = static_cast<std::uint16_t>(first);
  count_ = port_max > first ? static_cast<std::uint16_t>((port_max - first + 1u) / 2u) : 0;
}

Result<RtpPortAllocator::Pair> RtpPortAllocator::allocate(std::string_view local_address) {
  auto base = UdpEndpoint::parse(local_address, 0);
  if (!base) return base.error();
  for (std::uint32_t tried = 0; tried < count_; ++tried) {
    const auto port = static_cast<std::uint16_t>(first_ + 2u * cursor_);
    cursor_ = static_cast<std::uint16_t>((cursor_ + 1u) % count_);
    auto rtp_endpoint = UdpEndpoint::parse(local_address, port);
    auto rtcp_endpoint = UdpEndpoint::parse(local_address, static_cast<std::uint16_t>(port + 1));
    auto rtp = UdpSocket::bind(*rtp_endpoint);
    if (!rtp) {
      if (rtp.error() == std::errc::address_in_use) continue;
      return rtp.error();
    }
    auto rtcp = UdpSocket::bind(*rtcp_endpoint);
    if (!rtcp) {
      if (rtcp.error() == std::errc::address_in_use) continue;
      return rtcp.error();
    }
    return Pair{std::move(*rtp), std::move(*rtcp)};
  }
  return std::make_error_code(std::errc::resource_unavailable_try_again);
}

}  // namespace sb::media
