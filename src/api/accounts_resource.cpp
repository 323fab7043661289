// The Accounts resource: the main account and its subaccounts (/2010-04-01/Accounts).

#include "api/api.hpp"
#include "api/context.hpp"
#include "api/json.hpp"
#include "api/paging.hpp"
#include "core/crypto.hpp"
#include "core/log.hpp"
#include "core/sid.hpp"

#include <array>

namespace sb::api {
namespace {

constexpr std::size_t kMaxFriendlyName = 64;

constexpr std::array<std::pair<std::string_view, std::string_view>, 20> kSubresources = {{
    {"addresses", "Addresses"},
    {"applications", "Applications"},
    {"authorized_connect_apps", "AuthorizedConnectApps"},
    {"available_phone_numbers", "AvailablePhoneNumbers"},
    {"balance", "Balance"},
    {"calls", "Calls"},
    {"conferences", "Conferences"},
    {"connect_apps", "ConnectApps"},
    {"incoming_phone_numbers", "IncomingPhoneNumbers"},
    {"keys", "Keys"},
    {"messages", "Messages"},
    {"notifications", "Notifications"},
    {"outgoing_caller_ids", "OutgoingCallerIds"},
    {"queues", "Queues"},
    {"recordings", "Recordings"},
    {"short_codes", "SMS/ShortCodes"},
    {"signing_keys", "SigningKeys"},
    {"sip", "SIP"},
    {"transcriptions", "Transcriptions"},
    {"usage", "Usage"},
}};

boost::json::object render_account(const store::Account& a) {
  boost::json::object subresources;
  for (const auto& [name, path] : kSubresources) {
    subresources[name] = account_uri(a.sid, fmt::format("/{}.json", path));
  }
  return {
      {"auth_token", a.auth_token},
      {"date_created", json_date(a.date_created)},
      {"date_updated", json_date(a.date_updated)},
      {"friendly_name", a.friendly_name},
      // Twilio reports a main account as its own owner.
      {"owner_account_sid", a.is_main() ? a.sid : a.owner_account_sid},
      {"sid", a.sid},
      {"status", a.status},
      {"subresource_uris", std::move(subresources)},
      {"type", a.type},
      {"uri", account_uri(a.sid, ".json")},
  };
}

bool is_account_status(std::string_view s) { return s == "active" || s == "suspended" || s == "closed"; }

void list_accounts(const ContextPtr& ctx) {
  store::PageQuery page_query;
  if (auto error = parse_paging(ctx->query, page_query)) return ctx->fail(*error);
  store::AccountFilter filter{.visible_to = ctx->principal.account.sid,
                              .friendly_name = ctx->query.get("FriendlyName"),
                              .status = ctx->query.get("Status")};
  if (filter.status && !is_account_status(*filter.status)) {
    return ctx->fail(ApiError::invalid_parameter("Status", "must be active, suspended or closed"));
  }
  const auto page = ctx->store.accounts().list(filter, page_query);
  boost::json::array items;
  for (const auto& a : page.items) items.push_back(render_account(a));
  ctx->respond(200, page_envelope("accounts", std::move(items), ctx->request.path(), ctx->query,
                                  page_query, page_result(page)));
}

void create_account(const ContextPtr& ctx) {
  const auto& owner = ctx->principal.account;
  if (!owner.is_main()) return ctx->fail(ApiError::forbidden("Subaccounts cannot create subaccounts"));
  const auto now = now_seconds();
  auto name = ctx->form.get("FriendlyName").value_or(
      fmt::format("SubAccount Created at {}", format_rfc2822(now)));
  if (name.size() > kMaxFriendlyName) {
    return ctx->fail(ApiError::invalid_parameter("FriendlyName", "must be at most 64 characters"));
  }
  store::Account account{
      .sid = make_sid(sid_prefix::kAccount),
      .owner_account_sid = owner.sid,
      .friendly_name = std::move(name),
      .status = "active",
      .type = "Full",
      .auth_token = crypto::random_hex(16),
      .date_created = now,
      .date_updated = now,
  };
  ctx->store.accounts().insert(account, [ctx, account](std::error_code ec) {
    if (ec) return ctx->fail(ApiError::internal());
    spdlog::info("api: subaccount {} created by {}", account.sid, account.owner_account_sid);
    ctx->respond(201, render_account(account));
  });
}

void fetch_account(const ContextPtr& ctx) { ctx->respond(200, render_account(*ctx->account)); }

void update_account(const ContextPtr& ctx) {
  store::Account account = *ctx->account;
  if (auto name = ctx->form.get("FriendlyName")) {
    if (name->size() > kMaxFriendlyName) {
      return ctx->fail(ApiError::invalid_parameter("FriendlyName", "must be at most 64 characters"));
    }
    account.friendly_name = std::move(*name);
  }
  if (auto status = ctx->form.get("Status")) {
    if (!is_account_status(*status)) {
      return ctx->fail(ApiError::invalid_parameter("Status", "must be active, suspended or closed"));
    }
    if (*status != account.status) {
      if (account.is_main()) {
        return ctx->fail(ApiError::forbidden("The main account's status cannot be changed through the API"));
      }
      if (account.status == "closed") {
        return ctx->fail(ApiError{400, 20005,
                                  fmt::format("Account {} is closed; a closed account cannot be reopened",
                                              account.sid),
                                  ""});
      }
      // A subaccount may not change its own status; its owner does (Twilio's rule).
      if (ctx->principal.account.sid == account.sid) {
        return ctx->fail(ApiError::forbidden("A subaccount's status is changed by its owner account"));
      }
      account.status = std::move(*status);
    }
  }
  if (ctx->account->status == "closed" && account.friendly_name != ctx->account->friendly_name) {
    return ctx->fail(ApiError{400, 20005, fmt::format("Account {} is closed", account.sid), ""});
  }
  account.date_updated = now_seconds();
  ctx->store.accounts().update(account, [ctx, account](std::error_code ec) {
    if (ec) return ctx->fail(ApiError::internal());
    if (account.status != ctx->account->status) {
      spdlog::info("api: account {} is now {}", account.sid, account.status);
    }
    ctx->respond(200, render_account(account));
  });
}

}  // namespace

void add_account_routes(Router& router) {
  router.add({"GET", "/2010-04-01/Accounts.json", Scope::kNone, true, {"FriendlyName", "Status"},
              list_accounts});
  router.add({"POST", "/2010-04-01/Accounts.json", Scope::kNone, true, {"FriendlyName"}, create_account});
  router.add({"GET", "/2010-04-01/Accounts/{}.json", Scope::kAccount, true, {}, fetch_account});
  router.add({"POST", "/2010-04-01/Accounts/{}.json", Scope::kAccount, true, {"FriendlyName", "Status"},
              update_account});
}

}  // namespace sb::api
