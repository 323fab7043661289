#include "media/rtp/udp_endpoint.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace sb::media {

UdpEndpoint::UdpEndpoint() noexcept { std::memset(&storage_, 0, sizeof storage_); }

Result<UdpEndpoint> UdpEndpoint::parse(std::string_view address, std::uint16_t port) {
  UdpEndpoint endpoint;
  std::string text(address);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&endpoint.storage_);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&endpoint.storage_);
  if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    return endpoint;
  }
  std::memset(&endpoint.storage_, 0, sizeof endpoint.storage_);
  if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    return endpoint;
  }
  return std::make_error_code(std::errc::invalid_argument);
}

std::uint16_t UdpEndpoint::port() const noexcept {
  if (storage_.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  if (storage_.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  return 0;
}

socklen_t UdpEndpoint::size() const noexcept {
  if (storage_.ss_family == AF_INET) return sizeof(sockaddr_in);
  if (storage_.ss_family == AF_INET6) return sizeof(sockaddr_in6);
  return 0;
}

std::string UdpEndpoint::address() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (storage_.ss_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, text, sizeof text);
  else if (storage_.ss_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, text, sizeof text);
  return text;
}

std::string UdpEndpoint::to_string() const {
  if (is_ipv6()) return "[" + address() + "]:" + std::to_string(port());
  return address() + ":" + std::to_string(port());
}

bool UdpEndpoint::operator==(const UdpEndpoint& other) const noexcept {
  if (storage_.ss_family != other.storage_.ss_family) return false;
  if (storage_.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&storage_);
    const auto* b = reinterpret_cast<const sockaddr_in*>(&other.storage_);
    return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
  }
  if (storage_.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&storage_);
    const auto* b = reinterpret_cast<const sockaddr_in6*>(&other.storage_);
    return a->sin6_port == b->sin6_port && a->sin6_scope_id == b->sin6_scope_id &&
           std::memcmp(&a->sin6_addr, &b->sin6_addr, sizeof a->sin6_addr) == 0;
  }
  return true;
}

}  // namespace sb::media
