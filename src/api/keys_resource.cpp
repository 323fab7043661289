// The Keys resource (/Accounts/{Sid}/Keys): API keys whose secret is shown once, at creation.

#include "api/api.hpp"
#include "api/context.hpp"
#include "api/json.hpp"
#include "api/paging.hpp"
#include "core/crypto.hpp"
#include "core/log.hpp"
#include "core/sid.hpp"

namespace sb::api {
namespace {

constexpr std::size_t kMaxFriendlyName = 64;

boost::json::object render_key(const store::ApiKey& k) {
  return {
      {"sid", k.sid},
      {"friendly_name", k.friendly_name},
      {"date_created", json_date(k.date_created)},
      {"date_updated", json_date(k.date_updated)},
  };
}

// The key in the path, if it belongs to the path's account.
std::optional<store::ApiKey> find_key(const ContextPtr& ctx) {
  auto key = ctx->store.keys().find(ctx->captures.at(1));
  if (!key || key->account_sid != ctx->account->sid) return std::nullopt;
  return key;
}

void list_keys(const ContextPtr& ctx) {
  store::PageQuery page_query;
  if (auto error = parse_paging(ctx->query, page_query)) return ctx->fail(*error);
  const auto page = ctx->store.keys().list(ctx->account->sid, page_query);
  boost::json::array items;
  for (const auto& k : page.items) items.push_back(render_key(k));
  ctx->respond(200, page_envelope("keys", std::move(items), ctx->request.path(), ctx->query,
                                  page_query, page_result(page)));
}

void create_key(const ContextPtr& ctx) {
  auto name = ctx->form.get("FriendlyName").value_or("");
  if (name.size() > kMaxFriendlyName) {
    return ctx->fail(ApiError::invalid_parameter("FriendlyName", "must be at most 64 characters"));
  }
  const auto now = now_seconds();
  const std::string secret = crypto::random_hex(16);
  store::ApiKey key{
      .sid = make_sid(sid_prefix::kApiKey),
      .account_sid = ctx->account->sid,
      .friendly_name = std::move(name),
      .secret_sha256 = crypto::sha256_hex(secret),
      .is_main = false,  // Keys created through the API are standard keys, as on Twilio.
      .date_created = now,
      .date_updated = now,
  };
  ctx->store.keys().insert(key, [ctx, key, secret](std::error_code ec) {
    if (ec) return ctx->fail(ApiError::internal());
    spdlog::info("api: key {} created for {}", key.sid, key.account_sid);
    auto body = render_key(key);
    body["secret"] = secret;
    ctx->respond(201, body);
  });
}

void fetch_key(const ContextPtr& ctx) {
  auto key = find_key(ctx);
  if (!key) return ctx->fail(ApiError::not_found(ctx->request.path()));
  ctx->respond(200, render_key(*key));
}

void update_key(const ContextPtr& ctx) {
  auto key = find_key(ctx);
  if (!key) return ctx->fail(ApiError::not_found(ctx->request.path()));
  if (auto name = ctx->form.get("FriendlyName")) {
    if (name->size() > kMaxFriendlyName) {
      return ctx->fail(ApiError::invalid_parameter("FriendlyName", "must be at most 64 characters"));
    }
    key->friendly_name = std::move(*name);
  }
  key->date_updated = now_seconds();
  ctx->store.keys().update(*key, [ctx, key = *key](std::error_code ec) {
    if (ec) return ctx->fail(ApiError::internal());
    ctx->respond(200, render_key(key));
  });
}

void delete_key(const ContextPtr& ctx) {
  auto key = find_key(ctx);
  if (!key) return ctx->fail(ApiError::not_found(ctx->request.path()));
  ctx->store.keys().remove(key->sid, [ctx, sid = key->sid](std::error_code ec) {
    if (ec) return ctx->fail(ApiError::internal());
    spdlog::info("api: key {} deleted", sid);
    ctx->respond_no_content();
  });
}

}  // namespace

void add_key_routes(Router& router) {
  constexpr auto kList = "/2010-04-01/Accounts/{}/Keys.json";
  constexpr auto kItem = "/2010-04-01/Accounts/{}/Keys/{}.json";
  router.add({"GET", kList, Scope::kAccount, true, {}, list_keys});
  router.add({"POST", kList, Scope::kAccount, true, {"FriendlyName"}, create_key});
  router.add({"GET", kItem, Scope::kAccount, true, {}, fetch_key});
  router.add({"POST", kItem, Scope::kAccount, true, {"FriendlyName"}, update_key});
  router.add({"DELETE", kItem, Scope::kAccount, true, {}, delete_key});
}

}  // namespace sb::api
