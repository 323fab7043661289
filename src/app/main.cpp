// switchboard: `serve`, `version`, `credentials`.

#include "app/application.hpp"
#include "app/config.hpp"
#include "core/log.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  CLI::App cli{"switchboard: self-hosted programmable voice with a SIP interface, compatible with "
               "Twilio's REST API and TwiML"};
  cli.require_subcommand(1);

  sb::app::Flags flags;
  bool show_credentials = false;
  auto* serve = cli.add_subcommand("serve", "Start the server");
  auto opt = [&](const char* name, std::optional<std::string>& target, const char* help) {
    serve->add_option_function<std::string>(name, [&target](const std::string& v) { target = v; }, help);
  };
  opt("--config", flags.config_file, "TOML configuration file (flags override it)");
  opt("--data-dir", flags.data_dir, "Data directory: database, recordings, TLS material (default ./var)");
  opt("--http", flags.http, "REST API listener HOST:PORT (default 127.0.0.1:8080)");
  opt("--sip", flags.sip, "SIP UDP and TCP listener HOST:PORT (default 0.0.0.0:5060)");
  opt("--sip-tls", flags.sip_tls, "SIP TLS listener HOST:PORT (default 0.0.0.0:5061 with a certificate)");
  opt("--rtp-ports", flags.rtp_ports, "RTP port range LO-HI (default 20000-29999)");
  opt("--public-address", flags.public_address, "Address advertised in Contact and SDP");
  opt("--tls-cert", flags.tls_cert, "Certificate (PEM) of the TLS listener");
  opt("--tls-key", flags.tls_key, "Private key (PEM) of the TLS listener");
  opt("--tls-ca", flags.tls_ca, "CA bundle trusted for TLS peers and HTTPS webhooks");
  opt("--log-level", flags.log_level, "trace, debug, info, warn, error, critical or off (default info)");
  serve->add_flag("--show-credentials", show_credentials, "Print the main account's auth token at start");

  auto* version = cli.add_subcommand("version", "Print the version");
  std::string credentials_dir = "./var";
  auto* credentials = cli.add_subcommand("credentials", "Print the main account's SID and auth token");
  credentials->add_option("--data-dir", credentials_dir, "Data directory (default ./var)");

  CLI11_PARSE(cli, argc, argv);

  if (version->parsed()) {
    std::cout << "switchboard " << SB_VERSION << "\n";
    return 0;
  }
  if (credentials->parsed()) {
    sb::log::init("warn");
    try {
      return sb::app::print_credentials(credentials_dir);
    } catch (const std::exception& e) {
      std::cerr << "switchboard: " << e.what() << "\n";
      return 1;
    }
  }
  try {
    const auto config = sb::app::load_config(flags);
    sb::log::init(config.log_level);
    return sb::app::serve(config, {.show_credentials = show_credentials});
  } catch (const std::exception& e) {
    std::cerr << "switchboard: " << e.what() << "\n";
    return 1;
  }
}
