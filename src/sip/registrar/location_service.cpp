#include "sip/registrar/location_service.hpp"

#include "sip/message/name_addr.hpp"
#include "sip/message/uri.hpp"

#include <algorithm>

namespace sb::sip {
namespace {

bool is_live(const Binding& binding, SystemTime now) { return binding.expires_at > now; }

bool same_contact(const Uri& uri, const Binding& binding) {
  const auto stored = parse_uri(binding.contact_uri);
  return stored && equivalent(uri, *stored);
}

RegisterOutcome fail(RegisterStatus status, std::string detail) {
  RegisterOutcome outcome;
  outcome.status = status;
  outcome.detail = std::move(detail);
  return outcome;
}

}  // namespace

RegisterOutcome LocationService::update(std::string_view aor, const RegisterRequest& request, SystemTime now) {
  if (request.has_bad_expires_header) return fail(RegisterStatus::BadRequest, "Invalid Expires header");
  // A cap on the work one request can cause, before anything is parsed.
  if (request.contacts.size() > policy_.max_contacts_per_aor) {
    return fail(RegisterStatus::TooManyContacts, "Too many contacts in one REGISTER");
  }
  std::vector<Binding> next;
  if (auto it = bindings_.find(aor); it != bindings_.end()) {
    std::ranges::copy_if(it->second, std::back_inserter(next), [&](const Binding& b) { return is_live(b, now); });
  }
  RegisterOutcome outcome;
  auto ordered = [&](const Binding& b) { return b.call_id != request.call_id || request.cseq > b.cseq; };

  const bool has_wildcard = std::ranges::any_of(request.contacts, [](const std::string& c) { return c == "*"; });
  if (has_wildcard) {
    // RFC 3261 10.3 step 6: "*" stands alone, with Expires: 0.
    if (request.contacts.size() != 1 || request.expires != 0u) {
      return fail(RegisterStatus::BadRequest, "Contact: * needs Expires: 0 and no other contact");
    }
    if (!std::ranges::all_of(next, ordered)) return fail(RegisterStatus::OutOfOrder, "CSeq out of order");
    for (const auto& b : next) outcome.removed.push_back(b.contact_uri);
    next.clear();
  }

  const std::size_t contact_count = has_wildcard ? 0 : request.contacts.size();
  for (std::size_t i = 0; i < contact_count; ++i) {
    const std::string& text = request.contacts[i];
    const auto contact = parse_contact(text, policy_.max_uri_length);
    if (!contact || contact->is_wildcard || !contact->address.uri.is_sip()) {
      return fail(RegisterStatus::BadRequest, "Invalid Contact");
    }
    std::uint32_t expires = contact->expires.value_or(request.expires.value_or(policy_.default_expires));
    if (expires != 0 && expires < policy_.min_expires) {
      return fail(RegisterStatus::IntervalTooBrief, "Interval Too Brief");
    }
    expires = std::min(expires, policy_.max_expires);
    const Uri& uri = contact->address.uri;
    auto existing = std::ranges::find_if(next, [&](const Binding& b) { return same_contact(uri, b); });
    if (existing != next.end() && !ordered(*existing)) {
      return fail(RegisterStatus::OutOfOrder, "CSeq out of order");
    }
    if (expires == 0) {
      if (existing != next.end()) {
        outcome.removed.push_back(existing->contact_uri);
        next.erase(existing);
      }
      continue;
    }
    Binding binding{.contact_uri = std::string(uri.text),
                    .call_id = request.call_id,
                    .cseq = request.cseq,
                    .expires_at = now + std::chrono::seconds{expires},
                    .transport = request.transport,
                    .source = request.source,
                    .flow = request.flow,
                    .user_agent = request.user_agent,
                    .registered_at = now};
    if (existing != next.end()) {
      // Keep the URI text first registered: it is the binding's key in storage.
      binding.contact_uri = existing->contact_uri;
      binding.registered_at = existing->registered_at;
      *existing = binding;
    } else {
      next.push_back(binding);
    }
    // A contact removed earlier in this same request and added again is saved, not removed.
    std::erase(outcome.removed, binding.contact_uri);
    std::erase_if(outcome.saved, [&](const Binding& b) { return b.contact_uri == binding.contact_uri; });
    outcome.saved.push_back(std::move(binding));
  }

  if (next.size() > policy_.max_contacts_per_aor) {
    return fail(RegisterStatus::TooManyContacts, "Too many contacts for the address-of-record");
  }
  for (const auto& b : next) next_expiry_ = std::min(next_expiry_, b.expires_at);
  outcome.current = next;
  auto it = bindings_.find(aor);
  if (next.empty()) {
    if (it != bindings_.end()) bindings_.erase(it);
  } else if (it != bindings_.end()) {
    it->second = std::move(next);
  } else {
    bindings_.emplace(std::string(aor), std::move(next));
  }
  return outcome;
}

std::vector<Binding> LocationService::lookup(std::string_view aor, SystemTime now) const {
  std::vector<Binding> out;
  if (auto it = bindings_.find(aor); it != bindings_.end()) {
    std::ranges::copy_if(it->second, std::back_inserter(out), [&](const Binding& b) { return is_live(b, now); });
  }
  return out;
}

bool LocationService::restore(std::string_view aor, Binding binding, SystemTime now) {
  if (!is_live(binding, now)) return false;
  auto it = bindings_.find(aor);
  if (it == bindings_.end()) it = bindings_.emplace(std::string(aor), std::vector<Binding>{}).first;
  auto& list = it->second;
  std::erase_if(list, [&](const Binding& b) { return b.contact_uri == binding.contact_uri; });
  next_expiry_ = std::min(next_expiry_, binding.expires_at);
  list.push_back(std::move(binding));
  return true;
}

bool LocationService::remove(std::string_view aor, std::string_view contact_uri,
                             const std::function<bool(const Binding&)>& matches) {
  auto it = bindings_.find(aor);
  if (it == bindings_.end()) return false;
  auto& list = it->second;
  const auto found = std::ranges::find_if(list, [&](const Binding& b) {
    return b.contact_uri == contact_uri && (!matches || matches(b));
  });
  if (found == list.end()) return false;
  list.erase(found);
  if (list.empty()) bindings_.erase(it);
  return true;
}

std::vector<LocationService::Expired> LocationService::sweep(SystemTime now) {
  std::vector<Expired> out;
  if (now < next_expiry_) return out;
  next_expiry_ = SystemTime::max();
  for (auto it = bindings_.begin(); it != bindings_.end();) {
    std::erase_if(it->second, [&](const Binding& b) {
      if (is_live(b, now)) {
        next_expiry_ = std::min(next_expiry_, b.expires_at);
        return false;
      }
      out.push_back({it->first, b.contact_uri});
      return true;
    });
    it = it->second.empty() ? bindings_.erase(it) : std::next(it);
  }
  return out;
}

std::size_t LocationService::binding_count() const {
  std::size_t n = 0;
  for (const auto& [aor, list] : bindings_) n += list.size();
  return n;
}

}  // namespace sb::sip
