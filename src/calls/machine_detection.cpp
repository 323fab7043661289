// Answering machine detection on a call's session: the REST API's MachineDetection (waited for
// before the TwiML, or AsyncAmd) and <Sip>/<Number machineDetection> on <Dial> legs.

#include "calls/active_call.hpp"
#include "core/log.hpp"

namespace sb::calls {
namespace {

constexpr std::chrono::seconds kDecisionSlack{5};  // beyond the detection's own timeout

}  // namespace

void ActiveCall::start_machine_detection(const MachineDetection& detection) {
  media::MachineDetectionRequest r;
  r.mode = detection.mode == "DetectMessageEnd" ? media::MachineDetectionMode::detect_message_end
                                                 : media::MachineDetectionMode::enable;
  r.timeout = detection.timeout;
  r.speech_threshold = detection.speech_threshold;
  r.speech_end_threshold = detection.speech_end_threshold;
  r.silence_timeout = detection.silence_timeout;
  if (detection.is_async && detection.async_callback) {
    amd_callback = WebhookTarget{*detection.async_callback, detection.async_callback_method};
  }
  engine.media.start_machine_detection(*session, r.clamped());
  set_timer(TimerKind::kAmd, std::chrono::duration_cast<std::chrono::milliseconds>(detection.timeout + kDecisionSlack));
}

asio::awaitable<bool> ActiveCall::wait_machine_detection() {
  while (!amd_duration) {
    auto event = co_await next();
    if (auto* t = std::get_if<TimerFired>(&event); t && t->kind == TimerKind::kAmd) {
      on_machine_detected({.answered_by = media::AnsweredBy::unknown, .detection_duration = {}, .is_final = true});
      break;
    }
    if (handle_interruption(event)) co_return false;  // MachineDetected is handled there too
  }
  co_return !ending && !is_remote_gone;
}

void ActiveCall::on_machine_detected(const media::MachineDetected& detected) {
  if (amd_duration || !detected.is_final) return;  // DetectMessageEnd: only the end of the greeting counts
  cancel_timer(TimerKind::kAmd);
  amd_duration = detected.detection_duration;
  const auto& call = lifecycle.call();
  lifecycle.detected(std::string(media::to_string(detected.answered_by)));
  spdlog::info("call {}: answered by {} ({} ms)", call.sid, media::to_string(detected.answered_by),
               detected.detection_duration.count());
  if (!amd_callback) return;
  http::Form params;
  params.add("AccountSid", call.account_sid);
  params.add("CallSid", call.sid);
  params.add("AnsweredBy", std::string(media::to_string(detected.answered_by)));
  params.add("MachineDetectionDuration", std::to_string(detected.detection_duration.count()));
  engine.webhooks.status_callback(auth_token, call.account_sid, call.sid, *amd_callback, std::move(params),
                                  /*is_call_progress=*/false);
}

}  // namespace sb::calls
