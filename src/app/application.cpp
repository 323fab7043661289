#include "app/application.hpp"

#include "app/loop_inbox.hpp"

#include "api/api.hpp"
#include "calls/call_engine.hpp"
#include "calls/sip_domain_router.hpp"
#include "calls/sip_registrar.hpp"
#include "calls/webhooks.hpp"
#include "http/client.hpp"
#include "media/engine/media_engine.hpp"
#include "sip/dialog/user_agent.hpp"
#include "core/crypto.hpp"
#include "core/log.hpp"
#include "core/sid.hpp"
#include "http/server.hpp"
#include "store/sip_digest.hpp"
#include "store/sqlite/sqlite_store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include <sched.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <iostream>

namespace sb::app {
namespace {

constexpr std::string_view kDatabaseFile = "switchboard.db";

struct Seed {
  std::string sid;
  std::string token;
  bool is_generated = true;
};

// SWITCHBOARD_ACCOUNT_SID / SWITCHBOARD_AUTH_TOKEN, or a freshly generated pair.
Seed main_account_seed() {
  const char* sid = std::getenv("SWITCHBOARD_ACCOUNT_SID");
  const char* token = std::getenv("SWITCHBOARD_AUTH_TOKEN");
  if ((sid == nullptr) != (token == nullptr)) {
    throw std::runtime_error("set both SWITCHBOARD_ACCOUNT_SID and SWITCHBOARD_AUTH_TOKEN, or neither");
  }
  if (sid == nullptr) return {make_sid(sid_prefix::kAccount), crypto::random_hex(16), true};
  if (!is_sid(sid, sid_prefix::kAccount)) {
    throw std::runtime_error("SWITCHBOARD_ACCOUNT_SID must be AC followed by 32 hex digits");
  }
  const std::string_view t = token;
  if (t.size() < 16 || t.size() > 128 || t.find_first_of(" :\t\r\n") != std::string_view::npos) {
    throw std::runtime_error("SWITCHBOARD_AUTH_TOKEN must be 16 to 128 characters without spaces or ':'");
  }
  std::string lower(sid);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  lower[0] = 'A';
  lower[1] = 'C';
  return {lower, std::string(t), false};
}

void print_banner(const Config& config, std::uint16_t http_port, std::uint16_t sip_port, std::uint16_t sip_tls_port,
                  const store::Account& main_account, bool show_token, bool is_new) {
  const std::string base = fmt::format("http://{}", Endpoint{config.http.host, http_port}.to_string());
  std::string out;
  out += fmt::format("switchboard {} is ready\n", SB_VERSION);
  out += fmt::format("  REST API base URL: {}/2010-04-01  (twilio-node: client.api.baseUrl = '{}')\n",
                     base, base);
  out += fmt::format("  SIP (UDP and TCP): {}\n", Endpoint{config.sip.host, sip_port}.to_string());
  if (sip_tls_port != 0) out += fmt::format("  SIP (TLS):         {}\n", Endpoint{config.sip.host, sip_tls_port}.to_string());
  out += fmt::format("  Account SID:       {}\n", main_account.sid);
  if (show_token) {
    out += fmt::format("  Auth token:        {}{}\n", main_account.auth_token,
                       is_new ? "  (generated now and shown once; `switchboard credentials` shows it again)" : "");
  } else {
    out += "  Auth token:        shown at first start; `switchboard credentials` shows it again\n";
  }
  out += fmt::format("  Data directory:    {}\n", std::filesystem::absolute(config.data_dir).lexically_normal().string());
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
}

// The signalling thread (this one, once every other thread has started) becomes SCHED_RR, as
// Kamailio's rt_prio or FreeSWITCH's -rp do: on a busy machine a packet or request is then handled
// when it arrives instead of after other processes' time slices. Threads started later (recording
// conversions) do not inherit it. Without CAP_SYS_NICE the server says so once and runs normally.
void run_in_realtime(int priority) {
  sched_param param{};
  param.sched_priority = priority;
  if (sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &param) != 0) {
    spdlog::warn("realtime_priority = {}: the signalling thread stays in normal scheduling ({}; needs CAP_SYS_NICE "
                 "or an RLIMIT_RTPRIO of at least {})", priority, std::strerror(errno), priority);
    return;
  }
  spdlog::info("signalling thread: SCHED_RR priority {}", priority);
}

}  // namespace

int serve(const Config& config, const ServeOptions& options) {
  std::filesystem::create_directories(config.data_dir);
  boost::asio::io_context loop(1);
  // How the store writer and the media threads reach the loop (before them: it outlives them).
  LoopInbox inbox(loop);
  // Work the loop itself puts off until the handlers already queued have run.
  const auto defer_on_loop = [&loop](std::function<void()> f) { boost::asio::post(loop, std::move(f)); };
  // Every write is made on the loop: the writer is woken once per pass of it, not once per write.
  auto store = store::sqlite::open_store(
      config.data_dir / kDatabaseFile, [&inbox](std::function<void()> f) { inbox.post(std::move(f)); },
      defer_on_loop, config.store_commit_delay);
  // The address peers reach us at (Contact, SDP, From host).
  std::string advertised = config.public_address;
  if (advertised.empty()) {
    advertised = config.sip.host == "0.0.0.0" || config.sip.host == "::" ? "127.0.0.1" : config.sip.host;
    if (config.sip.host == "0.0.0.0" || config.sip.host == "::") {
      spdlog::warn("no --public-address: advertising 127.0.0.1 in SIP and SDP, so only local peers can reach calls");
    }
  }
  sip::UserAgentConfig ua_config;
  ua_config.transport.address = config.sip.host;
  ua_config.transport.port = config.sip.port;
  ua_config.transport.public_address = advertised;
  if (config.sip_dns_server) ua_config.transport.dns.nameserver = config.sip_dns_server->to_string();
  if (config.sip_tls) {
    // TLS listens on the SIP address at its own port (the host of --sip-tls is not used yet).
    ua_config.transport.has_tls = true;
    ua_config.transport.tls_port = config.sip_tls->port;
    ua_config.transport.tls_cert_file = config.tls_cert.string();
    ua_config.transport.tls_key_file = config.tls_key.string();
    ua_config.transport.tls_ca_file = config.tls_ca.string();
  }
  sip::UserAgent user_agent(loop, ua_config);
  spdlog::info("sip: listening on {} (UDP and TCP)",
               Endpoint{config.sip.host, user_agent.local_port(sip::TransportKind::Udp)}.to_string());
  http::Client http_client(loop, http::ClientOptions{.ca_file = config.tls_ca.string()});
  calls::Webhooks webhooks(http_client, *store);
  calls::CallEngine* engine_for_media = nullptr;
  media::MediaEngine media_engine(
      media::MediaEngineOptions{.rtp_port_min = config.rtp_ports.low,
                                .rtp_port_max = config.rtp_ports.high,
                                .defer = defer_on_loop},
      // Media events come from media threads: hand them to the loop.
      [&inbox, &engine_for_media](media::MediaEvent event) {
        inbox.post([&engine_for_media, event = std::move(event)] {
          if (engine_for_media != nullptr) engine_for_media->on_media_event(event);
        });
      });
  const bool binds_any = config.sip.host == "0.0.0.0" || config.sip.host == "::";
  calls::CallEngine call_engine(loop, *store, webhooks, http_client, user_agent, media_engine,
                                {.calls_per_second = config.calls_per_second,
                                 .overload_lag = config.overload_lag,
                                 .media_address = binds_any ? config.sip.host : advertised,
                                 .advertised_address = advertised,
                                 .data_dir = config.data_dir,
                                 .trunks = calls::TrunkTable(config.trunks),
                                 .egress = config.egress,
                                 .to_loop = [&inbox](std::function<void()> f) { inbox.post(std::move(f)); }});
  engine_for_media = &call_engine;
  // Calls into SIP domains: digest nonces signed with a per-process secret (a restart makes
  // clients re-authenticate once), scanners banned after repeated failures.
  sip::DigestServer sip_digest(std::string(store::kSipDigestRealm), crypto::random_hex(32));
  sip::FailureGuard auth_guard({.max_failures = config.sip_auth_max_failures,
                                .window = std::chrono::seconds{60},
                                .ban = config.sip_auth_ban});
  calls::SipDomainRouter domain_router(*store, sip_digest, auth_guard, config.base_domain, call_engine.trunks());
  call_engine.set_inbound_router(&domain_router);
  // Registrations of SIP domains (docs/registration.md): restored from the store, swept on a
  // timer, looked up by the call layer through calls::RegisteredContacts.
  calls::SipRegistrar registrar(
      *store, sip_digest, auth_guard, domain_router,
      {.register_rate_limit = static_cast<double>(config.sip_register_rate_limit),
       .keepalive = {.interval = config.sip_nat_keepalive, .max_failures = config.sip_nat_keepalive_max_failures}},
      {.ping =
           [&user_agent](const std::string& contact_uri, const sip::Endpoint& destination,
                         std::function<void(bool)> done) {
             // Any response proves the path; a timeout (408) or a transport error (503) does not.
             user_agent.send_options(contact_uri, sip::TransportKind::Udp, destination.address, destination.port,
                                     [done = std::move(done)](const sip::SipResponseInfo& response) {
                                       done(response.status != 408 && response.status != 503);
                                     });
           },
       .keep_connection_open = [&user_agent](std::uint64_t flow,
                                             std::chrono::seconds duration) {
         user_agent.keep_connection_open(flow, duration);
       }});
  registrar.load();
  user_agent.set_connection_closed_handler(
      [&registrar](sip::TransportKind, std::uint64_t flow, const sip::Endpoint&) { registrar.on_connection_closed(flow); });
  call_engine.set_registered_contacts(&registrar);
  user_agent.set_register_handler([&user_agent, &registrar](sip::RequestId id, const sip::SipRequestInfo& request) {
    auto reply = registrar.handle(request);
    user_agent.respond_request(id, reply.status, reply.reason, std::move(reply.headers));
  });
  // Once a second: write the changed bindings behind, and drop expired ones.
  boost::asio::steady_timer registration_sweep(loop);
  std::function<void()> schedule_sweep = [&] {
    registration_sweep.expires_after(std::chrono::seconds{1});
    registration_sweep.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      registrar.flush();
      registrar.sweep();
      schedule_sweep();
    });
  };
  schedule_sweep();
  api::Api api(*store, &call_engine, config.base_domain);
  api.set_metrics([&] {
    const auto sip = user_agent.stats();
    std::string out;
    auto family = [&](std::string_view name, std::string_view type, std::string_view help) {
      out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    };
    auto metric = [&](std::string_view name, std::string_view type, std::string_view help, std::uint64_t value) {
      family(name, type, help);
      out += fmt::format("{} {}\n", name, value);
    };
    metric("switchboard_sip_messages_received_total", "counter", "SIP messages received", sip.transport.messages_received);
    metric("switchboard_sip_messages_sent_total", "counter", "SIP messages sent", sip.transport.messages_sent);
    metric("switchboard_sip_malformed_received_total", "counter", "SIP messages that could not be parsed or validated",
           sip.transport.malformed_received);
    metric("switchboard_sip_malformed_answered_total", "counter", "malformed SIP requests answered 400/414/416/505/513",
           sip.transport.malformed_answered);
    metric("switchboard_sip_send_failures_total", "counter", "SIP messages that could not be sent",
           sip.transport.send_failures);
    metric("switchboard_sip_connections_opened_total", "counter", "TCP/TLS connections opened",
           sip.transport.connections_opened);
    metric("switchboard_sip_dialogs", "gauge", "SIP dialogs alive", sip.dialogs);
    metric("switchboard_sip_transactions", "gauge", "SIP transactions alive",
           sip.client_transactions + sip.server_transactions);
    metric("switchboard_calls_active", "gauge", "calls in progress (queued, ringing or answered)",
           call_engine.active_calls());
    metric("switchboard_sip_banned_sources", "gauge", "source addresses banned after authentication failures",
           auth_guard.banned_count());
    metric("switchboard_sip_registrations", "gauge", "registered contacts (bindings) of SIP domains",
           registrar.binding_count());
    family("switchboard_sip_register_refused_total", "counter", "REGISTERs refused, by Twilio error code");
    for (const auto& [code, count] : registrar.refusals()) {
      out += fmt::format("switchboard_sip_register_refused_total{{code=\"{}\"}} {}\n", code, count);
    }
    metric("switchboard_sip_nat_keepalives_sent_total", "counter", "keep-alive OPTIONS sent to NATed UDP contacts",
           registrar.keepalives_sent());
    metric("switchboard_sip_nat_keepalive_contacts", "gauge", "registered UDP contacts behind a NAT kept alive",
           registrar.keepalive_watched());
    metric("switchboard_sip_registrations_dropped_total", "counter",
           "bindings dropped as unreachable (connection closed, keep-alives unanswered)",
           registrar.connection_drops() + registrar.keepalive_drops());
    family("switchboard_sip_inbound_refused_total", "counter", "INVITEs to SIP domains refused, by Twilio error code");
    for (const auto& [code, count] : domain_router.refusals()) {
      out += fmt::format("switchboard_sip_inbound_refused_total{{code=\"{}\"}} {}\n", code, count);
    }
    return out;
  });
  http::Server server(loop,
                      http::ServerOptions{
                          .max_body_bytes = config.http_max_body_bytes,
                          .max_header_bytes = 16 * 1024,
                          .request_timeout = config.http_request_timeout,
                          .idle_timeout = config.http_idle_timeout,
                          .shutdown_grace = std::chrono::seconds{10},
                          .error_response = &api::Api::error_response,
                      },
                      [&api](http::Request request, http::Reply reply) {
                        api.handle(std::move(request), std::move(reply));
                      });

  int exit_code = 0;
  auto start_listening = [&](const store::Account& main_account, bool is_new) {
    try {
      const auto port = server.listen(config.http.host, config.http.port);
      call_engine.set_api_base_url(fmt::format("http://{}", Endpoint{config.http.host, port}.to_string()));
      spdlog::info("http: listening on {}", Endpoint{config.http.host, port}.to_string());
      print_banner(config, port, user_agent.local_port(sip::TransportKind::Udp),
                   user_agent.local_port(sip::TransportKind::Tls), main_account,
                   is_new || options.show_credentials, is_new);
    } catch (const std::exception& e) {
      spdlog::critical("cannot listen for HTTP on {}: {}", config.http.to_string(), e.what());
      exit_code = 1;
      loop.stop();
    }
  };

  if (auto main_account = store->accounts().find_first_main()) {
    if (std::getenv("SWITCHBOARD_ACCOUNT_SID") != nullptr &&
        main_account->sid != main_account_seed().sid) {
      spdlog::warn("SWITCHBOARD_ACCOUNT_SID is ignored: the main account {} already exists in {}",
                   main_account->sid, config.data_dir.string());
    }
    start_listening(*main_account, false);
  } else {
    const Seed seed = main_account_seed();
    const auto now = now_seconds();
    store::Account account{.sid = seed.sid,
                           .owner_account_sid = "",
                           .friendly_name = "Main Account",
                           .status = "active",
                           .type = "Full",
                           .auth_token = seed.token,
                           .date_created = now,
                           .date_updated = now};
    store->accounts().insert(account, [&, account, seed](std::error_code ec) {
      if (ec) {
        spdlog::critical("cannot create the main account: {}", ec.message());
        exit_code = 1;
        loop.stop();
        return;
      }
      spdlog::info("main account {} created ({})", account.sid,
                   seed.is_generated ? "generated" : "from SWITCHBOARD_ACCOUNT_SID");
      start_listening(account, seed.is_generated);
    });
  }

  boost::asio::signal_set signals(loop, SIGINT, SIGTERM);
  bool is_stopping = false;
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        if (is_stopping) {
          spdlog::warn("second signal: stopping now");
          loop.stop();
          return;
        }
        is_stopping = true;
        spdlog::info("signal {}: finishing requests in flight, then stopping", signal);
        // REST first (no new calls), then the calls themselves, then media, SIP and the store.
        server.shutdown([&] {
          call_engine.shutdown([&] {
            engine_for_media = nullptr;
            media_engine.stop();
            registration_sweep.cancel();
            registrar.flush();
            user_agent.close();
            http_client.shutdown();
            store->close();
            spdlog::info("stopped cleanly");
            signals.cancel();
            loop.stop();
          });
        });
        signals.async_wait(on_signal);
      };
  signals.async_wait(on_signal);

  if (config.realtime_priority > 0) run_in_realtime(config.realtime_priority);
  loop.run();
  store->close();
  return exit_code;
}

int print_credentials(const std::filesystem::path& data_dir) {
  const auto file = data_dir / kDatabaseFile;
  if (!std::filesystem::exists(file)) {
    std::cerr << "no database at " << file.string() << ": start `switchboard serve` first\n";
    return 1;
  }
  boost::asio::io_context loop(1);
  auto store = store::sqlite::open_store(file, [&loop](std::function<void()> f) {
    boost::asio::post(loop, std::move(f));
  });
  const auto main_account = store->accounts().find_first_main();
  store->close();
  if (!main_account) {
    std::cerr << "the database has no main account yet: start `switchboard serve` first\n";
    return 1;
  }
  std::cout << "Account SID: " << main_account->sid << "\nAuth token:  " << main_account->auth_token << "\n";
  return 0;
}

}  // namespace sb::app
