#pragma once
// Network-order loads and stores over std::byte, for the packet parsers in media/. Callers check
// bounds first; these functions do not.

#include <cstddef>
#include <cstdint>

namespace sb::media::detail {

inline std::uint16_t load_u16(const std::byte* p) noexcept {
  return static_cast<std::uint16_t>((std::to_integer<unsigned>(p[0]) << 8) | std::to_integer<unsigned>(p[1]));
}
inline std::uint32_t load_u24(const std::byte* p) noexcept {
  return (std::to_integer<std::uint32_t>(p[0]) << 16) | (std::to_integer<std::uint32_t>(p[1]) << 8) |
         std::to_integer<std::uint32_t>(p[2]);
}
inline std::uint32_t load_u32(const std::byte* p) noexcept {
  return (std::to_integer<std::uint32_t>(p[0]) << 24) | (std::to_integer<std::uint32_t>(p[1]) << 16) |
         (std::to_integer<std::uint32_t>(p[2]) << 8) | std::to_integer<std::uint32_t>(p[3]);
}
inline void store_u16(std::byte* p, std::uint16_t v) noexcept {
  p[0] = static_cast<std::byte>(v >> 8);
  p[1] = static_cast<std::byte>(v);
}
inline void store_u24(std::byte* p, std::uint32_t v) noexcept {
  p[0] = static_cast<std::byte>(v >> 16);
  p[1] = static_cast<std::byte>(v >> 8);
  p[2] = static_cast<std::byte>(v);
}
inline void store_u32(std::byte* p, std::uint32_t v) noexcept {
  p[0] = static_cast<std::byte>(v >> 24);
  p[1] = static_cast<std::byte>(v >> 16);
  p[2] = static_cast<std::byte>(v >> 8);
  p[3] = static_cast<std::byte>(v);
}

}  // namespace sb::media::detail
