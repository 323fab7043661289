#include "sip/message/header_name.hpp"

#include <array>

#include "sip/message/syntax.hpp"

namespace sb::sip {
namespace {

struct Entry {
  HeaderId id;
  std::string_view name;
  char compact;
  bool is_list;
};

constexpr std::size_t kCount = static_cast<std::size_t>(HeaderId::Count_);

// In HeaderId order. Compact forms: RFC 3261 7.3.3 and the IANA "Header Fields" registry.
constexpr std::array<Entry, kCount> kEntries{{
    {HeaderId::Other, "", 0, false},
    {HeaderId::Accept, "Accept", 0, true},
    {HeaderId::AcceptContact, "Accept-Contact", 'a', true},
    {HeaderId::AcceptEncoding, "Accept-Encoding", 0, true},
    {HeaderId::AcceptLanguage, "Accept-Language", 0, true},
    {HeaderId::AlertInfo, "Alert-Info", 0, true},
    {HeaderId::Allow, "Allow", 0, true},
    {HeaderId::AllowEvents, "Allow-Events", 'u', true},
    {HeaderId::AuthenticationInfo, "Authentication-Info", 0, false},
    {HeaderId::Authorization, "Authorization", 0, false},
    {HeaderId::CallId, "Call-ID", 'i', false},
    {HeaderId::CallInfo, "Call-Info", 0, true},
    {HeaderId::Contact, "Contact", 'm', true},
    {HeaderId::ContentDisposition, "Content-Disposition", 0, false},
    {HeaderId::ContentEncoding, "Content-Encoding", 'e', true},
    {HeaderId::ContentLanguage, "Content-Language", 0, true},
    {HeaderId::ContentLength, "Content-Length", 'l', false},
    {HeaderId::ContentType, "Content-Type", 'c', false},
    {HeaderId::CSeq, "CSeq", 0, false},
    {HeaderId::Date, "Date", 0, false},
    {HeaderId::ErrorInfo, "Error-Info", 0, true},
    {HeaderId::Event, "Event", 'o', false},
    {HeaderId::Expires, "Expires", 0, false},
    {HeaderId::From, "From", 'f', false},
    {HeaderId::Identity, "Identity", 'y', false},
    {HeaderId::IdentityInfo, "Identity-Info", 'n', false},
    {HeaderId::InReplyTo, "In-Reply-To", 0, true},
    {HeaderId::MaxForwards, "Max-Forwards", 0, false},
    {HeaderId::MimeVersion, "MIME-Version", 0, false},
    {HeaderId::MinExpires, "Min-Expires", 0, false},
    {HeaderId::MinSe, "Min-SE", 0, false},
    {HeaderId::Organization, "Organization", 0, false},
    {HeaderId::PAssertedIdentity, "P-Asserted-Identity", 0, true},
    {HeaderId::PPreferredIdentity, "P-Preferred-Identity", 0, true},
    {HeaderId::Path, "Path", 0, true},
    {HeaderId::Priority, "Priority", 0, false},
    {HeaderId::Privacy, "Privacy", 0, false},
    {HeaderId::ProxyAuthenticate, "Proxy-Authenticate", 0, false},
    {HeaderId::ProxyAuthorization, "Proxy-Authorization", 0, false},
    {HeaderId::ProxyRequire, "Proxy-Require", 0, true},
    {HeaderId::RAck, "RAck", 0, false},
    {HeaderId::Reason, "Reason", 0, true},
    {HeaderId::RecordRoute, "Record-Route", 0, true},
    {HeaderId::ReferTo, "Refer-To", 'r', false},
    {HeaderId::ReferredBy, "Referred-By", 'b', false},
    {HeaderId::RejectContact, "Reject-Contact", 'j', true},
    {HeaderId::Replaces, "Replaces", 0, false},
    {HeaderId::ReplyTo, "Reply-To", 0, false},
    {HeaderId::RequestDisposition, "Request-Disposition", 'd', true},
    {HeaderId::Require, "Require", 0, true},
    {HeaderId::RetryAfter, "Retry-After", 0, false},
    {HeaderId::Route, "Route", 0, true},
    {HeaderId::RSeq, "RSeq", 0, false},
    {HeaderId::Server, "Server", 0, false},
    {HeaderId::SessionExpires, "Session-Expires", 'x', false},
    {HeaderId::Subject, "Subject", 's', false},
    {HeaderId::SubscriptionState, "Subscription-State", 0, false},
    {HeaderId::Supported, "Supported", 'k', true},
    {HeaderId::Timestamp, "Timestamp", 0, false},
    {HeaderId::To, "To", 't', false},
    {HeaderId::Unsupported, "Unsupported", 0, true},
    {HeaderId::UserAgent, "User-Agent", 0, false},
    {HeaderId::Via, "Via", 'v', true},
    {HeaderId::Warning, "Warning", 0, true},
    {HeaderId::WwwAuthenticate, "WWW-Authenticate", 0, false},
}};

constexpr bool entries_in_order() {
  for (std::size_t i = 0; i < kCount; ++i)
    if (static_cast<std::size_t>(kEntries[i].id) != i) return false;
  return true;
}
static_assert(entries_in_order(), "kEntries must follow HeaderId order");

// Up to 16 ids per first letter, for lookup of full names without hashing.
struct Buckets {
  std::array<std::array<HeaderId, 16>, 26> ids{};
  std::array<std::uint8_t, 26> sizes{};
  std::array<HeaderId, 26> compact{};
};

constexpr Buckets make_buckets() {
  Buckets b{};
  for (std::size_t i = 1; i < kCount; ++i) {
    const auto& e = kEntries[i];
    const auto letter = static_cast<std::size_t>(syntax::to_lower(e.name[0]) - 'a');
    b.ids[letter][b.sizes[letter]++] = e.id;
    if (e.compact != 0) b.compact[static_cast<std::size_t>(e.compact - 'a')] = e.id;
  }
  return b;
}
constexpr Buckets kBuckets = make_buckets();

constexpr bool buckets_fit() {
  for (auto s : kBuckets.sizes)
    if (s > 16) return false;
  return true;
}
static_assert(buckets_fit());

}  // namespace

HeaderId lookup_header(std::string_view name) noexcept {
  if (name.empty()) return HeaderId::Other;
  const char first = syntax::to_lower(name[0]);
  if (first < 'a' || first > 'z') return HeaderId::Other;
  const auto letter = static_cast<std::size_t>(first - 'a');
  if (name.size() == 1) return kBuckets.compact[letter];
  for (std::size_t i = 0; i < kBuckets.sizes[letter]; ++i) {
    const HeaderId id = kBuckets.ids[letter][i];
    if (syntax::iequals(kEntries[static_cast<std::size_t>(id)].name, name)) return id;
  }
  return HeaderId::Other;
}

std::string_view canonical_name(HeaderId id) noexcept {
  const auto i = static_cast<std::size_t>(id);
  return i < kCount ? kEntries[i].name : std::string_view{};
}

char compact_form(HeaderId id) noexcept {
  const auto i = static_cast<std::size_t>(id);
  return i < kCount ? kEntries[i].compact : 0;
}

bool is_list_header(HeaderId id) noexcept {
  const auto i = static_cast<std::size_t>(id);
  return i < kCount && kEntries[i].is_list;
}

}  // namespace sb::sip
