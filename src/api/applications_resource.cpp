// The Applications resource (/Accounts/{Sid}/Applications): voice URLs and callbacks that calls
// refer to by ApplicationSid.

#include "api/api.hpp"
#include "api/context.hpp"
#include "api/json.hpp"
#include "api/paging.hpp"
#include "api/params.hpp"
#include "core/log.hpp"
#include "core/sid.hpp"

namespace sb::api {
namespace {

constexpr std::size_t kMaxFriendlyName = 64;

const std::vector<std::string> kWritable = {
    "FriendlyName", "ApiVersion", "VoiceUrl", "VoiceMethod", "VoiceFallbackUrl", "VoiceFallbackMethod",
    "StatusCallback", "StatusCallbackMethod", "VoiceCallerIdLookup", "SmsUrl", "SmsMethod",
    "SmsFallbackUrl", "SmsFallbackMethod", "SmsStatusCallback", "MessageStatusCallback",
    "PublicApplicationConnectEnabled"};

boost::json::object render_application(const store::Application& a) {
  return {
      {"account_sid", a.account_sid},
      {"api_version", a.api_version},
      {"date_created", json_date(a.date_created)},
      {"date_updated", json_date(a.date_updated)},
      {"friendly_name", a.friendly_name},
      {"message_status_callback", json_optional(a.message_status_callback)},
      {"public_application_connect_enabled", a.public_application_connect_enabled},
      {"sid", a.sid},
      {"sms_fallback_method", a.sms_fallback_method},
      {"sms_fallback_url", json_optional(a.sms_fallback_url)},
      {"sms_method", a.sms_method},
      {"sms_status_callback", json_optional(a.sms_status_callback)},
      {"sms_url", json_optional(a.sms_url)},
      {"status_callback", json_optional(a.status_callback)},
      {"status_callback_method", a.status_callback_method},
      {"uri", account_uri(a.account_sid, fmt::format("/Applications/{}.json", a.sid))},
      {"voice_caller_id_lookup", a.voice_caller_id_lookup},
      {"voice_fallback_method", a.voice_fallback_method},
      {"voice_fallback_url", json_optional(a.voice_fallback_url)},
      {"voice_method", a.voice_method},
      {"voice_url", json_optional(a.voice_url)},
  };
}

// Applies the request's parameters to `a`; the first invalid one is returned.
std::optional<ApiError> apply(const http::Form& f, store::Application& a) {
  std::optional<ApiError> e;
  if ((e = read_text(f, "FriendlyName", kMaxFriendlyName, a.friendly_name))) return e;
  if (auto version = f.get("ApiVersion"); version && *version != "2010-04-01" && *version != "2008-08-01") {
    return ApiError::invalid_parameter("ApiVersion", "must be 2010-04-01 or 2008-08-01");
  } else if (version) {
    a.api_version = *version;
  }
  if ((e = read_url(f, "VoiceUrl", a.voice_url))) return e;
  if ((e = read_method(f, "VoiceMethod", a.voice_method))) return e;
  if ((e = read_url(f, "VoiceFallbackUrl", a.voice_fallback_url))) return e;
  if ((e = read_method(f, "VoiceFallbackMethod", a.voice_fallback_method))) return e;
  if ((e = read_url(f, "StatusCallback", a.status_callback))) return e;
  if ((e = read_method(f, "StatusCallbackMethod", a.status_callback_method))) return e;
  if ((e = read_bool(f, "VoiceCallerIdLookup", a.voice_caller_id_lookup))) return e;
  if ((e = read_url(f, "SmsUrl", a.sms_url))) return e;
  if ((e = read_method(f, "SmsMethod", a.sms_method))) return e;
  if ((e = read_url(f, "SmsFallbackUrl", a.sms_fallback_url))) return e;
  if ((e = read_method(f, "SmsFallbackMethod", a.sms_fallback_method))) return e;
  if ((e = read_url(f, "SmsStatusCallback", a.sms_status_callback))) return e;
  if ((e = read_url(f, "MessageStatusCallback", a.message_status_callback))) return e;
  return read_bool(f, "PublicApplicationConnectEnabled", a.public_application_connect_enabled);
}

void save_and_render(const ContextPtr& ctx, store::Application application, unsigned status) {
  ctx->store.applications().save(application, [ctx, application, status](std::error_code ec) {
    if (ec) return ctx->fail(ApiError::internal());
    ctx->respond(status, render_application(application));
  });
}

void list_applications(const ContextPtr& ctx) {
  store::PageQuery page_query;
  if (auto error = parse_paging(ctx->query, page_query)) return ctx->fail(*error);
  const auto page = ctx->store.applications().list(ctx->account->sid, ctx->query.get("FriendlyName"), page_query);
  boost::json::array items;
  for (const auto& a : page.items) items.push_back(render_application(a));
  ctx->respond(200, page_envelope("applications", std::move(items), ctx->request.path(), ctx->query,
                                  page_query, page_result(page)));
}

void create_application(const ContextPtr& ctx) {
  const auto now = now_seconds();
  store::Application application;
  application.sid = make_sid(sid_prefix::kApplication);
  application.account_sid = ctx->account->sid;
  application.date_created = now;
  application.date_updated = now;
  if (auto error = apply(ctx->form, application)) return ctx->fail(*error);
  save_and_render(ctx, std::move(application), 201);
}

void fetch_application(const ContextPtr& ctx) {
  auto application = ctx->store.applications().find(ctx->account->sid, ctx->captures.at(1));
  if (!application) return ctx->fail(ApiError::not_found(ctx->request.path()));
  ctx->respond(200, render_application(*application));
}

void update_application(const ContextPtr& ctx) {
  auto application = ctx->store.applications().find(ctx->account->sid, ctx->captures.at(1));
  if (!application) return ctx->fail(ApiError::not_found(ctx->request.path()));
  if (auto error = apply(ctx->form, *application)) return ctx->fail(*error);
  application->date_updated = now_seconds();
  save_and_render(ctx, std::move(*application), 200);
}

void delete_application(const ContextPtr& ctx) {
  auto application = ctx->store.applications().find(ctx->account->sid, ctx->captures.at(1));
  if (!application) return ctx->fail(ApiError::not_found(ctx->request.path()));
  ctx->store.applications().remove(application->sid, [ctx](std::error_code ec) {
    if (ec) return ctx->fail(ApiError::internal());
    ctx->respond_no_content();
  });
}

}  // namespace

void add_application_routes(Router& router) {
  constexpr auto kList = "/2010-04-01/Accounts/{}/Applications.json";
  constexpr auto kItem = "/2010-04-01/Accounts/{}/Applications/{}.json";
  router.add({"GET", kList, Scope::kAccount, false, {"FriendlyName"}, list_applications});
  router.add({"POST", kList, Scope::kAccount, false, kWritable, create_application});
  router.add({"GET", kItem, Scope::kAccount, false, {}, fetch_application});
  router.add({"POST", kItem, Scope::kAccount, false, kWritable, update_application});
  router.add({"DELETE", kItem, Scope::kAccount, false, {}, delete_application});
}

}  // namespace sb::api
