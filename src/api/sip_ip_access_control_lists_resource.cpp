// The SIP IP access control list resources (/Accounts/{Sid}/SIP/IpAccessControlLists and their
// /IpAddresses): IPv4 networks that domains map to admit calls by source address.

#include "api/api.hpp"
#include "api/json.hpp"
#include "api/paging.hpp"
#include "api/sip_common.hpp"
#include "core/log.hpp"
#include "core/sid.hpp"
#include "store/ipv4.hpp"

namespace sb::api {
namespace {

constexpr std::size_t kMaxFriendlyName = 255;
constexpr std::size_t kMaxListsPerAccount = 1000;
constexpr std::size_t kMaxAddressesPerList = 100;

// Twilio's codes (twilio-voice-digest.md 2.5, section 7).
constexpr int kAclInvalid = 21235;
constexpr int kAclStillMapped = 21236;
constexpr int kTooManyAddresses = 21237;
constexpr int kAddressInvalid = 21238;
constexpr int kTooManyAcls = 21255;

boost::json::object render_list(const store::SipIpAccessControlList& l) {
  return {
      {"account_sid", l.account_sid},
      {"date_created", json_date(l.date_created)},
      {"date_updated", json_date(l.date_updated)},
      {"friendly_name", l.friendly_name},
      {"sid", l.sid},
      {"subresource_uris",
       boost::json::object{{"ip_addresses",
                            account_uri(l.account_sid,
                                        fmt::format("/SIP/IpAccessControlLists/{}/IpAddresses.json", l.sid))}}},
      {"uri", account_uri(l.account_sid, fmt::format("/SIP/IpAccessControlLists/{}.json", l.sid))},
  };
}

boost::json::object render_address(const store::SipIpAddress& a) {
  return {
      {"account_sid", a.account_sid},
      {"cidr_prefix_length", a.cidr_prefix_length},
      {"date_created", json_date(a.date_created)},
      {"date_updated", json_date(a.date_updated)},
      {"friendly_name", a.friendly_name},
      {"ip_access_control_list_sid", a.ip_access_control_list_sid},
      {"ip_address", a.ip_address},
      {"sid", a.sid},
      {"uri", account_uri(a.account_sid, fmt::format("/SIP/IpAccessControlLists/{}/IpAddresses/{}.json",
                                                     a.ip_access_control_list_sid, a.sid))},
  };
}

ApiError duplicate_name(std::string_view name) {
  return sip_error(kAclInvalid, fmt::format("An IP Access Control List named '{}' already exists", name));
}

// FriendlyName, required on create and update (as Twilio).
std::optional<ApiError> read_list_name(const ContextPtr& ctx, std::string_view own_sid, std::string& out) {
  auto name = ctx->form.get("FriendlyName");
  if (!name || name->empty()) return sip_error(kAclInvalid, "FriendlyName is required");
  if (name->size() > kMaxFriendlyName) return sip_error(kAclInvalid, "FriendlyName must be at most 255 characters");
  auto other = ctx->store.sip_ip_access_control_lists().find_by_friendly_name(ctx->account->sid, *name);
  if (other && other->sid != own_sid) return duplicate_name(*name);
  out = std::move(*name);
  return std::nullopt;
}

void list_lists(const ContextPtr& ctx) {
  store::PageQuery page_query;
  if (auto error = parse_paging(ctx->query, page_query)) return ctx->fail(*error);
  const auto page = ctx->store.sip_ip_access_control_lists().list(ctx->account->sid, page_query);
  boost::json::array items;
  for (const auto& l : page.items) items.push_back(render_list(l));
  ctx->respond(200, page_envelope("ip_access_control_lists", std::move(items), ctx->request.path(), ctx->query,
                                  page_query, page_result(page)));
}

void create_list(const ContextPtr& ctx) {
  const auto now = now_seconds();
  store::SipIpAccessControlList list{.sid = make_sid(sid_prefix::kSipIpAccessControlList),
                                     .account_sid = ctx->account->sid,
                                     .friendly_name = {},
                                     .date_created = now,
                                     .date_updated = now};
  if (auto error = read_list_name(ctx, list.sid, list.friendly_name)) return ctx->fail(*error);
  if (ctx->store.sip_ip_access_control_lists().count(ctx->account->sid) >= kMaxListsPerAccount) {
    return ctx->fail(sip_error(kTooManyAcls, "The account already has 1000 IP Access Control Lists"));
  }
  ctx->store.sip_ip_access_control_lists().save(
      list, save_completion(ctx, 201, render_list(list), duplicate_name(list.friendly_name)));
}

std::optional<store::SipIpAccessControlList> find_list(const ContextPtr& ctx) {
  return ctx->store.sip_ip_access_control_lists().find(ctx->account->sid, ctx->captures.at(1));
}

void fetch_list(const ContextPtr& ctx) {
  auto list = find_list(ctx);
  if (!list) return ctx->fail(ApiError::not_found(ctx->request.path()));
  ctx->respond(200, render_list(*list));
}

void update_list(const ContextPtr& ctx) {
  auto list = find_list(ctx);
  if (!list) return ctx->fail(ApiError::not_found(ctx->request.path()));
  if (auto error = read_list_name(ctx, list->sid, list->friendly_name)) return ctx->fail(*error);
  list->date_updated = now_seconds();
  ctx->store.sip_ip_access_control_lists().save(
      *list, save_completion(ctx, 200, render_list(*list), duplicate_name(list->friendly_name)));
}

void delete_list(const ContextPtr& ctx) {
  auto list = find_list(ctx);
  if (!list) return ctx->fail(ApiError::not_found(ctx->request.path()));
  if (ctx->store.sip_ip_access_control_lists().is_mapped(list->sid)) {
    return ctx->fail(sip_error(kAclStillMapped,
                               "The IP Access Control List is still mapped to a domain; delete its mappings first"));
  }
  ctx->store.sip_ip_access_control_lists().remove(list->sid, [ctx, sid = list->sid](std::error_code ec) {
    if (ec) return ctx->fail(ApiError::internal());
    spdlog::info("api: IP access control list {} deleted", sid);
    ctx->respond_no_content();
  });
}

ApiError duplicate_address(std::string_view ip) {
  return sip_error(kAclInvalid, fmt::format("The IP address {} is already in this list", ip));
}

// Applies FriendlyName, IpAddress and CidrPrefixLength; `is_create` makes the first two required.
std::optional<ApiError> apply_address(const ContextPtr& ctx, bool is_create, store::SipIpAddress& a) {
  if (auto name = ctx->form.get("FriendlyName")) {
    if (name->empty() || name->size() > kMaxFriendlyName) {
      return sip_error(kAddressInvalid, "FriendlyName must be 1 to 255 characters");
    }
    a.friendly_name = std::move(*name);
  } else if (is_create) {
    return sip_error(kAddressInvalid, "FriendlyName is required");
  }
  if (auto ip = ctx->form.get("IpAddress")) {
    if (!store::parse_ipv4(*ip)) {
      return sip_error(kAddressInvalid, "IpAddress must be an IPv4 address in dotted decimal, without wildcards");
    }
    a.ip_address = std::move(*ip);
  } else if (is_create) {
    return sip_error(kAddressInvalid, "IpAddress is required");
  }
  if (auto prefix = ctx->form.get("CidrPrefixLength")) {
    const auto length = parse_cidr_prefix_length(*prefix);
    if (!length) return sip_error(kAddressInvalid, "CidrPrefixLength must be an integer from 0 to 32");
    a.cidr_prefix_length = *length;
  }
  auto other = ctx->store.sip_ip_access_control_lists().find_address_by_ip(a.ip_access_control_list_sid, a.ip_address);
  if (other && other->sid != a.sid) return duplicate_address(a.ip_address);
  return std::nullopt;
}

void list_addresses(const ContextPtr& ctx) {
  auto list = find_list(ctx);
  if (!list) return ctx->fail(ApiError::not_found(ctx->request.path()));
  store::PageQuery page_query;
  if (auto error = parse_paging(ctx->query, page_query)) return ctx->fail(*error);
  const auto page = ctx->store.sip_ip_access_control_lists().list_addresses(list->sid, page_query);
  boost::json::array items;
  for (const auto& a : page.items) items.push_back(render_address(a));
  ctx->respond(200, page_envelope("ip_addresses", std::move(items), ctx->request.path(), ctx->query, page_query,
                                  page_result(page)));
}

void create_address(const ContextPtr& ctx) {
  auto list = find_list(ctx);
  if (!list) return ctx->fail(ApiError::not_found(ctx->request.path()));
  const auto now = now_seconds();
  store::SipIpAddress address{.sid = make_sid(sid_prefix::kSipIpAddress),
                              .account_sid = ctx->account->sid,
                              .ip_access_control_list_sid = list->sid,
                              .friendly_name = {},
                              .ip_address = {},
                              .cidr_prefix_length = 32,
                              .date_created = now,
                              .date_updated = now};
  if (auto error = apply_address(ctx, true, address)) return ctx->fail(*error);
  if (ctx->store.sip_ip_access_control_lists().count_addresses(list->sid) >= kMaxAddressesPerList) {
    return ctx->fail(sip_error(kTooManyAddresses, "The IP Access Control List already has 100 addresses"));
  }
  ctx->store.sip_ip_access_control_lists().save_address(
      address, save_completion(ctx, 201, render_address(address), duplicate_address(address.ip_address)));
}

std::optional<store::SipIpAddress> find_address(const ContextPtr& ctx) {
  auto list = find_list(ctx);
  if (!list) return std::nullopt;
  return ctx->store.sip_ip_access_control_lists().find_address(list->sid, ctx->captures.at(2));
}

void fetch_address(const ContextPtr& ctx) {
  auto address = find_address(ctx);
  if (!address) return ctx->fail(ApiError::not_found(ctx->request.path()));
  ctx->respond(200, render_address(*address));
}

void update_address(const ContextPtr& ctx) {
  auto address = find_address(ctx);
  if (!address) return ctx->fail(ApiError::not_found(ctx->request.path()));
  if (auto error = apply_address(ctx, false, *address)) return ctx->fail(*error);
  address->date_updated = now_seconds();
  ctx->store.sip_ip_access_control_lists().save_address(
      *address, save_completion(ctx, 200, render_address(*address), duplicate_address(address->ip_address)));
}

void delete_address(const ContextPtr& ctx) {
  auto address = find_address(ctx);
  if (!address) return ctx->fail(ApiError::not_found(ctx->request.path()));
  ctx->store.sip_ip_access_control_lists().remove_address(address->sid, [ctx](std::error_code ec) {
    if (ec) return ctx->fail(ApiError::internal());
    ctx->respond_no_content();
  });
}

}  // namespace

void add_sip_ip_access_control_list_routes(Router& router) {
  constexpr auto kList = "/2010-04-01/Accounts/{}/SIP/IpAccessControlLists.json";
  constexpr auto kItem = "/2010-04-01/Accounts/{}/SIP/IpAccessControlLists/{}.json";
  constexpr auto kAddresses = "/2010-04-01/Accounts/{}/SIP/IpAccessControlLists/{}/IpAddresses.json";
  constexpr auto kAddress = "/2010-04-01/Accounts/{}/SIP/IpAccessControlLists/{}/IpAddresses/{}.json";
  const std::vector<std::string> address_parameters = {"FriendlyName", "IpAddress", "CidrPrefixLength"};
  router.add({"GET", kList, Scope::kAccount, false, {}, list_lists});
  router.add({"POST", kList, Scope::kAccount, false, {"FriendlyName"}, create_list});
  router.add({"GET", kItem, Scope::kAccount, false, {}, fetch_list});
  router.add({"POST", kItem, Scope::kAccount, false, {"FriendlyName"}, update_list});
  router.add({"DELETE", kItem, Scope::kAccount, false, {}, delete_list});
  router.add({"GET", kAddresses, Scope::kAccount, false, {}, list_addresses});
  router.add({"POST", kAddresses, Scope::kAccount, false, address_parameters, create_address});
  router.add({"GET", kAddress, Scope::kAccount, false, {}, fetch_address});
  router.add({"POST", kAddress, Scope::kAccount, false, address_parameters, update_address});
  router.add({"DELETE", kAddress, Scope::kAccount, false, {}, delete_address});
}

}  // namespace sb::api
