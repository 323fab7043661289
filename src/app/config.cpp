#include "app/config.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <toml++/toml.h>

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace sb::app {
namespace {

std::optional<std::uint32_t> parse_number(std::string_view text) {
  std::uint32_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

const std::set<std::string, std::less<>> kLogLevels = {"trace", "debug", "info", "warn",
                                                       "error", "critical", "off"};

void check_log_level(std::string_view level, std::string_view setting) {
  if (!kLogLevels.contains(level)) {
    throw std::invalid_argument(fmt::format(
        "{}: '{}' is not a log level (trace, debug, info, warn, error, critical, off)", setting, level));
  }
}

}  // namespace

std::string Endpoint::to_string() const {
  return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port)
                                             : fmt::format("{}:{}", host, port);
}

bool is_ip_address(const std::string& text) {
  in6_addr buffer{};
  return inet_pton(AF_INET, text.c_str(), &buffer) == 1 || inet_pton(AF_INET6, text.c_str(), &buffer) == 1;
}

Endpoint parse_endpoint(std::string_view text, std::string_view setting);

// "192.0.2.53", "192.0.2.53:5353", "2001:db8::53", "[2001:db8::53]:53": an address, port 53 by
// default (a name would need a resolver to find the resolver).
Endpoint parse_dns_server(std::string_view text, std::string_view setting) {
  if (is_ip_address(std::string(text))) return Endpoint{std::string(text), 53};
  auto endpoint = parse_endpoint(text, setting);
  if (!is_ip_address(endpoint.host) || endpoint.port == 0) {
    throw std::invalid_argument(fmt::format("{}: '{}' is not an IP address with an optional port", setting, text));
  }
  return endpoint;
}

Endpoint parse_endpoint(std::string_view text, std::string_view setting) {
  Endpoint endpoint;
  std::string_view port_text;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      throw std::invalid_argument(fmt::format("{}: '{}' is not [IPv6]:PORT", setting, text));
    }
    endpoint.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      throw std::invalid_argument(fmt::format("{}: '{}' is not HOST:PORT", setting, text));
    }
    endpoint.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  const auto port = parse_number(port_text);
  if (!port || *port > 65535) {
    throw std::invalid_argument(fmt::format("{}: '{}' is not a port number (0-65535)", setting, port_text));
  }
  endpoint.port = static_cast<std::uint16_t>(*port);
  return endpoint;
}

PortRange parse_port_range(std::string_view text, std::string_view setting) {
  const auto dash = text.find('-');
  const auto low = dash == std::string_view::npos ? std::nullopt : parse_number(text.substr(0, dash));
  const auto high = dash == std::string_view::npos ? std::nullopt : parse_number(text.substr(dash + 1));
  if (!low || !high || *low > 65535 || *high > 65535 || *low >= *high || *low % 2 != 0 || *low < 1024) {
    throw std::invalid_argument(fmt::format(
        "{}: '{}' is not LO-HI with LO even, at least 1024 and below HI (RTP takes even ports, "
        "RTCP the odd port above)",
        setting, text));
  }
  return {static_cast<std::uint16_t>(*low), static_cast<std::uint16_t>(*high)};
}

namespace {

// [[trunks]] name, host, port, transport, username, password, number_format, prefixes.
std::vector<calls::Trunk> read_trunks(const toml::node& node, std::string_view origin) {
  const auto* array = node.as_array();
  if (array == nullptr) throw std::runtime_error(fmt::format("{}: 'trunks' must be an array of tables ([[trunks]])", origin));
  static const std::set<std::string, std::less<>> kKeys = {"name",     "host",          "port",     "transport",
                                                          "username", "password",      "number_format",
                                                          "prefixes", "inbound_addresses"};
  std::vector<calls::Trunk> trunks;
  for (const auto& element : *array) {
    const auto* table = element.as_table();
    if (table == nullptr) throw std::runtime_error(fmt::format("{}: each [[trunks]] entry must be a table", origin));
    for (const auto& [key, _] : *table) {
      if (!kKeys.contains(key.str())) {
        throw std::runtime_error(fmt::format("{}: unknown setting 'trunks.{}'", origin, key.str()));
      }
    }
    auto text = [&](std::string_view key) -> std::optional<std::string> {
      const auto* n = table->get(key);
      if (n == nullptr) return std::nullopt;
      if (auto v = n->value<std::string>()) return v;
      throw std::runtime_error(fmt::format("{}: 'trunks.{}' must be a string", origin, key));
    };
    calls::Trunk trunk;
    trunk.name = text("name").value_or("");
    trunk.host = text("host").value_or("");
    if (const auto* n = table->get("port")) {
      const auto v = n->value<std::int64_t>();
      if (!v || *v < 1 || *v > 65535) throw std::runtime_error(fmt::format("{}: 'trunks.port' must be 1-65535", origin));
      trunk.port = static_cast<std::uint16_t>(*v);
    }
    const auto transport = text("transport").value_or("udp");
    if (transport == "udp") {
      trunk.transport = calls::SipTransport::kUdp;
    } else if (transport == "tcp") {
      trunk.transport = calls::SipTransport::kTcp;
    } else if (transport == "tls") {
      trunk.transport = calls::SipTransport::kTls;
    } else {
      throw std::runtime_error(fmt::format("{}: 'trunks.transport' must be udp, tcp or tls", origin));
    }
    trunk.username = text("username");
    trunk.password = text("password");
    const auto format = text("number_format").value_or("e164");
    if (format == "e164") {
      trunk.number_format = calls::NumberFormat::kE164;
    } else if (format == "digits") {
      trunk.number_format = calls::NumberFormat::kDigits;
    } else {
      throw std::runtime_error(fmt::format("{}: 'trunks.number_format' must be e164 or digits", origin));
    }
    if (const auto* n = table->get("prefixes")) {
      const auto* prefixes = n->as_array();
      if (prefixes == nullptr) throw std::runtime_error(fmt::format("{}: 'trunks.prefixes' must be an array", origin));
      for (const auto& p : *prefixes) {
        auto v = p.value<std::string>();
        if (!v) throw std::runtime_error(fmt::format("{}: 'trunks.prefixes' must hold strings", origin));
        trunk.prefixes.push_back(*v);
      }
    }
    if (const auto* n = table->get("inbound_addresses")) {
      const auto* addresses = n->as_array();
      if (addresses == nullptr) {
        throw std::runtime_error(fmt::format("{}: 'trunks.inbound_addresses' must be an array", origin));
      }
      for (const auto& a : *addresses) {
        auto v = a.value<std::string>();
        if (!v) throw std::runtime_error(fmt::format("{}: 'trunks.inbound_addresses' must hold strings", origin));
        trunk.inbound_addresses.push_back(*v);
      }
    }
    if (auto problem = calls::validate_trunk(trunk); !problem.empty()) {
      throw std::runtime_error(fmt::format("{}: {}", origin, problem));
    }
    trunks.push_back(std::move(trunk));
  }
  return trunks;
}

}  // namespace

void apply_toml(Config& config, std::string_view toml_text, std::string_view origin) {
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    throw std::runtime_error(fmt::format("{}: {} (line {})", origin, e.description(),
                                         e.source().begin.line));
  }
  // Every key is known, so a typo is an error rather than a silently ignored setting.
  const std::set<std::string, std::less<>> known = {
      "data_dir", "log_level", "base_domain", "public_address", "realtime_priority", "http.listen",
      "http.max_body_bytes", "http.request_timeout_seconds", "http.idle_timeout_seconds",
      "sip.listen", "sip.tls_listen", "sip.auth_max_failures", "sip.auth_ban_seconds", "sip.dns_server",
      "sip.register_rate_limit", "sip.nat_keepalive_seconds", "sip.nat_keepalive_max_failures",
      "tls.cert", "tls.key", "tls.ca", "rtp.ports",
      "calls.calls_per_second", "calls.overload_lag_ms", "store.commit_delay_ms"};
  for (const auto& [key, node] : root) {
    if (key.str() == "trunks") continue;  // an array of tables, read below
    if (key.str() == "egress") continue;  // region = "host:port" pairs, read below
    if (const auto* table = node.as_table()) {
      for (const auto& [sub, _] : *table) {
        const std::string name = fmt::format("{}.{}", key.str(), sub.str());
        if (!known.contains(name)) throw std::runtime_error(fmt::format("{}: unknown setting '{}'", origin, name));
      }
    } else if (!known.contains(key.str())) {
      throw std::runtime_error(fmt::format("{}: unknown setting '{}'", origin, key.str()));
    }
  }
  auto string_at = [&](std::string_view path) -> std::optional<std::string> {
    const auto node = root.at_path(path);
    if (!node) return std::nullopt;
    if (auto s = node.value<std::string>()) return s;
    throw std::runtime_error(fmt::format("{}: '{}' must be a string", origin, path));
  };
  auto integer_at = [&](std::string_view path, std::int64_t low, std::int64_t high) -> std::optional<std::int64_t> {
    const auto node = root.at_path(path);
    if (!node) return std::nullopt;
    const auto v = node.value<std::int64_t>();
    if (!v || *v < low || *v > high) {
      throw std::runtime_error(fmt::format("{}: '{}' must be an integer from {} to {}", origin, path, low, high));
    }
    return v;
  };
  const std::string where(origin);
  if (auto v = string_at("data_dir")) config.data_dir = *v;
  if (auto v = string_at("log_level")) {
    check_log_level(*v, where + ": log_level");
    config.log_level = *v;
  }
  if (auto v = string_at("base_domain")) config.base_domain = *v;
  if (auto v = string_at("public_address")) config.public_address = *v;
  if (auto v = integer_at("realtime_priority", 0, 99)) config.realtime_priority = static_cast<int>(*v);
  if (auto v = string_at("http.listen")) config.http = parse_endpoint(*v, where + ": http.listen");
  if (auto v = integer_at("http.max_body_bytes", 1024, 64 * 1024 * 1024)) {
    config.http_max_body_bytes = static_cast<std::size_t>(*v);
  }
  if (auto v = integer_at("http.request_timeout_seconds", 1, 3600)) config.http_request_timeout = std::chrono::seconds{*v};
  if (auto v = integer_at("http.idle_timeout_seconds", 1, 3600)) config.http_idle_timeout = std::chrono::seconds{*v};
  if (auto v = string_at("sip.listen")) config.sip = parse_endpoint(*v, where + ": sip.listen");
  if (auto v = string_at("sip.tls_listen")) config.sip_tls = parse_endpoint(*v, where + ": sip.tls_listen");
  if (auto v = integer_at("sip.auth_max_failures", 1, 1000000)) config.sip_auth_max_failures = static_cast<std::size_t>(*v);
  if (auto v = integer_at("sip.auth_ban_seconds", 1, 86400 * 30)) config.sip_auth_ban = std::chrono::seconds{*v};
  if (auto v = integer_at("sip.register_rate_limit", 0, 1000000)) config.sip_register_rate_limit = static_cast<std::uint32_t>(*v);
  if (auto v = integer_at("sip.nat_keepalive_seconds", 0, 3600)) config.sip_nat_keepalive = std::chrono::seconds{*v};
  if (auto v = integer_at("sip.nat_keepalive_max_failures", 0, 100)) {
    config.sip_nat_keepalive_max_failures = static_cast<std::size_t>(*v);
  }
  if (auto v = string_at("sip.dns_server")) config.sip_dns_server = parse_dns_server(*v, where + ": sip.dns_server");
  if (auto v = string_at("tls.cert")) config.tls_cert = *v;
  if (auto v = string_at("tls.key")) config.tls_key = *v;
  if (auto v = string_at("tls.ca")) config.tls_ca = *v;
  if (auto v = string_at("rtp.ports")) config.rtp_ports = parse_port_range(*v, where + ": rtp.ports");
  if (const auto node = root.at_path("calls.calls_per_second")) {
    const auto v = node.value<double>();
    if (!v || *v < 0.01 || *v > 10000) {
      throw std::runtime_error(fmt::format("{}: 'calls.calls_per_second' must be a number from 0.01 to 10000", origin));
    }
    config.calls_per_second = *v;
  }
  if (auto v = integer_at("calls.overload_lag_ms", 0, 10000)) {
    if (*v != 0 && *v < 5) {
      throw std::runtime_error(fmt::format("{}: 'calls.overload_lag_ms' must be 0 (off) or from 5 to 10000", origin));
    }
    config.overload_lag = std::chrono::milliseconds{*v};
  }
  if (auto v = integer_at("store.commit_delay_ms", 0, 100)) config.store_commit_delay = std::chrono::milliseconds{*v};
  if (const auto node = root.get("trunks")) config.trunks = read_trunks(*node, origin);
  if (const auto* egress = root.get_as<toml::table>("egress")) {
    for (const auto& [region, value] : *egress) {
      if (!calls::is_region(region.str())) {
        throw std::runtime_error(fmt::format("{}: 'egress.{}' is not a region (us1 us2 ie1 de1 sg1 jp1 br1 au1)", origin,
                                             region.str()));
      }
      const auto text = value.value<std::string>();
      if (!text) throw std::runtime_error(fmt::format("{}: 'egress.{}' must be \"host:port\"", origin, region.str()));
      const auto endpoint = parse_endpoint(*text, fmt::format("{}: egress.{}", origin, region.str()));
      config.egress[std::string(region.str())] = calls::Egress{endpoint.host, endpoint.port};
    }
  }
}

Config load_config(const Flags& flags) {
  Config config;
  if (flags.config_file) {
    std::ifstream in(*flags.config_file);
    if (!in) throw std::runtime_error(fmt::format("--config: cannot read '{}'", *flags.config_file));
    std::stringstream text;
    text << in.rdbuf();
    apply_toml(config, text.str(), *flags.config_file);
  }
  if (flags.data_dir) config.data_dir = *flags.data_dir;
  if (flags.http) config.http = parse_endpoint(*flags.http, "--http");
  if (flags.sip) config.sip = parse_endpoint(*flags.sip, "--sip");
  if (flags.sip_tls) config.sip_tls = parse_endpoint(*flags.sip_tls, "--sip-tls");
  if (flags.rtp_ports) config.rtp_ports = parse_port_range(*flags.rtp_ports, "--rtp-ports");
  if (flags.public_address) config.public_address = *flags.public_address;
  if (flags.tls_cert) config.tls_cert = *flags.tls_cert;
  if (flags.tls_key) config.tls_key = *flags.tls_key;
  if (flags.tls_ca) config.tls_ca = *flags.tls_ca;
  if (flags.log_level) {
    check_log_level(*flags.log_level, "--log-level");
    config.log_level = *flags.log_level;
  }
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    throw std::runtime_error("TLS needs both a certificate (--tls-cert) and its key (--tls-key)");
  }
  if (!config.tls_cert.empty() && !config.sip_tls) config.sip_tls = Endpoint{"0.0.0.0", 5061};
  return config;
}

}  // namespace sb::app
