#include "calls/call_engine.hpp"

#include "calls/active_call.hpp"
#include "calls/call_outcome.hpp"
#include "calls/inbound.hpp"
#include "calls/notifications.hpp"
#include "core/log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <openssl/rand.h>

namespace sb::calls {
namespace {

constexpr std::chrono::milliseconds kWheelTick{20};
constexpr std::size_t kEventQueue = 256;

sip::TransportKind transport_kind(SipTransport t) {
  switch (t) {
    case SipTransport::kTcp:
      return sip::TransportKind::Tcp;
    case SipTransport::kTls:
      return sip::TransportKind::Tls;
    case SipTransport::kUdp:
      break;
  }
  return sip::TransportKind::Udp;
}

}  // namespace

media::SrtpMasterKey random_srtp_key() {
  media::SrtpMasterKey key{};
  RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size()));
  return key;
}

std::optional<std::string> call_id_of(const sip::SipHeaders& headers) {
  for (const auto& h : headers) {
    if (http::iequals(h.name, "Call-ID") || http::iequals(h.name, "i")) return h.value;
  }
  return std::nullopt;
}

media::LocalMedia ActiveCall::local_media(const media::SessionInfo& opened, media::SrtpPolicy srtp) const {
  media::LocalMedia local;
  local.address = engine.options.advertised_address;
  local.address_type = local.address.find(':') != std::string::npos ? media::AddressType::ip6 : media::AddressType::ip4;
  local.port = opened.rtp_port;
  local.srtp = srtp;
  return local;
}

void ActiveCall::report_to_action_after_hangup(const WebhookTarget& action, const http::Form& params) {
  const auto& call = lifecycle.call();
  auto request = voice_parameters(call);
  request.set("CallStatus", "completed");
  for (const auto& f : params.fields()) request.set(f.name, f.value);
  // Once stored, as any action request (ActiveCall::load): the call may be gone by then.
  engine.store.after_writes([&webhooks = engine.webhooks, token = auth_token, call, action,
                             request = std::move(request)]() mutable {
    webhooks.fetch_twiml(token, call, action, std::nullopt, std::move(request), [](TwimlFetch) {});
  });
}

CallEngine::Impl::Impl(asio::io_context& l, store::Store& s, Webhooks& w, http::Client& h, sip::UserAgent& ua,
                       media::MediaEngine& m, CallEngineOptions o)
    : loop(l),
      store(s),
      webhooks(w),
      http(h),
      user_agent(ua),
      media(m),
      options(std::move(o)),
      wheel(kWheelTick, 256, TimerWheel::Clock::now()),
      wheel_tick(l),
      limiter(wheel, options.calls_per_second, [] { return TimerWheel::Clock::now(); }),
      gate({.window = kWheelTick, .high_lag = options.overload_lag, .low_lag = options.overload_lag / 5}) {
  if (options.advertised_address.empty()) options.advertised_address = options.media_address;
  if (!options.to_loop) options.to_loop = [&l](std::function<void()> f) { asio::post(l, std::move(f)); };
  if (options.overload_lag.count() > 0) limiter.set_gate(&gate);
}

// One 20 ms tick serves the engine: it advances the CPS queue's wheel while calls wait there and,
// with the overload gate on, measures how late the loop runs while there are calls at all.
void CallEngine::Impl::tick() {
  wheel.advance(TimerWheel::Clock::now());
  const bool is_gate_watching = options.overload_lag.count() > 0 && !calls.empty();
  if (is_ticking || (wheel.size() == 0 && !is_gate_watching)) return;
  is_ticking = true;
  const auto deadline = TimerWheel::Clock::now() + kWheelTick;
  wheel_tick.expires_at(deadline);
  wheel_tick.async_wait([weak = weak_from_this(), deadline](boost::system::error_code ec) {
    auto self = weak.lock();
    if (!self || ec) return;
    self->is_ticking = false;
    if (self->options.overload_lag.count() > 0) self->watch_lag(TimerWheel::Clock::now() - deadline);
    self->tick();
  });
}

void CallEngine::Impl::watch_lag(TimerWheel::Duration lag) {
  const auto window_ms = static_cast<double>(gate.options().window.count());
  switch (gate.on_window(lag)) {
    case OverloadGate::Change::kLimited:
      refused_while_limited = 0;
      spdlog::warn("overload: the signalling loop is {} ms behind; new calls wait in the queue, starting at {:.0f}/s "
                   "at most until it catches up (new inbound calls are answered 503 while it stays late)",
                   std::chrono::duration_cast<std::chrono::milliseconds>(lag).count(),
                   gate.allowance() * 1000 / window_ms);
      break;
    case OverloadGate::Change::kOpened:
      spdlog::warn("overload over after {:.1f} s: new calls start at their accounts' rates again ({} inbound "
                   "refused with 503)",
                   static_cast<double>(gate.limited_windows()) * window_ms / 1000, refused_while_limited);
      break;
    case OverloadGate::Change::kNone:
      break;
  }
}

void CallEngine::Impl::finished(const std::string& call_sid) {
  calls.erase(call_sid);
  if (is_shutting_down && calls.empty() && on_drained) std::exchange(on_drained, nullptr)();
}

ActiveCall::ActiveCall(CallEngine::Impl& e, const store::Call& call, OutboundCallRequest r, std::string token)
    : engine(e),
      request(std::move(r)),
      auth_token(std::move(token)),
      lifecycle(e.store, e.webhooks, call,
                StatusCallbackConfig{request.status_callback
                                         ? std::optional<WebhookTarget>(
                                               WebhookTarget{*request.status_callback, request.status_callback_method})
                                         : std::nullopt,
                                     request.status_callback_events},
                auth_token),
      events(e.loop, kEventQueue) {}

void ActiveCall::post(CallEvent event) {
  if (!events.try_send(boost::system::error_code{}, std::move(event))) {
    spdlog::error("call {}: event queue full; event dropped", lifecycle.call().sid);
  }
}

void ActiveCall::set_timer(TimerKind kind, std::chrono::milliseconds after) {
  auto& timer = timers[kind];
  if (!timer) timer = std::make_unique<asio::steady_timer>(engine.loop);
  timer->expires_after(after);
  timer->async_wait([weak = weak_from_this(), kind](boost::system::error_code ec) {
    if (auto self = weak.lock(); self && !ec) self->post(TimerFired{kind});
  });
}

void ActiveCall::cancel_timer(TimerKind kind) {
  if (auto it = timers.find(kind); it != timers.end() && it->second) it->second->cancel();
}

asio::awaitable<CallEvent> ActiveCall::next() {
  boost::system::error_code ec;
  auto event = co_await events.async_receive(asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return CallEvent{ApiEnd{"completed"}};  // the channel closed: the engine is going away
  co_return event;
}

void ActiveCall::warn(int code, std::string message) {
  record_notification(engine.store, {.account_sid = lifecycle.call().account_sid,
                                     .call_sid = lifecycle.call().sid,
                                     .log = 1,
                                     .error_code = code,
                                     .message = std::move(message)});
}

void ActiveCall::release_media_and_timers() {
  for (auto& [kind, timer] : timers) {
    if (timer) timer->cancel();
  }
  if (session) engine.media.close_session(*session);
}

void ActiveCall::hang_up() {
  if (dialog != 0 && !is_remote_gone) engine.user_agent.bye(dialog);
  is_remote_gone = true;
}

void ActiveCall::watch_dialog() {
  auto weak = weak_from_this();
  engine.user_agent.set_dialog_handlers(dialog, {.on_bye = [weak](const sip::SipRequestInfo& bye) {
                                                   if (auto c = weak.lock()) c->post(SipBye{bye.headers});
                                                 },
                                                 .on_terminated = [weak] {
                                                   if (auto c = weak.lock()) c->post(SipBye{});
                                                 }});
}

void ActiveCall::notify_parent(ChildUpdate update) {
  if (auto p = parent.lock()) p->post(std::move(update));
}

bool ActiveCall::handle_interruption(const CallEvent& event) {
  if (const auto* m = std::get_if<media::MediaEventDetail>(&event)) {
    if (const auto* detected = std::get_if<media::MachineDetected>(m)) {
      on_machine_detected(*detected);
      return false;
    }
  }
  if (const auto* ack = std::get_if<SipAck>(&event)) {
    // A late offer: the ACK carries the caller's answer to the offer in our 200 OK.
    if (is_late_offer && session) {
      is_late_offer = false;
      auto parsed = media::SessionDescription::parse(ack->body);
      auto negotiated = parsed ? media::process_answer(offer, *parsed, requires_srtp ? media::SrtpPolicy::required
                                                                                      : media::SrtpPolicy::optional)
                               : Result<media::NegotiatedMedia>(parsed.error());
      if (negotiated) {
        engine.media.set_remote(*session, *negotiated);
      } else {
        warn(ack->body.empty() ? 32103 : 32102, "The ACK carries no usable SDP answer: " + negotiated.error().message());
        ending = "completed";
        return true;
      }
    }
    return false;
  }
  if (const auto* bye = std::get_if<SipBye>(&event)) {
    if (!is_remote_gone && !bye->headers.empty()) final_headers = bye->headers;
    is_remote_gone = true;
    return true;
  }
  if (const auto* end = std::get_if<ApiEnd>(&event)) {
    ending = end->status;
    return true;
  }
  if (const auto* r = std::get_if<ApiRedirect>(&event)) {
    TwimlSource source;
    if (r->redirect.url) source.target = WebhookTarget{*r->redirect.url, r->redirect.method};
    source.inline_twiml = r->redirect.twiml;
    redirected = std::move(source);
    return true;
  }
  if (const auto* t = std::get_if<TimerFired>(&event); t && t->kind == TimerKind::kTimeLimit) {
    ending = "completed";
    return true;
  }
  if (const auto* m = std::get_if<media::MediaEventDetail>(&event)) {
    if (const auto* timeout = std::get_if<media::RtpTimeout>(m)) {
      record_notification(engine.store, {.account_sid = lifecycle.call().account_sid,
                                         .call_sid = lifecycle.call().sid,
                                         .log = 0,
                                         .error_code = timeout->twilio_error_code,
                                         .message = "Call terminated: no audio received (" + timeout->reason + ")"});
      ending = "completed";
      return true;
    }
  }
  return false;
}

asio::awaitable<bool> ActiveCall::dial() {
  const auto& call = lifecycle.call();
  auto opened = engine.media.open_session({.local_address = engine.options.media_address, .colocate_with = colocate_with});
  if (!opened) {
    record_notification(engine.store, {.account_sid = call.account_sid,
                                       .call_sid = call.sid,
                                       .log = 0,
                                       .error_code = 32011,
                                       .message = "No RTP port available: " + opened.error().message()});
    const auto o = dial_outcome(DialEnd::kUnreachable);
    lifecycle.ended(o.status, o.sip_response_code);
    co_return false;
  }
  session = opened->id;
  engine.by_session[*session] = weak_from_this();

  const auto local =
      local_media(*opened, request.target.is_secure ? media::SrtpPolicy::required : media::SrtpPolicy::none);
  offer = media::make_offer(local, random_srtp_key);

  // One INVITE, or one per registered contact (a fork): the first to answer wins.
  const std::vector<SipTarget> targets =
      request.fork_targets.empty() ? std::vector<SipTarget>{request.target} : request.fork_targets;
  auto weak = weak_from_this();
  for (const auto& target : targets) {
    sip::OutgoingCallRequest invite;
    invite.request_uri = target.uri;
    invite.to = target.to_uri;
    invite.from_user = request.caller_id.value_or(request.from);
    invite.from_host = engine.options.advertised_address;
    invite.headers.push_back({"X-Twilio-CallSid", call.sid});
    invite.headers.push_back({"X-Twilio-AccountSid", call.account_sid});
    for (const auto& [name, value] : target.headers) invite.headers.push_back({name, value});
    invite.sdp = offer.to_string();
    invite.transport = transport_kind(target.transport);
    if (target.destination_host) {
      invite.destination_host = target.destination_host;  // a registered contact's NAT address
      invite.destination_port = target.destination_port;
    } else if (const auto egress = engine.options.egress.find(target.region); egress != engine.options.egress.end()) {
      invite.destination_host = egress->second.proxy_host;  // the region's egress proxy
      invite.destination_port = egress->second.proxy_port;
    }
    if (request.sip_auth_username) {
      invite.auth_username = *request.sip_auth_username;
      invite.auth_password = request.sip_auth_password.value_or("");
    }
    auto id = std::make_shared<sip::OutgoingCallId>(0);
    *id = engine.user_agent.place_call(
        std::move(invite),
        {.on_provisional = [weak, id](const sip::SipResponseInfo& r) {
           if (auto self = weak.lock()) self->post(SipProvisional{r, *id});
         },
         .on_final = [weak, id](const sip::SipResponseInfo& r, sip::DialogId d) {
           if (auto self = weak.lock()) self->post(SipFinal{r, d, *id});
         }});
    outgoings.push_back(*id);
  }
  auto cancel_all = [this] {
    for (const auto id : outgoings) engine.user_agent.cancel(id);
  };
  lifecycle.initiated(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - queued_at));
  set_timer(TimerKind::kRing, request.timeout);

  bool is_timed_out = false;
  bool has_rung = false;
  for (;;) {
    auto event = co_await next();
    if (auto* p = std::get_if<SipProvisional>(&event)) {
      if ((p->response.status == 180 || p->response.status == 183) && !has_rung) {
        has_rung = true;
        lifecycle.ringing();
        notify_parent({.kind = ChildUpdate::Kind::kRinging, .call_sid = call.sid});
      }
    } else if (auto* t = std::get_if<TimerFired>(&event); t && t->kind == TimerKind::kRing) {
      is_timed_out = true;
      cancel_all();
    } else if (auto* e = std::get_if<ApiEnd>(&event)) {
      ending = e->status;
      cancel_all();
    } else if (auto* f = std::get_if<SipFinal>(&event)) {
      const auto pending = std::ranges::find(outgoings, f->outgoing);
      if (pending == outgoings.end()) continue;  // a fork already settled
      outgoings.erase(pending);
      const int status = f->response.status;
      const bool is_answer = status >= 200 && status < 300 && f->dialog != 0;
      if (!is_answer && !outgoings.empty()) continue;  // other forks may still answer
      cancel_timer(TimerKind::kRing);
      if (is_answer) cancel_all();  // the other forks lose (a 2xx racing the CANCEL gets ACK and BYE)
      final_headers = f->response.headers;
      if (status >= 200 && status < 300 && f->dialog != 0) {
        dialog = f->dialog;
        auto answer = media::SessionDescription::parse(f->response.body);
        auto negotiated = answer ? media::process_answer(offer, *answer, local.srtp)
                                 : Result<media::NegotiatedMedia>(answer.error());
        if (!negotiated) {
          record_notification(engine.store, {.account_sid = call.account_sid,
                                             .call_sid = call.sid,
                                             .log = 0,
                                             .error_code = f->response.body.empty() ? 32103 : 32102,
                                             .message = "Unusable SDP in the 200 OK: " + negotiated.error().message()});
          engine.user_agent.bye(dialog);
          is_remote_gone = true;
          lifecycle.ended("failed", status);
          co_return false;
        }
        engine.media.set_remote(*session, *negotiated);
        lifecycle.answered(call_id_of(f->response.headers));
        co_return true;
      }
      DialOutcome outcome = dial_outcome(DialEnd::kFinalResponse, status);
      if (ending) {
        outcome = dial_outcome(DialEnd::kCanceledByApi);
      } else if (is_timed_out) {
        outcome = dial_outcome(DialEnd::kRingTimeout);
      } else if ((status == 408 || status == 503) && f->response.headers.empty()) {
        // Synthesized by our stack (no response at all, Timer B, or a transport failure): Twilio
        // reports the destination as unreachable.
        outcome = dial_outcome(DialEnd::kUnreachable);
      }
      lifecycle.ended(outcome.status, outcome.sip_response_code);
      co_return false;
    }
    // Media events and redirects before the answer change nothing.
  }
}

asio::awaitable<void> ActiveCall::run() {
  auto self = shared_from_this();
  // The CPS queue: a call starts when its account has a slot.
  // A slot free now starts the call at once; a queued call hears of its slot as an event.
  is_acquiring_slot = true;
  engine.limiter.acquire(lifecycle.call().account_sid, [weak = weak_from_this()] {
    if (auto call = weak.lock()) {
      call->has_slot = true;
      if (!call->is_acquiring_slot) call->post(SlotGranted{});
    }
  });
  is_acquiring_slot = false;
  if (!has_slot) engine.tick();
  while (!has_slot) {
    auto event = co_await next();
    if (std::holds_alternative<SlotGranted>(event)) break;
    if (std::holds_alternative<ApiEnd>(event)) {
      lifecycle.ended("canceled", std::nullopt);  // canceled while queued: no callbacks
      co_return;
    }
  }
  if (ending) co_return;
  if (auto registered = engine.registered_targets(request.target)) {
    if (registered->empty()) {
      warn(32009, fmt::format("{} is not registered", request.target.uri));
      lifecycle.initiated(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - queued_at));
      lifecycle.ended("failed", 404);
      co_return;
    }
    request.fork_targets = std::move(*registered);
  }
  const bool is_answered = co_await dial();
  if (is_answered) {
    watch_dialog();
    set_timer(TimerKind::kTimeLimit, request.time_limit);
    // Record=true: the whole call from the answer, as Twilio's OutboundAPI recordings.
    std::optional<store::Recording> call_recording;
    RecordingCallback recording_callback;
    if (request.record) {
      if (request.recording_status_callback) {
        recording_callback.target =
            WebhookTarget{*request.recording_status_callback, request.recording_status_callback_method};
        const auto& events = request.recording_status_callback_events;
        const auto has = [&](std::string_view e) { return std::ranges::find(events, e) != events.end(); };
        if (!events.empty()) {
          recording_callback.in_progress = has("in-progress");
          recording_callback.completed = has("completed");
          recording_callback.absent = has("absent");
        }
      }
      media::RecordTrack track = media::RecordTrack::both;
      if (request.recording_channels == "dual") {
        track = media::RecordTrack::dual;
      } else if (request.recording_track == "inbound") {
        track = media::RecordTrack::inbound;
      } else if (request.recording_track == "outbound") {
        track = media::RecordTrack::outbound;
      }
      call_recording = start_call_recording("OutboundAPI", track, std::nullopt, recording_callback);
      is_caller_recorded = true;
    }
    bool is_over = false;
    if (request.send_digits) {
      const Flow flow = co_await send_digits(*request.send_digits);
      is_over = flow == Flow::kOver;
    }
    if (request.machine_detection && !is_over) {
      // MachineDetection: the TwiML waits for the decision (AnsweredBy on its request), or with
      // AsyncAmd runs at once while the decision goes to AsyncAmdStatusCallback.
      start_machine_detection(*request.machine_detection);
      if (!request.machine_detection->is_async) {
        const bool decided = co_await wait_machine_detection();
        is_over = !decided;
      }
    }
    if (!is_over && !ending && !is_remote_gone) {
      TwimlSource source;
      if (request.url) source.target = WebhookTarget{*request.url, request.method};
      if (request.fallback_url) source.fallback = WebhookTarget{*request.fallback_url, request.fallback_method};
      source.inline_twiml = request.twiml;
      if (amd_duration && !request.machine_detection->is_async) {
        source.extra_params.set("MachineDetectionDuration", std::to_string(amd_duration->count()));
      }
      co_await run_twiml(std::move(source));
    }
    hang_up();
    lifecycle.ended("completed", 200);
    if (call_recording) {
      engine.media.stop_recording(*session);
      const auto finished = co_await wait_recording();
      if (finished) {
        complete_recording(*call_recording, *finished, recording_callback);
      } else {
        discard_recording(*call_recording, recording_callback, /*is_absent=*/false);  // failed: logged
      }
    }
  }
  release_media_and_timers();
}

CallEngine::CallEngine(asio::io_context& loop, store::Store& store, Webhooks& webhooks, http::Client& http,
                       sip::UserAgent& user_agent, media::MediaEngine& media, CallEngineOptions options)
    : impl_(std::make_shared<Impl>(loop, store, webhooks, http, user_agent, media, std::move(options))) {}

CallEngine::~CallEngine() {
  for (auto& [sid, call] : impl_->calls) call->events.close();
}

void CallEngine::Impl::spawn(const std::shared_ptr<ActiveCall>& active, asio::awaitable<void> body) {
  calls[active->lifecycle.call().sid] = active;
  tick();  // the overload gate watches the loop while there are calls
  const auto sid = active->lifecycle.call().sid;
  asio::co_spawn(loop, std::move(body), [weak = weak_from_this(), sid, active](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("call {}: ended by an internal error: {}", sid, ex.what());
      }
      active->hang_up();
      active->lifecycle.ended("failed", std::nullopt);
      if (active->session) active->engine.media.close_session(*active->session);
      active->notify_parent({.kind = ChildUpdate::Kind::kEnded, .call_sid = sid, .status = "failed"});
    }
    // Answer those waiting for the end, and forget the call, once its final state is stored.
    active->lifecycle.when_stored([weak, sid, active](const store::Call& stored) {
      for (auto& f : std::exchange(active->on_over, {})) f(stored);
      if (auto impl = weak.lock()) impl->finished(sid);
    });
  });
}

void CallEngine::start(const store::Call& call, OutboundCallRequest request) {
  auto& impl = *impl_;
  const auto account = impl.store.accounts().find(call.account_sid);
  auto active = std::make_shared<ActiveCall>(impl, call, std::move(request), account ? account->auth_token : "");
  impl.spawn(active, active->run());
}

bool CallEngine::redirect(const std::string& call_sid, CallRedirect redirect) {
  auto it = impl_->calls.find(call_sid);
  if (it == impl_->calls.end() || !it->second->lifecycle.was_answered() || it->second->lifecycle.is_over()) {
    return false;
  }
  it->second->post(ApiRedirect{std::move(redirect)});
  return true;
}

std::optional<store::Call> CallEngine::live_call(std::string_view call_sid) const {
  auto it = impl_->calls.find(call_sid);
  if (it == impl_->calls.end()) return std::nullopt;
  return it->second->lifecycle.call();
}

void CallEngine::end(const std::string& call_sid, const std::string& status,
                     std::function<void(std::optional<store::Call>)> done) {
  auto it = impl_->calls.find(call_sid);
  if (it == impl_->calls.end()) return done(std::nullopt);
  it->second->on_over.push_back([done](const store::Call& c) { done(c); });
  it->second->post(ApiEnd{status});
}

void CallEngine::set_api_base_url(std::string url) { impl_->api_base_url = std::move(url); }

const TrunkTable* CallEngine::trunks() const { return &impl_->options.trunks; }

void CallEngine::on_media_event(const media::MediaEvent& event) {
  auto it = impl_->by_session.find(event.session);
  if (it == impl_->by_session.end()) return;
  if (std::holds_alternative<media::SessionClosed>(event.detail)) {
    impl_->by_session.erase(it);
    return;
  }
  if (auto call = it->second.lock()) call->post(event.detail);
}

void CallEngine::shutdown(std::function<void()> done) {
  impl_->is_shutting_down = true;
  if (impl_->calls.empty()) return done();
  impl_->on_drained = std::move(done);
  for (auto& [sid, call] : impl_->calls) call->post(ApiEnd{call->lifecycle.was_answered() ? "completed" : "canceled"});
}

std::size_t CallEngine::active_calls() const { return impl_->calls.size(); }

}  // namespace sb::calls
