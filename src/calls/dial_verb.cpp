// <Dial> and <Refer>. The parent's side of <Dial> places one child call per noun (in parallel, or
// one after the other with sequential="true"), plays ringback meanwhile, bridges the first leg to
// answer (after its screening document accepted it), ends the rest, and reports the outcome to
// the action URL. The child's side (run_child) is a call of its own: it dials, runs the screening
// document, waits to be bridged and tells its parent how it went (ChildUpdate events).

#include "calls/active_call.hpp"
#include "calls/notifications.hpp"
#include "calls/trunks.hpp"
#include "core/log.hpp"
#include "core/sid.hpp"
#include "twiml/url.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sb::calls {
namespace {

std::vector<std::string> progress_events(const twiml::CallProgressEvents& e) {
  std::vector<std::string> events;
  if (e.initiated) events.emplace_back("initiated");
  if (e.ringing) events.emplace_back("ringing");
  if (e.answered) events.emplace_back("answered");
  if (e.completed) events.emplace_back("completed");
  return events;
}

sip::SipHeaders x_headers(const sip::SipHeaders& headers) {
  sip::SipHeaders out;
  for (const auto& h : headers) {
    if (h.name.size() > 2 && (h.name[0] == 'X' || h.name[0] == 'x') && h.name[1] == '-') out.push_back(h);
  }
  return out;
}

// The ringback the caller hears while the legs ring: `ringTone`'s country (ITU-T E.180's
// figures; double-ring cadences such as the UK's 0.4-0.2-0.4 s are played as one 1 s burst), or
// the US tone by default.
media::Tone ringback_for(const std::optional<std::string>& country) {
  struct Entry {
    std::string_view country;
    double f1;
    double f2;
    int on_ms;
    int off_ms;
  };
  static constexpr Entry kTones[] = {
      {"at", 420, 0, 1000, 5000}, {"au", 400, 450, 1000, 2000}, {"bg", 425, 0, 1000, 4000},
      {"br", 425, 0, 1000, 4000}, {"be", 425, 0, 1000, 3000},   {"ch", 425, 0, 1000, 4000},
      {"cl", 400, 0, 1000, 3000}, {"cn", 450, 0, 1000, 4000},   {"cz", 425, 0, 1000, 4000},
      {"de", 425, 0, 1000, 4000}, {"dk", 425, 0, 1000, 4000},   {"ee", 425, 0, 1000, 4000},
      {"es", 425, 0, 1500, 3000}, {"fi", 425, 0, 1000, 4000},   {"fr", 440, 0, 1500, 3500},
      {"gr", 425, 0, 1000, 4000}, {"hu", 425, 0, 1250, 3750},   {"il", 400, 0, 1000, 3000},
      {"in", 375, 425, 1000, 2000}, {"it", 425, 0, 1000, 4000}, {"lt", 425, 0, 1000, 4000},
      {"jp", 400, 0, 1000, 2000}, {"mx", 425, 0, 1000, 4000},   {"my", 425, 0, 1000, 2000},
      {"nl", 425, 0, 1000, 4000}, {"no", 425, 0, 1000, 4000},   {"nz", 400, 450, 1000, 2000},
      {"ph", 425, 480, 1000, 4000}, {"pl", 425, 0, 1000, 4000}, {"pt", 425, 0, 1000, 5000},
      {"ru", 425, 0, 800, 3200},  {"se", 425, 0, 1000, 5000},   {"sg", 425, 0, 1000, 2000},
      {"th", 400, 0, 1000, 4000}, {"uk", 400, 450, 1000, 2000}, {"us", 440, 480, 2000, 4000},
      {"us-old", 440, 480, 2000, 4000}, {"tw", 440, 480, 1000, 2000}, {"ve", 425, 0, 1000, 4000},
      {"za", 400, 450, 1000, 2000},
  };
  if (country) {
    for (const auto& t : kTones) {
      if (t.country != *country) continue;
      const std::chrono::milliseconds on{t.on_ms};
      const std::chrono::milliseconds off{t.off_ms};
      return {.frequency1 = t.f1, .frequency2 = t.f2, .level_dbm0 = t.f2 > 0 ? -19.0 : -16.0, .on = on, .off = off,
              .duration = on + off};
    }
  }
  return media::Tone::ringback_us();
}

// One attempt of a <Dial>: the request for its child call, and how it went.
struct DialLeg {
  OutboundCallRequest request;
  std::optional<TwimlSource> screening;
  std::string call_sid;  // once started
  std::weak_ptr<ActiveCall> call;
  bool is_started = false;
  bool is_answered = false;
  bool is_over = false;
  ChildUpdate result;
};

// The DialCallStatus of a dial nobody answered: one leg reports its own status; several in
// parallel report the most telling one (someone was busy, else nobody answered, else failure).
std::string unanswered_status(const std::vector<DialLeg>& legs) {
  std::vector<std::string> statuses;
  for (const auto& leg : legs) {
    if (leg.is_started) statuses.push_back(leg.result.status);
  }
  if (statuses.empty()) return "failed";
  if (statuses.size() == 1) return statuses.front();
  for (const char* s : {"busy", "no-answer", "canceled"}) {
    if (std::ranges::find(statuses, s) != statuses.end()) return s;
  }
  return statuses.back();
}

}  // namespace

asio::awaitable<void> ActiveCall::run_child() {
  auto self = shared_from_this();
  const bool is_answered = co_await dial();
  const auto& call = lifecycle.call();
  if (is_answered) {
    // A REFER from the leg (a transfer by the callee) goes to the parent's <Dial referUrl>.
    auto weak = weak_from_this();
    engine.user_agent.set_dialog_handlers(
        dialog, {.on_bye = [weak](const sip::SipRequestInfo& bye) {
                   if (auto c = weak.lock()) c->post(SipBye{bye.headers});
                 },
                 .on_refer = [weak](const sip::SipRequestInfo& refer) {
                   auto c = weak.lock();
                   if (!c) return false;
                   if (!c->accepts_refer) {
                     c->warn(13802, "REFER received from a <Dial> leg but the <Dial> has no referUrl; declined");
                     return false;
                   }
                   c->notify_parent({.kind = ChildUpdate::Kind::kRefer,
                                     .call_sid = c->lifecycle.call().sid,
                                     .refer_to = std::string(refer.header("Refer-To"))});
                   return true;
                 },
                 .on_terminated = [weak] {
                   if (auto c = weak.lock()) c->post(SipBye{});
                 }});
    notify_parent({.kind = ChildUpdate::Kind::kAnswered, .call_sid = call.sid, .sip_call_id = call.sip_call_id});
    bool is_accepted = true;
    if (request.machine_detection) start_machine_detection(*request.machine_detection);
    if (request.send_digits && !ending && !is_remote_gone) {
      const Flow flow = co_await send_digits(*request.send_digits);  // <Number sendDigits>
      is_accepted = flow == Flow::kNext;
    }
    if (is_accepted && screening && !ending && !is_remote_gone) {
      // The callee hears the screening document; the caller keeps hearing ringback.
      is_screening = true;
      TwimlSource source = *screening;
      if (call.sip_call_id) source.extra_params.set("SipCallId", *call.sip_call_id);
      for (const auto& h : x_headers(final_headers)) source.extra_params.set("SipHeader_" + h.name, h.value);
      const Flow flow = co_await run_twiml(std::move(source));
      is_accepted = flow == Flow::kNext;
      is_screening = false;
    }
    if (is_accepted && !ending && !is_remote_gone) {
      notify_parent({.kind = ChildUpdate::Kind::kReady, .call_sid = call.sid});
      while (!ending && !is_remote_gone) {
        auto event = co_await next();
        handle_interruption(event);  // BYE, the parent ending the leg, the API
      }
    }
    hang_up();
    lifecycle.ended("completed", 200);
  }
  release_media_and_timers();
  notify_parent({.kind = ChildUpdate::Kind::kEnded,
                 .call_sid = call.sid,
                 .status = call.status,
                 .sip_response_code = call.sip_response_code,
                 .sip_call_id = call.sip_call_id ? call.sip_call_id : call_id_of(final_headers),
                 .x_headers = x_headers(final_headers),
                 .duration = call.duration.value_or(0)});
}

asio::awaitable<Flow> ActiveCall::dial_verb(const twiml::Dial& d, TwimlSource& next_source) {
  const auto& call = lifecycle.call();
  if (is_screening) {
    warn(13201, "<Dial> in a screening document: the call was declined");
    co_return Flow::kHangup;
  }
  // answerOnBridge on an unanswered inbound call: it keeps ringing (183 with our SDP, so the
  // caller hears our ringback as early media) and is answered when a leg is bridged.
  const bool holds_answer = is_unanswered_inbound();
  if (holds_answer && !is_late_offer) engine.user_agent.respond(*incoming, 183, "Session Progress", local_sdp);
  // Dial legs show the caller's number or SIP user as their From.
  std::string caller = call.from;
  if (caller.starts_with("sip:") || caller.starts_with("sips:")) {
    caller = caller.substr(caller.find(':') + 1);
    caller = caller.substr(0, caller.find('@'));
  }
  // One leg per noun switchboard can dial.
  std::vector<DialLeg> legs;
  auto add_leg = [&](std::string to, SipTarget target, std::optional<std::string> username,
                     std::optional<std::string> password, const twiml::StatusCallback& callback,
                     const std::optional<std::string>& screening_url, twiml::Method screening_method,
                     const twiml::MachineDetection& amd) -> DialLeg& {
    DialLeg& leg = legs.emplace_back();
    leg.request.to = std::move(to);
    leg.request.target = std::move(target);
    leg.request.from = caller;
    leg.request.caller_id = d.caller_id;
    leg.request.timeout = d.timeout;
    leg.request.time_limit = d.time_limit;
    leg.request.sip_auth_username = std::move(username);
    leg.request.sip_auth_password = std::move(password);
    if (callback.url) {
      leg.request.status_callback = twiml::resolve_url(document_url, *callback.url);
      leg.request.status_callback_method = method_of(callback.method);
      leg.request.status_callback_events = progress_events(callback.events);
    }
    if (amd.mode) {
      // machineDetection on a leg runs in the background; the result goes to amdStatusCallback.
      MachineDetection m;
      m.mode = *amd.mode == twiml::MachineDetectionMode::DetectMessageEnd ? "DetectMessageEnd" : "Enable";
      m.timeout = amd.timeout;
      m.speech_threshold = amd.speech_threshold;
      m.speech_end_threshold = amd.speech_end_threshold;
      m.silence_timeout = amd.silence_timeout;
      m.is_async = true;
      if (amd.status_callback) m.async_callback = twiml::resolve_url(document_url, *amd.status_callback);
      m.async_callback_method = method_of(amd.status_callback_method);
      leg.request.machine_detection = std::move(m);
    }
    if (screening_url) {
      TwimlSource screen;
      screen.target = WebhookTarget{twiml::resolve_url(document_url, *screening_url), method_of(screening_method)};
      leg.screening = std::move(screen);
    }
    return leg;
  };
  for (const auto& target : d.targets) {
    if (const auto* s = std::get_if<twiml::Sip>(&target)) {
      std::string text = s->uri;
      if (!text.starts_with("sip:") && !text.starts_with("sips:") && !text.starts_with("SIP:") &&
          !text.starts_with("SIPS:")) {
        text = "sip:" + text;
      }
      std::vector<RequestWarning> warnings;
      auto parsed = parse_sip_target(text, warnings);
      for (const auto& w : warnings) warn(w.code, w.message);
      if (const auto* error = std::get_if<RequestError>(&parsed)) {
        warn(13243, fmt::format("<Sip>{}</Sip> is not a usable SIP URI: {}", s->uri, error->message));
        continue;
      }
      auto target = std::get<SipTarget>(std::move(parsed));
      auto registered = engine.registered_targets(target);
      if (registered && registered->empty()) {
        warn(32009, fmt::format("<Sip>{}</Sip>: the user is not registered", s->uri));
        continue;
      }
      auto& leg = add_leg(s->uri, std::move(target), s->username, s->password, s->status_callback, s->url, s->method,
                          s->machine_detection);
      if (registered) leg.request.fork_targets = std::move(*registered);  // every contact rings
    } else if (const auto* n = std::get_if<twiml::Number>(&target)) {
      const auto number = normalize_phone_number(n->phone_number);
      if (!number) {
        warn(13223, fmt::format("<Number>{}</Number> is not an E.164 phone number", n->phone_number));
        continue;
      }
      auto route = engine.options.trunks.route(*number);
      if (!route) {
        warn(13224, fmt::format("<Number>{}</Number>: no SIP trunk is configured for this number", *number));
        continue;
      }
      auto& leg = add_leg(*number, std::move(route->target), route->username, route->password, n->status_callback,
                          n->url, n->method, n->machine_detection);
      leg.request.send_digits = n->send_digits;
    } else if (std::holds_alternative<twiml::Client>(target)) {
      warn(12200, "<Client> is not supported by this version of switchboard; it was skipped");
    } else if (std::holds_alternative<twiml::Conference>(target)) {
      warn(12200, "<Conference> is not supported by this version of switchboard; it was skipped");
    } else if (const auto* u = std::get_if<twiml::UnsupportedNoun>(&target)) {
      warn(12200, fmt::format("<{}> is not supported by this version of switchboard; it was skipped", u->name));
    }
  }

  // record: the parent's audio both ways (mono mix, or the caller and the callee on two channels),
  // from the first ring or from the bridge.
  const bool is_dual = d.record == twiml::DialRecord::RecordFromAnswerDual ||
                       d.record == twiml::DialRecord::RecordFromRingingDual;
  const bool records_from_ringing = d.record == twiml::DialRecord::RecordFromRinging ||
                                    d.record == twiml::DialRecord::RecordFromRingingDual;
  const auto recording_callback = recording_callback_for(
      d.recording_status_callback, d.recording_status_callback_method, d.recording_status_callback_event);
  std::optional<store::Recording> dial_recording;
  auto start_dial_recording = [&] {
    if (dial_recording || d.record == twiml::DialRecord::DoNotRecord || is_caller_recorded) return;
    media::RecordTrack track = media::RecordTrack::both;
    if (is_dual) {
      track = media::RecordTrack::dual;
    } else if (d.recording_track == twiml::RecordingTrack::Inbound) {
      track = media::RecordTrack::inbound;
    } else if (d.recording_track == twiml::RecordingTrack::Outbound) {
      track = media::RecordTrack::outbound;
    }
    dial_recording = start_call_recording("DialVerb", track, std::nullopt, recording_callback, std::nullopt,
                                          d.trim == twiml::Trim::TrimSilence);
  };
  if (is_caller_recorded && d.record != twiml::DialRecord::DoNotRecord) {
    warn(12200, "<Dial record> while the call itself is recorded (Record=true): the <Dial> is not recorded separately");
  }

  // The legs' progress; the loop below ends when the dial is decided and every leg it started has
  // ended (or, once a winner ended, without waiting for the others' CANCELs).
  std::size_t next_leg = 0;
  std::size_t live = 0;
  std::optional<std::size_t> winner;
  bool is_bridged = false;
  std::optional<std::string> refer_target;  // the winner transferred the caller (REFER)
  bool is_caller_gone = false;
  bool is_ringback_playing = false;
  auto find_leg = [&](const std::string& sid) -> DialLeg* {
    for (auto& leg : legs) {
      if (leg.call_sid == sid) return &leg;
    }
    return nullptr;
  };
  auto end_leg = [&](DialLeg& leg) {
    if (leg.is_over) return;
    if (auto child = leg.call.lock()) child->post(ApiEnd{leg.is_answered ? "completed" : "canceled"});
  };
  auto start_leg = [&](DialLeg& leg) {
    store::Call child_call;
    child_call.sid = make_sid(sid_prefix::kCall);
    child_call.account_sid = call.account_sid;
    child_call.parent_call_sid = call.sid;
    child_call.to = child_call.to_formatted = leg.request.to;
    child_call.from = child_call.from_formatted = leg.request.caller_id.value_or(caller);
    child_call.direction = "outbound-dial";
    child_call.status = "ringing";  // Dial legs are never queued
    child_call.date_created = child_call.date_updated = now_seconds();
    auto child = std::make_shared<ActiveCall>(engine, child_call, leg.request, auth_token);
    child->parent = weak_from_this();
    child->screening = leg.screening;
    child->colocate_with = session;
    child->accepts_refer = d.refer_url.has_value();
    leg.call_sid = child_call.sid;
    leg.call = child;
    leg.is_started = true;
    leg.result.status = "failed";
    ++live;
    engine.spawn(child, child->run_child());
  };
  if (d.sequential) {
    if (!legs.empty()) start_leg(legs[next_leg++]);
  } else {
    while (next_leg < legs.size()) start_leg(legs[next_leg++]);
  }

  while (live > 0) {
    auto event = co_await next();
    if (auto* u = std::get_if<ChildUpdate>(&event)) {
      DialLeg* leg = find_leg(u->call_sid);
      if (leg == nullptr) continue;
      switch (u->kind) {
        case ChildUpdate::Kind::kRinging:
          if (records_from_ringing && !is_caller_gone) start_dial_recording();
          if (!winner && !is_ringback_playing && !is_caller_gone) {
            media::PlayRequest ringback;
            ringback.source = ringback_for(d.ring_tone);
            ringback.loop = 0;
            engine.media.play(*session, std::move(ringback));
            is_ringback_playing = true;
          }
          break;
        case ChildUpdate::Kind::kAnswered:
          leg->is_answered = true;
          if (winner || is_caller_gone) {
            end_leg(*leg);  // another leg won meanwhile
            break;
          }
          winner = static_cast<std::size_t>(leg - legs.data());
          for (auto& other : legs) {
            if (&other != leg) end_leg(other);
          }
          break;
        case ChildUpdate::Kind::kReady:
          if (winner && &legs[*winner] == leg && !is_caller_gone) {
            if (is_ringback_playing) engine.media.stop_playing(*session);
            is_ringback_playing = false;
            if (holds_answer && !answer()) {
              end_leg(*leg);  // the caller left as the leg answered
              break;
            }
            if (auto child = leg->call.lock(); child && child->session) {
              engine.media.bridge(*session, *child->session);
              is_bridged = true;
              start_dial_recording();
              set_timer(TimerKind::kDialLimit, std::chrono::duration_cast<std::chrono::milliseconds>(d.time_limit));
            }
          }
          break;
        case ChildUpdate::Kind::kRefer:
          // The callee transfers the caller: 100 Trying now; the final NOTIFY and the BYE follow
          // once the dial is over, and the referUrl's TwiML decides where the caller goes.
          if (winner && &legs[*winner] == leg && is_bridged && !refer_target) {
            refer_target = u->refer_to;
            cancel_timer(TimerKind::kDialLimit);
            engine.media.unbridge(*session);
            is_bridged = false;
            if (auto child = leg->call.lock()) {
              engine.user_agent.notify_refer(child->dialog, 100, false);
              engine.user_agent.notify_refer(child->dialog, 200, true);
            }
            end_leg(*leg);
          }
          break;
        case ChildUpdate::Kind::kEnded:
          leg->is_over = true;
          leg->result = *u;
          --live;
          if (winner && &legs[*winner] == leg) {
            cancel_timer(TimerKind::kDialLimit);
            if (is_bridged) engine.media.unbridge(*session);
            live = 0;  // decided: the others were told to end and finish on their own
          } else if (!winner && live == 0 && d.sequential && next_leg < legs.size() && !is_caller_gone) {
            start_leg(legs[next_leg++]);
          }
          break;
      }
      continue;
    }
    if (auto* t = std::get_if<TimerFired>(&event); t && t->kind == TimerKind::kDialLimit) {
      if (winner) end_leg(legs[*winner]);
      continue;
    }
    if (const auto* m = std::get_if<media::MediaEventDetail>(&event)) {
      if (const auto* digit = std::get_if<media::DigitReceived>(m);
          digit && digit->digit == '*' && d.hangup_on_star && is_bridged && winner) {
        end_leg(legs[*winner]);  // the caller pressed *: the callee is dropped, the caller stays
        continue;
      }
    }
    if (handle_interruption(event)) {
      // The caller hung up, the API ended or redirected the call, or its time limit came.
      is_caller_gone = true;
      for (auto& leg : legs) end_leg(leg);
    }
  }
  cancel_timer(TimerKind::kDialLimit);
  if (is_ringback_playing && !is_remote_gone) engine.media.stop_playing(*session);

  // The action request: DialCallStatus and the rest.
  http::Form params;
  if (dial_recording) {
    engine.media.stop_recording(*session);
    const auto finished = co_await wait_recording();
    if (!finished) {
      discard_recording(*dial_recording, recording_callback, /*is_absent=*/false);  // failed: logged
    } else if (d.trim == twiml::Trim::TrimSilence && !finished->has_speech) {
      discard_recording(*dial_recording, recording_callback, /*is_absent=*/true);  // only silence: nothing kept
    } else {
      const std::string url = complete_recording(*dial_recording, *finished, recording_callback);
      params.set("RecordingUrl", url);
      params.set("RecordingSid", dial_recording->sid);
      params.set("RecordingDuration", std::to_string(dial_recording->duration.value_or(0)));
    }
  }
  const DialLeg* reported = nullptr;
  if (winner) {
    reported = &legs[*winner];
    params.set("DialCallStatus", "completed");
    params.set("DialBridged", is_bridged ? "true" : "false");
  } else {
    for (const auto& leg : legs) {
      if (leg.is_started) reported = &leg;  // the last one tried
    }
    params.set("DialCallStatus", unanswered_status(legs));
    params.set("DialBridged", "false");
  }
  if (reported != nullptr) {
    params.set("DialCallSid", reported->call_sid);
    params.set("DialCallDuration", std::to_string(reported->result.duration));
    if (reported->result.sip_call_id) params.set("DialSipCallId", *reported->result.sip_call_id);
    if (reported->result.sip_response_code) {
      params.set("DialSipResponseCode", std::to_string(*reported->result.sip_response_code));
    }
    for (const auto& h : reported->result.x_headers) params.set("DialSipHeader_" + h.name, h.value);
  }
  spdlog::debug("call {}: <Dial> over: {}", call.sid, params.get("DialCallStatus").value_or(""));

  const bool is_call_over = ending || is_remote_gone;
  if (refer_target && !is_call_over && !redirected) {
    // Twilio requests referUrl with ReferTransferTarget; its TwiML runs for the caller.
    next_source.target = WebhookTarget{twiml::resolve_url(document_url, *d.refer_url), method_of(d.refer_method)};
    next_source.extra_params.set("ReferTransferTarget", *refer_target);
    for (const auto& f : params.fields()) next_source.extra_params.set(f.name, f.value);
    co_return Flow::kNewDocument;
  }
  if (!d.action) co_return is_call_over || redirected ? Flow::kOver : Flow::kNext;
  const WebhookTarget action{twiml::resolve_url(document_url, *d.action), method_of(d.method)};
  if (redirected) co_return Flow::kOver;  // the API gave the call other TwiML
  if (is_call_over) {
    report_to_action_after_hangup(action, params);  // how the dial went; its TwiML is not run
    co_return Flow::kOver;
  }
  next_source.target = action;
  for (const auto& f : params.fields()) next_source.extra_params.set(f.name, f.value);
  co_return Flow::kNewDocument;
}

asio::awaitable<Flow> ActiveCall::refer(const twiml::Refer& r, TwimlSource& next_source) {
  std::string uri = r.target.uri;
  if (!uri.starts_with("sip:") && !uri.starts_with("sips:")) uri = "sip:" + uri;
  auto weak = weak_from_this();
  engine.user_agent.send_refer(dialog, uri, [weak](int status, bool is_final) {
    if (auto self = weak.lock()) self->post(ReferProgress{status, is_final});
  });
  // The REFER's own answer, then the NOTIFYs until the final one; bounded by the REFER timer.
  constexpr std::chrono::seconds kReferWait{64};
  set_timer(TimerKind::kRefer, kReferWait);
  std::optional<int> refer_status;
  std::optional<int> notify_status;
  bool is_done = false;
  bool is_interrupted = false;
  while (!is_done) {
    auto event = co_await next();
    if (const auto* p = std::get_if<ReferProgress>(&event)) {
      if (!refer_status) {
        refer_status = p->status;
        if (p->status >= 300) is_done = true;
      } else {
        notify_status = p->status;
      }
      if (p->is_final) is_done = true;
      continue;
    }
    if (auto* t = std::get_if<TimerFired>(&event); t && t->kind == TimerKind::kRefer) break;
    if (handle_interruption(event)) {
      is_interrupted = true;
      break;
    }
  }
  cancel_timer(TimerKind::kRefer);

  std::string refer_call_status;
  if (refer_status && *refer_status < 300 && notify_status) {
    const int n = *notify_status;
    if (n >= 200 && n < 300) {
      refer_call_status = "in-progress";
    } else if (n == 486 || n == 600 || n == 603) {
      refer_call_status = "busy";
    } else if (n == 408 || n == 480 || n == 487) {
      refer_call_status = "no-answer";
    } else if (n >= 300) {
      refer_call_status = "failed";
    } else {
      refer_call_status = is_interrupted ? "canceled" : "ringing";
    }
  } else if (!refer_status || *refer_status >= 300) {
    refer_call_status = "failed";
  }
  http::Form params;
  if (!refer_call_status.empty()) params.set("ReferCallStatus", refer_call_status);
  if (refer_status) params.set("ReferSipResponseCode", std::to_string(*refer_status));
  if (notify_status) params.set("NotifySipResponseCode", std::to_string(*notify_status));

  if (!r.action) {
    // Without an action the transferred leg is ended once the transfer is under way.
    if (refer_status && *refer_status < 300) co_return Flow::kHangup;
    co_return is_interrupted ? Flow::kOver : Flow::kNext;
  }
  const WebhookTarget action{twiml::resolve_url(document_url, *r.action), method_of(r.method)};
  if (is_interrupted) {
    if (ending || is_remote_gone) report_to_action_after_hangup(action, params);
    co_return Flow::kOver;
  }
  next_source.target = action;
  for (const auto& f : params.fields()) next_source.extra_params.set(f.name, f.value);
  co_return Flow::kNewDocument;
}

}  // namespace sb::calls
