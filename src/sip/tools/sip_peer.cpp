// sip_peer: a command-line SIP peer on switchboard's own stack, to probe servers by hand and to
// drive end-to-end tests against sipp.
//
//   sip_peer options URI [--transport udp|tcp|tls] [--timeout 5s]
//   sip_peer call URI [--hangup-after 1s] [--cancel-after 1s] [--user U --password P]
//                     [--transport udp|tcp|tls] [--timeout 30s]
//   sip_peer answer [--address 127.0.0.1] [--port N] [--calls N] [--ring 0ms]
//   TLS, any command: --tls-cert PEM --tls-key PEM [--tls-port 0] [--tls-ca PEM] [--tls-verify yes|no]
//   (the certificate turns the TLS listener on; outgoing TLS needs it too, for its Via).
//   DNS, any command: --dns-server ADDR[:PORT] (default /etc/resolv.conf) for RFC 3263 lookups.
//
// Exit status: 0 when the exchange went as asked, 1 otherwise, 2 on bad usage.
// One thread: the io_context below is the signalling loop.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/log.hpp"
#include "sip/dialog/user_agent.hpp"

namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;
using sb::sip::TransportKind;

constexpr std::string_view kSdp =
    "v=0\r\no=sip_peer 1 1 IN IP4 127.0.0.1\r\ns=sip_peer\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n";

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::size_t i = 0;
  long long value = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') value = value * 10 + (text[i++] - '0');
  if (i == 0) return std::nullopt;
  const auto unit = text.substr(i);
  if (unit.empty() || unit == "s") return std::chrono::milliseconds(value * 1000);
  if (unit == "ms") return std::chrono::milliseconds(value);
  return std::nullopt;
}

int usage() {
  std::fprintf(stderr,
               "usage: sip_peer options URI [--transport udp|tcp|tls] [--timeout 5s]\n"
               "       sip_peer call URI [--hangup-after 1s] [--cancel-after 1s] [--user U --password P]\n"
               "                         [--transport udp|tcp|tls] [--timeout 30s]\n"
               "       sip_peer answer [--address 127.0.0.1] [--port N] [--calls N] [--ring 0ms]\n"
               "       TLS: --tls-cert PEM --tls-key PEM [--tls-port 0] [--tls-ca PEM] [--tls-verify yes|no]\n");
  return 2;
}

struct Options {
  std::string command;
  std::string uri;
  std::map<std::string, std::string> flags;
  std::string get(const std::string& name, std::string fallback = {}) const {
    auto it = flags.find(name);
    return it == flags.end() ? fallback : it->second;
  }
};

}  // namespace

int main(int argc, char** argv) {
  Options opts;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage();
  opts.command = args[0];
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i].starts_with("--")) {
      if (i + 1 >= args.size()) return usage();
      opts.flags[args[i].substr(2)] = args[i + 1];
      ++i;
    } else if (opts.uri.empty()) {
      opts.uri = args[i];
    } else {
      return usage();
    }
  }
  sb::log::init(opts.get("log-level", "warn"));
  const auto kind_name = opts.get("transport", "udp");
  const auto kind_found = sb::sip::transport_from(kind_name);
  if (!kind_found) return usage();
  const TransportKind kind = *kind_found;
  const auto timeout = parse_duration(opts.get("timeout", opts.command == "answer" ? "600s" : "30s"));
  if (!timeout) return usage();

  asio::io_context loop;
  sb::sip::UserAgentConfig config;
  config.transport.address = opts.get("address", "127.0.0.1");
  config.transport.port = static_cast<std::uint16_t>(std::stoi(opts.get("port", "0")));
  if (opts.flags.contains("tls-cert")) {
    config.transport.has_tls = true;
    config.transport.tls_port = static_cast<std::uint16_t>(std::stoi(opts.get("tls-port", "0")));
    config.transport.tls_cert_file = opts.get("tls-cert");
    config.transport.tls_key_file = opts.get("tls-key");
    config.transport.tls_ca_file = opts.get("tls-ca");
    config.transport.tls_verify_peer = opts.get("tls-verify", "yes") != "no";
  }
  config.transport.dns.nameserver = opts.get("dns-server");
  config.contact_user = "sip_peer";
  config.user_agent = "switchboard sip_peer";
  std::optional<sb::sip::UserAgent> ua_storage;
  try {
    ua_storage.emplace(loop, config);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sip_peer: cannot start: %s\n", e.what());
    return 1;
  }
  auto& ua = *ua_storage;
  std::printf("listening udp %u tcp %u tls %u\n", ua.local_port(TransportKind::Udp), ua.local_port(TransportKind::Tcp),
              ua.local_port(TransportKind::Tls));
  std::fflush(stdout);

  int exit_code = 1;
  auto finish = [&](int code) {
    exit_code = code;
    loop.stop();
  };
  asio::steady_timer deadline(loop);
  deadline.expires_after(*timeout);
  deadline.async_wait([&](boost::system::error_code ec) {
    if (ec) return;
    std::printf("timeout\n");
    finish(opts.command == "answer" ? 0 : 1);
  });
  asio::signal_set signals(loop, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) { finish(0); });
  asio::steady_timer action(loop);
  // State the handlers use: it must live until loop.run() returns.
  const auto hangup_after = parse_duration(opts.get("hangup-after", "1s"));
  const auto cancel_after = opts.flags.contains("cancel-after") ? parse_duration(opts.get("cancel-after")) : std::nullopt;
  const int max_calls = std::stoi(opts.get("calls", "0"));
  const auto ring = parse_duration(opts.get("ring", "0ms"));
  int ended = 0;
  std::function<void()> call_ended;
  std::vector<std::unique_ptr<asio::steady_timer>> timers;

  if (opts.command == "options") {
    if (opts.uri.empty()) return usage();
    ua.send_options(opts.uri, kind, std::nullopt, 0, [&](const sb::sip::SipResponseInfo& r) {
      std::printf("final %d %s\n", r.status, r.reason.c_str());
      finish(r.status >= 200 && r.status < 300 ? 0 : 1);
    });
  } else if (opts.command == "call") {
    if (opts.uri.empty()) return usage();
    sb::sip::OutgoingCallRequest request;
    request.request_uri = opts.uri;
    request.from_user = "sip_peer";
    request.sdp = std::string(kSdp);
    request.transport = kind;
    request.auth_username = opts.get("user");
    request.auth_password = opts.get("password");
    if (!hangup_after || (opts.flags.contains("cancel-after") && !cancel_after)) return usage();
    sb::sip::OutgoingCallHandlers handlers;
    handlers.on_provisional = [&](const sb::sip::SipResponseInfo& r) {
      std::printf("provisional %d %s\n", r.status, r.reason.c_str());
      std::fflush(stdout);
    };
    handlers.on_final = [&](const sb::sip::SipResponseInfo& r, sb::sip::DialogId dialog) {
      std::printf("final %d %s\n", r.status, r.reason.c_str());
      std::fflush(stdout);
      if (cancel_after) return finish(r.status == 487 ? 0 : 1);
      if (dialog == 0) return finish(1);
      sb::sip::DialogHandlers dh;
      dh.on_bye = [&](const sb::sip::SipRequestInfo&) {
        std::printf("bye received\n");
        finish(0);
      };
      ua.set_dialog_handlers(dialog, dh);
      action.expires_after(*hangup_after);
      action.async_wait([&, dialog](boost::system::error_code ec) {
        if (ec || !ua.is_dialog_active(dialog)) return;
        std::printf("bye sent\n");
        std::fflush(stdout);
        ua.bye(dialog);
        // Give the BYE's transaction time to complete (retransmissions included).
        action.expires_after(std::chrono::milliseconds(500));
        action.async_wait([&](boost::system::error_code) { finish(0); });
      });
    };
    const auto call = ua.place_call(std::move(request), std::move(handlers));
    if (cancel_after) {
      action.expires_after(*cancel_after);
      action.async_wait([&, call](boost::system::error_code ec) {
        if (ec) return;
        std::printf("cancel sent\n");
        std::fflush(stdout);
        ua.cancel(call);
      });
    }
  } else if (opts.command == "answer") {
    if (!ring) return usage();
    call_ended = [&] {
      ++ended;
      if (max_calls > 0 && ended >= max_calls) {
        // Let the last responses leave before stopping.
        action.expires_after(std::chrono::milliseconds(300));
        action.async_wait([&](boost::system::error_code) { finish(0); });
      }
    };
    ua.set_incoming_call_handler([&](sb::sip::IncomingCallId call, const sb::sip::SipRequestInfo& invite) {
      std::printf("invite from %s:%u call-id %s\n", invite.source.address.c_str(), invite.source.port,
                  invite.call_id.c_str());
      std::fflush(stdout);
      sb::sip::IncomingCallHandlers ih;
      ih.on_cancel = [&] {
        std::printf("cancelled\n");
        std::fflush(stdout);
        call_ended();
      };
      ih.on_ack = [](const sb::sip::SipRequestInfo&) {
        std::printf("ack\n");
        std::fflush(stdout);
      };
      ih.on_ack_timeout = [&] {
        std::printf("ack timeout\n");
        call_ended();
      };
      ua.set_incoming_handlers(call, ih);
      auto answer = [&, call] {
        const auto dialog = ua.respond(call, 200, {}, std::string(kSdp));
        if (dialog == 0) return;
        sb::sip::DialogHandlers dh;
        dh.on_bye = [&](const sb::sip::SipRequestInfo&) {
          std::printf("bye received\n");
          std::fflush(stdout);
          call_ended();
        };
        dh.on_offer = [](std::string_view) { return std::optional<std::string>(std::string(kSdp)); };
        ua.set_dialog_handlers(dialog, dh);
      };
      ua.respond(call, 180);
      if (ring->count() == 0) {
        answer();
      } else {
        auto timer = std::make_unique<asio::steady_timer>(loop);
        timer->expires_after(*ring);
        timer->async_wait([answer](boost::system::error_code ec) {
          if (!ec) answer();
        });
        timers.push_back(std::move(timer));
      }
    });
  } else {
    return usage();
  }

  loop.run();
  const auto stats = ua.stats();
  std::printf("stats received %llu sent %llu malformed %llu\n",
              static_cast<unsigned long long>(stats.transport.messages_received),
              static_cast<unsigned long long>(stats.transport.messages_sent),
              static_cast<unsigned long long>(stats.transport.malformed_received));
  return exit_code;
}
