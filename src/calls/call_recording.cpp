// Recordings of a call's audio: <Record>, <Dial record>, and Record=true on the Calls resource
// share the same steps (a Recording record, the WAV file, the status callbacks).

#include "calls/active_call.hpp"
#include "core/log.hpp"
#include "core/sid.hpp"
#include "twiml/url.hpp"

#include <fmt/format.h>

namespace sb::calls {
namespace {

constexpr std::chrono::seconds kRecordWait{5};  // for the media engine to close the file

std::string_view track_name(media::RecordTrack track) {
  switch (track) {
    case media::RecordTrack::inbound:
      return "inbound";
    case media::RecordTrack::outbound:
      return "outbound";
    case media::RecordTrack::both:
    case media::RecordTrack::dual:
      break;
  }
  return "both";
}

// The completion of a recording's write (`done`: "stored", "removed"): a failure is logged, and
// the status callback, if one is wanted, leaves after the commit, so its handler finds the row.
store::Completion then_announce(std::string sid, std::string_view done, std::function<void()> announce) {
  return [sid = std::move(sid), done, announce = std::move(announce)](std::error_code e) {
    if (e) spdlog::error("recording {} not {}: {}", sid, done, e.message());
    if (announce) announce();
  };
}

}  // namespace

RecordingCallback ActiveCall::recording_callback_for(const std::optional<std::string>& url, twiml::Method method,
                                                     const twiml::RecordingStatusEvents& events) const {
  RecordingCallback callback;
  if (!url) return callback;
  callback.target = WebhookTarget{twiml::resolve_url(document_url, *url), method_of(method)};
  callback.in_progress = events.in_progress;
  callback.completed = events.completed;
  callback.absent = events.absent;
  return callback;
}

std::string ActiveCall::recording_url(const store::Recording& recording) const {
  return fmt::format("{}/2010-04-01/Accounts/{}/Recordings/{}", engine.api_base_url, recording.account_sid,
                     recording.sid);
}

store::Recording ActiveCall::start_call_recording(std::string source, media::RecordTrack track,
                                                  std::optional<std::chrono::milliseconds> max_duration,
                                                  const RecordingCallback& callback,
                                                  std::optional<std::chrono::milliseconds> silence_timeout,
                                                  bool trim_silence) {
  const auto& call = lifecycle.call();
  store::Recording recording;
  recording.sid = make_sid(sid_prefix::kRecording);
  recording.account_sid = call.account_sid;
  recording.call_sid = call.sid;
  recording.source = std::move(source);
  recording.track = std::string(track_name(track));
  recording.channels = media::channel_count(track);
  recording.status = "in-progress";
  recording.start_time = recording.date_created = now_seconds();
  const auto dir = engine.options.data_dir / "recordings" / call.account_sid;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  recording.file = (dir / (recording.sid + ".wav")).string();
  media::RecordRequest request;
  request.path = recording.file;
  request.max_duration = max_duration;
  request.track = track;
  request.silence_timeout = silence_timeout;
  request.trim_silence = trim_silence;
  engine.media.start_recording(*session, request);
  // Stored as in-progress (listed, its media not served until completed), then announced.
  auto announce = recording_announcement(recording, "in-progress", callback);
  engine.store.recordings().save(recording, then_announce(recording.sid, "stored", std::move(announce)));
  return recording;
}

void ActiveCall::discard_recording(store::Recording& recording, const RecordingCallback& callback, bool is_absent) {
  std::error_code ignored;
  std::filesystem::remove(recording.file, ignored);
  recording.status = "absent";
  recording.duration = 0;
  recording.date_updated = now_seconds();
  // Nothing is kept: the in-progress row goes, and then (for silence) the absent event.
  auto announce = is_absent ? recording_announcement(recording, "absent", callback) : std::function<void()>{};
  engine.store.recordings().remove(recording.sid, then_announce(recording.sid, "removed", std::move(announce)));
}

asio::awaitable<std::optional<media::RecordFinished>> ActiveCall::wait_recording() {
  set_timer(TimerKind::kRecordWait, kRecordWait);
  std::optional<media::RecordFinished> finished;
  for (;;) {
    auto event = co_await next();
    if (const auto* m = std::get_if<media::MediaEventDetail>(&event)) {
      if (const auto* f = std::get_if<media::RecordFinished>(m)) {
        finished = *f;
        break;
      }
      if (const auto* e = std::get_if<media::MediaError>(m); e && e->kind == media::MediaError::Kind::record_failed) {
        warn(13610, "Recording failed: " + e->reason);
        break;
      }
      continue;
    }
    if (auto* t = std::get_if<TimerFired>(&event); t && t->kind == TimerKind::kRecordWait) {
      spdlog::warn("call {}: the recording did not finish within {} s", lifecycle.call().sid, kRecordWait.count());
      break;
    }
    handle_interruption(event);  // the call may end meanwhile; the recording is still kept
  }
  cancel_timer(TimerKind::kRecordWait);
  co_return finished;
}

std::function<void()> ActiveCall::recording_announcement(const store::Recording& recording, std::string_view status,
                                                         const RecordingCallback& callback) {
  const bool wanted = (status == "in-progress" && callback.in_progress) ||
                      (status == "completed" && callback.completed) || (status == "absent" && callback.absent);
  if (!callback.target || !wanted) return {};
  const auto& call = lifecycle.call();
  http::Form params;
  params.add("AccountSid", call.account_sid);
  params.add("CallSid", call.sid);
  params.add("RecordingSid", recording.sid);
  params.add("RecordingUrl", recording_url(recording));
  params.add("RecordingStatus", std::string(status));
  if (status != "in-progress") params.add("RecordingDuration", std::to_string(recording.duration.value_or(0)));
  params.add("RecordingChannels", std::to_string(recording.channels));
  params.add("RecordingStartTime", format_rfc2822(recording.start_time));
  params.add("RecordingSource", recording.source);
  params.add("RecordingTrack", recording.track);
  // Everything by value: the call may be over and gone when this runs.
  return [&webhooks = engine.webhooks, token = auth_token, account = call.account_sid, sid = call.sid,
          target = *callback.target, params = std::move(params)]() mutable {
    webhooks.status_callback(token, account, sid, target, std::move(params), /*is_call_progress=*/false);
  };
}

std::string ActiveCall::complete_recording(store::Recording& recording, const media::RecordFinished& finished,
                                           const RecordingCallback& callback) {
  recording.status = "completed";
  recording.duration =
      std::chrono::duration_cast<std::chrono::seconds>(finished.duration + std::chrono::milliseconds{500}).count();
  recording.channels = finished.channels;
  recording.date_updated = now_seconds();
  // Announced once stored: a callback handler that fetches the recording finds it.
  auto announce = recording_announcement(recording, "completed", callback);
  engine.store.recordings().save(recording, then_announce(recording.sid, "stored", std::move(announce)));
  return recording_url(recording);
}

}  // namespace sb::calls
