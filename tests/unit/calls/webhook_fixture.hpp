#pragma once
// A real HTTP server on 127.0.0.1 whose answers a test scripts per request, a real SQLite store
// with one account, and the Webhooks under test, all on one io_context the test runs.

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

using namespace std::chrono_literals;
namespace asio = boost::asio;

constexpr std::string_view kToken = "0123456789abcdef0123456789abcdef";

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

}  // namespace sb::calls
