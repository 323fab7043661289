#pragma once
// Requests to the application's webhooks as Twilio makes them: TwiML fetches (with the fallback
// URL), and status callbacks in order per call. Every request carries X-Twilio-Signature and
// I-Twilio-Idempotency-Token; redirects are followed (at most 10); Twilio's connection overrides
// (#ct, #rt, #tt, #rc, #rp) are honoured; each failure becomes a Notification with Twilio's code
// and one log line. Lives on the signalling loop.

#include "http/client.hpp"
#include "store/store.hpp"

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace sb::calls {

struct WebhookTarget {
  std::string url;
  std::string method = "POST";
};

// Twilio's standard voice request parameters for `call` (digest 4.2).
http::Form voice_parameters(const store::Call& call);

struct TwimlFetch {
  bool is_ok = false;
  std::string body;       // the TwiML
  std::string url;        // where it came from (after redirects): relative URLs resolve against it
  std::string method;
  int error_code = 0;     // when !is_ok: the Twilio code of the last failure (11200, 12300, ...)
};

// Connection overrides of a webhook URL's #fragment (digest 5.2).
struct ConnectionOverrides {
  std::chrono::milliseconds total_timeout{15000};
  int retry_count = 1;
  bool retry_on_connect_failure = true;
  bool retry_on_read_timeout = false;
  bool retry_on_4xx = false;
  bool retry_on_5xx = false;
};
ConnectionOverrides parse_connection_overrides(std::string_view url);

class Webhooks {
 public:
  Webhooks(http::Client& client, store::Store& store);

  // Fetches TwiML from `primary`; when that fails (transport error, non-2xx, a content type that
  // is not TwiML), records the error and requests `fallback` with ErrorCode and ErrorUrl added.
  void fetch_twiml(const std::string& auth_token, const store::Call& call, const WebhookTarget& primary,
                   const std::optional<WebhookTarget>& fallback, http::Form params,
                   std::function<void(TwimlFetch)> done);

  // Queues a status callback for `call_sid`: sent after the call's earlier callbacks, never
  // blocking the call; retried on connection failure within the URL's overrides; the response
  // body is ignored. Call-progress callbacks get SequenceNumber, Timestamp and CallbackSource
  // here; recording status callbacks (is_call_progress false) carry none of them, as Twilio's.
  void status_callback(const std::string& auth_token, const std::string& account_sid,
                       const std::string& call_sid, const WebhookTarget& target, http::Form params,
                       bool is_call_progress = true);

  // Callbacks queued or in flight (for tests and shutdown).
  std::size_t pending_callbacks() const;

 private:
  struct Attempt;
  struct CallbackQueue {
    std::deque<std::function<void(std::function<void()>)>> jobs;
    bool is_sending = false;
    int next_sequence = 0;
  };

  // One logical request: signs, follows redirects, retries per overrides; `done` gets the final
  // response or error (and the URL and method last requested).
  void request(const std::string& auth_token, WebhookTarget target, http::Form params,
               std::chrono::milliseconds timeout_cap,
               std::function<void(http::ClientResult, std::string url, std::string method)> done);
  void run_next(const std::string& call_sid);
  void notify(const std::string& account_sid, const std::optional<std::string>& call_sid, int code,
              std::string message, const std::string& method, const std::string& url,
              const http::Form& params, const http::ClientResult* result);

  http::Client& client_;
  store::Store& store_;
  std::map<std::string, CallbackQueue, std::less<>> callbacks_;
  std::shared_ptr<bool> is_alive_ = std::make_shared<bool>(true);
};

}  // namespace sb::calls
