// The TwiML half of ActiveCall: loading documents (fetched, inline, fallback on a bad document)
// and running their verbs against the media engine.

#include "calls/active_call.hpp"
#include "calls/audio_cache.hpp"
#include "calls/notifications.hpp"
#include "core/crypto.hpp"
#include "core/log.hpp"
#include "core/sid.hpp"
#include "twiml/parser.hpp"
#include "twiml/url.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <array>
#include <fstream>

namespace sb::calls {
namespace {

// Documents in a row that do nothing but move on (Redirect, empty): a loop, not a call flow.
constexpr int kMaxIdleDocuments = 50;
constexpr std::size_t kMaxAudioBytes = 16 * 1024 * 1024;

// Twilio voice names to espeak-ng: the language picks the voice; woman, alice and the female
// Polly/Google voices pick espeak's female variant (docs/twiml.md has the table).
bool is_female_voice(std::string_view voice) {
  static constexpr std::array<std::string_view, 24> kFemale = {
      "woman", "alice", "Joanna", "Salli", "Kimberly", "Kendra", "Ivy", "Ruth", "Danielle", "Amy",
      "Emma", "Olivia", "Nicole", "Aria", "Celine", "Lea", "Vicki", "Marlene", "Conchita", "Lucia",
      "Mia", "Lupe", "Camila", "Mizuki"};
  for (const auto name : kFemale) {
    if (voice == name || voice.find("." + std::string(name)) != std::string_view::npos) return true;
  }
  return voice.find("-Female") != std::string_view::npos || voice.ends_with("-C") || voice.ends_with("-F");
}

std::string espeak_voice(std::string_view language) {
  std::string v(language);
  for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v.empty() ? "en-us" : v;
}

std::uint32_t loops(int loop) { return loop <= 0 ? 0u : static_cast<std::uint32_t>(loop); }

}  // namespace

asio::awaitable<std::optional<twiml::Document>> ActiveCall::load(TwimlSource source, bool after_writes) {
  const auto& call = lifecycle.call();
  std::string text;
  std::optional<WebhookTarget> failed_target;
  if (source.inline_twiml) {
    text = *source.inline_twiml;
  } else if (source.target) {
    auto params = voice_parameters(call);
    for (const auto& f : call_params.fields()) params.set(f.name, f.value);
    for (const auto& f : source.extra_params.fields()) params.set(f.name, f.value);
    auto fetch = [weak = weak_from_this(), target = *source.target, fallback = source.fallback,
                  params = std::move(params)]() mutable {
      auto self = weak.lock();
      if (!self) return;
      self->engine.webhooks.fetch_twiml(self->auth_token, self->lifecycle.call(), target, fallback, std::move(params),
                                        [weak](TwimlFetch fetch) {
                                          if (auto self = weak.lock()) self->post(TwimlFetched{std::move(fetch)});
                                        });
    };
    if (after_writes) {
      engine.store.after_writes(std::move(fetch));
    } else {
      fetch();
    }
    for (;;) {
      auto event = co_await next();
      if (auto* fetched = std::get_if<TwimlFetched>(&event)) {
        if (!fetched->fetch.is_ok) co_return std::nullopt;  // recorded by Webhooks
        text = std::move(fetched->fetch.body);
        document_url = fetched->fetch.url;
        failed_target = WebhookTarget{fetched->fetch.url, fetched->fetch.method};
        break;
      }
      if (handle_interruption(event)) co_return std::nullopt;
    }
  } else {
    co_return std::nullopt;
  }

  auto parsed = twiml::parse(text);
  if (parsed) {
    for (const auto& w : parsed->warnings) warn(w.twilio_code(), w.message);
    co_return std::move(*parsed);
  }
  const auto& diagnostic = parsed.error();
  record_notification(engine.store, {.account_sid = call.account_sid,
                                     .call_sid = call.sid,
                                     .log = 0,
                                     .error_code = diagnostic.twilio_code(),
                                     .message = diagnostic.message,
                                     .request_url = failed_target ? std::optional(failed_target->url) : std::nullopt,
                                     .response_body = text.substr(0, 4096)});
  // A document that does not parse sends the call to the fallback URL, as a failed fetch does.
  if (source.fallback && failed_target && failed_target->url != source.fallback->url) {
    TwimlSource fallback;
    fallback.target = source.fallback;
    fallback.extra_params = source.extra_params;
    fallback.extra_params.set("ErrorCode", std::to_string(diagnostic.twilio_code()));
    fallback.extra_params.set("ErrorUrl", failed_target->url);
    auto document = co_await load(std::move(fallback), /*after_writes=*/true);
    co_return document;
  }
  co_return std::nullopt;
}

asio::awaitable<Flow> ActiveCall::run_twiml(TwimlSource source) {
  int idle_documents = 0;
  for (bool is_first = true;; is_first = false) {
    auto document = co_await load(source, /*after_writes=*/!is_first);
    if (document && is_screening && !twiml::validate_screening(*document)) {
      warn(13201, "A screening document (<Sip url> or <Number url>) may not <Dial>; the call was declined");
      co_return Flow::kHangup;
    }
    if (!document) {
      if (!ending && !is_remote_gone && redirected) {
        source = std::move(*redirected);
        redirected.reset();
        continue;
      }
      co_return ending || is_remote_gone ? Flow::kOver : Flow::kHangup;  // the error is recorded
    }
    TwimlSource next_source;
    Flow flow = Flow::kNext;
    bool has_media_verb = false;
    for (const auto& verb : document->verbs) {
      has_media_verb |= !std::holds_alternative<twiml::Redirect>(verb);
      flow = co_await execute(verb, next_source);
      if (flow != Flow::kNext) break;
    }
    idle_documents = has_media_verb ? 0 : idle_documents + 1;
    if (idle_documents > kMaxIdleDocuments) {
      record_notification(engine.store, {.account_sid = lifecycle.call().account_sid,
                                         .call_sid = lifecycle.call().sid,
                                         .log = 0,
                                         .error_code = 11215,
                                         .message = fmt::format("TwiML redirect loop: {} documents in a row did nothing",
                                                                idle_documents)});
      co_return Flow::kHangup;
    }
    switch (flow) {
      case Flow::kNext:  // the document ran out: Twilio hangs up
      case Flow::kHangup:
        co_return flow;
      case Flow::kNewDocument:
        source = std::move(next_source);
        continue;
      case Flow::kOver:
        if (ending || is_remote_gone || !redirected) co_return Flow::kOver;
        source = std::move(*redirected);
        redirected.reset();
        idle_documents = 0;
        continue;
    }
  }
}

asio::awaitable<Flow> ActiveCall::execute(const twiml::Verb& verb, TwimlSource& next_source) {
  if (ending || is_remote_gone) co_return Flow::kOver;
  if (is_unanswered_inbound()) {
    // An inbound call rings until a verb needs the line (Twilio: Say, Play, Gather, Record, Dial
    // without answerOnBridge, Hangup, Refer); <Pause> and <Redirect> keep it ringing.
    if (const auto* r = std::get_if<twiml::Reject>(&verb)) {
      if (r->reason == twiml::RejectReason::Busy) {
        reject(486, "Busy Here", "busy");
      } else {
        reject(404, "Not Found", "no-answer");
      }
      co_return Flow::kHangup;
    }
    const auto* d = std::get_if<twiml::Dial>(&verb);
    const bool keeps_ringing = std::holds_alternative<twiml::Pause>(verb) || std::holds_alternative<twiml::Redirect>(verb) ||
                               (d != nullptr && d->answer_on_bridge);
    if (!keeps_ringing && !answer()) co_return Flow::kOver;
  }
  // Each co_await is its own statement (g++ 12 mishandles co_await inside larger expressions).
  if (const auto* s = std::get_if<twiml::Say>(&verb)) {
    const Flow flow = co_await say(*s, false, nullptr);
    co_return flow;
  }
  if (const auto* p = std::get_if<twiml::Play>(&verb)) {
    const Flow flow = co_await play(*p, false, nullptr);
    co_return flow;
  }
  if (const auto* p = std::get_if<twiml::Pause>(&verb)) {
    const auto length = std::chrono::duration_cast<std::chrono::milliseconds>(p->length);
    const Flow flow = co_await pause(length);
    co_return flow;
  }
  if (const auto* g = std::get_if<twiml::Gather>(&verb)) {
    const Flow flow = co_await gather(*g, next_source);
    co_return flow;
  }
  if (const auto* r = std::get_if<twiml::Record>(&verb)) {
    const Flow flow = co_await record(*r, next_source);
    co_return flow;
  }
  if (std::holds_alternative<twiml::Hangup>(verb) || std::holds_alternative<twiml::Reject>(verb)) {
    co_return Flow::kHangup;  // on an answered outbound call <Reject> hangs up too
  }
  if (const auto* r = std::get_if<twiml::Redirect>(&verb)) {
    next_source.target = WebhookTarget{twiml::resolve_url(document_url, r->url), method_of(r->method)};
    co_return Flow::kNewDocument;
  }
  if (const auto* d = std::get_if<twiml::Dial>(&verb)) {
    const Flow flow = co_await dial_verb(*d, next_source);
    co_return flow;
  }
  if (const auto* r = std::get_if<twiml::Refer>(&verb)) {
    const Flow flow = co_await refer(*r, next_source);
    co_return flow;
  }
  warn(12200, fmt::format("<{}> is not supported by this version of switchboard; it was skipped",
                          twiml::element_name(verb)));
  co_return Flow::kNext;
}

asio::awaitable<Flow> ActiveCall::play_and_wait(media::PlayRequest request, bool stop_on_digit, std::string* digits) {
  const auto id = engine.media.play(*session, std::move(request));
  for (;;) {
    auto event = co_await next();
    if (handle_interruption(event)) {
      engine.media.stop_playing(*session);
      co_return Flow::kOver;
    }
    const auto* m = std::get_if<media::MediaEventDetail>(&event);
    if (m == nullptr) continue;
    if (const auto* f = std::get_if<media::PlayFinished>(m); f && f->play == id) co_return Flow::kNext;
    if (const auto* e = std::get_if<media::MediaError>(m);
        e && e->kind == media::MediaError::Kind::play_failed && e->play == id) {
      warn(13420, "Play failed: " + e->reason);
      co_return Flow::kNext;
    }
    if (const auto* d = std::get_if<media::DigitReceived>(m); d && stop_on_digit) {
      digits->push_back(d->digit);
      engine.media.stop_playing(*session);  // barge-in
      co_return Flow::kNext;
    }
  }
}

asio::awaitable<Flow> ActiveCall::say(const twiml::Say& s, bool stop_on_digit, std::string* digits) {
  // g++ 12 miscompiles temporaries built inside a co_await expression: build the request first.
  media::PlayRequest request;
  request.source = media::Speech{.text = s.text,
                                 .voice = espeak_voice(s.language),
                                 .is_female = is_female_voice(s.voice.value_or("man"))};
  request.loop = loops(s.loop);
  const Flow flow = co_await play_and_wait(std::move(request), stop_on_digit, digits);
  co_return flow;
}

asio::awaitable<Flow> ActiveCall::play(const twiml::Play& p, bool stop_on_digit, std::string* digits) {
  if (p.digits) {
    const Flow sent = co_await send_digits(*p.digits);
    if (sent != Flow::kNext || p.url.empty()) co_return sent;
  }
  if (p.url.empty()) co_return Flow::kNext;
  // Audio URLs are kept in the data directory's cache, keyed by URL, and asked again (a
  // conditional GET) when HTTP says the copy is no longer fresh.
  const auto url = twiml::resolve_url(document_url, p.url);
  const auto dir = engine.options.data_dir / "cache" / "audio";
  const auto path = dir / crypto::sha256_hex(url);
  const auto meta_path = std::filesystem::path(path.string() + ".meta");
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(now_seconds().time_since_epoch()).count();
  const auto cached = std::filesystem::exists(path) ? read_cached_audio(meta_path) : std::nullopt;
  if (!cached || !is_fresh(*cached, now)) {
    http::ClientRequest get;
    get.method = "GET";
    get.url = url;
    get.max_body_bytes = kMaxAudioBytes;
    if (cached) get.headers = revalidation_headers(*cached);
    engine.http.send(std::move(get), [weak = weak_from_this(), path, meta_path, dir, now,
                                      has_copy = cached.has_value()](http::ClientResult result) {
      auto self = weak.lock();
      if (!self) return;
      if (!result) {
        return self->post(AudioFetched{"", http::twilio_error_code(static_cast<http::ClientErrc>(result.error().value()))});
      }
      const bool is_unchanged = result->status == 304 && has_copy;
      if (!is_unchanged && result->status != 200) return self->post(AudioFetched{"", 11200});
      if (!is_unchanged && !result->header("Content-Type").starts_with("audio/")) {
        return self->post(AudioFetched{"", 13420});
      }
      // The files are written on the media engine's preparation thread: a large download written
      // here would hold up every other call for as long as the disk takes.
      self->engine.media.run_blocking([weak, path, meta_path, dir, is_unchanged, to_loop = self->engine.options.to_loop,
                                       meta = cached_audio_from(*result, now),
                                       body = is_unchanged ? std::string{} : std::move(result->body)] {
        std::error_code ec;
        if (!is_unchanged) {
          std::filesystem::create_directories(dir, ec);
          const auto partial = path.string() + ".part";
          std::ofstream(partial, std::ios::binary).write(body.data(), static_cast<std::streamsize>(body.size()));
          std::filesystem::rename(partial, path, ec);
        }
        if (!ec) write_cached_audio(meta_path, meta);  // a 304: still the same file, fresh again
        to_loop([weak, stored = ec ? std::string{} : path.string(), code = ec ? 12400 : 0] {
          if (auto self = weak.lock()) self->post(AudioFetched{stored, code});
        });
      });
    });
    for (;;) {
      auto event = co_await next();
      if (auto* fetched = std::get_if<AudioFetched>(&event)) {
        if (fetched->path.empty()) {
          warn(fetched->error_code, fmt::format("<Play> could not fetch {}", url));
          co_return Flow::kNext;  // Twilio goes on with the next verb
        }
        break;
      }
      if (handle_interruption(event)) co_return Flow::kOver;
    }
  }
  media::PlayRequest request;
  request.source = media::AudioFile{path.string()};
  request.loop = loops(p.loop);
  const Flow flow = co_await play_and_wait(std::move(request), stop_on_digit, digits);
  co_return flow;
}

asio::awaitable<Flow> ActiveCall::pause(std::chrono::milliseconds length) {
  set_timer(TimerKind::kVerb, length);
  for (;;) {
    auto event = co_await next();
    if (auto* t = std::get_if<TimerFired>(&event); t && t->kind == TimerKind::kVerb) co_return Flow::kNext;
    if (handle_interruption(event)) {
      cancel_timer(TimerKind::kVerb);
      co_return Flow::kOver;
    }
  }
}

asio::awaitable<Flow> ActiveCall::send_digits(std::string digits) {
  engine.media.send_digits(*session, digits);
  for (;;) {
    auto event = co_await next();
    if (handle_interruption(event)) co_return Flow::kOver;
    const auto* m = std::get_if<media::MediaEventDetail>(&event);
    if (m == nullptr) continue;
    if (std::holds_alternative<media::DigitsSent>(*m)) co_return Flow::kNext;
    if (const auto* e = std::get_if<media::MediaError>(m); e && e->kind == media::MediaError::Kind::digits_failed) {
      warn(21206, "SendDigits failed: " + e->reason);
      co_return Flow::kNext;
    }
  }
}

asio::awaitable<Flow> ActiveCall::gather(const twiml::Gather& g, TwimlSource& next_source) {
  std::string digits;
  bool is_finished_on_key = false;
  bool is_complete = false;
  // Applies the digits received so far; true once the gather is complete.
  auto apply = [&](std::string_view received) {
    for (char d : received) {
      if (is_complete) break;
      if (g.finish_on_key && d == *g.finish_on_key) {
        is_finished_on_key = is_complete = true;
      } else {
        digits.push_back(d);
        if (g.num_digits && static_cast<int>(digits.size()) >= *g.num_digits) is_complete = true;
      }
    }
    return is_complete;
  };

  for (const auto& child : g.children) {
    std::string received;
    Flow flow = Flow::kNext;
    if (const auto* s = std::get_if<twiml::Say>(&child)) {
      flow = co_await say(*s, true, &received);
    } else if (const auto* p = std::get_if<twiml::Play>(&child)) {
      flow = co_await play(*p, true, &received);
    } else if (const auto* p = std::get_if<twiml::Pause>(&child)) {
      const auto length = std::chrono::duration_cast<std::chrono::milliseconds>(p->length);
      flow = co_await pause(length);
    }
    if (flow == Flow::kOver) co_return Flow::kOver;
    if (!received.empty()) {
      apply(received);
      break;  // a digit stops the prompts (barge-in)
    }
  }
  // Then wait up to `timeout` for each further digit.
  while (!is_complete) {
    set_timer(TimerKind::kVerb, std::chrono::duration_cast<std::chrono::milliseconds>(g.timeout));
    auto event = co_await next();
    if (auto* t = std::get_if<TimerFired>(&event); t && t->kind == TimerKind::kVerb) break;
    if (handle_interruption(event)) {
      cancel_timer(TimerKind::kVerb);
      co_return Flow::kOver;
    }
    if (const auto* m = std::get_if<media::MediaEventDetail>(&event)) {
      if (const auto* d = std::get_if<media::DigitReceived>(m)) apply(std::string_view(&d->digit, 1));
    }
  }
  cancel_timer(TimerKind::kVerb);

  if (digits.empty() && !g.action_on_empty_result) co_return Flow::kNext;  // on to the next verb
  const std::string action = g.action ? twiml::resolve_url(document_url, *g.action) : document_url;
  if (action.empty()) {
    warn(12200, "<Gather> without an action in inline TwiML: nowhere to send the digits");
    co_return Flow::kNext;
  }
  next_source.target = WebhookTarget{action, method_of(g.method)};
  next_source.extra_params.set("Digits", digits);
  if (is_finished_on_key) next_source.extra_params.set("FinishedOnKey", std::string(1, *g.finish_on_key));
  co_return Flow::kNewDocument;
}

}  // namespace sb::calls

namespace sb::calls {

asio::awaitable<Flow> ActiveCall::record(const twiml::Record& r, TwimlSource& next_source) {
  if (r.play_beep) {
    media::PlayRequest beep;
    beep.source = media::Tone::beep();
    const Flow flow = co_await play_and_wait(std::move(beep), false, nullptr);
    if (flow == Flow::kOver) co_return flow;
  }
  if (is_caller_recorded) {
    warn(12200, "<Record> while the call itself is recorded (Record=true) is not supported; it was skipped");
    co_return Flow::kNext;
  }
  const auto callback = recording_callback_for(r.recording_status_callback, r.recording_status_callback_method,
                                               r.recording_status_callback_event);
  const bool trims = r.trim == twiml::Trim::TrimSilence;
  std::optional<std::chrono::milliseconds> silence_timeout;
  if (r.timeout.count() > 0) silence_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(r.timeout);
  auto recording = start_call_recording("RecordVerb", media::RecordTrack::inbound,
                                        std::chrono::duration_cast<std::chrono::milliseconds>(r.max_length), callback,
                                        silence_timeout, trims);

  // Ends on a finishOnKey digit, after `timeout` of silence, at maxLength, or when the call ends;
  // the file is complete once RecordFinished arrives.
  std::string ended_by;
  std::optional<media::RecordFinished> finished;
  bool is_interrupted = false;
  while (!finished) {
    auto event = co_await next();
    if (const auto* m = std::get_if<media::MediaEventDetail>(&event)) {
      if (const auto* f = std::get_if<media::RecordFinished>(m)) {
        finished = *f;
      } else if (const auto* e = std::get_if<media::MediaError>(m); e && e->kind == media::MediaError::Kind::record_failed) {
        warn(13610, "<Record> failed: " + e->reason);
        discard_recording(recording, callback, /*is_absent=*/false);
        co_return Flow::kNext;
      } else if (const auto* d = std::get_if<media::DigitReceived>(m);
                 d && ended_by.empty() && r.finish_on_key.find(d->digit) != std::string::npos) {
        ended_by = std::string(1, d->digit);
        engine.media.stop_recording(*session);
      }
      continue;
    }
    if (handle_interruption(event)) {
      if (!is_interrupted) engine.media.stop_recording(*session);
      is_interrupted = true;
      if (is_remote_gone) ended_by = "hangup";
    }
  }
  if (trims && !finished->has_speech) {
    // Nothing but silence: Twilio keeps no recording (status absent) and goes on with the next verb.
    warn(16102, "<Record> heard only silence; no recording was kept");
    discard_recording(recording, callback, /*is_absent=*/true);
    co_return is_interrupted ? Flow::kOver : Flow::kNext;
  }
  const std::string url = complete_recording(recording, *finished, callback);
  next_source.target = WebhookTarget{r.action ? twiml::resolve_url(document_url, *r.action) : document_url,
                                     method_of(r.method)};
  next_source.extra_params.set("RecordingUrl", url);
  next_source.extra_params.set("RecordingSid", recording.sid);
  next_source.extra_params.set("RecordingDuration", std::to_string(*recording.duration));
  if (!ended_by.empty()) next_source.extra_params.set("Digits", ended_by);  // none after a silence timeout
  if (is_interrupted) {
    // Twilio still tells the action URL about a recording the hang-up ended; its TwiML is ignored.
    if (is_remote_gone && next_source.target && !next_source.target->url.empty()) {
      report_to_action_after_hangup(*next_source.target, next_source.extra_params);
    }
    co_return Flow::kOver;
  }
  co_return Flow::kNewDocument;
}

}  // namespace sb::calls
