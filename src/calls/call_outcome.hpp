#pragma once
// How a dialing attempt ends, in Twilio's terms: the call status (and DialCallStatus) for a final
// SIP response, our own ring timeout, an API cancel, or an unreachable destination.

#include <string_view>

namespace sb::calls {

enum class DialEnd {
  kFinalResponse,  // the far end sent a final response to the INVITE
  kRingTimeout,    // Timeout elapsed: we sent CANCEL (reported with SipResponseCode 487)
  kCanceledByApi,  // Status=canceled, or the caller hung up, before an answer
  kUnreachable,    // no response at all: DNS, transport failure, Timer B (reported as 404)
};

struct DialOutcome {
  std::string_view status;  // completed (answered), busy, no-answer, failed, canceled
  int sip_response_code;    // what SipResponseCode / DialSipResponseCode report
};

// Digest 6.2: 2xx answered; 486/600/603 busy; 408/480/487 and our timeout no-answer; other
// 3xx-6xx and unreachable failed; an API cancel before answer canceled.
DialOutcome dial_outcome(DialEnd end, int final_status = 0);

}  // namespace sb::calls
