#pragma once
// ClientTransaction: the INVITE and non-INVITE client transactions of RFC 3261 17.1 with the
// Accepted state of RFC 6026 (one state enum, one small function per event, like re's
// ctrans.c). Created and owned by TransactionLayer; runs on the signalling loop.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/timer_wheel.hpp"
#include "sip/message/message.hpp"
#include "sip/transport/transport.hpp"

namespace sb::sip {

class TransactionLayer;

class ClientTransaction {
 public:
  enum class State : std::uint8_t { Calling, Trying, Proceeding, Completed, Accepted, Terminated };
  // Every response passed to the TU: provisionals, the final one, 2xx retransmissions in
  // Accepted (INVITE), and synthesized finals: 408 when Timer B/F fires, 503 on transport error.
  using ResponseHandler = std::function<void(const Message& response)>;
  // Why the transaction ended without a final response from the network: Timer B/F fired
  // (Timeout) or the transport failed (TransportError). None otherwise. The TU reads it while
  // handling the synthesized 408/503, to fail over to the next target (RFC 3263 4.3).
  enum class Failure : std::uint8_t { None, Timeout, TransportError };

  ClientTransaction(TransactionLayer& layer, std::uint64_t id, Message request, Destination destination,
                    ResponseHandler on_response);
  ~ClientTransaction();
  ClientTransaction(const ClientTransaction&) = delete;
  ClientTransaction& operator=(const ClientTransaction&) = delete;

  void start();
  void receive(const Message& response);
  void transport_failed();
  // RFC 3261 9.1: sends a CANCEL once a provisional response arrived (at once if one did), in
  // its own transaction whose responses go to `on_cancel_response`. No-op after a final.
  void cancel(ResponseHandler on_cancel_response);

  std::uint64_t id() const { return id_; }
  State state() const { return state_; }
  bool is_invite() const { return is_invite_; }
  const Message& request() const { return request_; }
  const Destination& destination() const { return destination_; }
  Failure failure() const { return failure_; }

 private:
  void send_request();
  void send_ack(const Message& response);
  void send_cancel();
  void deliver(const Message& response);
  void synthesize(int status);
  void on_timer_retransmit();  // A (INVITE) or E (non-INVITE)
  void on_timer_timeout();     // B or F
  void on_timer_end();         // D, K or M
  void enter_terminated();
  void stop_timers();

  TransactionLayer& layer_;
  std::uint64_t id_;
  Message request_;
  std::string request_bytes_;
  std::string ack_bytes_;
  Destination destination_;
  ResponseHandler on_response_;
  ResponseHandler on_cancel_response_;
  State state_;
  Failure failure_ = Failure::None;
  bool is_invite_;
  bool has_provisional_ = false;
  bool is_cancel_pending_ = false;
  std::chrono::milliseconds interval_{0};
  TimerWheel::TimerId retransmit_timer_;
  TimerWheel::TimerId timeout_timer_;
  TimerWheel::TimerId end_timer_;
};

}  // namespace sb::sip
