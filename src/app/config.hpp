#pragma once
// switchboard's configuration: defaults, then the TOML file (--config), then command-line flags.
// Read once at start-up; a bad value is a start-up error that names the setting.

#include "calls/call_engine.hpp"
#include "calls/trunks.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::app {

struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
  std::string to_string() const;
};

struct PortRange {
  std::uint16_t low = 20000;
  std::uint16_t high = 29999;
};

struct Config {
  std::filesystem::path data_dir = "./var";
  Endpoint http{"127.0.0.1", 8080};
  Endpoint sip{"0.0.0.0", 5060};
  std::optional<Endpoint> sip_tls;  // defaults to 0.0.0.0:5061 when tls_cert is set
  // The DNS server for SIP targets (RFC 3263), an IP address and port (53 when omitted); unset:
  // the system's /etc/resolv.conf.
  std::optional<Endpoint> sip_dns_server;
  PortRange rtp_ports;
  std::string public_address;  // advertised in Contact and SDP; empty: the bound address
  std::filesystem::path tls_cert;
  std::filesystem::path tls_key;
  std::filesystem::path tls_ca;
  std::string log_level = "info";
  std::string base_domain = "switchboard.local";
  std::size_t http_max_body_bytes = 1024 * 1024;
  std::chrono::seconds http_request_timeout{30};
  std::chrono::seconds http_idle_timeout{60};
  double calls_per_second = 50;  // per account; calls beyond it wait in a queue
  // The signalling loop's lag at which new outbound calls wait in the queue until it catches up;
  // zero: never.
  std::chrono::milliseconds overload_lag{50};
  // How long the store writer gathers writes before a commit (see store::sqlite::Writer). Off by
  // default: a webhook sent meanwhile (an action, a recording callback) could name rows that the
  // API does not show yet.
  std::chrono::milliseconds store_commit_delay{0};
  std::vector<calls::Trunk> trunks;  // [[trunks]]: where phone numbers go
  std::map<std::string, calls::Egress, std::less<>> egress;  // [egress] region = "proxy:port"
  // Authentication failures (INVITE, REGISTER) from one address within a minute before it is
  // refused for sip_auth_ban.
  std::size_t sip_auth_max_failures = 10;
  std::chrono::seconds sip_auth_ban{600};
  // REGISTERs per second from one source address (bursts of twice that); beyond: 503, 32008.
  // 0: no limit.
  std::uint32_t sip_register_rate_limit = 100;
  // OPTIONS keep-alives to registered UDP contacts behind a NAT, every this many seconds (0: off);
  // a contact that leaves this many in a row unanswered is dropped (0: never dropped).
  std::chrono::seconds sip_nat_keepalive{30};
  std::size_t sip_nat_keepalive_max_failures = 3;
  // SCHED_RR priority (1-99) of the signalling thread (SIP, REST, webhooks, TwiML), so it runs as
  // soon as work arrives rather than after other processes' time slices; 0: normal scheduling.
  int realtime_priority = 0;
};

// The command-line flags of `serve`; each set one overrides the file.
struct Flags {
  std::optional<std::string> config_file;
  std::optional<std::string> data_dir;
  std::optional<std::string> http;
  std::optional<std::string> sip;
  std::optional<std::string> sip_tls;
  std::optional<std::string> rtp_ports;
  std::optional<std::string> public_address;
  std::optional<std::string> tls_cert;
  std::optional<std::string> tls_key;
  std::optional<std::string> tls_ca;
  std::optional<std::string> log_level;
};

// Throws std::runtime_error with a message naming the setting when a value is invalid.
Config load_config(const Flags& flags);
// Applies TOML text (the file's content) over `config`; `origin` names it in errors.
void apply_toml(Config& config, std::string_view toml_text, std::string_view origin);

// "host:port", "[v6]:port"; throws std::invalid_argument naming `setting`.
Endpoint parse_endpoint(std::string_view text, std::string_view setting);
// "LO-HI" with LO even, LO < HI; throws std::invalid_argument.
PortRange parse_port_range(std::string_view text, std::string_view setting);

}  // namespace sb::app
