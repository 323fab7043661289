#pragma once
// Known SIP header names: an id per header, case-insensitive lookup of full and compact forms
// (RFC 3261 7.3.3 and the IANA registry), canonical spelling, and which headers are lists whose
// comma-separated values may be split (RFC 3261 7.3.1).

#include <cstdint>
#include <string_view>

namespace sb::sip {

enum class HeaderId : std::uint8_t {
  Other,  // not known here: compare by name
  Accept,
  AcceptContact,
  AcceptEncoding,
  AcceptLanguage,
  AlertInfo,
  Allow,
  AllowEvents,
  AuthenticationInfo,
  Authorization,
  CallId,
  CallInfo,
  Contact,
  ContentDisposition,
  ContentEncoding,
  ContentLanguage,
  ContentLength,
  ContentType,
  CSeq,
  Date,
  ErrorInfo,
  Event,
  Expires,
  From,
  Identity,
  IdentityInfo,
  InReplyTo,
  MaxForwards,
  MimeVersion,
  MinExpires,
  MinSe,
  Organization,
  PAssertedIdentity,
  PPreferredIdentity,
  Path,
  Priority,
  Privacy,
  ProxyAuthenticate,
  ProxyAuthorization,
  ProxyRequire,
  RAck,
  Reason,
  RecordRoute,
  ReferTo,
  ReferredBy,
  RejectContact,
  Replaces,
  ReplyTo,
  RequestDisposition,
  Require,
  RetryAfter,
  Route,
  RSeq,
  Server,
  SessionExpires,
  Subject,
  SubscriptionState,
  Supported,
  Timestamp,
  To,
  Unsupported,
  UserAgent,
  Via,
  Warning,
  WwwAuthenticate,
  Count_,  // number of ids; not a header
};

// The id of a header name in full or compact form, any case; HeaderId::Other when unknown.
HeaderId lookup_header(std::string_view name) noexcept;

// The canonical full name ("Call-ID", "WWW-Authenticate"); empty for HeaderId::Other.
std::string_view canonical_name(HeaderId id) noexcept;

// The compact form letter (RFC 3261 7.3.3: 'i' for Call-ID...), or 0 when there is none.
char compact_form(HeaderId id) noexcept;

// True when the header's grammar is a comma-separated list (Via, Contact, Route, Allow...), so
// several values may share one line. False for From, To, Call-ID, Date, Authorization...
bool is_list_header(HeaderId id) noexcept;

}  // namespace sb::sip
