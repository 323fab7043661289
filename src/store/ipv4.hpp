#pragma once
// IPv4 addresses as Twilio's IP access control lists take them: dotted decimal, four parts,
// no leading zeros, no wildcards. Pure functions, any thread.

#include <cstdint>
#include <optional>
#include <string_view>

namespace sb::store {

// The address as a host-order integer; nullopt unless `text` is exactly "a.b.c.d" (0-255 each).
inline std::optional<std::uint32_t> parse_ipv4(std::string_view text) {
  std::uint32_t value = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (text.empty() || text.front() != '.') return std::nullopt;
      text.remove_prefix(1);
    }
    std::size_t digits = 0;
    unsigned octet = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
      octet = octet * 10 + static_cast<unsigned>(text[digits] - '0');
      if (++digits > 3) return std::nullopt;
    }
    if (digits == 0 || octet > 255 || (digits > 1 && text.front() == '0')) return std::nullopt;
    text.remove_prefix(digits);
    value = (value << 8) | octet;
  }
  if (!text.empty()) return std::nullopt;
  return value;
}

// The IPv4 address of a source address: plain dotted decimal, or IPv4-mapped IPv6
// ("::ffff:a.b.c.d", as a dual-stack socket reports it). nullopt for any other IPv6 address.
inline std::optional<std::uint32_t> parse_source_ipv4(std::string_view text) {
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  constexpr std::string_view kMapped = "::ffff:";
  if (text.size() > kMapped.size()) {
    bool is_mapped = true;
    for (std::size_t i = 0; i < kMapped.size(); ++i) {
      const char c = text[i] >= 'A' && text[i] <= 'Z' ? static_cast<char>(text[i] - 'A' + 'a') : text[i];
      if (c != kMapped[i]) is_mapped = false;
    }
    if (is_mapped) text.remove_prefix(kMapped.size());
  }
  return parse_ipv4(text);
}

// True when `address` lies in `network`/`prefix_length` (0-32; 0 matches everything).
inline bool ipv4_in_network(std::uint32_t address, std::uint32_t network, int prefix_length) {
  if (prefix_length <= 0) return true;
  if (prefix_length >= 32) return address == network;
  const std::uint32_t mask = ~std::uint32_t{0} << (32 - prefix_length);
  return (address & mask) == (network & mask);
}

}  // namespace sb::store
