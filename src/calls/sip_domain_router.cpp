#include "calls/sip_domain_router.hpp"

#include "calls/digest_check.hpp"

#include "core/log.hpp"
#include "http/message.hpp"
#include "sip/message/name_addr.hpp"
#include "sip/message/uri.hpp"
#include "store/sip_digest.hpp"
#include "calls/trunks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace sb::calls {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool has_auth(const std::string& auth_type, std::string_view kind) { return auth_type.find(kind) != std::string::npos; }

// The URI of a From/To header value ("Alice" <sip:a@b>;tag=1 -> sip:a@b); the transport layer
// has already checked the header, so a failure here keeps the value as it came.
std::string uri_of(std::string_view header_value) {
  const auto name_addr = sip::parse_name_addr(header_value);
  return std::string(name_addr ? name_addr->uri.text : header_value);
}

}  // namespace

SipDomainRouter::SipDomainRouter(store::Store& store, sip::DigestServer& digest, sip::FailureGuard& guard,
                                 std::string base_domain, const TrunkTable* trunks)
    : store_(store), digest_(digest), guard_(guard), base_domain_(lower(base_domain)), trunks_(trunks) {}

std::optional<InboundDecision> SipDomainRouter::route_from_trunk(const sip::SipRequestInfo& invite,
                                                                 std::string_view user) {
  const Trunk* trunk = trunks_ != nullptr ? trunks_->from_address(invite.source.address) : nullptr;
  if (trunk == nullptr) return std::nullopt;
  // The called number as the trunk writes it (E.164, or its digits without the +).
  std::string written(user.substr(0, user.find(';')));
  if (trunk->number_format == NumberFormat::kDigits && !written.starts_with('+')) written.insert(0, "+");
  const auto number = normalize_phone_number(written);
  if (!number) return refuse(invite, 404, "Not Found", 21421, "The called number is not a phone number", false);
  const auto owned = store_.incoming_phone_numbers().find_by_phone_number(*number);
  if (!owned) return refuse(invite, 404, "Not Found", 21421, "No IncomingPhoneNumber for the called number", false);

  InboundRoute route;
  route.account_sid = owned->account_sid;
  route.phone_number_sid = owned->sid;
  std::optional<std::string> voice_url = owned->voice_url;
  std::string voice_method = owned->voice_method;
  std::optional<std::string> fallback_url = owned->voice_fallback_url;
  std::string fallback_method = owned->voice_fallback_method;
  std::optional<std::string> status_callback = owned->status_callback;
  std::string status_callback_method = owned->status_callback_method;
  if (owned->voice_application_sid) {
    // An application supplies the URLs, as on Twilio.
    if (const auto app = store_.applications().find(owned->account_sid, *owned->voice_application_sid)) {
      voice_url = app->voice_url;
      voice_method = app->voice_method;
      fallback_url = app->voice_fallback_url;
      fallback_method = app->voice_fallback_method;
      status_callback = app->status_callback;
      status_callback_method = app->status_callback_method;
    }
  }
  if (!voice_url) return refuse(invite, 480, "Temporarily Unavailable", 11200, "The number has no VoiceUrl", false);
  route.voice = WebhookTarget{*voice_url, voice_method};
  if (fallback_url) route.fallback = WebhookTarget{*fallback_url, fallback_method};
  if (status_callback) route.status_callback = WebhookTarget{*status_callback, status_callback_method};
  route.to = *number;
  // The caller as a number when the From user is one, else as written.
  const auto from = sip::parse_name_addr(invite.from);  // views into invite.from
  std::string from_user = from ? std::string(from->uri.user) : std::string();
  if (trunk->number_format == NumberFormat::kDigits && !from_user.empty() && !from_user.starts_with('+')) {
    from_user.insert(0, "+");
  }
  route.from = normalize_phone_number(from_user).value_or(from_user.empty() ? "Anonymous" : from_user);
  spdlog::debug("sip: INVITE for {} from trunk {} runs {}", *number, trunk->name, owned->sid);
  return route;
}

std::optional<store::SipDomain> SipDomainRouter::find_domain(std::string_view host_text) {
  const std::string host = lower(host_text);
  if (auto domain = store_.sip_domains().find_by_name(host)) return domain;
  // The regional form: {name}.sip.{region}.{base} names {name}.sip.{base}.
  const std::string suffix = "." + base_domain_;
  if (!host.ends_with(suffix)) return std::nullopt;
  const std::string_view head = std::string_view(host).substr(0, host.size() - suffix.size());  // name.sip.region
  const auto dot = head.rfind('.');
  if (dot == std::string_view::npos || !head.substr(0, dot).ends_with(".sip")) return std::nullopt;
  return store_.sip_domains().find_by_name(fmt::format("{}{}", head.substr(0, dot), suffix));
}

InboundRejection SipDomainRouter::refuse(const sip::SipRequestInfo& request, int status, std::string reason,
                                         int twilio_code, std::string_view why, bool counts_as_failure) {
  ++refusals_[twilio_code];
  if (counts_as_failure && guard_.record_failure(request.source.address)) {
    spdlog::warn("sip: {} banned after repeated authentication failures", request.source.address);
  }
  spdlog::info("sip: INVITE {} from {} refused: {} ({})", request.request_uri, request.source.address, why,
               twilio_code);
  return InboundRejection{status, std::move(reason),
                          {{"X-Twilio-Error", fmt::format("{} {}", twilio_code, why)}}};
}

InboundDecision SipDomainRouter::route(const sip::SipRequestInfo& invite) {
  if (guard_.is_banned(invite.source.address)) {
    ++refusals_[32216];
    return InboundRejection{403, "Forbidden", {{"X-Twilio-Error", "32216 Source address blocked"}}};
  }
  const auto uri = sip::parse_uri(invite.request_uri);
  if (!uri || uri->host.empty()) return refuse(invite, 400, "Bad Request-URI", 32214, "Unusable Request-URI", false);
  auto domain = find_domain(uri->host);
  if (!domain) {
    if (auto from_trunk = route_from_trunk(invite, uri->user)) return std::move(*from_trunk);
    return refuse(invite, 404, "Not Found", 32002, "SIP domain not found", true);
  }

  // Authentication, as the domain's call mappings require: the address first, then digest.
  const auto auth_type = store_.sip_domains().auth_type(domain->sid);
  const bool uses_acl = has_auth(auth_type, "IP_ACL");
  const bool uses_credentials = has_auth(auth_type, "CREDENTIAL_LIST");
  if (!uses_acl && !uses_credentials) {
    return refuse(invite, 403, "Forbidden", 32201, "The domain has no authentication configured", false);
  }
  if (uses_acl && !store_.sip_domains().is_ip_allowed(domain->sid, invite.source.address)) {
    return refuse(invite, 403, "Forbidden", 32201, "Authentication failure - source IP Address not in ACL", true);
  }
  if (uses_credentials) {
    const auto authorization = invite.header("Proxy-Authorization");
    auto challenge = [&](bool is_stale) {
      return InboundRejection{407, "Proxy Authentication Required",
                              {{"Proxy-Authenticate", digest_.challenge(sip::DigestAlgorithm::Md5, is_stale)}}};
    };
    const auto check = check_digest(digest_, authorization, "INVITE", [&](std::string_view username) {
      return store_.sip_domains().find_credentials(domain->sid, store::SipAuthPurpose::kCalls, username);
    });
    switch (check) {
      case DigestCheck::kAccepted:
        break;
      case DigestCheck::kChallenge:
        return challenge(false);
      case DigestCheck::kStaleChallenge:
        return challenge(true);
      case DigestCheck::kRefused:
        return refuse(invite, 403, "Forbidden", 32202, "Authentication failure - wrong credentials", true);
    }
  }
  if (domain->secure && invite.transport != sip::TransportKind::Tls) {
    return refuse(invite, 403, "Forbidden", 32209, "The domain is secure: TLS is required", false);
  }
  if (!domain->voice_url) return refuse(invite, 480, "Temporarily Unavailable", 11200, "The domain has no VoiceUrl", false);

  InboundRoute route;
  route.account_sid = domain->account_sid;
  route.to = uri_of(invite.to);
  route.from = uri_of(invite.from);
  route.voice = WebhookTarget{*domain->voice_url, domain->voice_method};
  if (domain->voice_fallback_url) route.fallback = WebhookTarget{*domain->voice_fallback_url, domain->voice_fallback_method};
  if (domain->voice_status_callback_url) {
    route.status_callback = WebhookTarget{*domain->voice_status_callback_url, domain->voice_status_callback_method};
  }
  route.params = sip_request_params(invite);
  route.params.set("SipDomain", domain->domain_name);
  route.params.set("SipDomainSid", domain->sid);
  route.requires_srtp = domain->secure;
  return route;
}

}  // namespace sb::calls
