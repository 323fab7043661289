#include "calls/call_outcome.hpp"

namespace sb::calls {

DialOutcome dial_outcome(DialEnd end, int final_status) {
  switch (end) {
    case DialEnd::kRingTimeout:
      return {"no-answer", 487};
    case DialEnd::kCanceledByApi:
      return {"canceled", 487};
    case DialEnd::kUnreachable:
      return {"failed", 404};
    case DialEnd::kFinalResponse:
      break;
  }
  if (final_status >= 200 && final_status < 300) return {"completed", final_status};
  if (final_status == 486 || final_status == 600 || final_status == 603) return {"busy", final_status};
  if (final_status == 408 || final_status == 480 || final_status == 487) return {"no-answer", final_status};
  return {"failed", final_status};
}

}  // namespace sb::calls
