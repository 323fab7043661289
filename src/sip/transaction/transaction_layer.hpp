#pragma once
// TransactionLayer: matches messages to transactions (RFC 3261 17.1.3, 17.2.3 with the RFC 2543
// fallback), creates server transactions for new requests, answers CANCEL (9.2), and hands
// requests, stray ACKs and stray responses to the transaction user (the dialog layer).
// Owns every transaction; one per SIP stack, on the signalling loop; timers come from the
// loop's TimerWheel, advanced by the owner's periodic tick.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/timer_wheel.hpp"
#include "sip/transaction/client_transaction.hpp"
#include "sip/transaction/server_transaction.hpp"
#include "sip/transaction/transaction_timers.hpp"
#include "sip/transport/transport.hpp"

namespace sb::sip {

// What the layer tells its transaction user. Every handler is optional.
struct TransactionUser {
  // A new request (not ACK, not CANCEL) and the id of its server transaction, to answer with
  // TransactionLayer::respond.
  std::function<void(std::uint64_t server_id, const Message& request, const Source& source)> on_request;
  // A CANCEL matched the INVITE server transaction `invite_server_id`, which has no final
  // response yet; the CANCEL itself was answered 200. The TU should answer the INVITE 487.
  std::function<void(std::uint64_t invite_server_id, const Message& cancel)> on_cancel;
  // An ACK for a 2xx (no transaction of its own, RFC 3261 17.2.3 / RFC 6026).
  std::function<void(const Message& ack, const Source& source)> on_ack;
  // A response that matches no client transaction (a 2xx retransmission after the INVITE
  // transaction ended, or a 2xx from another fork): RFC 3261 13.2.2.4 says to ACK it.
  std::function<void(const Message& response, const Source& source)> on_stray_response;
  // A server transaction ended: Timer H fired without an ACK (`is_timeout`), a transport error,
  // or it simply finished. The id is no longer valid afterwards.
  std::function<void(std::uint64_t server_id, bool is_timeout)> on_server_terminated;
};

struct TransactionStats {
  std::uint64_t client_created = 0;
  std::uint64_t server_created = 0;
  std::uint64_t retransmissions_absorbed = 0;
  std::uint64_t timeouts = 0;
};

class TransactionLayer {
 public:
  TransactionLayer(Transport& transport, TimerWheel& wheel, TransactionTimers timers = {});
  ~TransactionLayer();
  TransactionLayer(const TransactionLayer&) = delete;
  TransactionLayer& operator=(const TransactionLayer&) = delete;

  void set_user(TransactionUser user) { user_ = std::move(user); }

  // Feeds a received message (the transport's ReceiveHandler calls this).
  void receive(Message message, const Source& source);

  // Starts a client transaction for `request` (not ACK) to `destination`; its Via must already
  // carry a unique RFC 3261 branch. Returns its id (never 0).
  std::uint64_t send_request(Message request, const Destination& destination,
                             ClientTransaction::ResponseHandler on_response);
  // CANCEL of the INVITE client transaction `invite_id` (RFC 3261 9.1); false when it is gone
  // or already has a final response.
  bool cancel(std::uint64_t invite_id, ClientTransaction::ResponseHandler on_cancel_response = {});
  // Sends outside any transaction: the ACK for a 2xx (RFC 3261 13.2.2.4), stateless replies.
  void send_stateless(std::string bytes, const Destination& destination);

  // Answers the request of server transaction `server_id` (a response built from it, with our
  // To tag). False when the transaction is gone. 2xx retransmissions by the UAS core go here too
  // while the transaction is Accepted.
  bool respond(std::uint64_t server_id, const Message& response);
  const ServerTransaction* server(std::uint64_t server_id) const;
  const ClientTransaction* client(std::uint64_t client_id) const;

  // A new branch: the magic cookie and 16 random hex digits.
  static std::string make_branch();

  Transport& transport() { return transport_; }
  TimerWheel& wheel() { return wheel_; }
  const TransactionTimers& timers() const { return timers_; }
  const TransactionStats& stats() const { return stats_; }
  std::size_t client_count() const { return clients_.size(); }
  std::size_t server_count() const { return servers_.size(); }

 private:
  friend class ClientTransaction;
  friend class ServerTransaction;

  // Sends `bytes`; a failure later calls back the client or server transaction `id` if alive.
  void send(const Destination& destination, std::string bytes, std::uint64_t id, bool is_client);
  void client_terminated(std::uint64_t id);
  void server_terminated(std::uint64_t id, bool is_timeout);
  void count_absorbed() { ++stats_.retransmissions_absorbed; }
  void count_timeout() { ++stats_.timeouts; }
  void receive_response(const Message& response, const Source& source);
  void receive_request(Message request, const Source& source);

  Transport& transport_;
  TimerWheel& wheel_;
  TransactionTimers timers_;
  TransactionUser user_;
  TransactionStats stats_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, std::unique_ptr<ClientTransaction>> clients_;
  std::unordered_map<std::string, std::uint64_t> client_keys_;
  std::unordered_map<std::uint64_t, std::unique_ptr<ServerTransaction>> servers_;
  std::unordered_map<std::string, std::uint64_t> server_keys_;
  std::unordered_map<std::uint64_t, std::string> server_key_of_;
  std::unordered_map<std::uint64_t, std::string> client_key_of_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// The key matching responses to client transactions (17.1.3): branch and CSeq method.
std::string client_transaction_key(std::string_view branch, std::string_view method);
// The key matching requests to server transactions (17.2.3): branch, sent-by and method (ACK
// counts as INVITE), or the RFC 2543 fallback fields when the branch lacks the magic cookie.
// Empty when the request lacks the fields.
std::string server_transaction_key(const Message& request, std::string_view method_override = {});

}  // namespace sb::sip
