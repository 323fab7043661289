// The SIP credential list resources (/Accounts/{Sid}/SIP/CredentialLists and their
// /Credentials): usernames and passwords that domains map to authenticate calls and
// registrations. A password is never stored or returned, only its digest HA1s.

#include "api/api.hpp"
#include "api/json.hpp"
#include "api/paging.hpp"
#include "api/sip_common.hpp"
#include "core/log.hpp"
#include "core/sid.hpp"
#include "store/sip_digest.hpp"

namespace sb::api {
namespace {

constexpr std::size_t kMaxFriendlyName = 64;
constexpr std::size_t kMaxListsPerAccount = 100;
constexpr std::size_t kMaxCredentialsPerList = 1000;

// Twilio's codes (twilio-voice-digest.md 2.4, section 7).
constexpr int kCredentialListInvalid = 21240;
constexpr int kCredentialListStillMapped = 21241;
constexpr int kTooManyCredentialLists = 21239;
constexpr int kTooManyCredentials = 21242;
constexpr int kCredentialInvalid = 21243;

std::string list_uri(const store::SipCredentialList& l) {
  return account_uri(l.account_sid, fmt::format("/SIP/CredentialLists/{}.json", l.sid));
}

boost::json::object render_list(const store::SipCredentialList& l) {
  return {
      {"account_sid", l.account_sid},
      {"date_created", json_date(l.date_created)},
      {"date_updated", json_date(l.date_updated)},
      {"friendly_name", l.friendly_name},
      {"sid", l.sid},
      {"subresource_uris",
       boost::json::object{
           {"credentials", account_uri(l.account_sid, fmt::format("/SIP/CredentialLists/{}/Credentials.json", l.sid))}}},
      {"uri", list_uri(l)},
  };
}

boost::json::object render_credential(const store::SipCredential& c) {
  return {
      {"account_sid", c.account_sid},
      {"credential_list_sid", c.credential_list_sid},
      {"date_created", json_date(c.date_created)},
      {"date_updated", json_date(c.date_updated)},
      {"sid", c.sid},
      {"uri", account_uri(c.account_sid,
                          fmt::format("/SIP/CredentialLists/{}/Credentials/{}.json", c.credential_list_sid, c.sid))},
      {"username", c.username},
  };
}

ApiError duplicate_name(std::string_view name) {
  return sip_error(kCredentialListInvalid, fmt::format("A Credential List named '{}' already exists", name));
}

// The FriendlyName of a create or update (required by both, as Twilio).
std::optional<ApiError> read_friendly_name(const ContextPtr& ctx, std::string_view own_sid, std::string& out) {
  auto name = ctx->form.get("FriendlyName");
  if (!name || name->empty()) return sip_error(kCredentialListInvalid, "FriendlyName is required");
  if (name->size() > kMaxFriendlyName) {
    return sip_error(kCredentialListInvalid, "FriendlyName must be at most 64 characters");
  }
  auto other = ctx->store.sip_credential_lists().find_by_friendly_name(ctx->account->sid, *name);
  if (other && other->sid != own_sid) return duplicate_name(*name);
  out = std::move(*name);
  return std::nullopt;
}

std::optional<ApiError> read_password(const ContextPtr& ctx, std::string& out) {
  auto password = ctx->form.get("Password");
  if (!password || !is_valid_sip_password(*password)) {
    return sip_error(kCredentialListInvalid,
                     "Password must be at least 12 characters long, with at least one digit and both "
                     "upper and lower case letters");
  }
  out = std::move(*password);
  return std::nullopt;
}

void list_lists(const ContextPtr& ctx) {
  store::PageQuery page_query;
  if (auto error = parse_paging(ctx->query, page_query)) return ctx->fail(*error);
  const auto page = ctx->store.sip_credential_lists().list(ctx->account->sid, page_query);
  boost::json::array items;
  for (const auto& l : page.items) items.push_back(render_list(l));
  ctx->respond(200, page_envelope("credential_lists", std::move(items), ctx->request.path(), ctx->query,
                                  page_query, page_result(page)));
}

void create_list(const ContextPtr& ctx) {
  const auto now = now_seconds();
  store::SipCredentialList list{.sid = make_sid(sid_prefix::kSipCredentialList),
                                .account_sid = ctx->account->sid,
                                .friendly_name = {},
                                .date_created = now,
                                .date_updated = now};
  if (auto error = read_friendly_name(ctx, list.sid, list.friendly_name)) return ctx->fail(*error);
  if (ctx->store.sip_credential_lists().count(ctx->account->sid) >= kMaxListsPerAccount) {
    return ctx->fail(sip_error(kTooManyCredentialLists, "The account already has 100 Credential Lists"));
  }
  ctx->store.sip_credential_lists().save(list,
                                         save_completion(ctx, 201, render_list(list), duplicate_name(list.friendly_name)));
}

std::optional<store::SipCredentialList> find_list(const ContextPtr& ctx) {
  return ctx->store.sip_credential_lists().find(ctx->account->sid, ctx->captures.at(1));
}

void fetch_list(const ContextPtr& ctx) {
  auto list = find_list(ctx);
  if (!list) return ctx->fail(ApiError::not_found(ctx->request.path()));
  ctx->respond(200, render_list(*list));
}

void update_list(const ContextPtr& ctx) {
  auto list = find_list(ctx);
  if (!list) return ctx->fail(ApiError::not_found(ctx->request.path()));
  if (auto error = read_friendly_name(ctx, list->sid, list->friendly_name)) return ctx->fail(*error);
  list->date_updated = now_seconds();
  ctx->store.sip_credential_lists().save(*list,
                                         save_completion(ctx, 200, render_list(*list), duplicate_name(list->friendly_name)));
}

void delete_list(const ContextPtr& ctx) {
  auto list = find_list(ctx);
  if (!list) return ctx->fail(ApiError::not_found(ctx->request.path()));
  if (ctx->store.sip_credential_lists().is_mapped(list->sid)) {
    return ctx->fail(sip_error(kCredentialListStillMapped,
                               "The Credential List is still mapped to a domain; delete its mappings first"));
  }
  ctx->store.sip_credential_lists().remove(list->sid, [ctx, sid = list->sid](std::error_code ec) {
    if (ec) return ctx->fail(ApiError::internal());
    spdlog::info("api: credential list {} deleted", sid);
    ctx->respond_no_content();
  });
}

ApiError duplicate_username(std::string_view username) {
  return sip_error(kCredentialInvalid, fmt::format("A Credential with username '{}' already exists in this list", username));
}

void list_credentials(const ContextPtr& ctx) {
  auto list = find_list(ctx);
  if (!list) return ctx->fail(ApiError::not_found(ctx->request.path()));
  store::PageQuery page_query;
  if (auto error = parse_paging(ctx->query, page_query)) return ctx->fail(*error);
  const auto page = ctx->store.sip_credential_lists().list_credentials(list->sid, page_query);
  boost::json::array items;
  for (const auto& c : page.items) items.push_back(render_credential(c));
  ctx->respond(200, page_envelope("credentials", std::move(items), ctx->request.path(), ctx->query, page_query,
                                  page_result(page)));
}

void create_credential(const ContextPtr& ctx) {
  auto list = find_list(ctx);
  if (!list) return ctx->fail(ApiError::not_found(ctx->request.path()));
  auto username = ctx->form.get("Username");
  if (!username || !is_valid_sip_username(*username)) {
    return ctx->fail(sip_error(kCredentialListInvalid,
                               "Username is required: 1 to 32 letters, digits or -_.!~*'()&=+$,;?/"));
  }
  std::string password;
  if (auto error = read_password(ctx, password)) return ctx->fail(*error);
  auto& repository = ctx->store.sip_credential_lists();
  if (repository.find_credential_by_username(list->sid, *username)) return ctx->fail(duplicate_username(*username));
  if (repository.count_credentials(list->sid) >= kMaxCredentialsPerList) {
    return ctx->fail(sip_error(kTooManyCredentials, "The Credential List already has 1000 Credentials"));
  }
  const auto now = now_seconds();
  store::SipCredential credential{
      .sid = make_sid(sid_prefix::kSipCredential),
      .account_sid = ctx->account->sid,
      .credential_list_sid = list->sid,
      .username = *username,
      .ha1_md5 = store::sip_ha1_md5(*username, password),
      .ha1_sha256 = store::sip_ha1_sha256(*username, password),
      .date_created = now,
      .date_updated = now,
  };
  repository.save_credential(credential,
                             save_completion(ctx, 201, render_credential(credential), duplicate_username(*username)));
}

std::optional<store::SipCredential> find_credential(const ContextPtr& ctx) {
  auto list = find_list(ctx);
  if (!list) return std::nullopt;
  return ctx->store.sip_credential_lists().find_credential(list->sid, ctx->captures.at(2));
}

void fetch_credential(const ContextPtr& ctx) {
  auto credential = find_credential(ctx);
  if (!credential) return ctx->fail(ApiError::not_found(ctx->request.path()));
  ctx->respond(200, render_credential(*credential));
}

void update_credential(const ContextPtr& ctx) {
  auto credential = find_credential(ctx);
  if (!credential) return ctx->fail(ApiError::not_found(ctx->request.path()));
  std::string password;
  if (auto error = read_password(ctx, password)) return ctx->fail(*error);
  credential->ha1_md5 = store::sip_ha1_md5(credential->username, password);
  credential->ha1_sha256 = store::sip_ha1_sha256(credential->username, password);
  credential->date_updated = now_seconds();
  ctx->store.sip_credential_lists().save_credential(
      *credential, save_completion(ctx, 200, render_credential(*credential), duplicate_username(credential->username)));
}

void delete_credential(const ContextPtr& ctx) {
  auto credential = find_credential(ctx);
  if (!credential) return ctx->fail(ApiError::not_found(ctx->request.path()));
  ctx->store.sip_credential_lists().remove_credential(credential->sid, [ctx](std::error_code ec) {
    if (ec) return ctx->fail(ApiError::internal());
    ctx->respond_no_content();
  });
}

}  // namespace

void add_sip_credential_list_routes(Router& router) {
  constexpr auto kList = "/2010-04-01/Accounts/{}/SIP/CredentialLists.json";
  constexpr auto kItem = "/2010-04-01/Accounts/{}/SIP/CredentialLists/{}.json";
  constexpr auto kCredentials = "/2010-04-01/Accounts/{}/SIP/CredentialLists/{}/Credentials.json";
  constexpr auto kCredential = "/2010-04-01/Accounts/{}/SIP/CredentialLists/{}/Credentials/{}.json";
  router.add({"GET", kList, Scope::kAccount, false, {}, list_lists});
  router.add({"POST", kList, Scope::kAccount, false, {"FriendlyName"}, create_list});
  router.add({"GET", kItem, Scope::kAccount, false, {}, fetch_list});
  router.add({"POST", kItem, Scope::kAccount, false, {"FriendlyName"}, update_list});
  router.add({"DELETE", kItem, Scope::kAccount, false, {}, delete_list});
  router.add({"GET", kCredentials, Scope::kAccount, false, {}, list_credentials});
  router.add({"POST", kCredentials, Scope::kAccount, false, {"Username", "Password"}, create_credential});
  router.add({"GET", kCredential, Scope::kAccount, false, {}, fetch_credential});
  router.add({"POST", kCredential, Scope::kAccount, false, {"Password"}, update_credential});
  router.add({"DELETE", kCredential, Scope::kAccount, false, {}, delete_credential});
}

}  // namespace sb::api
