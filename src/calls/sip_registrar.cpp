#include "calls/sip_registrar.hpp"

#include "calls/digest_check.hpp"

#include "core/log.hpp"
#include "core/sid.hpp"
#include "sip/message/header_values.hpp"
#include "sip/message/message.hpp"
#include "sip/message/name_addr.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace sb::calls {
namespace {

bool is_named(const sip::SipHeader& header, std::string_view name) {
  return std::ranges::equal(header.name, name, [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
}

// RFC 3261 20.17: SIP-date is RFC 1123's, always GMT. Formatted once a second (every 200 OK
// carries it).
const std::string& sip_date(SystemTime now) {
  thread_local SystemTime cached_at{};
  thread_local std::string cached;
  if (cached.empty() || now != cached_at) {
    cached = fmt::format("{:%a, %d %b %Y %H:%M:%S} GMT", now);
    cached_at = now;
  }
  return cached;
}

// "{first} {second}": the keys of AORs and of their bindings.
std::string space_joined(std::string_view first, std::string_view second) {
  std::string key;
  key.reserve(first.size() + 1 + second.size());
  key.append(first).append(1, ' ').append(second);
  return key;
}

std::string binding_key(const std::string& aor, std::string_view contact_uri) { return space_joined(aor, contact_uri); }

RegisteredContact to_contact(const std::string& domain_sid, const sip::Binding& b) {
  return RegisteredContact{.contact_uri = b.contact_uri,
                           .transport = b.transport,
                           .destination_host = b.source.address,
                           .destination_port = b.source.port,
                           .is_tls = b.transport == sip::TransportKind::Tls,
                           .domain_sid = domain_sid,
                           .user_agent = b.user_agent,
                           .expires_at = b.expires_at};
}

}  // namespace

std::string aor_key(std::string_view domain_sid, std::string_view user) { return space_joined(domain_sid, user); }

SipRegistrar::SipRegistrar(store::Store& store, sip::DigestServer& digest, sip::FailureGuard& guard,
                           SipDomainRouter& domains, SipRegistrarOptions options, RegistrarHooks hooks)
    : store_(store),
      digest_(digest),
      guard_(guard),
      domains_(domains),
      locations_(options.policy),
      hooks_(std::move(hooks)),
      rate_limit_({.rate = options.register_rate_limit}) {
  if (options.keepalive.interval.count() > 0 && hooks_.ping) {
    keepalive_ = std::make_unique<NatKeepalive>(
        options.keepalive, hooks_.ping, [this](const std::string& aor, const std::string& contact_uri) {
          // The AOR key is "{domain_sid} {user}" (a SID has no space).
          const auto space = aor.find(' ');
          const std::string domain_sid = aor.substr(0, space);
          const std::string user = aor.substr(space + 1);
          if (drop_binding(domain_sid, user, contact_uri,
                           [](const sip::Binding& b) { return b.transport == sip::TransportKind::Udp; })) {
            spdlog::info("sip: {} (user {} of domain {}) stopped answering keep-alives: binding dropped", contact_uri, user,
                         domain_sid);
          }
        });
  }
}

RegisterReply SipRegistrar::refuse(const sip::SipRequestInfo& request, int status, std::string reason,
                                   int twilio_code, std::string_view why, bool counts_as_failure) {
  if (counts_as_failure && guard_.record_failure(request.source.address)) {
    spdlog::warn("sip: {} banned after repeated authentication failures", request.source.address);
  }
  ++refusals_[twilio_code];
  spdlog::info("sip: REGISTER {} from {} refused: {} ({})", request.to, request.source.address, why, twilio_code);
  return RegisterReply{status, std::move(reason), {{"X-Twilio-Error", fmt::format("{} {}", twilio_code, why)}}};
}

RegisterReply SipRegistrar::handle(const sip::SipRequestInfo& request, SystemTime now) {
  if (guard_.is_banned(request.source.address)) {
    ++refusals_[32216];
    return RegisterReply{403, "Forbidden", {{"X-Twilio-Error", "32216 Source address blocked"}}};
  }
  // Twilio's 32008. 503 with Retry-After asks a UA to back off (RFC 3261 21.5.4); counted, and
  // logged once each time a source starts being refused, not per REGISTER of a flood.
  if (const auto verdict = rate_limit_.admit(request.source.address); !verdict.is_allowed) {
    ++refusals_[32008];
    if (verdict.is_first_refusal) {
      spdlog::info("sip: REGISTERs from {} over the rate limit: refused (32008)", request.source.address);
    }
    return RegisterReply{503,
                         "Service Unavailable",
                         {{"Retry-After", std::to_string(verdict.retry_after.count())},
                          {"X-Twilio-Error", "32008 REGISTER rate limit exceeded"}}};
  }
  const auto request_uri = sip::parse_uri(request.request_uri);
  if (!request_uri || request_uri->host.empty()) {
    return refuse(request, 400, "Bad Request-URI", 32214, "Unusable Request-URI", false);
  }
  const auto to = sip::parse_name_addr(request.to);
  if (!to || !to->uri.is_sip() || to->uri.user.empty()) {
    return refuse(request, 400, "Bad To", 32214, "The To header names no user", false);
  }
  const std::string user(to->uri.user);
  const store::SipDomain* domain = domain_at(request_uri->host);
  if (domain == nullptr) return refuse(request, 404, "Not Found", 32002, "SIP domain not found", true);
  if (!domain->sip_registration) {
    return refuse(request, 403, "Forbidden", 32210, "SIP registration is not enabled for the domain", false);
  }

  // Digest against the registration mappings. RFC 3261 22.3: a registrar challenges with 401.
  const auto authorization = request.header("Authorization");
  auto challenge = [&](bool is_stale) {
    return RegisterReply{401, "Unauthorized",
                         {{"WWW-Authenticate", digest_.challenge(sip::DigestAlgorithm::Md5, is_stale)}}};
  };
  const auto check = check_digest(digest_, authorization, "REGISTER", [&](std::string_view username) {
    // A device registers only its own address: the digest username is the AOR's user.
    if (username != user) return std::vector<store::SipDigestCredential>{};
    return credentials_of(domain->sid, username);
  });
  switch (check) {
    case DigestCheck::kAccepted:
      break;
    case DigestCheck::kChallenge:
      return challenge(false);
    case DigestCheck::kStaleChallenge:
      return challenge(true);
    case DigestCheck::kRefused:
      // The same answer for both: nothing tells a scanner which user names exist.
      return refuse(request, 403, "Forbidden", 32212, "Registration authentication failure", true);
  }

  sip::RegisterRequest update;
  update.call_id = request.call_id;
  update.transport = request.transport;
  update.source = request.source;
  update.flow = request.flow;
  for (const auto& header : request.headers) {
    if (is_named(header, "Contact")) {
      std::string_view rest = header.value;
      bool has_more = true;
      while (has_more) {
        const auto element = sip::split_list_element(rest, has_more);
        if (!element.empty()) update.contacts.emplace_back(element);
      }
    } else if (is_named(header, "Expires")) {
      update.expires = sip::parse_delta_seconds(header.value);
      update.has_bad_expires_header = !update.expires;
    } else if (is_named(header, "CSeq")) {
      if (const auto cseq = sip::parse_cseq(header.value)) update.cseq = cseq->number;
    } else if (is_named(header, "User-Agent")) {
      update.user_agent = header.value.substr(0, 128);
    }
  }
  const std::string key = aor_key(domain->sid, user);
  auto outcome = locations_.update(key, update, now);
  switch (outcome.status) {
    case sip::RegisterStatus::Ok:
      break;
    case sip::RegisterStatus::BadRequest:
      return refuse(request, 400, outcome.detail, 32214, outcome.detail, false);
    case sip::RegisterStatus::IntervalTooBrief:
      return RegisterReply{423, "Interval Too Brief",
                           {{"Min-Expires", std::to_string(locations_.policy().min_expires)}}};
    case sip::RegisterStatus::TooManyContacts:
      return refuse(request, 403, "Forbidden", 32007, outcome.detail, false);
    case sip::RegisterStatus::OutOfOrder:
      // RFC 3261 10.3 step 7: a request older than the binding fails with 500.
      return RegisterReply{500, "Server Internal Error", {}};
  }

  for (const auto& b : outcome.saved) {
    pending_[binding_key(key, b.contact_uri)] = PendingWrite{
        domain->sid, user, b.contact_uri,
        store::SipRegistration{.domain_sid = domain->sid,
                               .aor_user = user,
                               .contact_uri = b.contact_uri,
                               .call_id = b.call_id,
                               .cseq = b.cseq,
                               .expires_at = b.expires_at,
                               .source_address = b.source.address,
                               .source_port = b.source.port,
                               .transport = std::string(sip::transport_name(b.transport)),
                               .user_agent = b.user_agent,
                               .date_created = b.registered_at,
                               .date_updated = now}};
  }
  for (const auto& contact : outcome.removed) {
    pending_[binding_key(key, contact)] = PendingWrite{domain->sid, user, contact, std::nullopt};
    if (keepalive_) keepalive_->forget(key, contact);
  }
  for (const auto& b : outcome.saved) track(key, domain->sid, user, b, now);
  if (!outcome.saved.empty() || !outcome.removed.empty()) {
    spdlog::debug("sip: REGISTER sip:{}@{} from {}: {} contact(s)", user, domain->domain_name,
                  to_string(request.source), outcome.current.size());
  }

  RegisterReply reply{200, "OK", {}};
  reply.headers.reserve(outcome.current.size() + 1);
  for (const auto& b : outcome.current) {
    reply.headers.push_back({"Contact", fmt::format("<{}>;expires={}", b.contact_uri, (b.expires_at - now).count())});
  }
  reply.headers.push_back({"Date", sip_date(now)});
  return reply;
}

std::size_t SipRegistrar::load(SystemTime now) {
  std::size_t restored = 0;
  std::size_t expired = 0;
  for (auto& r : store_.sip_registrations().list_all()) {
    sip::Binding binding{.contact_uri = r.contact_uri,
                         .call_id = r.call_id,
                         .cseq = static_cast<std::uint32_t>(r.cseq),
                         .expires_at = r.expires_at,
                         .transport = sip::transport_from(r.transport).value_or(sip::TransportKind::Udp),
                         .source = {r.source_address, r.source_port},
                         .user_agent = r.user_agent,
                         .registered_at = r.date_created};
    if (locations_.restore(aor_key(r.domain_sid, r.aor_user), binding, now)) {
      track(aor_key(r.domain_sid, r.aor_user), r.domain_sid, r.aor_user, binding, now);
      ++restored;
    } else {
      ++expired;
    }
  }
  if (expired > 0) store_.sip_registrations().remove_expired(now, {});
  spdlog::info("sip: {} registration(s) restored, {} expired dropped", restored, expired);
  return restored;
}

const store::SipDomain* SipRegistrar::domain_at(std::string_view host) {
  std::string key(host);
  for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = domains_by_host_.find(key);
  if (it == domains_by_host_.end()) {
    if (domains_by_host_.size() >= kMaxCached) domains_by_host_.clear();
    it = domains_by_host_.emplace(std::move(key), domains_.find_domain(host)).first;
  }
  return it->second ? &*it->second : nullptr;
}

const std::vector<store::SipDigestCredential>& SipRegistrar::credentials_of(const std::string& domain_sid,
                                                                            std::string_view user) {
  auto key = aor_key(domain_sid, user);
  if (auto it = credentials_.find(key); it != credentials_.end()) return it->second;
  if (credentials_.size() >= kMaxCached) credentials_.clear();
  return credentials_
      .emplace(std::move(key),
               store_.sip_domains().find_credentials(domain_sid, store::SipAuthPurpose::kRegistrations, user))
      .first->second;
}

void SipRegistrar::flush() {
  domains_by_host_.clear();
  credentials_.clear();
  for (auto& [key, write] : pending_) {
    if (write.row) {
      store_.sip_registrations().save(*write.row, [](std::error_code ec) {
        if (ec) spdlog::error("store: cannot save a SIP registration: {}", ec.message());
      });
    } else {
      store_.sip_registrations().remove(write.domain_sid, write.user, write.contact_uri, [](std::error_code ec) {
        if (ec) spdlog::error("store: cannot remove a SIP registration: {}", ec.message());
      });
    }
  }
  pending_.clear();
}

void SipRegistrar::sweep(SystemTime now) {
  tick_keepalive();
  const auto expired = locations_.sweep(now);
  if (expired.empty()) return;
  if (keepalive_) {
    for (const auto& e : expired) keepalive_->forget(e.aor, e.contact_uri);
  }
  spdlog::debug("sip: {} registration(s) expired", expired.size());
  store_.sip_registrations().remove_expired(now, [](std::error_code ec) {
    if (ec) spdlog::error("store: cannot remove expired SIP registrations: {}", ec.message());
  });
}

void SipRegistrar::tick_keepalive(NatKeepalive::Clock::time_point now) {
  if (keepalive_) keepalive_->tick(now);
}

void SipRegistrar::track(const std::string& key, const std::string& domain_sid, const std::string& user,
                         const sip::Binding& binding, SystemTime now) {
  if (binding.transport == sip::TransportKind::Udp) {
    if (keepalive_ && NatKeepalive::is_behind_nat(binding.contact_uri, binding.source)) {
      keepalive_->watch(key, binding.contact_uri, binding.source);
    } else if (keepalive_) {
      keepalive_->forget(key, binding.contact_uri);
    }
    return;
  }
  if (keepalive_) keepalive_->forget(key, binding.contact_uri);
  if (binding.flow == 0) return;  // restored from the store: its connection is long gone
  auto& list = flows_[binding.flow];
  const bool is_known = std::ranges::any_of(list, [&](const FlowBinding& f) {
    return f.contact_uri == binding.contact_uri && f.user == user && f.domain_sid == domain_sid;
  });
  if (!is_known) list.push_back({domain_sid, user, binding.contact_uri});
  // The idle timeout must not cut the device's only path while the binding lives (a phone
  // refreshes before it expires; a little more covers a late refresh).
  if (hooks_.keep_connection_open) {
    hooks_.keep_connection_open(binding.flow,
                                std::chrono::duration_cast<std::chrono::seconds>(binding.expires_at - now) +
                                    std::chrono::seconds{32});
  }
}

bool SipRegistrar::drop_binding(const std::string& domain_sid, const std::string& user, const std::string& contact_uri,
                                const std::function<bool(const sip::Binding&)>& matches) {
  const auto key = aor_key(domain_sid, user);
  if (!locations_.remove(key, contact_uri, matches)) return false;
  pending_[binding_key(key, contact_uri)] = PendingWrite{domain_sid, user, contact_uri, std::nullopt};
  if (keepalive_) keepalive_->forget(key, contact_uri);
  return true;
}

std::size_t SipRegistrar::on_connection_closed(std::uint64_t flow) {
  const auto it = flows_.find(flow);
  if (it == flows_.end()) return 0;
  const auto bindings = std::move(it->second);
  flows_.erase(it);
  std::size_t dropped = 0;
  for (const auto& f : bindings) {
    // Only if the binding still goes through this connection (not refreshed over another since).
    if (drop_binding(f.domain_sid, f.user, f.contact_uri, [&](const sip::Binding& b) { return b.flow == flow; })) {
      ++dropped;
      spdlog::info("sip: connection of {} (sip:{}) closed: binding dropped", f.contact_uri, f.user);
    }
  }
  connection_drops_ += dropped;
  return dropped;
}

std::vector<RegisteredContact> SipRegistrar::contacts_at(const std::string& domain_sid, std::string_view user,
                                                         SystemTime now) {
  std::vector<RegisteredContact> out;
  for (const auto& b : locations_.lookup(aor_key(domain_sid, user), now)) out.push_back(to_contact(domain_sid, b));
  return out;
}

std::vector<RegisteredContact> SipRegistrar::contacts(std::string_view domain_name_or_sid, std::string_view user) {
  const auto now = now_seconds();
  if (is_sid(domain_name_or_sid, sid_prefix::kSipDomain)) return contacts_at(std::string(domain_name_or_sid), user, now);
  const auto domain = domains_.find_domain(domain_name_or_sid);
  if (!domain || !domain->sip_registration) return {};
  return contacts_at(domain->sid, user, now);
}

}  // namespace sb::calls
