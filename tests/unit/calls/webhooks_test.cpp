#include "calls/webhooks.hpp"

#include "webhook_fixture.hpp"

namespace sb::calls {
namespace {

TEST_F(WebhooksTest, FetchesTwimlWithVoiceParametersAndAValidSignature) {
  std::optional<TwimlFetch> result;
  webhooks_->fetch_twiml(std::string(kToken), call_, {url("/voice?x=1"), "POST"}, std::nullopt, voice_parameters(call_),
                         [&](TwimlFetch f) { result = std::move(f); });
  run_until([&] { return result.has_value(); });
  ASSERT_TRUE(result->is_ok);
  EXPECT_EQ(result->body, "<Response/>");
  ASSERT_EQ(requests_.size(), 1u);
  const auto& r = requests_[0];
  const auto params = body_of(r);
  EXPECT_EQ(params.get("CallSid"), call_.sid);
  EXPECT_EQ(params.get("AccountSid"), account_.sid);
  EXPECT_EQ(params.get("CallStatus"), "in-progress");
  EXPECT_EQ(params.get("To"), "sip:kate@example.com");
  EXPECT_EQ(params.get("Called"), "sip:kate@example.com");
  EXPECT_EQ(params.get("Direction"), "outbound-api");
  EXPECT_EQ(params.get("ApiVersion"), "2010-04-01");
  EXPECT_TRUE(http::is_valid_twilio_signature(kToken, r.header("X-Twilio-Signature"), url("/voice?x=1"), params));
  EXPECT_FALSE(http::is_valid_twilio_signature("wrong-token", r.header("X-Twilio-Signature"), url("/voice?x=1"), params));
  EXPECT_EQ(r.header("I-Twilio-Idempotency-Token").size(), 32u);
}

TEST_F(WebhooksTest, GetRequestsCarryParametersInTheSignedQuery) {
  std::optional<TwimlFetch> result;
  webhooks_->fetch_twiml(std::string(kToken), call_, {url("/voice"), "GET"}, std::nullopt, voice_parameters(call_),
                         [&](TwimlFetch f) { result = std::move(f); });
  run_until([&] { return result.has_value(); });
  ASSERT_TRUE(result->is_ok);
  const auto& r = requests_.at(0);
  EXPECT_EQ(r.method, "GET");
  EXPECT_NE(r.target.find("CallSid=" + call_.sid), std::string::npos);
  EXPECT_TRUE(http::is_valid_twilio_signature(kToken, r.header("X-Twilio-Signature"), url(r.target), {}));
}

TEST_F(WebhooksTest, FollowsRedirectsKeepingTheIdempotencyToken) {
  handler_ = [this](http::Request r, http::Reply reply) {
    if (r.path() == "/old") {
      http::Response moved;
      moved.status = 307;
      moved.set("Location", "/new");
      return reply(std::move(moved));
    }
    reply(twiml("<Response><Hangup/></Response>"));
  };
  std::optional<TwimlFetch> result;
  webhooks_->fetch_twiml(std::string(kToken), call_, {url("/old"), "POST"}, std::nullopt, voice_parameters(call_),
                         [&](TwimlFetch f) { result = std::move(f); });
  run_until([&] { return result.has_value(); });
  ASSERT_TRUE(result->is_ok);
  EXPECT_EQ(result->url, url("/new"));
  ASSERT_EQ(requests_.size(), 2u);
  EXPECT_EQ(requests_[1].method, "POST");  // 307 keeps the method
  EXPECT_EQ(requests_[0].header("I-Twilio-Idempotency-Token"), requests_[1].header("I-Twilio-Idempotency-Token"));
  EXPECT_TRUE(http::is_valid_twilio_signature(kToken, requests_[1].header("X-Twilio-Signature"), url("/new"),
                                              body_of(requests_[1])));
}

TEST_F(WebhooksTest, AFailingUrlIsRecordedAndTheFallbackGetsErrorCodeAndErrorUrl) {
  handler_ = [](http::Request r, http::Reply reply) {
    if (r.path() == "/broken") {
      http::Response error;
      error.status = 500;
      error.body = "boom";
      return reply(std::move(error));
    }
    if (r.path() == "/html") return reply(twiml("{}", "application/json"));
    reply(twiml("<Response><Say>sorry</Say></Response>"));
  };
  std::optional<TwimlFetch> result;
  webhooks_->fetch_twiml(std::string(kToken), call_, {url("/broken"), "POST"}, WebhookTarget{url("/fallback"), "POST"},
                         voice_parameters(call_), [&](TwimlFetch f) { result = std::move(f); });
  run_until([&] { return result.has_value(); });
  ASSERT_TRUE(result->is_ok);
  EXPECT_EQ(result->url, url("/fallback"));
  const auto fallback = body_of(requests_.at(1));
  EXPECT_EQ(fallback.get("ErrorCode"), "11200");
  EXPECT_EQ(fallback.get("ErrorUrl"), url("/broken"));
  run_until([&] { return notifications().size() == 1; });
  const auto n = notifications().at(0);
  EXPECT_EQ(n.error_code, "11200");
  EXPECT_EQ(n.call_sid, call_.sid);
  EXPECT_EQ(n.request_url, url("/broken"));
  EXPECT_EQ(n.response_body, "boom");

  // A content type that is not TwiML is 12300; without a fallback the fetch fails with that code.
  result.reset();
  webhooks_->fetch_twiml(std::string(kToken), call_, {url("/html"), "POST"}, std::nullopt, voice_parameters(call_),
                         [&](TwimlFetch f) { result = std::move(f); });
  run_until([&] { return result.has_value(); });
  EXPECT_FALSE(result->is_ok);
  EXPECT_EQ(result->error_code, 12300);
}

TEST_F(WebhooksTest, AnUnreachableUrlFailsWithTheClientsTwilioCode) {
  // A port that was free a moment ago: nothing listens there.
  std::uint16_t dead_port;
  {
    http::Server probe(loop_, {}, [](http::Request, http::Reply) {});
    dead_port = probe.listen("127.0.0.1", 0);
  }
  loop_.poll();
  std::optional<TwimlFetch> result;
  webhooks_->fetch_twiml(std::string(kToken), call_, {"http://127.0.0.1:" + std::to_string(dead_port) + "/x#rc=0", "POST"},
                         std::nullopt, voice_parameters(call_), [&](TwimlFetch f) { result = std::move(f); });
  run_until([&] { return result.has_value(); });
  EXPECT_FALSE(result->is_ok);
  EXPECT_EQ(result->error_code, http::twilio_error_code(http::ClientErrc::connect_refused));
  EXPECT_NE(result->error_code, 0);
}

TEST_F(WebhooksTest, StatusCallbacksArriveInOrderEvenWhenOneIsSlow) {
  std::vector<std::unique_ptr<asio::steady_timer>> timers;
  handler_ = [&](http::Request r, http::Reply reply) {
    if (body_of(r).get("CallStatus") == "initiated") {
      // Hold the first answer; the next callbacks must wait for it.
      auto timer = std::make_unique<asio::steady_timer>(loop_, 200ms);
      timer->async_wait([reply](auto) { reply(twiml("")); });
      timers.push_back(std::move(timer));
      return;
    }
    reply(twiml(""));
  };
  const WebhookTarget target{url("/status"), "POST"};
  for (const auto* status : {"initiated", "ringing", "in-progress", "completed"}) {
    auto params = voice_parameters(call_);
    params.set("CallStatus", status);
    webhooks_->status_callback(std::string(kToken), account_.sid, call_.sid, target, params);
  }
  EXPECT_EQ(webhooks_->pending_callbacks(), 4u);
  run_until([&] { return requests_.size() == 4 && webhooks_->pending_callbacks() == 0; });
  std::vector<std::string> order, sequence;
  for (const auto& r : requests_) {
    const auto p = body_of(r);
    order.push_back(p.get("CallStatus").value_or(""));
    sequence.push_back(p.get("SequenceNumber").value_or(""));
    EXPECT_EQ(p.get("CallbackSource"), "call-progress-events");
    EXPECT_TRUE(p.has("Timestamp"));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"initiated", "ringing", "in-progress", "completed"}));
  EXPECT_EQ(sequence, (std::vector<std::string>{"0", "1", "2", "3"}));
}

TEST_F(WebhooksTest, AFailedStatusCallbackIsRetriedWithinItsBoundThenRecorded) {
  int attempts = 0;
  handler_ = [&](http::Request r, http::Reply reply) {
    if (r.path() == "/flaky") {
      ++attempts;
      http::Response error;
      error.status = 503;
      return reply(std::move(error));
    }
    reply(twiml(""));
  };
  webhooks_->status_callback(std::string(kToken), account_.sid, call_.sid, {url("/flaky#rc=2&rp=5xx"), "POST"},
                             voice_parameters(call_));
  webhooks_->status_callback(std::string(kToken), account_.sid, call_.sid, {url("/ok"), "POST"}, voice_parameters(call_));
  run_until([&] { return webhooks_->pending_callbacks() == 0; });
  EXPECT_EQ(attempts, 3);  // the first try and two retries
  EXPECT_EQ(requests_.back().path(), "/ok");
  run_until([&] { return notifications().size() == 1; });
  EXPECT_EQ(notifications().at(0).error_code, "11200");
}

TEST(ConnectionOverrides, ParsesTheFragment) {
  const auto o = parse_connection_overrides("https://x.test/a?b=1#ct=1000&tt=2000&rc=3&rp=4xx,rt");
  EXPECT_EQ(o.total_timeout, 2000ms);
  EXPECT_EQ(o.retry_count, 3);
  EXPECT_TRUE(o.retry_on_4xx);
  EXPECT_TRUE(o.retry_on_read_timeout);
  EXPECT_FALSE(o.retry_on_connect_failure);
  EXPECT_FALSE(o.retry_on_5xx);
  const auto d = parse_connection_overrides("https://x.test/a#tt=99999&rc=9");
  EXPECT_EQ(d.total_timeout, 15000ms);  // out of range: default kept
  EXPECT_EQ(d.retry_count, 1);
}

}  // namespace
}  // namespace sb::calls
