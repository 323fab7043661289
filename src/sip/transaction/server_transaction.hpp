#pragma once
// ServerTransaction: the INVITE and non-INVITE server transactions of RFC 3261 17.2 with the
// Accepted state of RFC 6026. Created and owned by TransactionLayer; runs on the signalling loop.

#include <cstdint>
#include <string>

#include "core/timer_wheel.hpp"
#include "sip/message/message.hpp"
#include "sip/transport/transport.hpp"

namespace sb::sip {

class TransactionLayer;

class ServerTransaction {
 public:
  enum class State : std::uint8_t { Trying, Proceeding, Completed, Confirmed, Accepted, Terminated };

  ServerTransaction(TransactionLayer& layer, std::uint64_t id, Message request, Source source);
  ~ServerTransaction();
  ServerTransaction(const ServerTransaction&) = delete;
  ServerTransaction& operator=(const ServerTransaction&) = delete;

  void start();
  // A retransmission of the request (absorbed; the last response is sent again).
  void receive_retransmission();
  // An ACK matching this INVITE transaction: true when it is for a 2xx (Accepted), which the TU
  // must see; false when absorbed (non-2xx ACK).
  bool receive_ack();
  // A response from the TU. In Accepted, 2xx retransmissions from the UAS core pass through.
  void respond(std::string bytes, int status);
  void transport_failed();

  std::uint64_t id() const { return id_; }
  State state() const { return state_; }
  bool is_invite() const { return is_invite_; }
  bool has_final_response() const { return last_status_ >= 200; }
  int last_status() const { return last_status_; }
  const Message& request() const { return request_; }
  const Source& source() const { return source_; }

 private:
  void send_last();
  void on_timer_trying();
  void on_timer_g();
  void on_timer_h();
  void on_timer_end();  // I, J or L
  void enter_terminated();

  TransactionLayer& layer_;
  std::uint64_t id_;
  Message request_;
  Source source_;
  Destination reply_to_;
  State state_;
  bool is_invite_;
  std::string last_response_;
  int last_status_ = 0;
  std::chrono::milliseconds interval_{0};
  TimerWheel::TimerId trying_timer_;
  TimerWheel::TimerId retransmit_timer_;
  TimerWheel::TimerId timeout_timer_;
  TimerWheel::TimerId end_timer_;
};

}  // namespace sb::sip
