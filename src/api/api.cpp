#include "api/api.hpp"

#include "api/auth.hpp"
#include "api/context.hpp"
#include "calls/notifications.hpp"
#include "core/log.hpp"
#include "core/sid.hpp"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace sb::api {

void Context::respond(unsigned status, const boost::json::object& body) const {
  http::Response response;
  response.status = status;
  response.set("Content-Type", "application/json");
  response.body = boost::json::serialize(body);
  reply(std::move(response));
}

void Context::respond_no_content() const {
  http::Response response;
  response.status = 204;
  reply(std::move(response));
}

void Context::fail(const ApiError& error) const {
  if (error.status >= 500) {
    spdlog::error("api: {} {} -> {} {}", request.method, request.path(), error.status, error.message);
  } else {
    spdlog::info("api: {} {} from {} -> {} {} {}", request.method, request.path(),
                 request.remote_address, error.status, error.code, error.message);
  }
  reply(render(error));
}

Api::Api(store::Store& store, calls::CallControl* call_control, std::string sip_base_domain) : store_(store) {
  add_account_routes(router_);
  add_application_routes(router_);
  add_call_routes(router_, call_control);
  add_incoming_phone_number_routes(router_);
  add_recording_routes(router_);
  add_key_routes(router_);
  add_notification_routes(router_);
  add_sip_domain_routes(router_, std::move(sip_base_domain));
  add_sip_credential_list_routes(router_);
  add_sip_ip_access_control_list_routes(router_);
}

http::Response Api::error_response(unsigned status, std::string_view message) {
  // Twilio has no error code for these transport-level faults; the body says what happened.
  return render(ApiError{status, 0, std::string(message), ""});
}

void Api::record_unknown_parameters(const Context& context, const Route& route) {
  std::vector<std::string> unknown;
  auto check = [&](const http::Form& form) {
    for (const auto& f : form.fields()) {
      const bool known = std::ranges::find(route.parameters, f.name) != route.parameters.end() ||
                         (route.method == "GET" &&
                          (f.name == "PageSize" || f.name == "Page" || f.name == "PageToken"));
      if (!known && std::ranges::find(unknown, f.name) == unknown.end()) unknown.push_back(f.name);
    }
  };
  check(context.query);
  check(context.form);
  if (unknown.empty()) return;
  // Twilio ignores unknown parameters and reports warning 20001 to the account.
  const std::string& account = context.account ? context.account->sid : context.principal.account.sid;
  calls::record_notification(store_, {.account_sid = account,
                                      .log = 1,
                                      .error_code = 20001,
                                      .message = fmt::format("Unknown parameters: {}", fmt::join(unknown, ", ")),
                                      .request_method = context.request.method,
                                      .request_url = std::string(context.request.path())});
}

void Api::handle(http::Request request, http::Reply reply) {
  const std::string path(request.path());
  if (path == "/health") {
    http::Response response;
    response.status = request.method == "GET" || request.method == "HEAD" ? 200 : 405;
    response.set("Content-Type", "application/json");
    response.body = response.status == 200 ? R"({"status":"ok"})" : "";
    reply(std::move(response));
    return;
  }

  if (path == "/metrics" && metrics_) {
    http::Response response;
    response.status = request.method == "GET" || request.method == "HEAD" ? 200 : 405;
    response.set("Content-Type", "text/plain; version=0.0.4");
    if (response.status == 200) response.body = metrics_();
    reply(std::move(response));
    return;
  }

  auto context = std::make_shared<Context>(Context{
      .request = std::move(request),
      .reply = std::move(reply),
      .store = store_,
      .principal = {},
      .captures = {},
      .account = std::nullopt,
      .query = {},
      .form = {},
  });
  Context& ctx = *context;

  auto match = router_.match(ctx.request.method, path);
  if (match.route && match.route->is_public) {
    ctx.captures = std::move(match.captures);
    ctx.account = store_.accounts().find(ctx.captures.at(0));
    if (!ctx.account) return ctx.fail(ApiError::not_found(path));
    return match.route->action(context);
  }

  auto auth = authenticate(store_, ctx.request.header("Authorization"));
  if (auto* error = std::get_if<ApiError>(&auth)) return ctx.fail(*error);
  ctx.principal = std::move(std::get<Principal>(auth));

  if (!match.route) {
    return ctx.fail(match.is_path_known ? ApiError::method_not_allowed(ctx.request.method, path)
                                        : ApiError::not_found(path));
  }
  const Route& route = *match.route;
  ctx.captures = std::move(match.captures);

  auto query = http::Form::parse(ctx.request.query());
  if (!query) return ctx.fail(ApiError{400, 0, "The query string is not validly percent-encoded", ""});
  ctx.query = std::move(*query);
  if (!ctx.request.body.empty()) {
    const auto type = ctx.request.header("Content-Type");
    if (!type.starts_with("application/x-www-form-urlencoded")) {
      return ctx.fail(ApiError{400, 0,
                               "Request bodies must be application/x-www-form-urlencoded", ""});
    }
    auto form = http::Form::parse(ctx.request.body);
    if (!form) return ctx.fail(ApiError{400, 0, "The request body is not validly form-encoded", ""});
    ctx.form = std::move(*form);
  }

  if (route.is_account_or_key_resource && ctx.principal.is_standard_key()) {
    return ctx.fail(ApiError::forbidden(
        "Standard API keys may not use the Accounts or Keys resources; use a main key or the auth token"));
  }
  if (route.scope == Scope::kAccount) {
    auto account = store_.accounts().find(ctx.captures.at(0));
    const auto& me = ctx.principal.account.sid;
    // Unknown and foreign accounts answer alike, so no account SID can be probed.
    if (!account || (account->sid != me && account->owner_account_sid != me)) {
      return ctx.fail(ApiError::unauthorized());
    }
    if (!route.is_account_or_key_resource && effective_status(store_, *account) != "active") {
      return ctx.fail(ApiError::account_not_active(account->sid));
    }
    ctx.account = std::move(account);
  }
  record_unknown_parameters(ctx, route);
  spdlog::debug("api: {} {} by {}", ctx.request.method, path,
                ctx.principal.key ? ctx.principal.key->sid : ctx.principal.account.sid);
  route.action(context);
}

}  // namespace sb::api
