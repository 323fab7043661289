#include "calls/call_lifecycle.hpp"

#include "core/log.hpp"

#include <algorithm>
#include <cmath>

namespace sb::calls {

CallLifecycle::CallLifecycle(store::Store& store, Webhooks& webhooks, store::Call call,
                             StatusCallbackConfig callbacks, std::string auth_token)
    : store_(store),
      webhooks_(webhooks),
      call_(std::move(call)),
      callbacks_(std::move(callbacks)),
      auth_token_(std::move(auth_token)) {}

void CallLifecycle::store_then(std::function<void()> announce) {
  call_.date_updated = now_seconds();
  ++saves_in_flight_;
  // The writer commits in submission order, so the callbacks leave in transition order too.
  store_.calls().save(call_, [this, announce = std::move(announce), snapshot = call_](std::error_code ec) {
    --saves_in_flight_;
    if (ec) spdlog::error("call {}: status {} not stored: {}", snapshot.sid, snapshot.status, ec.message());
    if (announce) announce();
    if (saves_in_flight_ == 0) {
      auto waiting = std::move(on_stored_);
      for (auto& f : waiting) f(call_);
    }
  });
}

void CallLifecycle::when_stored(std::function<void(const store::Call&)> f) {
  if (saves_in_flight_ == 0) return f(call_);
  on_stored_.push_back(std::move(f));
}

void CallLifecycle::announce(std::string_view event, std::string_view call_status) {
  if (!callbacks_.target) return;
  if (std::ranges::find(callbacks_.events, event) == callbacks_.events.end()) return;
  auto params = voice_parameters(call_);
  params.set("CallStatus", std::string(call_status));
  if (event == "completed") {
    const auto seconds = call_.duration.value_or(0);
    params.set("CallDuration", std::to_string(seconds));
    if (call_.status == "completed") {
      // Duration: billed minutes, rounded up (Twilio sends it with the completed event only).
      params.set("Duration", std::to_string((seconds + 59) / 60));
    }
    if (call_.sip_response_code) params.set("SipResponseCode", std::to_string(*call_.sip_response_code));
  }
  if (call_.sip_call_id) params.set("SipCallId", *call_.sip_call_id);
  webhooks_.status_callback(auth_token_, call_.account_sid, call_.sid, *callbacks_.target, std::move(params));
}

void CallLifecycle::initiated(std::chrono::milliseconds queue_time) {
  if (is_over_ || was_initiated_) return;
  was_initiated_ = true;
  call_.queue_time = queue_time.count();
  store_then([this] { announce("initiated", "initiated"); });
}

void CallLifecycle::ringing() {
  if (is_over_ || has_rung_ || was_answered()) return;
  has_rung_ = true;
  call_.status = "ringing";
  store_then([this] { announce("ringing", "ringing"); });
}

void CallLifecycle::answered(std::optional<std::string> sip_call_id) {
  if (is_over_ || was_answered()) return;
  call_.status = "in-progress";
  call_.start_time = now_seconds();
  if (sip_call_id) call_.sip_call_id = std::move(sip_call_id);
  store_then([this] { announce("answered", "in-progress"); });
}

void CallLifecycle::detected(std::string answered_by) {
  if (is_over_) return;
  call_.answered_by = std::move(answered_by);
  store_then({});
}

void CallLifecycle::ended(std::string_view status, std::optional<int> sip_response_code) {
  if (is_over_) return;
  is_over_ = true;
  const bool was_queued = !was_initiated_;
  const auto now = now_seconds();
  call_.status = was_answered() ? "completed" : std::string(status);
  call_.end_time = now;
  call_.duration = was_answered() ? (now - *call_.start_time).count() : 0;
  if (sip_response_code) call_.sip_response_code = sip_response_code;
  store_then([this, was_queued] {
    if (was_queued && call_.status == "canceled") return;
    announce("completed", call_.status);
  });
  spdlog::info("call {}: {}{}", call_.sid, call_.status,
               call_.sip_response_code ? fmt::format(" (SIP {})", *call_.sip_response_code) : "");
}

}  // namespace sb::calls
