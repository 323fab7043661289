// The Calls resource (/Accounts/{Sid}/Calls): list, fetch and delete calls; create and update
// them when a call engine is wired (CallControl).

#include "api/api.hpp"
#include "api/context.hpp"
#include "api/json.hpp"
#include "api/paging.hpp"
#include "api/params.hpp"
#include "calls/call_control.hpp"
#include "calls/notifications.hpp"
#include "core/log.hpp"
#include "core/sid.hpp"

#include <array>

namespace sb::api {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kCallSubresources = {{
    {"events", "Events"},
    {"notifications", "Notifications"},
    {"payments", "Payments"},
    {"recordings", "Recordings"},
    {"siprec", "Siprec"},
    {"streams", "Streams"},
    {"transcriptions", "Transcriptions"},
    {"user_defined_message_subscriptions", "UserDefinedMessageSubscriptions"},
    {"user_defined_messages", "UserDefinedMessages"},
}};

bool is_live(std::string_view status) {
  return status == "queued" || status == "ringing" || status == "in-progress";
}

boost::json::value optional_date(const std::optional<SystemTime>& t) {
  return t ? json_date(*t) : boost::json::value(nullptr);
}

boost::json::value optional_number_text(const std::optional<std::int64_t>& n) {
  return n ? boost::json::value(std::to_string(*n)) : boost::json::value(nullptr);
}

}  // namespace

boost::json::object render_call(const store::Call& c) {
  boost::json::object subresources;
  for (const auto& [name, path] : kCallSubresources) {
    subresources[name] = account_uri(c.account_sid, fmt::format("/Calls/{}/{}.json", c.sid, path));
  }
  return {
      {"account_sid", c.account_sid},
      {"answered_by", json_optional(c.answered_by)},
      {"api_version", c.api_version},
      {"caller_name", json_optional(c.caller_name)},
      {"date_created", json_date(c.date_created)},
      {"date_updated", json_date(c.date_updated)},
      {"direction", c.direction},
      {"duration", optional_number_text(c.duration)},
      {"end_time", optional_date(c.end_time)},
      {"forwarded_from", json_optional(c.forwarded_from)},
      {"from", c.from},
      {"from_formatted", c.from_formatted},
      {"group_sid", json_optional(c.group_sid)},
      {"parent_call_sid", json_optional(c.parent_call_sid)},
      {"phone_number_sid", json_optional(c.phone_number_sid)},
      {"price", json_optional(c.price)},
      {"price_unit", c.price_unit},
      {"queue_time", optional_number_text(c.queue_time).is_null() ? boost::json::value("0")
                                                                  : optional_number_text(c.queue_time)},
      {"sid", c.sid},
      {"start_time", optional_date(c.start_time)},
      {"status", c.status},
      {"subresource_uris", std::move(subresources)},
      {"to", c.to},
      {"to_formatted", c.to_formatted},
      {"trunk_sid", json_optional(c.trunk_sid)},
      {"uri", account_uri(c.account_sid, fmt::format("/Calls/{}.json", c.sid))},
  };
}

namespace {

const std::vector<std::string> kListFilters = {"To", "From", "ParentCallSid", "Status", "StartTime",
                                               "StartTime<", "StartTime>", "EndTime", "EndTime<", "EndTime>"};
const std::vector<std::string> kUpdateParameters = {"Url", "Method", "Twiml", "Status", "FallbackUrl",
                                                    "FallbackMethod", "StatusCallback", "StatusCallbackMethod",
                                                    "TimeLimit"};

void list_calls(const ContextPtr& ctx) {
  store::PageQuery page_query;
  if (auto error = parse_paging(ctx->query, page_query)) return ctx->fail(*error);
  store::CallFilter filter{.account_sid = ctx->account->sid,
                           .to = ctx->query.get("To"),
                           .from = ctx->query.get("From"),
                           .parent_call_sid = ctx->query.get("ParentCallSid"),
                           .status = ctx->query.get("Status")};
  if (auto e = read_date_filter(ctx->query, "StartTime", filter.start_time_from, filter.start_time_before)) {
    return ctx->fail(*e);
  }
  if (auto e = read_date_filter(ctx->query, "EndTime", filter.end_time_from, filter.end_time_before)) {
    return ctx->fail(*e);
  }
  const auto page = ctx->store.calls().list(filter, page_query);
  boost::json::array items;
  for (const auto& c : page.items) items.push_back(render_call(c));
  ctx->respond(200, page_envelope("calls", std::move(items), ctx->request.path(), ctx->query, page_query,
                                  page_result(page)));
}

// A live call is read from the engine, the rest from the store: the application's handler of a
// webhook then sees the state the webhook announced even before its commit.
std::optional<store::Call> find_call(const ContextPtr& ctx, const calls::CallControl* control, std::string_view sid) {
  if (control != nullptr) {
    if (auto live = control->live_call(sid); live && live->account_sid == ctx->account->sid) return live;
  }
  return ctx->store.calls().find(ctx->account->sid, sid);
}

void fetch_call(const ContextPtr& ctx, const calls::CallControl* control) {
  const auto call = find_call(ctx, control, ctx->captures.at(1));
  if (!call) return ctx->fail(ApiError::not_found(ctx->request.path()));
  ctx->respond(200, render_call(*call));
}

void delete_call(const ContextPtr& ctx, const calls::CallControl* control) {
  const auto call = find_call(ctx, control, ctx->captures.at(1));
  if (!call) return ctx->fail(ApiError::not_found(ctx->request.path()));
  if (is_live(call->status)) {
    // Twilio's code for deleting a call (or message) that has not completed.
    return ctx->fail(ApiError{400, 20009,
                              fmt::format("Call {} is {}: end it before deleting it", call->sid, call->status), ""});
  }
  ctx->store.calls().remove(call->sid, [ctx](std::error_code ec) {
    if (ec) return ctx->fail(ApiError::internal());
    ctx->respond_no_content();
  });
}

void create_call(const ContextPtr& ctx, calls::CallControl& control) {
  auto parsed = calls::parse_outbound_call(ctx->form, control.trunks());
  if (auto* error = std::get_if<calls::RequestError>(&parsed)) return ctx->fail(from_request_error(*error));
  auto& p = std::get<calls::ParsedOutboundCall>(parsed);
  auto& request = p.request;

  // An application supplies the voice URL, fallback and status callback (Twilio ignores those
  // parameters of the request when ApplicationSid is given).
  if (request.application_sid) {
    const auto app = ctx->store.applications().find(ctx->account->sid, *request.application_sid);
    if (!app) {
      return ctx->fail(ApiError{400, 21218, fmt::format("Invalid ApplicationSid {}", *request.application_sid), ""});
    }
    if (!app->voice_url && !request.url && !request.twiml) {
      return ctx->fail(ApiError{400, 21205, fmt::format("Application {} has no VoiceUrl", app->sid), ""});
    }
    if (app->voice_url) {
      request.url = app->voice_url;
      request.method = app->voice_method;
      request.twiml.reset();
    }
    request.fallback_url = app->voice_fallback_url;
    request.fallback_method = app->voice_fallback_method;
    request.status_callback = app->status_callback;
    request.status_callback_method = app->status_callback_method;
  }

  const auto now = now_seconds();
  store::Call call;
  call.sid = make_sid(sid_prefix::kCall);
  call.account_sid = ctx->account->sid;
  call.to = request.to;
  call.from = request.from;
  call.to_formatted = request.to;  // SIP addresses are shown as given
  call.from_formatted = request.from;
  call.status = "queued";
  call.direction = "outbound-api";
  call.control = p.normalized.encode();
  call.date_created = now;
  call.date_updated = now;
  for (const auto& w : p.warnings) {
    calls::record_notification(ctx->store, {.account_sid = call.account_sid,
                                            .call_sid = call.sid,
                                            .log = 1,
                                            .error_code = w.code,
                                            .message = w.message,
                                            .request_method = "POST",
                                            .request_url = std::string(ctx->request.path())});
  }
  // The record is queued for the writer first, and the 201 waits for its commit; the engine
  // starts dialing meanwhile (its own writes queue behind this one, so the stored history stays
  // in order), which keeps the database's commit latency out of call setup.
  ctx->store.calls().save(call, [ctx, call, &control](std::error_code ec) {
    if (ec) {
      spdlog::error("api: call {} not stored ({}); it is ended", call.sid, ec.message());
      control.end(call.sid, "canceled", [](std::optional<store::Call>) {});
      return ctx->fail(ApiError::internal());
    }
    spdlog::info("api: call {} created to {}", call.sid, call.to);
    ctx->respond(201, render_call(call));
  });
  control.start(call, std::move(request));
}

void update_call(const ContextPtr& ctx, calls::CallControl& control) {
  const auto call = find_call(ctx, &control, ctx->captures.at(1));
  if (!call) return ctx->fail(ApiError::not_found(ctx->request.path()));
  const auto& f = ctx->form;
  calls::CallRedirect redirect;
  if (auto e = read_url(f, "Url", redirect.url)) return ctx->fail(*e);
  if (auto e = read_method(f, "Method", redirect.method)) return ctx->fail(*e);
  if (auto twiml = f.get("Twiml"); twiml && !twiml->empty()) {
    if (redirect.url) return ctx->fail(ApiError::invalid_parameter("Twiml", "cannot be combined with Url"));
    if (twiml->size() > 4000) {
      return ctx->fail(ApiError{400, 32018, "The Twiml parameter is longer than 4000 characters", ""});
    }
    redirect.twiml = *twiml;
  }
  const auto status = f.get("Status");
  if (status && *status != "canceled" && *status != "completed") {
    return ctx->fail(ApiError::invalid_parameter("Status", "must be canceled or completed"));
  }
  if (status) {
    if (!is_live(call->status)) return ctx->respond(200, render_call(*call));  // already over: nothing to do
    if (*status == "canceled" && call->status == "in-progress") {
      return ctx->fail(ApiError{400, 21220, "An answered call is ended with Status=completed, not canceled", ""});
    }
    return control.end(call->sid, *status, [ctx, sid = call->sid](std::optional<store::Call> ended) {
      if (!ended) ended = ctx->store.calls().find(ctx->account->sid, sid);
      if (!ended) return ctx->fail(ApiError::not_found(ctx->request.path()));
      ctx->respond(200, render_call(*ended));
    });
  }
  if (redirect.url || redirect.twiml) {
    if (call->status != "in-progress" || !control.redirect(call->sid, std::move(redirect))) {
      return ctx->fail(ApiError{400, 21220,
                                fmt::format("Call {} is {}: only an in-progress call can be redirected", call->sid,
                                            call->status),
                                ""});
    }
  }
  const auto updated = find_call(ctx, &control, call->sid);
  if (!updated) return ctx->fail(ApiError::not_found(ctx->request.path()));
  ctx->respond(200, render_call(*updated));
}

}  // namespace

void add_call_routes(Router& router, calls::CallControl* control) {
  constexpr auto kList = "/2010-04-01/Accounts/{}/Calls.json";
  constexpr auto kItem = "/2010-04-01/Accounts/{}/Calls/{}.json";
  router.add({"GET", kList, Scope::kAccount, false, kListFilters, list_calls});
  router.add({"GET", kItem, Scope::kAccount, false, {}, [control](const ContextPtr& ctx) { fetch_call(ctx, control); }});
  router.add({"DELETE", kItem, Scope::kAccount, false, {},
              [control](const ContextPtr& ctx) { delete_call(ctx, control); }});
  if (control == nullptr) return;  // no call engine: calls can be read, not placed
  router.add({"POST", kList, Scope::kAccount, false, calls::outbound_call_parameters(),
              [control](const ContextPtr& ctx) { create_call(ctx, *control); }});
  router.add({"POST", kItem, Scope::kAccount, false, kUpdateParameters,
              [control](const ContextPtr& ctx) { update_call(ctx, *control); }});
}

}  // namespace sb::api
