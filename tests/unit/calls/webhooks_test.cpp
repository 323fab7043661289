#include "calls/webhooks.hpp"

#include "core/sid.hpp"
#include "http/server.hpp"
#include "http/twilio_signature.hpp"
#include "store/sqlite/sqlite_store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <gtest/gtest.h>

#include <filesystem>

namespace sb::calls {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

constexpr std::string_view kToken = "0123456789abcdef0123456789abcdef";

// A real HTTP server on 127.0.0.1 whose answers the test scripts per path.
class WebhooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sb-webhooks-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = store::sqlite::open_store(dir_ / "t.db", [this](std::function<void()> f) { asio::post(loop_, std::move(f)); });
    const auto now = now_seconds();
    account_ = {make_sid("AC"), "", "main", "active", "Full", std::string(kToken), now, now};
    bool saved = false;
    store_->accounts().insert(account_, [&](std::error_code ec) { saved = !ec; });
    run_until([&] { return saved; });
    call_.sid = make_sid("CA");
    call_.account_sid = account_.sid;
    call_.to = "sip:kate@example.com";
    call_.from = "Jack";
    call_.status = "in-progress";

    server_ = std::make_unique<http::Server>(loop_, http::ServerOptions{}, [this](http::Request r, http::Reply reply) {
      requests_.push_back(r);
      handler_(std::move(r), std::move(reply));
    });
    port_ = server_->listen("127.0.0.1", 0);
    client_ = std::make_unique<http::Client>(loop_, http::ClientOptions{});
    webhooks_ = std::make_unique<Webhooks>(*client_, *store_);
  }

  void TearDown() override {
    webhooks_.reset();
    client_->shutdown();
    server_.reset();
    loop_.poll();
    store_->close();
    std::filesystem::remove_all(dir_);
  }

  template <class Done>
  void run_until(Done done, std::chrono::milliseconds limit = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      loop_.run_for(10ms);
      loop_.restart();
    }
    ASSERT_TRUE(done()) << "timed out";
  }

  std::string url(std::string_view path) const { return "http://127.0.0.1:" + std::to_string(port_) + std::string(path); }

  static http::Response twiml(std::string body, std::string type = "application/xml") {
    http::Response r;
    r.set("Content-Type", std::move(type));
    r.body = std::move(body);
    return r;
  }

  static http::Form body_of(const http::Request& r) { return http::Form::parse(r.body).value(); }

  std::vector<store::Notification> notifications() {
    return store_->notifications().list({.account_sid = account_.sid}, {.page_size = 100}).items;
  }

  std::filesystem::path dir_;
  asio::io_context loop_;
  std::unique_ptr<store::Store> store_;
  store::Account account_;
  store::Call call_;
  std::unique_ptr<http::Server> server_;
  std::uint16_t port_ = 0;
  std::unique_ptr<http::Client> client_;
  std::unique_ptr<Webhooks> webhooks_;
  std::vector<http::Request> requests_;
  std::function<void(http::Request, http::Reply)> handler_ = [](http::Request, http::Reply reply) {
    reply(twiml("<Response/>"));
  };
};

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
