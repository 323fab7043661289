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

// Full names are found through a collision-free hash of (length, first, middle and last
// character), then one comparison; compact forms through their letter.
constexpr std::size_t kHashSize = 256;

constexpr std::size_t name_hash(std::string_view name) {
  // OR-ing 0x20 lowercases the letters and "-" of known names; other names hash anywhere and
  // fail the comparison that follows.
  auto at = [&](std::size_t i) { return static_cast<std::size_t>(static_cast<unsigned char>(name[i] | 0x20)); };
  return (name.size() + at(0) * 12 + at(name.size() - 1) * 22 + at(name.size() / 2) * 23) % kHashSize;
}

struct Tables {
  std::array<HeaderId, kHashSize> by_hash{};
  std::array<HeaderId, 26> compact{};
  bool collision = false;
};

constexpr Tables make_tables() {
  Tables t{};
  for (std::size_t i = 1; i < kCount; ++i) {
    const auto& e = kEntries[i];
    const auto h = name_hash(e.name);
    if (t.by_hash[h] != HeaderId::Other) t.collision = true;
    t.by_hash[h] = e.id;
    if (e.compact != 0) t.compact[static_cast<std::size_t>(e.compact - 'a')] = e.id;
  }
  return t;
}
constexpr Tables kTables = make_tables();
static_assert(!kTables.collision, "header name hash collides: change name_hash");

// Case-insensitive equality of a token with a known name made of letters and "-": OR-ing 0x20
// lowercases letters and leaves "-" alone; no other token character maps onto either.
bool equals_known_name(std::string_view token, std::string_view name) {
  for (std::size_t i = 0; i < name.size(); ++i)
    if ((token[i] | 0x20) != (name[i] | 0x20)) return false;
  return true;
}

}  // namespace

HeaderId lookup_header(std::string_view name) noexcept {
  if (name.empty()) return HeaderId::Other;
  if (name.size() == 1) {
    const char c = syntax::to_lower(name[0]);
    return c >= 'a' && c <= 'z' ? kTables.compact[static_cast<std::size_t>(c - 'a')] : HeaderId::Other;
  }
  const HeaderId id = kTables.by_hash[name_hash(name)];
  if (id == HeaderId::Other) return id;
  const auto known = kEntries[static_cast<std::size_t>(id)].name;
  return known.size() == name.size() && equals_known_name(name, known) ? id : HeaderId::Other;
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
