#include "sip/transaction/transaction_layer.hpp"

#include "core/crypto.hpp"
#include "core/log.hpp"
#include "sip/message/syntax.hpp"
#include "sip/transport/routing.hpp"

namespace sb::sip {

std::string client_transaction_key(std::string_view branch, std::string_view method) {
  std::string key(branch);
  key.push_back('|');
  key.append(method);
  return key;
}

std::string server_transaction_key(const Message& request, std::string_view method_override) {
  auto via = request.top_via();
  if (!via) return {};
  std::string_view method = method_override.empty() ? request.method() : method_override;
  std::string key;
  if (via->has_rfc3261_branch()) {
    // RFC 3261 17.2.3: branch, sent-by and method (ACK matches its INVITE).
    key.reserve(via->branch.size() + via->host.size() + method.size() + 10);
    key.append(via->branch);
    key.push_back('|');
    for (char c : via->host) key.push_back(syntax::to_lower(c));
    key.push_back(':');
    key.append(std::to_string(via->port.value_or(0)));
    key.push_back('|');
    key.append(method);
    return key;
  }
  // RFC 2543 fallback (17.2.3, last paragraphs): Request-URI, From tag, Call-ID, CSeq number and
  // top Via identify the transaction; the To tag is left out so that the ACK of a non-2xx (which
  // carries our tag) still matches its INVITE.
  auto from = request.from();
  auto call_id = request.call_id();
  auto cseq = request.cseq();
  if (!from || !call_id || !cseq) return {};
  const auto vias = request.values(HeaderId::Via);
  key.append("2543|");
  key.append(request.request_uri_text());
  key.push_back('|');
  key.append(from->tag());
  key.push_back('|');
  key.append(*call_id);
  key.push_back('|');
  key.append(std::to_string(cseq->number));
  key.push_back('|');
  key.append(*vias.begin());
  key.push_back('|');
  key.append(method);
  return key;
}

TransactionLayer::TransactionLayer(Transport& transport, TimerWheel& wheel, TransactionTimers timers)
    : transport_(transport), wheel_(wheel), timers_(timers) {}

TransactionLayer::~TransactionLayer() {
  *alive_ = false;
  clients_.clear();
  servers_.clear();
}

std::string TransactionLayer::make_branch() {
  std::string branch(kBranchMagicCookie);
  branch.append(crypto::random_hex(8));
  return branch;
}

void TransactionLayer::send(const Destination& destination, std::string bytes, std::uint64_t id, bool is_client) {
  std::weak_ptr<bool> alive = alive_;
  transport_.send(destination, std::move(bytes), [this, alive, id, is_client](std::error_code ec) {
    if (!ec || alive.expired()) return;
    spdlog::debug("sip/transaction: transport error on {} transaction {}: {}", is_client ? "client" : "server", id,
                  ec.message());
    if (is_client) {
      if (auto it = clients_.find(id); it != clients_.end()) it->second->transport_failed();
    } else {
      if (auto it = servers_.find(id); it != servers_.end()) it->second->transport_failed();
    }
  });
}

void TransactionLayer::send_stateless(std::string bytes, const Destination& destination) {
  transport_.send(destination, std::move(bytes), nullptr);
}

std::uint64_t TransactionLayer::send_request(Message request, const Destination& destination,
                                             ClientTransaction::ResponseHandler on_response) {
  const auto id = next_id_++;
  std::string key;
  if (auto via = request.top_via()) key = client_transaction_key(via->branch, request.method());
  auto tx = std::make_unique<ClientTransaction>(*this, id, std::move(request), destination, std::move(on_response));
  auto* raw = tx.get();
  clients_.emplace(id, std::move(tx));
  if (!key.empty()) {
    client_keys_[key] = id;
    client_key_of_[id] = std::move(key);
  }
  ++stats_.client_created;
  raw->start();
  return id;
}

bool TransactionLayer::cancel(std::uint64_t invite_id, ClientTransaction::ResponseHandler on_cancel_response) {
  auto it = clients_.find(invite_id);
  if (it == clients_.end() || !it->second->is_invite()) return false;
  const auto state = it->second->state();
  if (state != ClientTransaction::State::Calling && state != ClientTransaction::State::Proceeding) return false;
  it->second->cancel(std::move(on_cancel_response));
  return true;
}

bool TransactionLayer::respond(std::uint64_t server_id, const Message& response) {
  auto it = servers_.find(server_id);
  if (it == servers_.end()) return false;
  it->second->respond(std::string(response.text()), response.status_code());
  return true;
}

const ServerTransaction* TransactionLayer::server(std::uint64_t server_id) const {
  auto it = servers_.find(server_id);
  return it == servers_.end() ? nullptr : it->second.get();
}

const ClientTransaction* TransactionLayer::client(std::uint64_t client_id) const {
  auto it = clients_.find(client_id);
  return it == clients_.end() ? nullptr : it->second.get();
}

void TransactionLayer::client_terminated(std::uint64_t id) {
  // Destroyed on the next tick, never inside its own event handler.
  std::weak_ptr<bool> alive = alive_;
  wheel_.schedule(TimerWheel::Duration::zero(), [this, alive, id] {
    if (alive.expired()) return;
    if (auto k = client_key_of_.find(id); k != client_key_of_.end()) {
      if (auto c = client_keys_.find(k->second); c != client_keys_.end() && c->second == id) client_keys_.erase(c);
      client_key_of_.erase(k);
    }
    clients_.erase(id);
  });
}

void TransactionLayer::server_terminated(std::uint64_t id, bool is_timeout) {
  std::weak_ptr<bool> alive = alive_;
  wheel_.schedule(TimerWheel::Duration::zero(), [this, alive, id, is_timeout] {
    if (alive.expired()) return;
    if (auto k = server_key_of_.find(id); k != server_key_of_.end()) {
      if (auto s = server_keys_.find(k->second); s != server_keys_.end() && s->second == id) server_keys_.erase(s);
      server_key_of_.erase(k);
    }
    servers_.erase(id);
    if (user_.on_server_terminated) user_.on_server_terminated(id, is_timeout);
  });
}

void TransactionLayer::receive(Message message, const Source& source) {
  if (message.is_response()) {
    receive_response(message, source);
  } else {
    receive_request(std::move(message), source);
  }
}

void TransactionLayer::receive_response(const Message& response, const Source& source) {
  auto via = response.top_via();
  auto cseq = response.cseq();
  if (via && cseq) {
    if (auto k = client_keys_.find(client_transaction_key(via->branch, cseq->method)); k != client_keys_.end()) {
      if (auto c = clients_.find(k->second); c != clients_.end()) {
        c->second->receive(response);
        return;
      }
    }
  }
  if (user_.on_stray_response) user_.on_stray_response(response, source);
}

void TransactionLayer::receive_request(Message request, const Source& source) {
  const Method method = request.method_id();
  const auto key = server_transaction_key(request, method == Method::Ack ? std::string_view("INVITE") : std::string_view{});
  if (key.empty()) return;  // validated messages always have the fields; be safe anyway
  if (auto s = server_keys_.find(key); s != server_keys_.end()) {
    auto& tx = *servers_.at(s->second);
    if (method == Method::Ack) {
      if (tx.receive_ack() && user_.on_ack) user_.on_ack(request, source);
    } else {
      tx.receive_retransmission();
    }
    return;
  }
  if (method == Method::Ack) {
    if (user_.on_ack) user_.on_ack(request, source);
    return;
  }
  const auto id = next_id_++;
  auto tx = std::make_unique<ServerTransaction>(*this, id, std::move(request), source);
  auto* raw = tx.get();
  servers_.emplace(id, std::move(tx));
  server_keys_[key] = id;
  server_key_of_[id] = key;
  ++stats_.server_created;
  raw->start();
  if (method == Method::Cancel) {
    // RFC 3261 9.2: a CANCEL matching an INVITE server transaction without a final response is
    // answered 200 and the TU answers the INVITE 487; otherwise 481.
    const auto invite_key = server_transaction_key(raw->request(), "INVITE");
    const ServerTransaction* invite = nullptr;
    if (auto s = server_keys_.find(invite_key); s != server_keys_.end()) invite = servers_.at(s->second).get();
    const bool is_cancellable = invite && !invite->has_final_response();
    auto response = make_response_from(raw->request(), source, is_cancellable ? 200 : 481).build();
    if (response) raw->respond(std::string(response->text()), response->status_code());
    if (is_cancellable && user_.on_cancel) user_.on_cancel(invite->id(), raw->request());
    return;
  }
  if (user_.on_request) user_.on_request(id, raw->request(), source);
}

}  // namespace sb::sip
