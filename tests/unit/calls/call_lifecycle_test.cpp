#include "calls/call_lifecycle.hpp"

#include "webhook_fixture.hpp"

namespace sb::calls {
namespace {

class CallLifecycleTest : public WebhooksTest {
 protected:
  void SetUp() override {
    WebhooksTest::SetUp();
    call_.status = "queued";
    call_.date_created = call_.date_updated = now_seconds();
    bool saved = false;
    store_->calls().save(call_, [&](std::error_code ec) { saved = !ec; });
    run_until([&] { return saved; });
  }

  StatusCallbackConfig all_events() {
    return {WebhookTarget{url("/status"), "POST"}, {"initiated", "ringing", "answered", "completed"}};
  }

  std::vector<http::Form> callbacks() {
    std::vector<http::Form> out;
    for (const auto& r : requests_) out.push_back(body_of(r));
    return out;
  }

  store::Call stored() { return *store_->calls().find(account_.sid, call_.sid); }
};

TEST_F(CallLifecycleTest, AnAnsweredCallReportsEachSubscribedEventInOrderAfterStoringIt) {
  CallLifecycle life(*store_, *webhooks_, call_, all_events(), std::string(kToken));
  life.initiated(1500ms);
  life.ringing();
  life.ringing();  // a second 180 is not a new event
  life.answered("abc@127.0.0.1");
  bool stored_answer = false;
  life.when_stored([&](const store::Call& c) { stored_answer = c.status == "in-progress"; });
  run_until([&] { return stored_answer; });
  EXPECT_EQ(stored().status, "in-progress");
  EXPECT_TRUE(stored().start_time);
  EXPECT_EQ(stored().queue_time, 1500);
  life.ended("completed", 200);
  run_until([&] { return requests_.size() == 4 && webhooks_->pending_callbacks() == 0; });

  const auto cb = callbacks();
  std::vector<std::string> statuses;
  for (const auto& f : cb) statuses.push_back(f.get("CallStatus").value_or(""));
  EXPECT_EQ(statuses, (std::vector<std::string>{"initiated", "ringing", "in-progress", "completed"}));
  const auto final_record = stored();
  // Whole seconds between two clock readings a few ms apart: 0, or 1 across a second boundary.
  const auto seconds = final_record.duration.value_or(-1);
  EXPECT_TRUE(seconds == 0 || seconds == 1) << seconds;
  EXPECT_EQ(cb[3].get("CallDuration"), std::to_string(seconds));
  EXPECT_EQ(cb[3].get("Duration"), std::to_string((seconds + 59) / 60));  // billed minutes, rounded up
  EXPECT_EQ(cb[3].get("SipResponseCode"), "200");
  EXPECT_EQ(cb[2].get("SipCallId"), "abc@127.0.0.1");
  EXPECT_FALSE(cb[1].has("CallDuration"));
  EXPECT_EQ(final_record.status, "completed");
  EXPECT_TRUE(final_record.end_time);
}

TEST_F(CallLifecycleTest, ABusyCallIsNeverAnsweredAndOnlyCompletedIsSentByDefault) {
  CallLifecycle life(*store_, *webhooks_, call_, {WebhookTarget{url("/status"), "POST"}, {"completed"}},
                     std::string(kToken));
  life.initiated(0ms);
  life.ringing();
  const auto outcome = dial_outcome(DialEnd::kFinalResponse, 486);
  life.ended(outcome.status, outcome.sip_response_code);
  life.answered();  // too late: ignored
  run_until([&] { return requests_.size() == 1 && webhooks_->pending_callbacks() == 0; });
  const auto cb = callbacks().at(0);
  EXPECT_EQ(cb.get("CallStatus"), "busy");
  EXPECT_EQ(cb.get("SipResponseCode"), "486");
  EXPECT_EQ(cb.get("CallDuration"), "0");
  EXPECT_FALSE(cb.has("Duration"));
  bool done = false;
  life.when_stored([&](const store::Call&) { done = true; });
  run_until([&] { return done; });
  EXPECT_EQ(stored().status, "busy");
  EXPECT_FALSE(stored().start_time);
}

TEST_F(CallLifecycleTest, ACallCanceledWhileQueuedAnnouncesNothing) {
  CallLifecycle life(*store_, *webhooks_, call_, all_events(), std::string(kToken));
  life.ended("canceled", std::nullopt);
  bool done = false;
  life.when_stored([&](const store::Call&) { done = true; });
  run_until([&] { return done; });
  EXPECT_EQ(stored().status, "canceled");
  loop_.run_for(100ms);
  EXPECT_TRUE(requests_.empty());
}

}  // namespace
}  // namespace sb::calls
