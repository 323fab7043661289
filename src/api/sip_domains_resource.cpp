// The SIP domain resources (/Accounts/{Sid}/SIP/Domains) and the lists mapped to a domain:
// /Auth/Calls/CredentialListMappings, /Auth/Calls/IpAccessControlListMappings,
// /Auth/Registrations/CredentialListMappings, and the legacy /CredentialListMappings and
// /IpAccessControlListMappings, which are the same mappings as /Auth/Calls (Twilio shares them).

#include "api/api.hpp"
#include "api/json.hpp"
#include "api/paging.hpp"
#include "api/params.hpp"
#include "api/sip_common.hpp"
#include "core/log.hpp"
#include "core/sid.hpp"

#include <algorithm>
#include <cctype>

namespace sb::api {
namespace {

constexpr std::size_t kMaxFriendlyName = 64;
constexpr std::size_t kMaxDomainsPerAccount = 100;
constexpr std::size_t kMaxCredentialListsPerDomain = 100;

// Twilio's codes (twilio-voice-digest.md 2.2, 2.3, section 7).
constexpr int kTooManyDomains = 21230;
constexpr int kDomainInvalid = 21231;
constexpr int kDomainNameInvalid = 21232;
constexpr int kDomainHasSubdomains = 21233;

const std::vector<std::string> kWritable = {
    "DomainName", "FriendlyName", "VoiceUrl", "VoiceMethod", "VoiceFallbackUrl", "VoiceFallbackMethod",
    "VoiceStatusCallbackUrl", "VoiceStatusCallbackMethod", "SipRegistration", "EmergencyCallingEnabled",
    "Secure", "ByocTrunkSid", "EmergencyCallerSid"};

std::string domain_path(std::string_view account_sid, std::string_view domain_sid, std::string_view rest) {
  return account_uri(account_sid, fmt::format("/SIP/Domains/{}{}", domain_sid, rest));
}

boost::json::object render_domain(const store::SipDomain& d, std::string auth_type) {
  return {
      {"account_sid", d.account_sid},
      {"api_version", d.api_version},
      {"auth_type", std::move(auth_type)},
      {"byoc_trunk_sid", json_optional(d.byoc_trunk_sid)},
      {"date_created", json_date(d.date_created)},
      {"date_updated", json_date(d.date_updated)},
      {"domain_name", d.domain_name},
      {"emergency_caller_sid", json_optional(d.emergency_caller_sid)},
      {"emergency_calling_enabled", d.emergency_calling_enabled},
      {"friendly_name", d.friendly_name},
      {"secure", d.secure},
      {"sid", d.sid},
      {"sip_registration", d.sip_registration},
      {"subresource_uris",
       boost::json::object{
           {"credential_list_mappings", domain_path(d.account_sid, d.sid, "/CredentialListMappings.json")},
           {"ip_access_control_list_mappings", domain_path(d.account_sid, d.sid, "/IpAccessControlListMappings.json")},
       }},
      {"uri", domain_path(d.account_sid, d.sid, ".json")},
      {"voice_fallback_method", d.voice_fallback_method},
      {"voice_fallback_url", json_optional(d.voice_fallback_url)},
      {"voice_method", d.voice_method},
      {"voice_status_callback_method", d.voice_status_callback_method},
      {"voice_status_callback_url", json_optional(d.voice_status_callback_url)},
      {"voice_url", json_optional(d.voice_url)},
  };
}

bool same_sid(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// A SID parameter that may be cleared with "".
std::optional<ApiError> read_sid(const http::Form& f, std::string_view name, std::string_view prefix,
                                 std::optional<std::string>& out) {
  auto value = f.get(name);
  if (!value) return std::nullopt;
  if (value->empty()) {
    out.reset();
    return std::nullopt;
  }
  if (!is_sid(*value, prefix)) return sip_error(kDomainInvalid, fmt::format("{} must be a {} SID", name, prefix));
  out = std::move(*value);
  return std::nullopt;
}

// Checks a new or changed DomainName: syntax, the reserved account names, the parent domain a
// sub-domain needs, and the global namespace. Sets `d.domain_name` when it is acceptable.
std::optional<ApiError> apply_domain_name(const ContextPtr& ctx, const std::string& base_domain, std::string_view name,
                                          store::SipDomain& d) {
  const auto normalized = normalize_sip_domain_name(name, base_domain);
  if (!normalized) {
    return sip_error(kDomainNameInvalid,
                     fmt::format("DomainName must be name.sip.{}: letters, digits and '-' in each label", base_domain));
  }
  if (*normalized == d.domain_name) return std::nullopt;
  const auto& account = *ctx->account;
  // Twilio reserves every account's SID as a domain name for that account (names are lower
  // case; SIDs match without case). A subaccount may extend its main account's reserved name.
  const auto top = top_sip_domain_label(*normalized, base_domain);
  const auto parent = parent_sip_domain(*normalized, base_domain);
  if (top.size() == kSidLength && same_sid(top.substr(0, 2), sid_prefix::kAccount) &&
      is_sid(fmt::format("AC{}", top.substr(2)), sid_prefix::kAccount) && !same_sid(top, account.sid) &&
      !(parent && same_sid(top, account.owner_account_sid))) {
    return sip_error(kDomainNameInvalid, "DomainName is reserved for another account");
  }
  if (parent) {
    const auto owner = ctx->store.sip_domains().find_by_name(*parent);
    // Sub-domains need the parent; a subaccount may extend its main account's domains.
    if (!owner || (owner->account_sid != account.sid && owner->account_sid != account.owner_account_sid)) {
      return sip_error(kDomainNameInvalid, fmt::format("DomainName is a sub-domain of {}, which is not yours", *parent));
    }
  }
  if (ctx->store.sip_domains().find_by_name(*normalized)) {
    return sip_error(kDomainNameInvalid, fmt::format("The domain {} is already taken", *normalized));
  }
  if (!d.domain_name.empty() && ctx->store.sip_domains().has_subdomains(d.domain_name)) {
    return sip_error(kDomainHasSubdomains, "A domain with sub-domains cannot be renamed");
  }
  d.domain_name = *normalized;
  return std::nullopt;
}

std::optional<ApiError> apply(const ContextPtr& ctx, const std::string& base_domain, store::SipDomain& d) {
  const http::Form& f = ctx->form;
  std::optional<ApiError> e;
  if (auto name = f.get("DomainName")) {
    if ((e = apply_domain_name(ctx, base_domain, *name, d))) return e;
  } else if (d.domain_name.empty()) {
    return sip_error(kDomainNameInvalid, "DomainName is required");
  }
  if (auto name = f.get("FriendlyName")) {
    if (name->size() > kMaxFriendlyName) return sip_error(kDomainInvalid, "FriendlyName must be at most 64 characters");
    d.friendly_name = std::move(*name);
  }
  if ((e = read_url(f, "VoiceUrl", d.voice_url))) return e;
  if ((e = read_method(f, "VoiceMethod", d.voice_method))) return e;
  if ((e = read_url(f, "VoiceFallbackUrl", d.voice_fallback_url))) return e;
  if ((e = read_method(f, "VoiceFallbackMethod", d.voice_fallback_method))) return e;
  if ((e = read_url(f, "VoiceStatusCallbackUrl", d.voice_status_callback_url))) return e;
  if ((e = read_method(f, "VoiceStatusCallbackMethod", d.voice_status_callback_method))) return e;
  if ((e = read_bool(f, "SipRegistration", d.sip_registration))) return e;
  if ((e = read_bool(f, "EmergencyCallingEnabled", d.emergency_calling_enabled))) return e;
  if ((e = read_bool(f, "Secure", d.secure))) return e;
  if ((e = read_sid(f, "ByocTrunkSid", sid_prefix::kByocTrunk, d.byoc_trunk_sid))) return e;
  return read_sid(f, "EmergencyCallerSid", sid_prefix::kPhoneNumber, d.emergency_caller_sid);
}

void save_domain(const ContextPtr& ctx, const store::SipDomain& d, unsigned status) {
  auto body = render_domain(d, ctx->store.sip_domains().auth_type(d.sid));
  ctx->store.sip_domains().save(
      d, save_completion(ctx, status, std::move(body),
                         sip_error(kDomainNameInvalid, fmt::format("The domain {} is already taken", d.domain_name))));
}

std::optional<store::SipDomain> find_domain(const ContextPtr& ctx) {
  return ctx->store.sip_domains().find(ctx->account->sid, ctx->captures.at(1));
}

void list_domains(const ContextPtr& ctx) {
  store::PageQuery page_query;
  if (auto error = parse_paging(ctx->query, page_query)) return ctx->fail(*error);
  const auto page = ctx->store.sip_domains().list(ctx->account->sid, page_query);
  boost::json::array items;
  for (const auto& d : page.items) items.push_back(render_domain(d, ctx->store.sip_domains().auth_type(d.sid)));
  ctx->respond(200, page_envelope("domains", std::move(items), ctx->request.path(), ctx->query, page_query,
                                  page_result(page)));
}

void create_domain(const ContextPtr& ctx, const std::string& base_domain) {
  const auto now = now_seconds();
  store::SipDomain domain;
  domain.sid = make_sid(sid_prefix::kSipDomain);
  domain.account_sid = ctx->account->sid;
  domain.date_created = now;
  domain.date_updated = now;
  if (auto error = apply(ctx, base_domain, domain)) return ctx->fail(*error);
  if (ctx->store.sip_domains().count(ctx->account->sid) >= kMaxDomainsPerAccount) {
    return ctx->fail(sip_error(kTooManyDomains, "The account already has 100 SIP domains"));
  }
  spdlog::info("api: SIP domain {} ({}) created for {}", domain.domain_name, domain.sid, domain.account_sid);
  save_domain(ctx, domain, 201);
}

void fetch_domain(const ContextPtr& ctx) {
  auto domain = find_domain(ctx);
  if (!domain) return ctx->fail(ApiError::not_found(ctx->request.path()));
  ctx->respond(200, render_domain(*domain, ctx->store.sip_domains().auth_type(domain->sid)));
}

void update_domain(const ContextPtr& ctx, const std::string& base_domain) {
  auto domain = find_domain(ctx);
  if (!domain) return ctx->fail(ApiError::not_found(ctx->request.path()));
  if (auto error = apply(ctx, base_domain, *domain)) return ctx->fail(*error);
  domain->date_updated = now_seconds();
  save_domain(ctx, *domain, 200);
}

void delete_domain(const ContextPtr& ctx) {
  auto domain = find_domain(ctx);
  if (!domain) return ctx->fail(ApiError::not_found(ctx->request.path()));
  if (ctx->store.sip_domains().has_subdomains(domain->domain_name)) {
    return ctx->fail(sip_error(kDomainHasSubdomains, "The domain has sub-domains; delete them first"));
  }
  ctx->store.sip_domains().remove(domain->sid, [ctx, name = domain->domain_name](std::error_code ec) {
    if (ec) return ctx->fail(ApiError::internal());
    spdlog::info("api: SIP domain {} deleted", name);
    ctx->respond_no_content();
  });
}

// One of the five mapping collections of a domain.
struct MappingKind {
  bool is_ip_access_control_list = false;
  store::SipAuthPurpose purpose = store::SipAuthPurpose::kCalls;
  bool is_legacy = false;           // legacy responses add domain_sid and uri
  std::string_view path;            // after /SIP/Domains/{Sid}
  std::string_view list_key;        // the array's key in a list response
  std::string_view parameter;       // CredentialListSid or IpAccessControlListSid
  std::string_view resource_name;   // for messages
};

boost::json::object render_mapping(const MappingKind& kind, const store::SipDomainMapping& m) {
  boost::json::object body{
      {"account_sid", m.account_sid},
      {"date_created", json_date(m.date_created)},
      {"date_updated", json_date(m.date_updated)},
      {"friendly_name", m.friendly_name},
      {"sid", m.list_sid},
  };
  if (kind.is_legacy) {
    body["domain_sid"] = m.domain_sid;
    body["uri"] = domain_path(m.account_sid, m.domain_sid, fmt::format("{}/{}.json", kind.path, m.list_sid));
  }
  return body;
}

std::optional<store::SipDomainMapping> find_mapping(const ContextPtr& ctx, const MappingKind& kind,
                                                    std::string_view domain_sid, std::string_view list_sid) {
  auto& domains = ctx->store.sip_domains();
  return kind.is_ip_access_control_list ? domains.find_ip_access_control_list_mapping(domain_sid, list_sid)
                                        : domains.find_credential_list_mapping(domain_sid, kind.purpose, list_sid);
}

void list_mappings(const ContextPtr& ctx, const MappingKind& kind) {
  auto domain = find_domain(ctx);
  if (!domain) return ctx->fail(ApiError::not_found(ctx->request.path()));
  store::PageQuery page_query;
  if (auto error = parse_paging(ctx->query, page_query)) return ctx->fail(*error);
  auto& domains = ctx->store.sip_domains();
  const auto page = kind.is_ip_access_control_list
                        ? domains.list_ip_access_control_list_mappings(domain->sid, page_query)
                        : domains.list_credential_list_mappings(domain->sid, kind.purpose, page_query);
  boost::json::array items;
  for (const auto& m : page.items) items.push_back(render_mapping(kind, m));
  ctx->respond(200, page_envelope(kind.list_key, std::move(items), ctx->request.path(), ctx->query, page_query,
                                  page_result(page)));
}

void create_mapping(const ContextPtr& ctx, const MappingKind& kind) {
  auto domain = find_domain(ctx);
  if (!domain) return ctx->fail(ApiError::not_found(ctx->request.path()));
  const auto list_sid = ctx->form.get(kind.parameter);
  if (!list_sid || list_sid->empty()) return ctx->fail(ApiError::missing_parameter(kind.parameter));
  // The list must be the account's own: another account's list is as unknown as a made-up SID.
  std::optional<std::string> friendly_name;
  if (kind.is_ip_access_control_list) {
    if (auto list = ctx->store.sip_ip_access_control_lists().find(ctx->account->sid, *list_sid)) {
      friendly_name = list->friendly_name;
    }
  } else if (auto list = ctx->store.sip_credential_lists().find(ctx->account->sid, *list_sid)) {
    friendly_name = list->friendly_name;
  }
  if (!friendly_name) {
    return ctx->fail(ApiError{404, 20404, fmt::format("The {} {} was not found", kind.resource_name, *list_sid), ""});
  }
  const ApiError already_mapped =
      sip_error(kDomainInvalid, fmt::format("{} already associated with this domain", kind.resource_name));
  if (find_mapping(ctx, kind, domain->sid, *list_sid)) return ctx->fail(already_mapped);
  if (!kind.is_ip_access_control_list &&
      ctx->store.sip_domains().count_credential_list_mappings(domain->sid, kind.purpose) >=
          kMaxCredentialListsPerDomain) {
    return ctx->fail(sip_error(kDomainInvalid, "The domain already has 100 Credential Lists mapped"));
  }
  const auto now = now_seconds();
  store::SipDomainMapping mapping{.domain_sid = domain->sid,
                                  .list_sid = *list_sid,
                                  .account_sid = ctx->account->sid,
                                  .friendly_name = *friendly_name,
                                  .date_created = now,
                                  .date_updated = now};
  auto done = save_completion(ctx, 201, render_mapping(kind, mapping), already_mapped);
  if (kind.is_ip_access_control_list) {
    ctx->store.sip_domains().add_ip_access_control_list_mapping(mapping, std::move(done));
  } else {
    ctx->store.sip_domains().add_credential_list_mapping(mapping, kind.purpose, std::move(done));
  }
}

void fetch_mapping(const ContextPtr& ctx, const MappingKind& kind) {
  auto domain = find_domain(ctx);
  auto mapping = domain ? find_mapping(ctx, kind, domain->sid, ctx->captures.at(2)) : std::nullopt;
  if (!mapping) return ctx->fail(ApiError::not_found(ctx->request.path()));
  ctx->respond(200, render_mapping(kind, *mapping));
}

void delete_mapping(const ContextPtr& ctx, const MappingKind& kind) {
  auto domain = find_domain(ctx);
  auto mapping = domain ? find_mapping(ctx, kind, domain->sid, ctx->captures.at(2)) : std::nullopt;
  if (!mapping) return ctx->fail(ApiError::not_found(ctx->request.path()));
  auto done = [ctx](std::error_code ec) {
    if (ec) return ctx->fail(ApiError::internal());
    ctx->respond_no_content();
  };
  if (kind.is_ip_access_control_list) {
    ctx->store.sip_domains().remove_ip_access_control_list_mapping(mapping->domain_sid, mapping->list_sid,
                                                                   std::move(done));
  } else {
    ctx->store.sip_domains().remove_credential_list_mapping(mapping->domain_sid, kind.purpose, mapping->list_sid,
                                                            std::move(done));
  }
}

void add_mapping_routes(Router& router, const MappingKind& kind) {
  const auto base = fmt::format("/2010-04-01/Accounts/{{}}/SIP/Domains/{{}}{}", kind.path);
  const std::string list = base + ".json";
  const std::string item = base + "/{}.json";
  router.add({"GET", list, Scope::kAccount, false, {}, [kind](const ContextPtr& ctx) { list_mappings(ctx, kind); }});
  router.add({"POST", list, Scope::kAccount, false, {std::string(kind.parameter)},
              [kind](const ContextPtr& ctx) { create_mapping(ctx, kind); }});
  router.add({"GET", item, Scope::kAccount, false, {}, [kind](const ContextPtr& ctx) { fetch_mapping(ctx, kind); }});
  router.add({"DELETE", item, Scope::kAccount, false, {}, [kind](const ContextPtr& ctx) { delete_mapping(ctx, kind); }});
}

}  // namespace

void add_sip_domain_routes(Router& router, std::string base_domain) {
  constexpr auto kList = "/2010-04-01/Accounts/{}/SIP/Domains.json";
  constexpr auto kItem = "/2010-04-01/Accounts/{}/SIP/Domains/{}.json";
  router.add({"GET", kList, Scope::kAccount, false, {}, list_domains});
  router.add({"POST", kList, Scope::kAccount, false, kWritable,
              [base_domain](const ContextPtr& ctx) { create_domain(ctx, base_domain); }});
  router.add({"GET", kItem, Scope::kAccount, false, {}, fetch_domain});
  router.add({"POST", kItem, Scope::kAccount, false, kWritable,
              [base_domain](const ContextPtr& ctx) { update_domain(ctx, base_domain); }});
  router.add({"DELETE", kItem, Scope::kAccount, false, {}, delete_domain});

  using store::SipAuthPurpose;
  constexpr std::string_view kCredentialList = "CredentialList";
  constexpr std::string_view kIpAccessControlList = "IpAccessControlList";
  add_mapping_routes(router, {false, SipAuthPurpose::kCalls, false, "/Auth/Calls/CredentialListMappings", "contents",
                              "CredentialListSid", kCredentialList});
  add_mapping_routes(router, {true, SipAuthPurpose::kCalls, false, "/Auth/Calls/IpAccessControlListMappings",
                              "contents", "IpAccessControlListSid", kIpAccessControlList});
  add_mapping_routes(router, {false, SipAuthPurpose::kRegistrations, false,
                              "/Auth/Registrations/CredentialListMappings", "contents", "CredentialListSid",
                              kCredentialList});
  add_mapping_routes(router, {false, SipAuthPurpose::kCalls, true, "/CredentialListMappings",
                              "credential_list_mappings", "CredentialListSid", kCredentialList});
  add_mapping_routes(router, {true, SipAuthPurpose::kCalls, true, "/IpAccessControlListMappings",
                              "ip_access_control_list_mappings", "IpAccessControlListSid", kIpAccessControlList});
}

}  // namespace sb::api
