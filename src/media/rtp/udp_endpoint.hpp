#pragma once
// A UDP address and port (IPv4 or IPv6) as the socket calls take it: where RTP comes from and
// goes to. Plain value, no I/O; any thread.

#include "core/result.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace sb::media {

class UdpEndpoint {
 public:
  UdpEndpoint() noexcept;

  // A numeric IPv4 or IPv6 address (no host names: media/ never resolves). Errors:
  // std::errc::invalid_argument.
  static Result<UdpEndpoint> parse(std::string_view address, std::uint16_t port);

  bool is_valid() const noexcept { return storage_.ss_family == AF_INET || storage_.ss_family == AF_INET6; }
  bool is_ipv6() const noexcept { return storage_.ss_family == AF_INET6; }
  std::uint16_t port() const noexcept;
  std::string address() const;
  std::string to_string() const;  // "1.2.3.4:5" or "[::1]:5"

  const sockaddr* data() const noexcept { return reinterpret_cast<const sockaddr*>(&storage_); }
  sockaddr* data() noexcept { return reinterpret_cast<sockaddr*>(&storage_); }
  socklen_t size() const noexcept;
  static constexpr socklen_t capacity() noexcept { return sizeof(sockaddr_storage); }

  // Same family, address and port (IPv6 flow info and scope id ignored except scope).
  bool operator==(const UdpEndpoint& other) const noexcept;

 private:
  sockaddr_storage storage_;
};

}  // namespace sb::media
