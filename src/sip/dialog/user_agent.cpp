#include "sip/dialog/user_agent.hpp"
#include "sip/dialog/user_agent_impl.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <charconv>
#include <map>

#include "core/crypto.hpp"
#include "core/log.hpp"
#include "sip/auth/digest.hpp"
#include "sip/message/syntax.hpp"
#include "sip/parser/message_builder.hpp"

namespace sb::sip {
namespace asio = boost::asio;

std::string_view SipRequestInfo::header(std::string_view name) const {
  const auto id = lookup_header(name);
  for (const auto& h : headers) {
    if (id != HeaderId::Other ? lookup_header(h.name) == id : syntax::iequals(h.name, name)) return h.value;
  }
  return {};
}

namespace user_agent_detail {

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
  info.flow = source.flow;
  return info;
}

bool has_option_tag(const Message& m, HeaderId id, std::string_view tag) {
  for (const auto v : m.values(id))
    if (syntax::iequals(v, tag)) return true;
  return false;
}

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

int sipfrag_status(std::string_view body) {
  if (!body.starts_with("SIP/2.0 ") || body.size() < 11) return 0;
  int status = 0;
  const auto r = std::from_chars(body.data() + 8, body.data() + 11, status);
  return r.ec == std::errc{} ? status : 0;
}

}  // namespace user_agent_detail

using namespace user_agent_detail;

struct UserAgent::Impl::TickTimer {
  explicit TickTimer(asio::io_context& io) : timer(io) {}
  asio::steady_timer timer;
};

UserAgent::Impl::Impl(asio::io_context& io, UserAgentConfig c)
    : loop(io),
      config(std::move(c)),
      wheel(config.tick, 4096, now()),
      tick_timer(std::make_unique<TickTimer>(io)) {
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

UserAgent::Impl::~Impl() {
  is_closed = true;
  tick_timer->timer.cancel();
  dialogs.clear();
  layer.reset();
  target_resolver.reset();
  transport.reset();
}

TimerWheel::TimePoint UserAgent::Impl::now() const { return config.clock ? config.clock() : TimerWheel::Clock::now(); }

void UserAgent::Impl::schedule_tick() {
  if (is_closed) return;
  tick_timer->timer.expires_after(config.tick);
  tick_timer->timer.async_wait([this](boost::system::error_code ec) {
    if (ec || is_closed) return;
    wheel.advance(now());
    schedule_tick();
  });
}

std::string UserAgent::Impl::contact(TransportKind kind) const {
  std::string c = "<sip:" + config.contact_user + "@" + transport->sent_by(kind);
  if (kind != TransportKind::Udp) {
    c += ";transport=";
    c += kind == TransportKind::Tcp ? "tcp" : "tls";
  }
  c += ">";
  return c;
}

std::optional<Message> UserAgent::Impl::build(RequestSpec& spec) {
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
std::optional<NextHop> UserAgent::Impl::next_hop_of(const Uri& uri, TransportKind transport,
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

void UserAgent::Impl::use_target(RequestSpec& spec) {
  const auto& t = spec.targets[spec.target_index];
  spec.destination = Destination{t.kind, t.address, t.port, 0, {}};
  if (t.address != spec.tls_name) spec.destination.tls_name = spec.tls_name;
}

// A final response made by us for `spec` (its request never got one): the same fields as the
// transaction layer's own 408/503.
std::optional<Message> UserAgent::Impl::local_response(RequestSpec& spec, int status) {
  if (auto request = build(spec)) {
    if (auto m = make_response(*request, status).build()) return std::move(*m);
  }
  if (auto m = MessageBuilder::response(status).build()) return std::move(*m);
  return std::nullopt;
}

// RFC 3263: resolves spec->next_hop into targets, then sends to the first. A numeric host
// needs no DNS and is sent at once. Returns the client transaction id, 0 while resolving.
std::uint64_t UserAgent::Impl::resolve_and_send(const std::shared_ptr<RequestSpec>& spec, ResponseHandler on_response) {
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
bool UserAgent::Impl::fail_over(const std::shared_ptr<RequestSpec>& spec, const Message& response, const ResponseHandler& on_response) {
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
std::uint64_t UserAgent::Impl::send(const std::shared_ptr<RequestSpec>& spec, ResponseHandler on_response) {
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

std::shared_ptr<UserAgent::Impl::RequestSpec> UserAgent::Impl::dialog_spec(DialogEntry& d, std::string method) {
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

void UserAgent::Impl::post(std::function<void()> task) { asio::post(loop, std::move(task)); }

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

void UserAgent::set_connection_closed_handler(
    std::function<void(TransportKind kind, std::uint64_t flow, const Endpoint& remote)> handler) {
  if (!handler) return impl_->transport->set_connection_closed_handler(nullptr);
  impl_->transport->set_connection_closed_handler(
      [handler = std::move(handler)](const Source& source) { handler(source.kind, source.flow, source.remote); });
}

void UserAgent::keep_connection_open(std::uint64_t flow, std::chrono::seconds duration) {
  impl_->transport->keep_open(flow, duration);
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
  impl_->tick_timer->timer.cancel();
  impl_->transport->close();
}

}  // namespace sb::sip
