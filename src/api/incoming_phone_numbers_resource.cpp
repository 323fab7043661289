// The IncomingPhoneNumbers resource (/Accounts/{Sid}/IncomingPhoneNumbers): the E.164 numbers an
// operator owns on its SIP trunks. switchboard has no carrier to buy numbers from, so creating one
// registers a number the operator already has; a call arriving from a trunk for it runs its
// VoiceUrl or VoiceApplicationSid (docs/phone-numbers.md).

#include "api/api.hpp"
#include "api/context.hpp"
#include "api/json.hpp"
#include "api/paging.hpp"
#include "api/params.hpp"
#include "api/phone_number.hpp"
#include "core/sid.hpp"

#include <boost/json/array.hpp>

namespace sb::api {
namespace {

constexpr std::size_t kMaxFriendlyName = 64;
// Elastic SIP Trunk SIDs: stored for compatibility; switchboard's trunks are named in its config.
constexpr std::string_view kTrunkSidPrefix = "TK";

// Parameters that both create and update accept.
const std::vector<std::string> kWritable = {
    "FriendlyName", "ApiVersion", "VoiceUrl", "VoiceMethod", "VoiceFallbackUrl", "VoiceFallbackMethod",
    "StatusCallback", "StatusCallbackMethod", "VoiceCallerIdLookup", "VoiceApplicationSid", "TrunkSid",
    "SmsUrl", "SmsMethod", "SmsFallbackUrl", "SmsFallbackMethod", "SmsApplicationSid"};

std::vector<std::string> with(std::vector<std::string> names, std::initializer_list<const char*> more) {
  names.insert(names.end(), more.begin(), more.end());
  return names;
}

std::string number_uri(const store::IncomingPhoneNumber& n, std::string_view rest = ".json") {
  return account_uri(n.account_sid, fmt::format("/IncomingPhoneNumbers/{}{}", n.sid, rest));
}

boost::json::object render_number(const store::IncomingPhoneNumber& n) {
  // Twilio renders an unset application SID as "", not null.
  return {
      {"account_sid", n.account_sid},
      {"address_requirements", "none"},
      {"address_sid", nullptr},
      {"api_version", n.api_version},
      {"beta", false},
      {"bundle_sid", nullptr},
      {"capabilities", {{"fax", false}, {"mms", false}, {"sms", false}, {"voice", true}}},
      {"date_created", json_date(n.date_created)},
      {"date_updated", json_date(n.date_updated)},
      {"emergency_address_sid", nullptr},
      {"emergency_address_status", "unregistered"},
      {"emergency_status", "Inactive"},
      {"friendly_name", n.friendly_name},
      {"identity_sid", nullptr},
      {"origin", "hosted"},
      {"phone_number", n.phone_number},
      {"sid", n.sid},
      {"sms_application_sid", n.sms_application_sid.value_or("")},
      {"sms_fallback_method", n.sms_fallback_method},
      {"sms_fallback_url", json_optional(n.sms_fallback_url)},
      {"sms_method", n.sms_method},
      {"sms_url", json_optional(n.sms_url)},
      {"status", "in-use"},
      {"status_callback", json_optional(n.status_callback)},
      {"status_callback_method", n.status_callback_method},
      {"subresource_uris", {{"assigned_add_ons", number_uri(n, "/AssignedAddOns.json")}}},
      {"trunk_sid", json_optional(n.trunk_sid)},
      {"uri", number_uri(n)},
      {"voice_application_sid", n.voice_application_sid.value_or("")},
      {"voice_caller_id_lookup", n.voice_caller_id_lookup},
      {"voice_fallback_method", n.voice_fallback_method},
      {"voice_fallback_url", json_optional(n.voice_fallback_url)},
      {"voice_method", n.voice_method},
      {"voice_receive_mode", "voice"},
      {"voice_url", json_optional(n.voice_url)},
  };
}

// An application SID parameter: "" clears it; otherwise an application of `account_sid`
// (400/21420, Twilio's "ApplicationSid is not accessible").
std::optional<ApiError> read_application_sid(const Context& ctx, std::string_view name,
                                             std::string_view account_sid, std::optional<std::string>& out) {
  const auto value = ctx.form.get(name);
  if (!value) return std::nullopt;
  if (value->empty()) {
    out.reset();
    return std::nullopt;
  }
  if (!is_sid(*value, sid_prefix::kApplication) || !ctx.store.applications().find(account_sid, *value)) {
    return ApiError{400, 21420,
                    fmt::format("{} {} is not accessible: no such application in account {}", name, *value,
                                account_sid),
                    ""};
  }
  out = *value;
  return std::nullopt;
}

// Applies the parameters create and update share to `n` (whose account_sid is final); the first
// invalid one is returned.
std::optional<ApiError> apply(const Context& ctx, store::IncomingPhoneNumber& n) {
  const http::Form& f = ctx.form;
  std::optional<ApiError> e;
  if ((e = read_text(f, "FriendlyName", kMaxFriendlyName, n.friendly_name))) return e;
  if (auto version = f.get("ApiVersion"); version && *version != "2010-04-01" && *version != "2008-08-01") {
    return ApiError::invalid_parameter("ApiVersion", "must be 2010-04-01 or 2008-08-01");
  } else if (version) {
    n.api_version = *version;
  }
  if ((e = read_url(f, "VoiceUrl", n.voice_url))) return e;
  if ((e = read_method(f, "VoiceMethod", n.voice_method))) return e;
  if ((e = read_url(f, "VoiceFallbackUrl", n.voice_fallback_url))) return e;
  if ((e = read_method(f, "VoiceFallbackMethod", n.voice_fallback_method))) return e;
  if ((e = read_url(f, "StatusCallback", n.status_callback))) return e;
  if ((e = read_method(f, "StatusCallbackMethod", n.status_callback_method))) return e;
  if ((e = read_bool(f, "VoiceCallerIdLookup", n.voice_caller_id_lookup))) return e;
  if ((e = read_application_sid(ctx, "VoiceApplicationSid", n.account_sid, n.voice_application_sid))) return e;
  if (auto trunk = f.get("TrunkSid")) {
    if (trunk->empty()) {
      n.trunk_sid.reset();
    } else if (is_sid(*trunk, kTrunkSidPrefix)) {
      n.trunk_sid = *trunk;
    } else {
      return ApiError::invalid_parameter("TrunkSid", "must be a Trunk SID (TK followed by 32 hex digits)");
    }
  }
  if ((e = read_url(f, "SmsUrl", n.sms_url))) return e;
  if ((e = read_method(f, "SmsMethod", n.sms_method))) return e;
  if ((e = read_url(f, "SmsFallbackUrl", n.sms_fallback_url))) return e;
  if ((e = read_method(f, "SmsFallbackMethod", n.sms_fallback_method))) return e;
  return read_application_sid(ctx, "SmsApplicationSid", n.account_sid, n.sms_application_sid);
}

ApiError not_available(std::string_view phone_number) {
  // One message whichever account holds it, so numbers of other tenants cannot be told apart.
  return {400, 21422, fmt::format("PhoneNumber {} is not available: another resource already holds it", phone_number),
          ""};
}

void save_and_render(const ContextPtr& ctx, store::IncomingPhoneNumber number, unsigned status) {
  ctx->store.incoming_phone_numbers().save(number, [ctx, number, status](std::error_code ec) {
    if (ec == std::errc::file_exists) return ctx->fail(not_available(number.phone_number));
    if (ec) return ctx->fail(ApiError::internal());
    ctx->respond(status, render_number(number));
  });
}

void list_numbers(const ContextPtr& ctx) {
  store::PageQuery page_query;
  if (auto error = parse_paging(ctx->query, page_query)) return ctx->fail(*error);
  bool beta = true;
  if (auto error = read_bool(ctx->query, "Beta", beta)) return ctx->fail(*error);
  store::IncomingPhoneNumberFilter filter{.account_sid = ctx->account->sid,
                                          .phone_number = ctx->query.get("PhoneNumber"),
                                          .friendly_name = ctx->query.get("FriendlyName")};
  // Every number here is hosted (registered by its owner) and none is new to the platform, so
  // Beta selects them all and Origin=twilio none.
  const auto origin = ctx->query.get("Origin");
  const auto page = origin && *origin != "hosted"
                        ? store::Page<store::IncomingPhoneNumber>{}
                        : ctx->store.incoming_phone_numbers().list(filter, page_query);
  boost::json::array items;
  for (const auto& n : page.items) items.push_back(render_number(n));
  ctx->respond(200, page_envelope("incoming_phone_numbers", std::move(items), ctx->request.path(), ctx->query,
                                  page_query, page_result(page)));
}

void create_number(const ContextPtr& ctx) {
  const auto phone_number = ctx->form.get("PhoneNumber");
  if (!phone_number && ctx->form.get("AreaCode")) {
    return ctx->fail(ApiError{400, 21457,
                              "AreaCode is not supported: switchboard has no numbers to provision; register a "
                              "number you own on a SIP trunk with PhoneNumber",
                              ""});
  }
  if (!phone_number) return ctx->fail(ApiError::missing_parameter("PhoneNumber"));
  if (!is_e164(*phone_number)) {
    return ctx->fail(ApiError{
        400, 21421, fmt::format("PhoneNumber {} is invalid: give it in E.164 form, e.g. +14155551212", *phone_number),
        ""});
  }
  if (ctx->store.incoming_phone_numbers().find_by_phone_number(*phone_number)) {
    return ctx->fail(not_available(*phone_number));
  }
  const auto now = now_seconds();
  store::IncomingPhoneNumber number;
  number.sid = make_sid(sid_prefix::kPhoneNumber);
  number.account_sid = ctx->account->sid;
  number.phone_number = *phone_number;
  number.friendly_name = default_friendly_name(*phone_number);
  number.date_created = now;
  number.date_updated = now;
  if (auto error = apply(*ctx, number)) return ctx->fail(*error);
  save_and_render(ctx, std::move(number), 201);
}

void fetch_number(const ContextPtr& ctx) {
  auto number = ctx->store.incoming_phone_numbers().find(ctx->account->sid, ctx->captures.at(1));
  if (!number) return ctx->fail(ApiError::not_found(ctx->request.path()));
  ctx->respond(200, render_number(*number));
}

void update_number(const ContextPtr& ctx) {
  auto number = ctx->store.incoming_phone_numbers().find(ctx->account->sid, ctx->captures.at(1));
  if (!number) return ctx->fail(ApiError::not_found(ctx->request.path()));
  if (auto target = ctx->form.get("AccountSid"); target && *target != number->account_sid) {
    // Twilio moves a number between a parent account and its subaccounts, with the parent's
    // credentials: the target is the caller's own account or one of its subaccounts.
    const auto& me = ctx->principal.account.sid;
    const auto account = ctx->store.accounts().find(*target);
    if (!account || (account->sid != me && account->owner_account_sid != me)) {
      return ctx->fail(ApiError::invalid_parameter(
          "AccountSid", fmt::format("{} is neither your account nor one of its subaccounts", *target)));
    }
    number->account_sid = account->sid;
  }
  if (auto error = apply(*ctx, *number)) return ctx->fail(*error);
  number->date_updated = now_seconds();
  save_and_render(ctx, std::move(*number), 200);
}

void delete_number(const ContextPtr& ctx) {
  auto number = ctx->store.incoming_phone_numbers().find(ctx->account->sid, ctx->captures.at(1));
  if (!number) return ctx->fail(ApiError::not_found(ctx->request.path()));
  ctx->store.incoming_phone_numbers().remove(number->sid, [ctx](std::error_code ec) {
    if (ec) return ctx->fail(ApiError::internal());
    ctx->respond_no_content();
  });
}

}  // namespace

void add_incoming_phone_number_routes(Router& router) {
  const auto create_parameters = with(kWritable, {"PhoneNumber", "AreaCode"});
  const auto update_parameters = with(kWritable, {"AccountSid"});
  const std::vector<std::string> list_parameters = {"PhoneNumber", "FriendlyName", "Beta", "Origin"};
  // switchboard does not classify numbers by type: Local, Mobile and TollFree list and create
  // exactly like the resource itself. They come before the item route, whose {} would take them.
  for (const auto* list : {"IncomingPhoneNumbers.json", "IncomingPhoneNumbers/Local.json",
                           "IncomingPhoneNumbers/Mobile.json", "IncomingPhoneNumbers/TollFree.json"}) {
    const auto pattern = fmt::format("/2010-04-01/Accounts/{{}}/{}", list);
    router.add({"GET", pattern, Scope::kAccount, false, list_parameters, list_numbers});
    router.add({"POST", pattern, Scope::kAccount, false, create_parameters, create_number});
  }
  constexpr auto kItem = "/2010-04-01/Accounts/{}/IncomingPhoneNumbers/{}.json";
  router.add({"GET", kItem, Scope::kAccount, false, {}, fetch_number});
  router.add({"POST", kItem, Scope::kAccount, false, update_parameters, update_number});
  router.add({"DELETE", kItem, Scope::kAccount, false, {}, delete_number});
}

}  // namespace sb::api
