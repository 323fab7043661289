#pragma once
// Calls that arrive over SIP: the seam between the SIP user agent's incoming INVITEs and the
// call engine. An InboundRouter decides, for each new INVITE, which account and application take
// the call (SIP domain, authentication, phone number) or how to refuse it; the engine then runs
// the application's TwiML on the unanswered call (180 Ringing first, 200 OK at the first verb
// that answers, <Reject> as 486/404). Signalling loop only.

#include "calls/webhooks.hpp"
#include "http/form.hpp"
#include "sip/dialog/user_agent.hpp"

#include <optional>
#include <string>
#include <variant>

namespace sb::calls {

// Who takes an inbound call, and with what.
struct InboundRoute {
  std::string account_sid;
  std::string to;    // the Call's `to` and `from`: SIP URIs for SIP domains (sip:100@acme.sip...)
  std::string from;
  WebhookTarget voice;
  std::optional<WebhookTarget> fallback;
  std::optional<WebhookTarget> status_callback;  // Twilio sends only `completed` for inbound SIP
  // Added to every webhook request of the call: SipDomain, SipDomainSid, SipCallId, SipSourceIp,
  // SipHeader_X-..., SipHeader_User-to-User.
  http::Form params;
  bool requires_srtp = false;  // the domain is secure: an offer without SRTP is refused
  std::optional<std::string> phone_number_sid;
};

// Why an INVITE is refused: the SIP response (with headers such as a digest challenge).
struct InboundRejection {
  int status = 403;
  std::string reason;
  sip::SipHeaders headers;
};

using InboundDecision = std::variant<InboundRoute, InboundRejection>;

class InboundRouter {
 public:
  virtual ~InboundRouter() = default;
  virtual InboundDecision route(const sip::SipRequestInfo& invite) = 0;
  // True when `host` names one of switchboard's own SIP domains (calls to it go to registered
  // users, not to DNS).
  virtual bool is_local_domain(std::string_view /*host*/) { return false; }
};

// The Twilio voice parameters that describe a SIP request: SipCallId, SipSourceIp and the
// SipHeader_ ones (X- headers and User-to-User; other headers are not reported).
http::Form sip_request_params(const sip::SipRequestInfo& request);

}  // namespace sb::calls
