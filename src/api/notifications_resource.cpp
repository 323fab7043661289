// The Notifications resource: errors and warnings reported to an account
// (/Accounts/{Sid}/Notifications and, per call, /Accounts/{Sid}/Calls/{CallSid}/Notifications).

#include "api/api.hpp"
#include "api/context.hpp"
#include "api/json.hpp"
#include "api/paging.hpp"
#include "api/params.hpp"

namespace sb::api {
namespace {

boost::json::object render_notification(const store::Notification& n) {
  return {
      {"account_sid", n.account_sid},
      {"api_version", kApiVersion},
      {"call_sid", json_optional(n.call_sid)},
      {"date_created", json_date(n.date_created)},
      {"date_updated", json_date(n.date_updated)},
      {"error_code", n.error_code},
      {"log", std::to_string(n.log)},
      {"message_date", json_date(n.message_date)},
      {"message_text", n.message_text},
      {"more_info", n.more_info},
      {"request_method", json_optional(n.request_method)},
      {"request_url", json_optional(n.request_url)},
      {"request_variables", json_optional(n.request_variables)},
      {"response_body", json_optional(n.response_body)},
      {"response_headers", json_optional(n.response_headers)},
      {"sid", n.sid},
      {"uri", account_uri(n.account_sid, fmt::format("/Notifications/{}.json", n.sid))},
  };
}

void list_notifications(const ContextPtr& ctx) {
  store::PageQuery page_query;
  if (auto error = parse_paging(ctx->query, page_query)) return ctx->fail(*error);
  store::NotificationFilter filter{.account_sid = ctx->account->sid};
  if (ctx->captures.size() > 1) filter.call_sid = ctx->captures[1];
  if (auto log = ctx->query.get("Log")) {
    if (*log != "0" && *log != "1") return ctx->fail(ApiError::invalid_parameter("Log", "must be 0 or 1"));
    filter.log = *log == "0" ? 0 : 1;
  }
  if (auto e = read_date_filter(ctx->query, "MessageDate", filter.message_date_on_or_after,
                                filter.message_date_before)) {
    return ctx->fail(*e);
  }
  const auto page = ctx->store.notifications().list(filter, page_query);
  boost::json::array items;
  for (const auto& n : page.items) items.push_back(render_notification(n));
  ctx->respond(200, page_envelope("notifications", std::move(items), ctx->request.path(), ctx->query,
                                  page_query, page_result(page)));
}

void fetch_notification(const ContextPtr& ctx) {
  const auto n = ctx->store.notifications().find(ctx->account->sid, ctx->captures.at(1));
  if (!n) return ctx->fail(ApiError::not_found(ctx->request.path()));
  ctx->respond(200, render_notification(*n));
}

void delete_notification(const ContextPtr& ctx) {
  const auto n = ctx->store.notifications().find(ctx->account->sid, ctx->captures.at(1));
  if (!n) return ctx->fail(ApiError::not_found(ctx->request.path()));
  ctx->store.notifications().remove(n->sid, [ctx](std::error_code ec) {
    if (ec) return ctx->fail(ApiError::internal());
    ctx->respond_no_content();
  });
}

}  // namespace

void add_notification_routes(Router& router) {
  const std::vector<std::string> filters = {"Log", "MessageDate", "MessageDate<", "MessageDate>"};
  router.add({"GET", "/2010-04-01/Accounts/{}/Notifications.json", Scope::kAccount, false, filters,
              list_notifications});
  router.add({"GET", "/2010-04-01/Accounts/{}/Notifications/{}.json", Scope::kAccount, false, {},
              fetch_notification});
  router.add({"DELETE", "/2010-04-01/Accounts/{}/Notifications/{}.json", Scope::kAccount, false, {},
              delete_notification});
  router.add({"GET", "/2010-04-01/Accounts/{}/Calls/{}/Notifications.json", Scope::kAccount, false,
              filters, list_notifications});
}

}  // namespace sb::api
