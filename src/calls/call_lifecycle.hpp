#pragma once
// The status of one call as Twilio reports it. Each transition is stored first and announced
// after (the status callbacks the call subscribed to, in order, through Webhooks). Owned by the
// call engine; signalling loop.

#include "calls/call_outcome.hpp"
#include "calls/webhooks.hpp"
#include "store/store.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sb::calls {

struct StatusCallbackConfig {
  std::optional<WebhookTarget> target;
  std::vector<std::string> events = {"completed"};  // initiated ringing answered completed
};

class CallLifecycle {
 public:
  CallLifecycle(store::Store& store, Webhooks& webhooks, store::Call call, StatusCallbackConfig callbacks,
                std::string auth_token);

  // Dialing starts (event `initiated`); the call leaves the queue after `queue_time`.
  void initiated(std::chrono::milliseconds queue_time);
  // The first provisional response with 180/183 (event `ringing`); later ones change nothing.
  void ringing();
  // A 2xx (event `answered`, CallStatus in-progress); starts the call's clock.
  void answered(std::optional<std::string> sip_call_id = std::nullopt);
  // Answering machine detection decided (AnsweredBy); stored, not announced.
  void detected(std::string answered_by);
  // The call is over: `completed` after an answer, else busy/no-answer/failed/canceled. Idempotent.
  // A call canceled while still queued announces nothing (Twilio's rule).
  void ended(std::string_view status, std::optional<int> sip_response_code);

  const store::Call& call() const { return call_; }
  bool is_over() const { return is_over_; }
  bool was_answered() const { return call_.start_time.has_value(); }
  // Runs `f` once every transition so far is stored (e.g. to answer an API update).
  void when_stored(std::function<void(const store::Call&)> f);

 private:
  void store_then(std::function<void()> announce);
  void announce(std::string_view event, std::string_view call_status);

  store::Store& store_;
  Webhooks& webhooks_;
  store::Call call_;
  StatusCallbackConfig callbacks_;
  std::string auth_token_;
  bool is_over_ = false;
  bool has_rung_ = false;
  bool was_initiated_ = false;
  int saves_in_flight_ = 0;
  std::vector<std::function<void(const store::Call&)>> on_stored_;
};

}  // namespace sb::calls
