// Inbound calls: an INVITE the router accepted becomes a Call (direction inbound) that rings
// (180) while its TwiML is fetched, is answered (200 OK) by the first verb that needs the line,
// refused by <Reject>, and hung up when the document ends.

#include "calls/active_call.hpp"
#include "calls/inbound.hpp"
#include "calls/notifications.hpp"
#include "calls/registered_contacts.hpp"
#include "core/log.hpp"
#include "core/sid.hpp"
#include "http/message.hpp"
#include "sip/message/uri.hpp"

#include <fmt/format.h>


namespace sb::calls {
namespace {

bool is_reported_header(std::string_view name) {
  return (name.size() > 2 && (name[0] == 'X' || name[0] == 'x') && name[1] == '-') ||
         http::iequals(name, "User-to-User");
}

}  // namespace

http::Form sip_request_params(const sip::SipRequestInfo& request) {
  http::Form f;
  f.add("SipCallId", request.call_id);
  f.add("SipSourceIp", request.source.address);
  for (const auto& h : request.headers) {
    if (is_reported_header(h.name)) f.set("SipHeader_" + h.name, h.value);
  }
  return f;
}

void CallEngine::set_inbound_router(InboundRouter* router) {
  impl_->router = router;
  if (router == nullptr) return;
  impl_->user_agent.set_incoming_call_handler(
      [weak = std::weak_ptr<Impl>(impl_)](sip::IncomingCallId id, const sip::SipRequestInfo& invite) {
        if (auto impl = weak.lock()) impl->on_incoming_call(id, invite);
      });
}

void CallEngine::set_registered_contacts(RegisteredContacts* registry) { impl_->registry = registry; }

std::optional<std::vector<SipTarget>> CallEngine::Impl::registered_targets(const SipTarget& target) {
  if (router == nullptr || registry == nullptr) return std::nullopt;
  const auto uri = sip::parse_uri(target.uri);
  if (!uri || !router->is_local_domain(uri->host)) return std::nullopt;
  const std::string aor = fmt::format("sip:{}@{}", uri->user, uri->host);
  std::vector<SipTarget> targets;
  for (const auto& contact : registry->contacts(uri->host, uri->user)) {
    if (target.is_secure && !contact.is_tls) continue;  // secure calls go only to TLS bindings
    SipTarget t = target;
    t.uri = contact.contact_uri;
    t.to_uri = aor;
    t.transport = contact.transport == sip::TransportKind::Tls   ? SipTransport::kTls
                  : contact.transport == sip::TransportKind::Tcp ? SipTransport::kTcp
                                                                 : SipTransport::kUdp;
    t.destination_host = contact.destination_host;
    t.destination_port = contact.destination_port;
    targets.push_back(std::move(t));
  }
  return targets;
}

void CallEngine::Impl::on_incoming_call(sip::IncomingCallId id, const sip::SipRequestInfo& invite) {
  if (is_shutting_down || router == nullptr) {
    user_agent.respond(id, 503, "Service Unavailable");
    return;
  }
  if (gate.is_sustained()) {
    // Overloaded (the signalling loop keeps running late): a new inbound call is refused at once,
    // before any routing or authentication work, and the caller told when to try again (RFC 3261
    // 21.5.4). REST calls wait in their queue instead. Counted in the log line that ends it.
    ++refused_while_limited;
    user_agent.respond(id, 503, "Service Unavailable", {}, {{"Retry-After", "1"}});
    return;
  }
  auto decision = router->route(invite);
  if (auto* rejection = std::get_if<InboundRejection>(&decision)) {
    user_agent.respond(id, rejection->status, rejection->reason, {}, std::move(rejection->headers));
    return;
  }
  auto& route = std::get<InboundRoute>(decision);
  store::Call call;
  call.sid = make_sid(sid_prefix::kCall);
  call.account_sid = route.account_sid;
  call.to = call.to_formatted = route.to;
  call.from = call.from_formatted = route.from;
  call.direction = "inbound";
  call.status = "ringing";
  call.phone_number_sid = route.phone_number_sid;
  call.sip_call_id = invite.call_id;
  call.date_created = call.date_updated = now_seconds();

  OutboundCallRequest request;
  request.to = route.to;
  request.from = route.from;
  request.url = route.voice.url;
  request.method = route.voice.method;
  if (route.fallback) {
    request.fallback_url = route.fallback->url;
    request.fallback_method = route.fallback->method;
  }
  if (route.status_callback) {
    request.status_callback = route.status_callback->url;
    request.status_callback_method = route.status_callback->method;
    request.status_callback_events = {"completed"};
  }
  const auto account = store.accounts().find(call.account_sid);
  auto active = std::make_shared<ActiveCall>(*this, call, std::move(request), account ? account->auth_token : "");
  active->incoming = id;
  active->invite = invite;
  active->requires_srtp = route.requires_srtp;
  active->call_params = std::move(route.params);
  spawn(active, active->run_inbound());
}

bool ActiveCall::answer() {
  if (!is_unanswered_inbound() || is_remote_gone) return false;
  dialog = engine.user_agent.respond(*incoming, 200, "OK", local_sdp);
  if (dialog == 0) {
    is_remote_gone = true;
    return false;
  }
  watch_dialog();
  lifecycle.answered(invite.call_id);
  set_timer(TimerKind::kTimeLimit, request.time_limit);
  return true;
}

void ActiveCall::reject(int status, std::string_view reason, std::string_view call_status) {
  if (!is_unanswered_inbound()) return;
  engine.user_agent.respond(*incoming, status, reason);
  lifecycle.ended(call_status, status);
  is_remote_gone = true;  // nothing more happens on this call
}

asio::awaitable<void> ActiveCall::run_inbound() {
  auto self = shared_from_this();
  const auto& call = lifecycle.call();
  auto weak = weak_from_this();
  engine.user_agent.set_incoming_handlers(*incoming, {.on_cancel = [weak] {
                                                        if (auto c = weak.lock()) c->post(SipBye{});
                                                      },
                                                      .on_ack = [weak](const sip::SipRequestInfo& ack) {
                                                        if (auto c = weak.lock()) c->post(SipAck{ack.body});
                                                      },
                                                      .on_ack_timeout = [weak] {
                                                        if (auto c = weak.lock()) c->post(SipBye{});
                                                      }});
  lifecycle.initiated(std::chrono::milliseconds{0});

  // The media: answer the INVITE's offer now (a refused offer is a 488 before anything rings),
  // or prepare our offer for the 200 OK when the INVITE has none.
  bool is_media_ready = false;
  auto opened = engine.media.open_session({.local_address = engine.options.media_address});
  if (!opened) {
    warn(32011, "No RTP port available: " + opened.error().message());
    reject(503, "Service Unavailable", "failed");
  } else {
    session = opened->id;
    engine.by_session[*session] = weak_from_this();
    const auto local =
        local_media(*opened, requires_srtp ? media::SrtpPolicy::required : media::SrtpPolicy::optional);
    if (invite.body.empty()) {
      is_late_offer = true;
      offer = media::make_offer(local, random_srtp_key);
      local_sdp = offer.to_string();
      is_media_ready = true;
    } else {
      auto parsed = media::SessionDescription::parse(invite.body);
      auto answered = parsed ? media::answer_offer(*parsed, local, random_srtp_key) : Result<media::AnswerResult>(parsed.error());
      if (!answered) {
        const int code = requires_srtp ? 32208 : 32102;
        warn(code, "The INVITE's SDP offer cannot be answered: " + answered.error().message());
        reject(488, "Not Acceptable Here", "failed");
      } else {
        local_sdp = answered->answer.to_string();
        engine.media.set_remote(*session, answered->media);
        is_media_ready = true;
      }
    }
  }

  if (is_media_ready) {
    engine.user_agent.respond(*incoming, 180, "Ringing");
    TwimlSource source;
    source.target = WebhookTarget{*request.url, request.method};
    if (request.fallback_url) source.fallback = WebhookTarget{*request.fallback_url, request.fallback_method};
    const Flow flow = co_await run_twiml(std::move(source));
    if (is_unanswered_inbound()) {
      if (is_remote_gone) {
        lifecycle.ended("canceled", 487);  // the caller gave up before an answer
      } else if (flow == Flow::kNext) {
        // The document ran out without answering: Twilio answers and hangs up.
        answer();
      } else {
        // The application failed (the error is recorded): a clear refusal rather than silence.
        reject(500, "Application Error", "failed");
      }
    }
    if (lifecycle.was_answered()) {
      hang_up();
      lifecycle.ended("completed", 200);
    }
  }
  release_media_and_timers();
  spdlog::debug("call {}: inbound call over ({})", call.sid, lifecycle.call().status);
}

}  // namespace sb::calls
