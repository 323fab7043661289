#include "calls/trunks.hpp"

#include "store/ipv4.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace sb::calls {
namespace {

bool is_e164(std::string_view s) {
  return s.size() >= 3 && s.size() <= 16 && s[0] == '+' && s[1] != '0' &&
         std::all_of(s.begin() + 1, s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// "a.b.c.d", "a.b.c.d/prefix" (IPv4), or one IPv6 address (no network: compared as written).
struct InboundRange {
  std::optional<std::uint32_t> network;
  int prefix = 32;
};
std::optional<InboundRange> parse_inbound_address(std::string_view cidr) {
  const auto slash = cidr.find('/');
  const auto address = cidr.substr(0, slash);
  InboundRange range;
  range.network = store::parse_ipv4(address);
  if (!range.network) {
    const bool is_v6 = address.find(':') != std::string_view::npos && slash == std::string_view::npos;
    return is_v6 ? std::optional(range) : std::nullopt;
  }
  if (slash == std::string_view::npos) return range;
  const auto digits = cidr.substr(slash + 1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), range.prefix);
  if (ec != std::errc{} || end != digits.data() + digits.size() || range.prefix < 0 || range.prefix > 32) {
    return std::nullopt;
  }
  return range;
}

bool is_host_char(unsigned char c) { return std::isalnum(c) != 0 || c == '.' || c == '-' || c == ':' || c == '[' || c == ']'; }

}  // namespace

TrunkTable::TrunkTable(std::vector<Trunk> trunks) : trunks_(std::move(trunks)) {}

std::optional<TrunkRoute> TrunkTable::route(std::string_view e164) const {
  const Trunk* best = nullptr;
  std::size_t best_length = 0;
  for (const auto& trunk : trunks_) {
    if (trunk.prefixes.empty()) {
      if (best == nullptr) best = &trunk;
      continue;
    }
    for (const auto& prefix : trunk.prefixes) {
      if (e164.starts_with(prefix) && (best == nullptr || prefix.size() > best_length)) {
        best = &trunk;
        best_length = prefix.size();
      }
    }
  }
  if (best == nullptr) return std::nullopt;
  const std::string user(best->number_format == NumberFormat::kDigits ? e164.substr(1) : e164);
  const bool has_colon = best->host.find(':') != std::string::npos && !best->host.starts_with('[');
  const std::string host = has_colon ? "[" + best->host + "]" : best->host;  // a bare IPv6 address
  TrunkRoute route;
  route.trunk = best->name;
  route.target.uri = fmt::format("sip:{}@{}", user, host);
  if (best->port != 0) route.target.uri += fmt::format(":{}", best->port);
  route.target.transport = best->transport;
  if (best->transport == SipTransport::kTcp) route.target.uri += ";transport=tcp";
  if (best->transport == SipTransport::kTls) route.target.uri += ";transport=tls";
  route.username = best->username;
  route.password = best->password;
  return route;
}

const Trunk* TrunkTable::from_address(std::string_view source_address) const {
  const auto source = store::parse_source_ipv4(source_address);
  for (const auto& trunk : trunks_) {
    if (trunk.inbound_addresses.empty()) {
      if (trunk.host == source_address) return &trunk;
      continue;
    }
    for (const auto& cidr : trunk.inbound_addresses) {
      const auto range = parse_inbound_address(cidr);
      if (!range) continue;
      if (range->network && source && store::ipv4_in_network(*source, *range->network, range->prefix)) return &trunk;
      if (!range->network && cidr == source_address) return &trunk;  // an IPv6 address, compared as written
    }
  }
  return nullptr;
}

std::optional<std::string> normalize_phone_number(std::string_view text) {
  std::string digits;
  bool has_plus = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (std::isdigit(c) != 0) {
      digits.push_back(static_cast<char>(c));
    } else if (c == '+' && digits.empty() && !has_plus) {
      has_plus = true;
    } else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') {
      return std::nullopt;
    }
  }
  if (has_plus) {
    std::string e164 = "+" + digits;
    return is_e164(e164) ? std::optional(e164) : std::nullopt;
  }
  // Unformatted US numbers: ten digits, or eleven starting with the country code 1.
  if (digits.size() == 10 && digits[0] >= '2') return "+1" + digits;
  if (digits.size() == 11 && digits[0] == '1' && digits[1] >= '2') return "+" + digits;
  return std::nullopt;
}

std::string validate_trunk(const Trunk& trunk) {
  if (trunk.name.empty()) return "a trunk needs a name";
  if (trunk.host.empty()) return fmt::format("trunk '{}' needs a host", trunk.name);
  if (!std::ranges::all_of(trunk.host, [](unsigned char c) { return is_host_char(c); })) {
    return fmt::format("trunk '{}': host '{}' is not a host name or address", trunk.name, trunk.host);
  }
  if (trunk.username.has_value() != trunk.password.has_value()) {
    return fmt::format("trunk '{}': username and password go together", trunk.name);
  }
  for (const auto& cidr : trunk.inbound_addresses) {
    if (!parse_inbound_address(cidr)) {
      return fmt::format("trunk '{}': inbound address '{}' must be an IPv4 address or a.b.c.d/prefix (or one IPv6 address)",
                         trunk.name, cidr);
    }
  }
  for (const auto& prefix : trunk.prefixes) {
    const bool ok = !prefix.empty() && prefix[0] == '+' &&
                    std::all_of(prefix.begin() + 1, prefix.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
    if (!ok) return fmt::format("trunk '{}': prefix '{}' must be '+' and digits", trunk.name, prefix);
  }
  return {};
}

}  // namespace sb::calls
