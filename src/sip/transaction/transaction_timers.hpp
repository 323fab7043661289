#pragma once
// The RFC 3261 17 timer values (Table 4), configurable. A plain value.

#include <chrono>

namespace sb::sip {

struct TransactionTimers {
  std::chrono::milliseconds t1{500};   // RTT estimate
  std::chrono::milliseconds t2{4000};  // maximum retransmit interval of non-INVITE requests and INVITE responses
  std::chrono::milliseconds t4{5000};  // maximum time a message stays in the network
  // RFC 3261 17.2.1: the server INVITE transaction sends 100 Trying when the TU has not
  // answered within 200 ms; zero sends it at once.
  std::chrono::milliseconds trying_delay{200};

  std::chrono::milliseconds timer_b() const { return 64 * t1; }  // also F, H, J, L, M
  std::chrono::milliseconds timer_d_unreliable() const { return std::max<std::chrono::milliseconds>(64 * t1, std::chrono::seconds(32)); }
};

}  // namespace sb::sip
