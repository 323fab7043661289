#include "sip/dialog/user_agent.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <charconv>
#include <map>
#include <unordered_map>

#include "core/crypto.hpp"
#include "core/log.hpp"
#include "sip/auth/digest.hpp"
#include "sip/dialog/dialog.hpp"
#include "sip/dns/target_resolver.hpp"
#include "sip/message/syntax.hpp"
#include "sip/parser/message_builder.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "sip/transport/routing.hpp"

namespace sb::sip {
namespace asio = boost::asio;

std::string_view SipRequestInfo::header(std::string_view name) const {
  const auto id = lookup_header(name);
  for (const auto& h : headers) {
    if (id != HeaderId::Other ? lookup_header(h.name) == id : syntax::iequals(h.name, name)) return h.value;
  }
  return {};
}

namespace {

constexpr std::string_view kAllow = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY";
constexpr std::string_view kSupported = "replaces, timer";

SipHeaders headers_of(const Message& m) {
  SipHeaders out;
  out.reserve(m.header_count());
  for (std::size_t i = 0; i < m.header_count(); ++i) {
    const auto h = m.header_at(i);
    out.push_back({h.id == HeaderId::Other ? std::string(h.name) : std::string(canonical_name(h.id)), std::string(h.value)});
  }
  return out;
}

SipResponseInfo response_info(const Message& m) {
  SipResponseInfo info;
  info.status = m.status_code();
  info.reason = std::string(m.reason_phrase());
  info.headers = headers_of(m);
  if (m.has_body()) {
    info.content_type = std::string(m.header(HeaderId::ContentType).value_or(""));
    info.body = std::string(m.body());
  }
  return info;
}

SipResponseInfo synthetic_response(int status) {
  SipResponseInfo info;
  info.status = status;
  info.reason = std::string(default_reason_phrase(status));
  return info;
}

SipRequestInfo request_info(const Message& m, const Source& source) {
  SipRequestInfo info;
  info.method = std::string(m.method());
  info.request_uri = std::string(m.request_uri_text());
  info.from = std::string(m.header(HeaderId::From).value_or(""));
  info.to = std::string(m.header(HeaderId::To).value_or(""));
  info.call_id = std::string(m.header(HeaderId::CallId).value_or(""));
  info.headers = headers_of(m);
  if (m.has_body()) {
    info.content_type = std::string(m.header(HeaderId::ContentType).value_or(""));
    info.body = std::string(m.body());
  }
  info.transport = source.kind;
  info.source = source.remote;
  return info;
}

bool has_option_tag(const Message& m, HeaderId id, std::string_view tag) {
  for (const auto v : m.values(id))
    if (syntax::iequals(v, tag)) return true;
  return false;
}

// RFC 4028 4: "Session-Expires: delta-seconds *(;param)"; nullopt when absent or malformed.
struct SessionExpires {
  std::uint32_t seconds = 0;
  std::string refresher;
};
std::optional<SessionExpires> session_expires(const Message& m) {
  const auto value = m.header(HeaderId::SessionExpires);
  if (!value) return std::nullopt;
  auto text = *value;
  const auto semi = text.find(';');
  auto seconds = parse_delta_seconds(syntax::trim_lws(text.substr(0, semi)));
  if (!seconds) return std::nullopt;
  SessionExpires se{*seconds, {}};
  if (semi != std::string_view::npos) {
    ParamList params(text.substr(semi));
    if (auto r = params.find("refresher")) se.refresher = std::string(*r);
  }
  return se;
}

// The status code of a message/sipfrag body ("SIP/2.0 200 OK"), or 0.
int sipfrag_status(std::string_view body) {
  if (!body.starts_with("SIP/2.0 ") || body.size() < 11) return 0;
  int status = 0;
  const auto r = std::from_chars(body.data() + 8, body.data() + 11, status);
  return r.ec == std::errc{} ? status : 0;
}

}  // namespace

struct UserAgent::Impl {
  // Everything needed to (re)build a request: auth retries rebuild with a new branch and CSeq.
  struct RequestSpec {
    std::string method;
    std::string request_uri;
    std::string from;
    std::string to;
    std::string call_id;
    std::uint32_t cseq = 1;
    std::vector<std::string> routes;
    SipHeaders headers;
    std::string content_type;
    std::string body;
    Destination destination;
    // RFC 3263: a next hop still to resolve (send() resolves it first), then the targets in
    // order and the one in use; a 503 or a timeout moves to the next (4.3).
    std::optional<NextHop> next_hop;
    std::vector<Target> targets;
    std::size_t target_index = 0;
    std::string tls_name;  // RFC 5922: a TLS target is verified against the next hop's domain
    bool is_abandoned = false;  // cancelled by the TU: no failover, no send after resolution
    bool is_udp_explicit = false;
    bool has_contact = false;
    std::string auth_username;
    std::string auth_password;
    bool has_auth_retry = false;
    std::string authorization_name;
    std::string authorization_value;
    DialogId dialog = 0;
    std::uint64_t client_id = 0;
    std::optional<Message> sent;  // the last request sent
  };
  using ResponseHandler = std::function<void(const Message&)>;

  struct Outgoing {
    OutgoingCallHandlers handlers;
    std::shared_ptr<RequestSpec> spec;
    bool has_explicit_destination = false;
    bool is_cancelled = false;
    std::vector<DialogId> early_dialogs;  // RFC 3261 12.1.2: one per To tag of a 1xx
  };

  struct Incoming {
    std::uint64_t server_id = 0;
    std::string local_tag;
    IncomingCallHandlers handlers;
    DialogId dialog = 0;
  };

  // RFC 4028: the session interval in force and which side refreshes it.
  struct SessionTimer {
    std::chrono::seconds interval{0};  // 0: no session timer
    bool is_refresher = false;         // we send the refreshes
    std::uint32_t min_se = 0;          // the largest Min-SE a 422 taught us
    TimerWheel::TimerId refresh;       // half the interval (refresher only)
    TimerWheel::TimerId expiry;        // the interval less min(32 s, interval/3): BYE
  };

  struct DialogEntry {
    Dialog dialog;
    DialogHandlers handlers;
    IncomingCallId incoming = 0;
    OutgoingCallId early_of = 0;  // UAC early dialog: the INVITE it belongs to (0: confirmed)
    std::string auth_username;
    std::string auth_password;
    SessionTimer session;
    bool peer_allows_update = false;   // UPDATE in the peer's Allow: refreshes use it (RFC 4028 9)
    bool peer_supports_timer = false;  // "timer" in the peer's Supported
    std::string local_sdp;             // the last session description we sent, for re-INVITEs
    // UAS: our 2xx, retransmitted until the ACK (13.3.1.4).
    std::optional<Message> pending_ok;
    std::uint64_t pending_server_id = 0;
    std::chrono::milliseconds ok_interval{0};
    TimerWheel::TimerId ok_retransmit;
    TimerWheel::TimerId ok_give_up;
    std::function<void(int, bool)> refer_progress;
    bool is_refer_subscription = false;  // the peer REFERred us: NOTIFY goes out
  };

  Impl(asio::io_context& io, UserAgentConfig c)
      : loop(io),
        config(std::move(c)),
        wheel(config.tick, 4096, now()),
        tick_timer(io) {
    transport = std::make_unique<NetworkTransport>(loop, wheel, config.transport);
    layer = std::make_unique<TransactionLayer>(*transport, wheel, config.timers);
    TargetPolicy policy;
    policy.supports = [this](TransportKind kind) { return transport->supports(kind); };
    policy.has_ipv4 = transport->can_send_ipv4();
    policy.has_ipv6 = transport->can_send_ipv6();
    target_resolver = std::make_unique<TargetResolver>(transport->resolver(), std::move(policy));
    transport->set_receive_handler([this](Message m, const Source& s) { layer->receive(std::move(m), s); });
    TransactionUser user;
    user.on_request = [this](std::uint64_t id, const Message& r, const Source& s) { on_request(id, r, s); };
    user.on_cancel = [this](std::uint64_t id, const Message& c) { on_cancel(id, c); };
    user.on_ack = [this](const Message& a, const Source& s) { on_ack(a, s); };
    user.on_stray_response = [this](const Message& r, const Source&) { on_stray_response(r); };
    user.on_server_terminated = [this](std::uint64_t id, bool is_timeout) { on_server_terminated(id, is_timeout); };
    layer->set_user(std::move(user));
    schedule_tick();
  }

  ~Impl() {
    is_closed = true;
    tick_timer.cancel();
    dialogs.clear();
    layer.reset();
    target_resolver.reset();
    transport.reset();
  }

  TimerWheel::TimePoint now() const { return config.clock ? config.clock() : TimerWheel::Clock::now(); }

  void schedule_tick() {
    if (is_closed) return;
    tick_timer.expires_after(config.tick);
    tick_timer.async_wait([this](boost::system::error_code ec) {
      if (ec || is_closed) return;
      wheel.advance(now());
      schedule_tick();
    });
  }

  // --- Building and sending requests ---------------------------------------------------------
  std::string contact(TransportKind kind) const {
    std::string c = "<sip:" + config.contact_user + "@" + transport->sent_by(kind);
    if (kind != TransportKind::Udp) {
      c += ";transport=";
      c += kind == TransportKind::Tcp ? "tcp" : "tls";
    }
    c += ">";
    return c;
  }

  std::optional<Message> build(RequestSpec& spec) {
    auto make = [&](TransportKind kind) {
      auto b = MessageBuilder::request(spec.method, spec.request_uri);
      b.add(HeaderId::Via, "SIP/2.0/" + std::string(transport_name(kind)) + " " + transport->sent_by(kind) +
                               ";branch=" + TransactionLayer::make_branch() + ";rport");
      b.add(HeaderId::MaxForwards, "70");
      for (const auto& r : spec.routes) b.add(HeaderId::Route, r);
      b.add(HeaderId::From, spec.from);
      b.add(HeaderId::To, spec.to);
      b.add(HeaderId::CallId, spec.call_id);
      b.add(HeaderId::CSeq, std::to_string(spec.cseq) + " " + spec.method);
      if (spec.has_contact) b.add(HeaderId::Contact, contact(kind));
      if (spec.method == "INVITE" || spec.method == "UPDATE") {
        b.add(HeaderId::Allow, kAllow);
        b.add(HeaderId::Supported, kSupported);
      }
      b.add(HeaderId::UserAgent, config.user_agent);
      for (const auto& h : spec.headers) b.add(h.name, h.value);
      if (!spec.authorization_value.empty()) b.add(spec.authorization_name, spec.authorization_value);
      if (!spec.body.empty()) {
        b.add(HeaderId::ContentType, spec.content_type);
        b.body(spec.body);
      }
      return b;
    };
    auto b = make(spec.destination.kind);
    // RFC 3261 18.1.1: large requests leave UDP for TCP unless UDP was asked for explicitly.
    const auto kind = choose_request_transport(spec.destination.kind, b.to_string().size(), spec.is_udp_explicit,
                                               transport->supports(TransportKind::Tcp));
    if (kind != spec.destination.kind) {
      spec.destination.kind = kind;
      b = make(kind);
    }
    auto built = b.build();
    if (!built) return std::nullopt;
    return std::move(*built);
  }

  // RFC 3263's starting point for a request to `uri`: the explicit next hop (outbound proxy,
  // trunk) when given, else the URI. A transport other than UDP asked by the caller counts as
  // explicit (secure=true, a TCP trunk); UDP is only the default.
  static std::optional<NextHop> next_hop_of(const Uri& uri, TransportKind transport,
                                            const std::optional<std::string>& destination_host,
                                            std::uint16_t destination_port) {
    std::optional<NextHop> hop;
    if (destination_host) {
      hop = NextHop{*destination_host, std::nullopt, std::nullopt, uri.scheme == UriScheme::Sips};
      if (hop->host.size() >= 2 && hop->host.front() == '[' && hop->host.back() == ']') {
        hop->host = hop->host.substr(1, hop->host.size() - 2);
      }
      if (destination_port != 0) hop->port = destination_port;
      hop->transport = transport;
      if (transport == TransportKind::Udp && !hop->is_sips && uri.transport().empty()) hop->transport.reset();
      if (hop->is_sips) hop->transport = TransportKind::Tls;
      return hop;
    }
    hop = next_hop_for(uri);
    if (hop && !hop->transport && transport != TransportKind::Udp) hop->transport = transport;
    return hop;
  }

  static void use_target(RequestSpec& spec) {
    const auto& t = spec.targets[spec.target_index];
    spec.destination = Destination{t.kind, t.address, t.port, 0, {}};
    if (t.address != spec.tls_name) spec.destination.tls_name = spec.tls_name;
  }

  // A final response made by us for `spec` (its request never got one): the same fields as the
  // transaction layer's own 408/503.
  std::optional<Message> local_response(RequestSpec& spec, int status) {
    if (auto request = build(spec)) {
      if (auto m = make_response(*request, status).build()) return std::move(*m);
    }
    if (auto m = MessageBuilder::response(status).build()) return std::move(*m);
    return std::nullopt;
  }

  // RFC 3263: resolves spec->next_hop into targets, then sends to the first. A numeric host
  // needs no DNS and is sent at once. Returns the client transaction id, 0 while resolving.
  std::uint64_t resolve_and_send(const std::shared_ptr<RequestSpec>& spec, ResponseHandler on_response) {
    auto hop = std::move(*spec->next_hop);
    spec->next_hop.reset();
    spec->tls_name = hop.host;
    if (auto target = target_resolver->numeric_target(hop)) {
      spec->targets = {*target};
      spec->target_index = 0;
      use_target(*spec);
      return send(spec, std::move(on_response));
    }
    spec->client_id = 0;
    target_resolver->resolve(hop, [this, spec, host = hop.host, on_response = std::move(on_response)](
                                      Result<std::vector<Target>> targets) {
      if (is_closed) return;
      if (spec->is_abandoned || !targets) {
        if (!targets && !spec->is_abandoned) {
          spdlog::info("sip: cannot resolve {} for {} {} (Call-ID {}): {}", host, spec->method, spec->request_uri,
                       spec->call_id, targets.error().message());
        }
        if (auto m = local_response(*spec, spec->is_abandoned ? 487 : 503)) on_response(*m);
        return;
      }
      spec->targets = std::move(*targets);
      spec->target_index = 0;
      use_target(*spec);
      send(spec, on_response);
    });
    return 0;
  }

  // RFC 3263 4.3: a 503, a timeout or a transport error moves the request to the next target,
  // as a new transaction (new branch) with the same CSeq. True when it did.
  bool fail_over(const std::shared_ptr<RequestSpec>& spec, const Message& response, const ResponseHandler& on_response) {
    const int status = response.status_code();
    if (status != 503 && status != 408) return false;
    if (spec->is_abandoned || spec->target_index + 1 >= spec->targets.size()) return false;
    const auto* tx = layer->client(spec->client_id);
    const bool is_local = tx && tx->failure() != ClientTransaction::Failure::None;
    if (status == 408 && !is_local) return false;  // the server answered 408 itself
    ++spec->target_index;
    const auto& next = spec->targets[spec->target_index];
    spdlog::info("sip: {} {} failed with {} ({}); trying {} {}", spec->method, spec->request_uri, status,
                 is_local ? "no response" : "from the server", transport_name(next.kind),
                 to_string(Endpoint{next.address, next.port}));
    use_target(*spec);
    send(spec, on_response);
    return true;
  }

  // Sends `spec` in a client transaction; a 401/407 is answered once when credentials exist.
  std::uint64_t send(const std::shared_ptr<RequestSpec>& spec, ResponseHandler on_response) {
    if (spec->next_hop) return resolve_and_send(spec, std::move(on_response));
    auto request = build(*spec);
    if (!request) {
      asio::post(loop, [on_response] {
        if (auto m = MessageBuilder::response(400).build()) on_response(*m);
      });
      return 0;
    }
    spec->sent = *request;
    spec->client_id = layer->send_request(std::move(*request), spec->destination, [this, spec, on_response](const Message& r) {
      if (fail_over(spec, r, on_response)) return;
      const int status = r.status_code();
      if ((status == 401 || status == 407) && !spec->auth_username.empty() && !spec->has_auth_retry) {
        const auto header = r.header(status == 401 ? HeaderId::WwwAuthenticate : HeaderId::ProxyAuthenticate);
        if (auto challenge = header ? parse_digest_challenge(*header) : std::nullopt) {
          spec->has_auth_retry = true;
          spec->cseq += 1;
          spec->authorization_name = status == 401 ? "Authorization" : "Proxy-Authorization";
          spec->authorization_value = make_digest_authorization(*challenge, spec->auth_username, spec->auth_password,
                                                                spec->method, spec->request_uri);
          if (spec->dialog != 0) {
            if (auto d = dialogs.find(spec->dialog); d != dialogs.end())
              d->second.dialog.local_cseq = std::max(d->second.dialog.local_cseq, spec->cseq);
          }
          send(spec, on_response);
          return;
        }
      }
      on_response(r);
    });
    return spec->client_id;
  }

  std::shared_ptr<RequestSpec> dialog_spec(DialogEntry& d, std::string method) {
    auto spec = std::make_shared<RequestSpec>();
    spec->method = std::move(method);
    spec->request_uri = d.dialog.remote_target;
    spec->from = d.dialog.local_uri + ";tag=" + d.dialog.local_tag;
    spec->to = d.dialog.remote_uri + (d.dialog.remote_tag.empty() ? "" : ";tag=" + d.dialog.remote_tag);
    spec->call_id = d.dialog.call_id;
    spec->cseq = spec->method == "ACK" ? d.dialog.local_cseq : ++d.dialog.local_cseq;
    spec->routes = d.dialog.route_set;
    spec->destination = d.dialog.next_hop().value_or(Destination{d.dialog.kind, "127.0.0.1", 0, 0});
    spec->is_udp_explicit = true;  // in-dialog: stay on the dialog's transport
    spec->auth_username = d.auth_username;
    spec->auth_password = d.auth_password;
    return spec;
  }

  // --- Outgoing calls ---------------------------------------------------------------------------
  OutgoingCallId place_call(OutgoingCallRequest request, OutgoingCallHandlers handlers) {
    const auto id = next_id++;
    auto spec = std::make_shared<RequestSpec>();
    spec->method = "INVITE";
    spec->request_uri = request.request_uri;
    const auto uri = parse_uri(spec->request_uri);
    std::optional<Destination> destination;
    if (request.destination_host) {
      destination = Destination{request.transport, *request.destination_host, request.destination_port, 0};
    } else if (uri) {
      destination = destination_for_uri(*uri, request.transport);
    }
    if (!uri || !destination) {
      asio::post(loop, [handlers] {
        if (handlers.on_final) handlers.on_final(synthetic_response(416), 0);
      });
      return id;
    }
    if (uri->transport().empty()) destination->kind = request.transport;
    spec->is_udp_explicit = syntax::iequals(uri->transport(), "udp");
    spec->next_hop = next_hop_of(*uri, request.transport, request.destination_host, request.destination_port);
    const auto kind = destination->kind;
    std::string from_host = request.from_host.empty() ? transport->sent_by(kind) : request.from_host;
    if (const auto colon = from_host.rfind(':'); request.from_host.empty() && colon != std::string::npos &&
                                                  from_host.find(']') == std::string::npos) {
      from_host.resize(colon);
    } else if (request.from_host.empty()) {
      from_host = from_host.substr(0, from_host.rfind(':'));
    }
    std::string from;
    if (!request.from_display.empty()) {
      from = "\"";
      for (char c : request.from_display) {
        if (c == '"' || c == '\\') from.push_back('\\');
        from.push_back(c);
      }
      from += "\" ";
    }
    from += "<sip:" + (request.from_user.empty() ? std::string() : request.from_user + "@") + from_host + ">";
    spec->from = from + ";tag=" + crypto::random_hex(6);
    spec->to = "<" + (request.to.empty() ? request.request_uri : request.to) + ">";
    spec->call_id = crypto::random_hex(12) + "@" + from_host;
    spec->cseq = 1;
    spec->headers = std::move(request.headers);
    if (!request.sdp.empty()) {
      spec->content_type = "application/sdp";
      spec->body = std::move(request.sdp);
    }
    spec->destination = *destination;
    spec->has_contact = true;
    spec->auth_username = std::move(request.auth_username);
    spec->auth_password = std::move(request.auth_password);
    const bool has_explicit_destination = request.destination_host.has_value();
    outgoing[id] = Outgoing{std::move(handlers), spec, has_explicit_destination, false, {}};
    send(spec, [this, id, spec, has_explicit_destination](const Message& r) {
      on_invite_response(id, *spec, has_explicit_destination, r);
    });
    return id;
  }

  // RFC 3261 13.2.2.4: the ACK of a 2xx is a new request in the dialog, outside any
  // transaction, with the INVITE's CSeq number. It is kept for 64*T1 (as long as the INVITE
  // transaction's Accepted state, RFC 6026) and sent again for each retransmission of that 2xx,
  // even after the dialog ended.
  void send_ack_for_2xx(DialogEntry& d, std::uint32_t cseq) {
    auto spec = dialog_spec(d, "ACK");
    spec->cseq = cseq;
    auto ack = build(*spec);
    if (!ack) return;
    const auto key = ack_key(d.dialog.key(), cseq);
    auto& sent = sent_acks[key];
    wheel.cancel(sent.expiry);
    sent.bytes = std::string(ack->text());
    sent.destination = spec->destination;
    sent.expiry = wheel.schedule(config.timers.timer_b(), [this, key] { sent_acks.erase(key); });
    layer->send_stateless(sent.bytes, sent.destination);
  }

  static std::string ack_key(std::string_view dialog_key, std::uint32_t cseq) {
    return std::string(dialog_key) + "|" + std::to_string(cseq);
  }

  // A 2xx to an INVITE we already ACKed (a retransmission): ACK again. True when it was one.
  bool resend_ack(const Message& ok) {
    auto to = ok.to();
    auto from = ok.from();
    auto call_id = ok.call_id();
    auto cseq = ok.cseq();
    if (!to || !from || !call_id || !cseq) return false;
    auto it = sent_acks.find(ack_key(Dialog::make_key(*call_id, from->tag(), to->tag()), cseq->number));
    if (it == sent_acks.end()) return false;
    layer->send_stateless(it->second.bytes, it->second.destination);
    return true;
  }

  // RFC 3261 12.1.2: a 1xx (not 100) with a To tag creates an early dialog, one per tag: several
  // when a forking proxy reaches several UASs. Later 1xx of the same tag update its target.
  void track_early_dialog(OutgoingCallId id, Outgoing& o, const Message& r) {
    auto to = r.to();
    auto call_id = r.call_id();
    auto from = r.from();
    if (!to || !to->has_tag() || !call_id || !from || !o.spec->sent) return;
    if (auto d = dialog_keys.find(Dialog::make_key(*call_id, from->tag(), to->tag())); d != dialog_keys.end()) {
      dialogs.at(d->second).dialog.refresh_target(r);
      return;
    }
    auto dialog = Dialog::from_uac(*o.spec->sent, r);
    if (!dialog) return;
    dialog->kind = o.spec->destination.kind;
    if (o.has_explicit_destination) dialog->destination_override = o.spec->destination;
    const auto did = next_id++;
    auto& entry = dialogs[did];
    entry.dialog = std::move(*dialog);
    entry.early_of = id;
    dialog_keys[entry.dialog.key()] = did;
    o.early_dialogs.push_back(did);
  }

  // The early dialogs of `o` end (a final response arrived), except `confirmed`.
  void end_early_dialogs(Outgoing& o, DialogId confirmed = 0) {
    for (const auto did : o.early_dialogs) {
      if (did != confirmed) end_dialog(did);
    }
    o.early_dialogs.clear();
  }

  void on_invite_response(OutgoingCallId id, const RequestSpec& spec, bool has_explicit_destination, const Message& r) {
    const int status = r.status_code();
    if (status >= 200 && status < 300) return on_invite_2xx(id, spec, has_explicit_destination, r);
    auto it = outgoing.find(id);
    if (it == outgoing.end()) return;
    if (status < 200) {
      if (status > 100) track_early_dialog(id, it->second, r);
      if (it->second.handlers.on_provisional) it->second.handlers.on_provisional(response_info(r));
      return;
    }
    // RFC 3261 12.3: a non-2xx final response ends every early dialog of the INVITE.
    end_early_dialogs(it->second);
    auto handlers = std::move(it->second.handlers);
    const bool is_cancelled = it->second.is_cancelled;
    outgoing.erase(it);
    if (handlers.on_final) handlers.on_final(is_cancelled && status == 408 ? synthetic_response(487) : response_info(r), 0);
  }

  // RFC 3261 13.2.2.4: each 2xx confirms a dialog and gets an ACK. The first one answers the
  // call: its early dialog (same To tag) becomes confirmed and the others end. A 2xx with
  // another To tag after that comes from a second fork: ACK it, then BYE it. A 2xx that was
  // already ACKed is a retransmission: ACK again.
  void on_invite_2xx(OutgoingCallId id, const RequestSpec& spec, bool has_explicit_destination, const Message& r) {
    if (resend_ack(r)) return;
    if (!spec.sent) return;
    auto dialog = Dialog::from_uac(*spec.sent, r);
    if (!dialog) return;
    dialog->kind = spec.destination.kind;
    if (has_explicit_destination) dialog->destination_override = spec.destination;
    auto it = outgoing.find(id);
    DialogId did = 0;
    if (auto d = dialog_keys.find(dialog->key()); d != dialog_keys.end()) {
      if (it == outgoing.end()) return;  // a dialog of ours whose ACK is no longer kept
      did = d->second;
    }
    if (did == 0) did = next_id++;
    if (it != outgoing.end()) end_early_dialogs(it->second, did);
    auto& entry = dialogs[did];
    entry.early_of = 0;
    // 13.2.2.4: the route set and target are taken again from the 2xx; the CSeq of requests
    // the peer sent in the early dialog still counts.
    if (entry.dialog.remote_cseq) dialog->remote_cseq = entry.dialog.remote_cseq;
    entry.dialog = std::move(*dialog);
    entry.auth_username = spec.auth_username;
    entry.auth_password = spec.auth_password;
    learn_peer(entry, r);
    entry.local_sdp = spec.body;
    dialog_keys[entry.dialog.key()] = did;
    send_ack_for_2xx(entry, spec.cseq);
    if (it == outgoing.end()) {
      spdlog::info("sip: a second 2xx to INVITE {} from another fork (To tag {}): ACK and BYE", entry.dialog.call_id,
                   entry.dialog.remote_tag);
      bye(did);
      return;
    }
    auto handlers = std::move(it->second.handlers);
    const bool is_cancelled = it->second.is_cancelled;
    outgoing.erase(it);
    if (is_cancelled) {
      // The 2xx raced our CANCEL: confirm and end the dialog at once.
      bye(did);
      if (handlers.on_final) handlers.on_final(synthetic_response(487), 0);
      return;
    }
    // RFC 4028 7.2: the 2xx sets the session interval; a Session-Expires without "Require:
    // timer" comes from a UAS without session timers, so we refresh.
    auto se = session_expires(r);
    if (se && (se->refresher.empty() || !has_option_tag(r, HeaderId::Require, "timer"))) se->refresher = "uac";
    arm_session_timer(did, se, true);
    if (handlers.on_final) handlers.on_final(response_info(r), did);
  }

  void cancel(OutgoingCallId id) {
    auto it = outgoing.find(id);
    if (it == outgoing.end() || it->second.is_cancelled) return;
    it->second.is_cancelled = true;
    it->second.spec->is_abandoned = true;  // still resolving: ends with 487, nothing sent
    layer->cancel(it->second.spec->client_id, [](const Message&) {});
  }

  void on_stray_response(const Message& r) {
    // A 2xx retransmission after the INVITE transaction ended: ACK it again (13.2.2.4).
    if (r.status_code() < 200 || r.status_code() >= 300) return;
    if (auto cseq = r.cseq(); !cseq || cseq->method != "INVITE") return;
    resend_ack(r);
  }

  // --- Answering requests ------------------------------------------------------------------------
  void reply(std::uint64_t server_id, int status, std::string_view reason = {}, std::string_view local_tag = {},
             const SipHeaders& headers = {}, std::string_view content_type = {}, std::string_view body = {},
             std::optional<TransportKind> contact_kind = std::nullopt) {
    const auto* tx = layer->server(server_id);
    if (!tx) return;
    auto b = make_response_from(tx->request(), tx->source(), status, reason, local_tag);
    if (contact_kind) b.add(HeaderId::Contact, contact(*contact_kind));
    b.add(HeaderId::Server, config.user_agent);
    for (const auto& h : headers) b.add(h.name, h.value);
    if (!body.empty()) {
      b.add(HeaderId::ContentType, content_type);
      b.body(body);
    }
    if (auto m = b.build()) layer->respond(server_id, *m);
  }

  // RFC 3261 8.2.2.2: a request outside a dialog whose Call-ID, From tag and CSeq match a
  // transaction still in progress, but which is a different transaction (another branch: it
  // looped, or forked and merged back), is answered 482 Loop Detected.
  bool is_merged_request(std::uint64_t server_id, const Message& request) {
    const auto from = request.from();
    const auto call_id = request.call_id();
    const auto cseq = request.cseq();
    if (!from || !call_id || !cseq || request.method_id() == Method::Ack || request.method_id() == Method::Cancel) {
      return false;
    }
    std::string key = fmt::format("{}\n{}\n{}\n{}", *call_id, from->tag(), cseq->number, cseq->method);
    if (auto it = recent_requests.find(key); it != recent_requests.end()) {
      if (it->second != server_id && layer->server(it->second) != nullptr) return true;
      it->second = server_id;
      return false;
    }
    if (recent_requests.size() >= recent_requests_limit) {
      std::erase_if(recent_requests, [&](const auto& kv) { return layer->server(kv.second) == nullptr; });
      // Amortised: under load most entries belong to live transactions (UDP non-INVITE ones live
      // 64*T1), so sweep again only once the map has doubled, not on every request.
      recent_requests_limit = std::max(kMaxRecentRequests, 2 * recent_requests.size());
    }
    recent_requests.emplace(std::move(key), server_id);
    return false;
  }

  // RFC 4028 9: the session interval a session refresh request (an INVITE or UPDATE we answer
  // 2xx) settles: its Session-Expires, with the refresher it names, else the UAC when it supports
  // timers, else us (refresher=uas). nullopt: no session timer.
  static std::optional<SessionExpires> negotiated_session(const Message& request) {
    auto se = session_expires(request);
    if (!se) return std::nullopt;
    const bool has_timer = has_option_tag(request, HeaderId::Supported, "timer");
    if (!syntax::iequals(se->refresher, "uac") && !syntax::iequals(se->refresher, "uas")) {
      se->refresher = has_timer ? "uac" : "uas";
    }
    return se;
  }

  // The headers of our 2xx that echo it (Require: timer only to a UAC that supports timers).
  static SipHeaders session_timer_headers(const Message& request) {
    SipHeaders out;
    auto se = negotiated_session(request);
    if (!se) return out;
    out.push_back({"Session-Expires", std::to_string(se->seconds) + ";refresher=" + se->refresher});
    if (has_option_tag(request, HeaderId::Supported, "timer")) out.push_back({"Require", "timer"});
    return out;
  }

  // The peer's capabilities a refresh depends on, from its INVITE, 2xx or refresh.
  static void learn_peer(DialogEntry& entry, const Message& m) {
    if (m.header(HeaderId::Allow)) entry.peer_allows_update = has_option_tag(m, HeaderId::Allow, "UPDATE");
    if (m.header(HeaderId::Supported)) entry.peer_supports_timer = has_option_tag(m, HeaderId::Supported, "timer");
  }

  bool reject_small_session_interval(std::uint64_t server_id, const Message& request) {
    auto se = session_expires(request);
    if (!se || se->seconds >= config.min_session_expires) return false;
    reply(server_id, 422, {}, crypto::random_hex(6), {{"Min-SE", std::to_string(config.min_session_expires)}});
    return true;
  }

  void on_request(std::uint64_t server_id, const Message& request, const Source& source) {
    // A request that has used up its hops is refused (483, Twilio's 32006); OPTIONS with
    // Max-Forwards 0 is answered, as RFC 3261 11 expects of the UA it reached.
    if (const auto hops = request.max_forwards(); hops && *hops == 0 && request.method_id() != Method::Options) {
      return reply(server_id, 483);
    }
    auto to = request.to();
    if (to && to->has_tag()) return on_in_dialog_request(server_id, request, source, std::string(to->tag()));
    if (is_merged_request(server_id, request)) return reply(server_id, 482, {}, crypto::random_hex(6));
    switch (request.method_id()) {
      case Method::Invite: {
        if (reject_small_session_interval(server_id, request)) return;
        if (!on_incoming_call) return reply(server_id, 480, {}, crypto::random_hex(6));
        const auto id = next_id++;
        incoming[id] = Incoming{server_id, crypto::random_hex(6), {}, 0};
        incoming_by_server[server_id] = id;
        on_incoming_call(id, request_info(request, source));
        return;
      }
      case Method::Options:
        return reply(server_id, 200, {}, crypto::random_hex(6),
                     {{"Allow", std::string(kAllow)}, {"Accept", "application/sdp"}, {"Supported", std::string(kSupported)}});
      case Method::Bye:
        return reply(server_id, 481);
      case Method::Register:
        if (!on_register) return reply(server_id, 405, {}, crypto::random_hex(6), {{"Allow", std::string(kAllow)}});
        return on_register(server_id, request_info(request, source));
      default:
        return reply(server_id, 405, {}, crypto::random_hex(6), {{"Allow", std::string(kAllow)}});
    }
  }

  DialogId respond(IncomingCallId id, int status, std::string_view reason, std::string sdp, SipHeaders headers) {
    auto it = incoming.find(id);
    if (it == incoming.end()) return 0;
    auto& in = it->second;
    const auto* tx = layer->server(in.server_id);
    if (!tx || tx->has_final_response()) return 0;
    const auto& request = tx->request();
    const auto source = tx->source();
    if (status >= 200 && status < 300) {
      auto st = session_timer_headers(request);
      headers.insert(headers.end(), st.begin(), st.end());
      headers.push_back({"Allow", std::string(kAllow)});
      headers.push_back({"Supported", std::string(kSupported)});
    }
    auto b = make_response_from(request, source, status, reason, status > 100 ? std::string_view(in.local_tag) : "");
    if (status > 100 && status < 300) b.add(HeaderId::Contact, contact(source.kind));
    b.add(HeaderId::Server, config.user_agent);
    for (const auto& h : headers) b.add(h.name, h.value);
    if (!sdp.empty()) {
      b.add(HeaderId::ContentType, "application/sdp");
      b.body(sdp);
    }
    auto response = b.build();
    if (!response) return 0;
    if (status < 200 || status >= 300) {
      layer->respond(in.server_id, *response);
      if (status >= 300) {
        incoming_by_server.erase(in.server_id);
        incoming.erase(it);
      }
      return 0;
    }
    auto dialog = Dialog::from_uas(request, in.local_tag, source);
    layer->respond(in.server_id, *response);
    if (!dialog) return 0;
    const auto did = next_id++;
    auto& entry = dialogs[did];
    entry.dialog = std::move(*dialog);
    entry.incoming = id;
    learn_peer(entry, request);
    entry.local_sdp = std::move(sdp);
    dialog_keys[entry.dialog.key()] = did;
    in.dialog = did;
    start_ok_retransmission(did, in.server_id, std::move(*response));
    arm_session_timer(did, negotiated_session(request), false);
    return did;
  }

  // RFC 3261 13.3.1.4: the UAS core resends its 2xx (T1 doubling to T2) until the ACK arrives,
  // and gives up after 64*T1 with a BYE.
  void start_ok_retransmission(DialogId did, std::uint64_t server_id, Message ok) {
    auto& entry = dialogs.at(did);
    entry.pending_ok = std::move(ok);
    entry.pending_server_id = server_id;
    entry.ok_interval = config.timers.t1;
    if (!is_reliable(entry.dialog.kind)) {
      entry.ok_retransmit = wheel.schedule(entry.ok_interval, [this, did] { retransmit_ok(did); });
    }
    entry.ok_give_up = wheel.schedule(config.timers.timer_b(), [this, did] { ok_timed_out(did); });
  }

  void retransmit_ok(DialogId did) {
    auto it = dialogs.find(did);
    if (it == dialogs.end() || !it->second.pending_ok) return;
    auto& entry = it->second;
    layer->respond(entry.pending_server_id, *entry.pending_ok);
    entry.ok_interval = std::min(entry.ok_interval * 2, config.timers.t2);
    entry.ok_retransmit = wheel.schedule(entry.ok_interval, [this, did] { retransmit_ok(did); });
  }

  void stop_ok_retransmission(DialogEntry& entry) {
    entry.pending_ok.reset();
    wheel.cancel(entry.ok_retransmit);
    wheel.cancel(entry.ok_give_up);
  }

  void ok_timed_out(DialogId did) {
    auto it = dialogs.find(did);
    if (it == dialogs.end() || !it->second.pending_ok) return;
    stop_ok_retransmission(it->second);
    std::function<void()> on_timeout;
    if (auto in = incoming.find(it->second.incoming); in != incoming.end()) on_timeout = in->second.handlers.on_ack_timeout;
    auto on_terminated = it->second.handlers.on_terminated;
    bye(did);
    if (on_timeout) on_timeout();
    if (on_terminated) on_terminated();
  }

  void on_ack(const Message& ack, const Source& source) {
    auto to = ack.to();
    auto from = ack.from();
    auto call_id = ack.call_id();
    if (!to || !from || !call_id) return;
    auto d = dialog_keys.find(Dialog::make_key(*call_id, to->tag(), from->tag()));
    if (d == dialog_keys.end()) return;
    auto& entry = dialogs.at(d->second);
    if (!entry.pending_ok) return;  // a retransmitted ACK
    stop_ok_retransmission(entry);
    if (auto in = incoming.find(entry.incoming); in != incoming.end()) {
      auto on_ack_handler = in->second.handlers.on_ack;
      incoming_by_server.erase(in->second.server_id);
      incoming.erase(in);
      entry.incoming = 0;
      if (on_ack_handler) on_ack_handler(request_info(ack, source));
    }
  }

  void on_cancel(std::uint64_t invite_server_id, const Message&) {
    auto it = incoming_by_server.find(invite_server_id);
    if (it == incoming_by_server.end()) {
      reply(invite_server_id, 487);
      return;
    }
    const auto id = it->second;
    auto in = incoming.find(id);
    if (in == incoming.end()) return;
    auto on_cancel_handler = in->second.handlers.on_cancel;
    reply(invite_server_id, 487, {}, in->second.local_tag);
    incoming_by_server.erase(it);
    incoming.erase(in);
    if (on_cancel_handler) on_cancel_handler();
  }

  void on_server_terminated(std::uint64_t server_id, bool) {
    auto it = incoming_by_server.find(server_id);
    if (it == incoming_by_server.end()) return;
    // An INVITE whose transaction ended without the TU answering finally, or whose 2xx dialog
    // waits for an ACK (the dialog keeps its own timers).
    auto in = incoming.find(it->second);
    incoming_by_server.erase(it);
    if (in != incoming.end() && in->second.dialog == 0) incoming.erase(in);
  }

  void end_dialog(DialogId did) {
    auto it = dialogs.find(did);
    if (it == dialogs.end()) return;
    stop_ok_retransmission(it->second);
    stop_session_timer(it->second.session);
    dialog_keys.erase(it->second.dialog.key());
    if (auto in = incoming.find(it->second.incoming); in != incoming.end()) {
      incoming_by_server.erase(in->second.server_id);
      incoming.erase(in);
    }
    dialogs.erase(it);
  }

  void on_in_dialog_request(std::uint64_t server_id, const Message& request, const Source& source, std::string local_tag) {
    auto from = request.from();
    auto call_id = request.call_id();
    auto cseq = request.cseq();
    if (!from || !call_id || !cseq) return reply(server_id, 400);
    auto found = dialog_keys.find(Dialog::make_key(*call_id, local_tag, from->tag()));
    if (found == dialog_keys.end()) return reply(server_id, 481);
    const DialogId did = found->second;
    auto& entry = dialogs.at(did);
    // RFC 3261 12.2.2: a CSeq lower than the last one is out of order.
    if (entry.dialog.remote_cseq && cseq->number < *entry.dialog.remote_cseq) return reply(server_id, 500, "Out of Order");
    entry.dialog.remote_cseq = cseq->number;
    const auto kind = entry.dialog.kind;
    switch (request.method_id()) {
      case Method::Bye: {
        reply(server_id, 200);
        auto handlers = entry.handlers;
        end_dialog(did);
        if (handlers.on_bye) handlers.on_bye(request_info(request, source));
        if (handlers.on_terminated) handlers.on_terminated();
        return;
      }
      case Method::Invite:
      case Method::Update: {
        if (reject_small_session_interval(server_id, request)) return;
        entry.dialog.refresh_target(request);
        if (request.method_id() == Method::Invite && entry.pending_ok) return reply(server_id, 491);
        std::optional<std::string> answer;
        const bool has_offer = request.has_body();
        if (entry.handlers.on_offer && (has_offer || request.method_id() == Method::Invite)) {
          answer = entry.handlers.on_offer(request.body());
        } else if (!has_offer) {
          answer = std::string();
        }
        if (!answer) return reply(server_id, 488);
        // A 2xx to the peer's INVITE or UPDATE is a session refresh (RFC 4028 10): the interval
        // restarts with what it settles.
        auto headers = session_timer_headers(request);
        learn_peer(entry, request);
        if (!answer->empty()) entry.local_sdp = *answer;
        arm_session_timer(did, negotiated_session(request), false);
        if (request.method_id() == Method::Update) {
          return reply(server_id, 200, {}, {}, headers, answer->empty() ? "" : "application/sdp", *answer, kind);
        }
        const auto* tx = layer->server(server_id);
        if (!tx) return;
        auto b = make_response_from(tx->request(), tx->source(), 200);
        b.add(HeaderId::Contact, contact(kind));
        b.add(HeaderId::Server, config.user_agent);
        for (const auto& h : headers) b.add(h.name, h.value);
        if (!answer->empty()) {
          b.add(HeaderId::ContentType, "application/sdp");
          b.body(*answer);
        }
        if (auto ok = b.build()) {
          layer->respond(server_id, *ok);
          start_ok_retransmission(did, server_id, std::move(*ok));
        }
        return;
      }
      case Method::Info: {
        reply(server_id, 200);
        if (entry.handlers.on_info) entry.handlers.on_info(request_info(request, source));
        return;
      }
      case Method::Options:
        return reply(server_id, 200, {}, {}, {{"Allow", std::string(kAllow)}, {"Accept", "application/sdp"}});
      case Method::Refer: {
        if (!request.header(HeaderId::ReferTo)) return reply(server_id, 400, "Missing Refer-To");
        const bool accepted = entry.handlers.on_refer && entry.handlers.on_refer(request_info(request, source));
        if (accepted) entry.is_refer_subscription = true;
        return reply(server_id, accepted ? 202 : 603, {}, {}, {}, {}, {}, kind);
      }
      case Method::Notify: {
        reply(server_id, 200);
        const auto event = request.header(HeaderId::Event).value_or("");
        if (!syntax::iequals(event.substr(0, event.find(';')), "refer") || !entry.refer_progress) return;
        const auto state = request.header(HeaderId::SubscriptionState).value_or("");
        const bool is_final = state.starts_with("terminated");
        auto progress = entry.refer_progress;
        if (is_final) entry.refer_progress = nullptr;
        progress(sipfrag_status(request.body()), is_final);
        return;
      }
      default:
        return reply(server_id, 501);
    }
  }

  // --- Session timers (RFC 4028) ------------------------------------------------------------------
  // `se` is what the 2xx of a session refresh (the initial INVITE included) settled, its
  // refresher resolved to "uac" or "uas" of that transaction; `is_uac` says whether we sent it.
  // No value turns the timer off (10: a refresh without Session-Expires ends session timing).
  void arm_session_timer(DialogId did, const std::optional<SessionExpires>& se, bool is_uac) {
    auto it = dialogs.find(did);
    if (it == dialogs.end()) return;
    auto& session = it->second.session;
    stop_session_timer(session);
    if (!se || se->seconds == 0) {
      session.interval = std::chrono::seconds(0);
      return;
    }
    session.interval = std::chrono::seconds(se->seconds);
    session.is_refresher = syntax::iequals(se->refresher, "uac") == is_uac;
    // 10: the refresher sends its refresh at half the interval; either side ends a session
    // that got none by the interval less min(32 s, interval/3) with a BYE.
    if (session.is_refresher) {
      session.refresh = wheel.schedule(session.interval / 2, [this, did] { refresh_session(did); });
    }
    const auto margin = std::min<std::chrono::seconds>(std::chrono::seconds(32), session.interval / 3);
    session.expiry = wheel.schedule(session.interval - margin, [this, did] { session_expired(did); });
  }

  void stop_session_timer(SessionTimer& session) {
    wheel.cancel(session.refresh);
    wheel.cancel(session.expiry);
  }

  void session_expired(DialogId did) {
    auto it = dialogs.find(did);
    if (it == dialogs.end()) return;
    spdlog::info("sip: session of Call-ID {} expired without a refresh (RFC 4028): BYE", it->second.dialog.call_id);
    end_with_bye(did);
  }

  // Ends a dialog the peer has not ended: BYE, then on_terminated.
  void end_with_bye(DialogId did) {
    auto it = dialogs.find(did);
    if (it == dialogs.end()) return;
    auto on_terminated = it->second.handlers.on_terminated;
    bye(did);
    if (on_terminated) on_terminated();
  }

  // 7.4 / 9: a refresh is an UPDATE without a body when the peer allows UPDATE, else a re-INVITE
  // offering the session description we last sent (unchanged, RFC 3264 8). It carries the
  // interval in force with us as refresher.
  void refresh_session(DialogId did) {
    auto it = dialogs.find(did);
    if (it == dialogs.end() || it->second.session.interval.count() == 0) return;
    auto& entry = it->second;
    const bool is_update = entry.peer_allows_update || entry.local_sdp.empty();
    auto spec = dialog_spec(entry, is_update ? "UPDATE" : "INVITE");
    spec->dialog = did;
    spec->has_contact = true;
    spec->headers.push_back(
        {"Session-Expires", std::to_string(entry.session.interval.count()) + ";refresher=uac"});
    if (entry.session.min_se != 0) spec->headers.push_back({"Min-SE", std::to_string(entry.session.min_se)});
    if (!is_update) {
      spec->content_type = "application/sdp";
      spec->body = entry.local_sdp;
    }
    send(spec, [this, did, spec](const Message& r) { on_refresh_response(did, *spec, r); });
  }

  void on_refresh_response(DialogId did, const RequestSpec& spec, const Message& r) {
    const int status = r.status_code();
    if (status < 200) return;
    auto it = dialogs.find(did);
    if (it == dialogs.end()) return;
    auto& entry = it->second;
    if (status < 300) {
      if (spec.method == "INVITE" && resend_ack(r)) return;  // a retransmission of the 2xx
      if (spec.method == "INVITE") send_ack_for_2xx(entry, spec.cseq);
      entry.dialog.refresh_target(r);  // RFC 3261 12.2.1.2
      auto se = session_expires(r);
      if (!se && !entry.peer_supports_timer) {
        se = SessionExpires{static_cast<std::uint32_t>(entry.session.interval.count()), "uac"};  // 9: we refresh alone
      }
      if (se && se->refresher.empty()) se->refresher = "uac";
      arm_session_timer(did, se, true);
      return;
    }
    const auto call_id = entry.dialog.call_id;
    if (status == 422) {
      // 7.4: ask again with the interval raised to the peer's Min-SE.
      const auto value = r.header(HeaderId::MinSe).value_or("");
      const auto min_se = parse_delta_seconds(syntax::trim_lws(value.substr(0, value.find(';'))));
      if (min_se && *min_se > entry.session.min_se && *min_se <= 86400) {
        entry.session.min_se = *min_se;
        entry.session.interval = std::max(entry.session.interval, std::chrono::seconds(*min_se));
        return refresh_session(did);
      }
    } else if (status == 491) {
      // RFC 3261 14.1: our refresh crossed the peer's re-INVITE; try again after 2.1-4 s when we
      // placed the call (own the Call-ID), 0-2 s otherwise.
      const auto base = entry.dialog.is_uac ? 2100 : 0;
      const auto jitter = std::stoul(crypto::random_hex(2), nullptr, 16) % (entry.dialog.is_uac ? 1900 : 2000);
      wheel.cancel(entry.session.refresh);
      entry.session.refresh = wheel.schedule(std::chrono::milliseconds(base + jitter), [this, did] { refresh_session(did); });
      return;
    } else if (status == 408 || status == 481) {
      // 10: a refresh that timed out or found no dialog ends the session with a BYE.
      spdlog::info("sip: session refresh of Call-ID {} failed with {}: BYE", call_id, status);
      return end_with_bye(did);
    }
    // Any other failure leaves the session to its expiry timer (10).
    spdlog::info("sip: session refresh of Call-ID {} failed with {}; the session ends at expiry unless refreshed",
                 call_id, status);
  }

  // --- Dialog operations ------------------------------------------------------------------------
  void bye(DialogId did) {
    auto it = dialogs.find(did);
    if (it == dialogs.end()) return;
    auto spec = dialog_spec(it->second, "BYE");
    end_dialog(did);
    send(spec, [](const Message&) {});
  }

  void send_in_dialog(DialogId did, std::string method, SipHeaders headers, std::string content_type,
                      std::string body, ResponseHandler on_response) {
    auto it = dialogs.find(did);
    if (it == dialogs.end()) {
      if (auto m = MessageBuilder::response(481).build()) on_response(*m);
      return;
    }
    auto spec = dialog_spec(it->second, std::move(method));
    spec->dialog = did;
    spec->headers = std::move(headers);
    spec->content_type = std::move(content_type);
    spec->body = std::move(body);
    spec->has_contact = spec->method == "REFER" || spec->method == "NOTIFY";
    send(spec, [this, did, on_response](const Message& r) {
      // RFC 3261 12.2.1.2: 481 or 408 to an in-dialog request ends the dialog.
      if (r.status_code() == 481 || r.status_code() == 408) {
        if (auto d = dialogs.find(did); d != dialogs.end()) {
          auto on_terminated = d->second.handlers.on_terminated;
          end_dialog(did);
          if (on_terminated) on_terminated();
        }
      }
      on_response(r);
    });
  }

  asio::io_context& loop;
  UserAgentConfig config;
  TimerWheel wheel;
  asio::steady_timer tick_timer;
  std::unique_ptr<NetworkTransport> transport;
  std::unique_ptr<TransactionLayer> layer;
  std::unique_ptr<TargetResolver> target_resolver;
  bool is_closed = false;
  std::uint64_t next_id = 1;
  std::function<void(IncomingCallId, const SipRequestInfo&)> on_incoming_call;
  std::function<void(RequestId, const SipRequestInfo&)> on_register;
  // Requests outside a dialog by Call-ID, From tag and CSeq -> their server transaction (loops).
  static constexpr std::size_t kMaxRecentRequests = 4096;
  std::unordered_map<std::string, std::uint64_t> recent_requests;
  std::size_t recent_requests_limit = kMaxRecentRequests;
  std::unordered_map<OutgoingCallId, Outgoing> outgoing;
  std::unordered_map<IncomingCallId, Incoming> incoming;
  std::unordered_map<std::uint64_t, IncomingCallId> incoming_by_server;
  std::unordered_map<DialogId, DialogEntry> dialogs;
  std::unordered_map<std::string, DialogId> dialog_keys;
  struct SentAck {
    std::string bytes;
    Destination destination;
    TimerWheel::TimerId expiry;
  };
  std::unordered_map<std::string, SentAck> sent_acks;  // by dialog key and CSeq number
};

UserAgent::UserAgent(asio::io_context& loop, UserAgentConfig config)
    : impl_(std::make_unique<Impl>(loop, std::move(config))) {}

UserAgent::~UserAgent() = default;

OutgoingCallId UserAgent::place_call(OutgoingCallRequest request, OutgoingCallHandlers handlers) {
  return impl_->place_call(std::move(request), std::move(handlers));
}

void UserAgent::cancel(OutgoingCallId call) { impl_->cancel(call); }

void UserAgent::set_register_handler(std::function<void(RequestId, const SipRequestInfo&)> handler) {
  impl_->on_register = std::move(handler);
}

void UserAgent::respond_request(RequestId request, int status, std::string_view reason, SipHeaders headers) {
  // RequestId is the server transaction's id: a late answer to a transaction that ended is dropped.
  impl_->reply(request, status, reason, status > 100 ? crypto::random_hex(6) : std::string(), headers);
}

void UserAgent::set_incoming_call_handler(std::function<void(IncomingCallId, const SipRequestInfo&)> handler) {
  impl_->on_incoming_call = std::move(handler);
}

void UserAgent::set_incoming_handlers(IncomingCallId call, IncomingCallHandlers handlers) {
  if (auto it = impl_->incoming.find(call); it != impl_->incoming.end()) it->second.handlers = std::move(handlers);
}

DialogId UserAgent::respond(IncomingCallId call, int status, std::string_view reason, std::string sdp,
                            SipHeaders headers) {
  return impl_->respond(call, status, reason, std::move(sdp), std::move(headers));
}

void UserAgent::set_dialog_handlers(DialogId dialog, DialogHandlers handlers) {
  if (auto it = impl_->dialogs.find(dialog); it != impl_->dialogs.end()) it->second.handlers = std::move(handlers);
}

void UserAgent::bye(DialogId dialog) { impl_->bye(dialog); }

void UserAgent::send_info(DialogId dialog, std::string content_type, std::string body, std::function<void(int)> done) {
  impl_->send_in_dialog(dialog, "INFO", {}, std::move(content_type), std::move(body), [done](const Message& r) {
    if (r.status_code() >= 200 && done) done(r.status_code());
  });
}

void UserAgent::send_refer(DialogId dialog, std::string refer_to, std::function<void(int, bool)> progress) {
  if (auto it = impl_->dialogs.find(dialog); it != impl_->dialogs.end()) it->second.refer_progress = progress;
  impl_->send_in_dialog(dialog, "REFER", {{"Refer-To", "<" + refer_to + ">"}}, {}, {},
                        [this, dialog, progress](const Message& r) {
                          const int status = r.status_code();
                          if (status < 200) return;
                          const bool has_failed = status >= 300;
                          if (has_failed) {
                            if (auto it = impl_->dialogs.find(dialog); it != impl_->dialogs.end())
                              it->second.refer_progress = nullptr;
                          }
                          if (progress) progress(status, has_failed);
                        });
}

void UserAgent::notify_refer(DialogId dialog, int status, bool is_final) {
  auto it = impl_->dialogs.find(dialog);
  if (it == impl_->dialogs.end() || !it->second.is_refer_subscription) return;
  if (is_final) it->second.is_refer_subscription = false;
  std::string frag = "SIP/2.0 " + std::to_string(status) + " " + std::string(default_reason_phrase(status)) + "\r\n";
  impl_->send_in_dialog(dialog, "NOTIFY",
                        {{"Event", "refer"},
                         {"Subscription-State", is_final ? "terminated;reason=noresource" : "active;expires=60"}},
                        "message/sipfrag;version=2.0", std::move(frag), [](const Message&) {});
}

bool UserAgent::is_dialog_active(DialogId dialog) const { return impl_->dialogs.contains(dialog); }

void UserAgent::send_options(std::string uri, TransportKind transport, std::optional<std::string> destination_host,
                             std::uint16_t destination_port, std::function<void(const SipResponseInfo&)> done) {
  auto& impl = *impl_;
  auto spec = std::make_shared<Impl::RequestSpec>();
  spec->method = "OPTIONS";
  spec->request_uri = uri;
  auto parsed = parse_uri(spec->request_uri);
  std::optional<Destination> destination;
  if (destination_host) destination = Destination{transport, *destination_host, destination_port, 0};
  else if (parsed) destination = destination_for_uri(*parsed, transport);
  if (!destination) {
    asio::post(impl.loop, [done] {
      if (done) done(synthetic_response(416));
    });
    return;
  }
  if (parsed && parsed->transport().empty()) destination->kind = transport;
  const auto sent_by = impl.transport->sent_by(destination->kind);
  const auto host = sent_by.substr(0, sent_by.rfind(':'));
  spec->from = "<sip:" + impl.config.contact_user + "@" + host + ">;tag=" + crypto::random_hex(6);
  spec->to = "<" + uri + ">";
  spec->call_id = crypto::random_hex(12) + "@" + host;
  spec->headers = {{"Accept", "application/sdp"}};
  spec->destination = *destination;
  if (parsed) spec->next_hop = Impl::next_hop_of(*parsed, transport, destination_host, destination_port);
  impl.send(spec, [done](const Message& r) {
    if (r.status_code() >= 200 && done) done(response_info(r));
  });
}

std::uint16_t UserAgent::local_port(TransportKind kind) const { return impl_->transport->local_port(kind); }

UserAgentStats UserAgent::stats() const {
  UserAgentStats s;
  s.transport = impl_->transport->stats();
  for (const auto& [id, entry] : impl_->dialogs) ++(entry.early_of != 0 ? s.early_dialogs : s.dialogs);
  s.client_transactions = impl_->layer->client_count();
  s.server_transactions = impl_->layer->server_count();
  return s;
}

void UserAgent::close() {
  impl_->is_closed = true;
  impl_->tick_timer.cancel();
  impl_->transport->close();
}

}  // namespace sb::sip
