#pragma once
// The seam between the REST API and the call engine. api/ validates a request and stores the
// new call (status queued); the engine dials it, runs its TwiML and keeps its record current.
// Signalling loop only.

#include "calls/outbound_request.hpp"
#include "calls/trunks.hpp"
#include "store/call_repository.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sb::calls {

// New TwiML for a live call (the Calls resource's update with Url/Method or Twiml).
struct CallRedirect {
  std::optional<std::string> url;
  std::string method = "POST";
  std::optional<std::string> twiml;
};

class CallControl {
 public:
  virtual ~CallControl() = default;
  // Takes over `call`, just stored with status queued, and places it.
  virtual void start(const store::Call& call, OutboundCallRequest request) = 0;
  // Sends a live call to new TwiML; false when the call is not live on this node.
  virtual bool redirect(const std::string& call_sid, CallRedirect redirect) = 0;
  // Ends a live call: `canceled` (queued or ringing) or `completed` (any live state). `done` gets
  // the call's record once its final state is stored, or nullopt when it is not live here.
  virtual void end(const std::string& call_sid, const std::string& status,
                   std::function<void(std::optional<store::Call>)> done) = 0;
  // The record of a call live on this node as it stands now: its newest state, which may not be
  // committed yet (a webhook announcing it can arrive first). nullopt when not live here.
  virtual std::optional<store::Call> live_call(std::string_view call_sid) const = 0;
  // The SIP trunks phone numbers leave through (none: phone numbers cannot be called).
  virtual const TrunkTable* trunks() const { return nullptr; }
};

}  // namespace sb::calls
