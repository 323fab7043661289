#include "calls/webhooks.hpp"

#include "calls/notifications.hpp"
#include "core/crypto.hpp"
#include "core/log.hpp"
#include "http/twilio_signature.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace sb::calls {
namespace {

constexpr int kMaxRedirects = 10;
constexpr std::chrono::milliseconds kMaxTotal{15000};

bool is_redirect(unsigned status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Twilio executes text/xml, application/xml and text/html as TwiML, and text/plain when it parses.
bool is_twiml_type(std::string_view content_type) {
  const auto type = lower(content_type.substr(0, content_type.find(';')));
  const auto trimmed = type.substr(0, type.find_last_not_of(' ') + 1);
  return trimmed == "text/xml" || trimmed == "application/xml" || trimmed == "text/html" ||
         trimmed == "text/plain";
}

std::optional<std::string> resolve(std::string_view base, std::string_view location) {
  auto base_url = boost::urls::parse_uri(base);
  auto ref = boost::urls::parse_uri_reference(location);
  if (!base_url || !ref) return std::nullopt;
  boost::urls::url out;
  if (!boost::urls::resolve(*base_url, *ref, out)) return std::nullopt;
  return std::string(out.buffer());
}

std::string encode_headers(const std::vector<http::Header>& headers) {
  std::string out;
  for (const auto& h : headers) out += fmt::format("{}: {}\n", h.name, h.value);
  return out;
}

}  // namespace

http::Form voice_parameters(const store::Call& c) {
  http::Form f;
  f.add("AccountSid", c.account_sid);
  f.add("ApiVersion", c.api_version);
  f.add("CallSid", c.sid);
  f.add("CallStatus", c.status);
  f.add("Called", c.to);
  f.add("Caller", c.from);
  f.add("Direction", c.direction);
  f.add("From", c.from);
  f.add("To", c.to);
  if (c.parent_call_sid) f.add("ParentCallSid", *c.parent_call_sid);
  if (c.forwarded_from) f.add("ForwardedFrom", *c.forwarded_from);
  if (c.caller_name) f.add("CallerName", *c.caller_name);
  if (c.answered_by) f.add("AnsweredBy", *c.answered_by);
  return f;
}

ConnectionOverrides parse_connection_overrides(std::string_view url) {
  ConnectionOverrides o;
  const auto hash = url.find('#');
  if (hash == std::string_view::npos) return o;
  std::string_view rest = url.substr(hash + 1);
  auto number = [](std::string_view v, long low, long high) -> std::optional<long> {
    long n = 0;
    const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || ptr != v.data() + v.size() || n < low || n > high) return std::nullopt;
    return n;
  };
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value = pair.substr(eq + 1);
    if (key == "tt") {
      if (auto n = number(value, 100, 15000)) o.total_timeout = std::chrono::milliseconds{*n};
    } else if (key == "rc") {
      if (auto n = number(value, 0, 5)) o.retry_count = static_cast<int>(*n);
    } else if (key == "rp") {
      o.retry_on_connect_failure = o.retry_on_read_timeout = o.retry_on_4xx = o.retry_on_5xx = false;
      std::string_view policies = value;
      while (!policies.empty()) {
        const auto comma = policies.find(',');
        const std::string_view p = policies.substr(0, comma);
        policies = comma == std::string_view::npos ? std::string_view{} : policies.substr(comma + 1);
        const bool all = p == "all";
        o.retry_on_connect_failure |= all || p == "ct";
        o.retry_on_read_timeout |= all || p == "rt";
        o.retry_on_4xx |= all || p == "4xx";
        o.retry_on_5xx |= all || p == "5xx";
      }
    }
    // ct, rt, sni and e are accepted; the client applies one total timeout and always uses SNI.
  }
  return o;
}

Webhooks::Webhooks(http::Client& client, store::Store& store) : client_(client), store_(store) {}

struct Webhooks::Attempt {
  std::string auth_token;
  WebhookTarget target;
  http::Form params;
  ConnectionOverrides overrides;
  std::string idempotency_token = crypto::random_hex(16);
  int redirects = 0;
  int retries_left = 0;
  std::chrono::steady_clock::time_point deadline;
  std::function<void(http::ClientResult, std::string, std::string)> done;
};

void Webhooks::request(const std::string& auth_token, WebhookTarget target, http::Form params,
                       std::chrono::milliseconds timeout_cap,
                       std::function<void(http::ClientResult, std::string, std::string)> done) {
  auto attempt = std::make_shared<Attempt>();
  attempt->auth_token = auth_token;
  attempt->overrides = parse_connection_overrides(target.url);
  attempt->target = std::move(target);
  attempt->params = std::move(params);
  attempt->retries_left = attempt->overrides.retry_count;
  attempt->deadline = std::chrono::steady_clock::now() + std::min(attempt->overrides.total_timeout, timeout_cap);
  attempt->done = std::move(done);

  auto send = std::make_shared<std::function<void()>>();
  *send = [this, attempt, send, alive = std::weak_ptr<bool>(is_alive_)] {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(attempt->deadline -
                                                                            std::chrono::steady_clock::now());
    http::ClientRequest req;
    req.method = attempt->target.method;
    req.url = attempt->target.url;
    req.params = attempt->params;
    req.timeout = std::max(left, std::chrono::milliseconds{1});
    const http::Form no_params;
    req.headers.push_back({"X-Twilio-Signature",
                           http::twilio_signature(attempt->auth_token, http::request_url(req),
                                                  req.method == "POST" ? req.params : no_params)});
    // The same token on every retry and redirect of one request, so the application can dedupe.
    req.headers.push_back({"I-Twilio-Idempotency-Token", attempt->idempotency_token});
    client_.send(std::move(req), [this, attempt, send, alive](http::ClientResult result) {
      if (alive.expired()) return;
      const bool has_time = std::chrono::steady_clock::now() < attempt->deadline;
      const auto& o = attempt->overrides;
      bool retry = false;
      if (!result) {
        const auto e = static_cast<http::ClientErrc>(result.error().value());
        const bool is_connect = e == http::ClientErrc::connect_refused || e == http::ClientErrc::connect_failed ||
                                e == http::ClientErrc::connect_timeout || e == http::ClientErrc::tls_failed ||
                                e == http::ClientErrc::closed_early;
        retry = (is_connect && o.retry_on_connect_failure) || (e == http::ClientErrc::timeout && o.retry_on_read_timeout);
      } else if (is_redirect(result->status) && attempt->redirects < kMaxRedirects) {
        const auto location = resolve(attempt->target.url, result->header("Location"));
        if (location) {
          ++attempt->redirects;
          attempt->target.url = *location;
          // Like a browser: 301, 302 and 303 turn a POST into a GET.
          if (result->status != 307 && result->status != 308) attempt->target.method = "GET";
          (*send)();
          return;
        }
      } else {
        retry = (result->status >= 500 && o.retry_on_5xx) ||
                (result->status >= 400 && result->status < 500 && o.retry_on_4xx);
      }
      if (retry && has_time && attempt->retries_left > 0) {
        --attempt->retries_left;
        (*send)();
        return;
      }
      auto done = std::move(attempt->done);
      *send = nullptr;  // break the self-reference
      done(std::move(result), attempt->target.url, attempt->target.method);
    });
  };
  (*send)();
}

void Webhooks::notify(const std::string& account_sid, const std::optional<std::string>& call_sid, int code,
                      std::string message, const std::string& method, const std::string& url,
                      const http::Form& params, const http::ClientResult* result) {
  NotificationInput n{.account_sid = account_sid,
                      .call_sid = call_sid,
                      .log = 0,
                      .error_code = code,
                      .message = std::move(message),
                      .request_method = method,
                      .request_url = url,
                      .request_variables = params.encode()};
  if (result && *result) {
    n.response_headers = encode_headers((*result)->headers);
    n.response_body = (*result)->body;
  }
  record_notification(store_, std::move(n));
}

void Webhooks::fetch_twiml(const std::string& auth_token, const store::Call& call, const WebhookTarget& primary,
                           const std::optional<WebhookTarget>& fallback, http::Form params,
                           std::function<void(TwimlFetch)> done) {
  // Checks one response; returns 0 or the Twilio error code, with the message to record.
  auto judge = [](const http::ClientResult& result, std::string& message) -> int {
    if (!result) {
      message = fmt::format("HTTP retrieval failure: {}", result.error().message());
      return http::twilio_error_code(static_cast<http::ClientErrc>(result.error().value()));
    }
    if (is_redirect(result->status)) {
      message = "Too many HTTP redirects";
      return 11215;
    }
    if (result->status < 200 || result->status >= 300) {
      message = fmt::format("HTTP retrieval failure: the server answered {}", result->status);
      return 11200;
    }
    if (!is_twiml_type(result->header("Content-Type"))) {
      message = fmt::format("Invalid Content-Type '{}': TwiML must be text/xml or application/xml",
                            result->header("Content-Type"));
      return 12300;
    }
    return 0;
  };

  auto account = call.account_sid;
  auto call_sid = call.sid;
  request(auth_token, primary, params, kMaxTotal,
          [this, judge, auth_token, fallback, params, account, call_sid, done = std::move(done)](
              http::ClientResult result, std::string url, std::string method) mutable {
            std::string message;
            const int code = judge(result, message);
            if (code == 0) return done({true, std::move(result->body), std::move(url), std::move(method), 0});
            notify(account, call_sid, code, message, method, url, params, &result);
            if (!fallback) return done({false, "", std::move(url), std::move(method), code});
            http::Form fallback_params = params;
            fallback_params.set("ErrorCode", std::to_string(code));
            fallback_params.set("ErrorUrl", url);
            request(auth_token, *fallback, fallback_params, kMaxTotal,
                    [this, judge, fallback_params, account, call_sid, done = std::move(done)](
                        http::ClientResult result, std::string url, std::string method) {
                      std::string message;
                      const int code = judge(result, message);
                      if (code == 0) return done({true, std::move(result->body), std::move(url), std::move(method), 0});
                      notify(account, call_sid, code, "Fallback: " + message, method, url, fallback_params, &result);
                      done({false, "", std::move(url), std::move(method), code});
                    });
          });
}

void Webhooks::status_callback(const std::string& auth_token, const std::string& account_sid,
                               const std::string& call_sid, const WebhookTarget& target, http::Form params,
                               bool is_call_progress) {
  auto& queue = callbacks_[call_sid];
  if (is_call_progress) {
    params.set("CallbackSource", "call-progress-events");
    params.set("SequenceNumber", std::to_string(queue.next_sequence++));
    params.set("Timestamp", format_rfc2822(now_seconds()));
  }
  queue.jobs.push_back([this, auth_token, account_sid, call_sid, target, params](std::function<void()> next) {
    request(auth_token, target, params, kMaxTotal,
            [this, account_sid, call_sid, params, next = std::move(next)](http::ClientResult result, std::string url,
                                                                            std::string method) {
              if (!result) {
                notify(account_sid, call_sid,
                       http::twilio_error_code(static_cast<http::ClientErrc>(result.error().value())),
                       fmt::format("Status callback failed: {}", result.error().message()), method, url, params,
                       &result);
              } else if (result->status >= 400) {
                notify(account_sid, call_sid, 11200,
                       fmt::format("Status callback failed: the server answered {}", result->status), method, url,
                       params, &result);
              }
              next();
            });
  });
  if (!queue.is_sending) run_next(call_sid);
}

void Webhooks::run_next(const std::string& call_sid) {
  auto it = callbacks_.find(call_sid);
  if (it == callbacks_.end()) return;
  auto& queue = it->second;
  if (queue.jobs.empty()) {
    queue.is_sending = false;
    return;
  }
  queue.is_sending = true;
  auto job = std::move(queue.jobs.front());
  queue.jobs.pop_front();
  job([this, call_sid, alive = std::weak_ptr<bool>(is_alive_)] {
    if (!alive.expired()) run_next(call_sid);
  });
}

std::size_t Webhooks::pending_callbacks() const {
  std::size_t n = 0;
  for (const auto& [sid, q] : callbacks_) n += q.jobs.size() + (q.is_sending ? 1 : 0);
  return n;
}

}  // namespace sb::calls
