#include "sip/transaction/server_transaction.hpp"

#include "sip/parser/message_builder.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "sip/transport/routing.hpp"

namespace sb::sip {

ServerTransaction::ServerTransaction(TransactionLayer& layer, std::uint64_t id, Message request, Source source)
    : layer_(layer),
      id_(id),
      request_(std::move(request)),
      source_(std::move(source)),
      state_(request_.method_id() == Method::Invite ? State::Proceeding : State::Trying),
      is_invite_(request_.method_id() == Method::Invite) {
  reply_to_ = response_destination(request_, source_)
                  .value_or(Destination{source_.kind, source_.remote.address, source_.remote.port, source_.flow});
}

ServerTransaction::~ServerTransaction() {
  layer_.wheel().cancel(trying_timer_);
  layer_.wheel().cancel(retransmit_timer_);
  layer_.wheel().cancel(timeout_timer_);
  layer_.wheel().cancel(end_timer_);
}

void ServerTransaction::start() {
  if (!is_invite_) return;
  // RFC 3261 17.2.1: 100 Trying unless the TU answers within 200 ms.
  const auto delay = layer_.timers().trying_delay;
  if (delay.count() == 0) {
    on_timer_trying();
  } else {
    trying_timer_ = layer_.wheel().schedule(delay, [this] { on_timer_trying(); });
  }
}

void ServerTransaction::on_timer_trying() {
  if (state_ != State::Proceeding || last_status_ != 0) return;
  auto trying = make_response_from(request_, source_, 100);
  respond(trying.to_string(), 100);
}

void ServerTransaction::send_last() { layer_.send(reply_to_, last_response_, id_, false); }

void ServerTransaction::respond(std::string bytes, int status) {
  const auto& t = layer_.timers();
  auto& wheel = layer_.wheel();
  wheel.cancel(trying_timer_);
  const bool is_reliable_transport = is_reliable(source_.kind);
  if (state_ == State::Accepted) {
    // RFC 6026 8.7: 2xx retransmissions from the TU pass through; anything else is dropped.
    if (status >= 200 && status < 300) layer_.send(reply_to_, std::move(bytes), id_, false);
    return;
  }
  if (state_ != State::Proceeding && state_ != State::Trying) return;
  last_response_ = std::move(bytes);
  last_status_ = status;
  send_last();
  if (status < 200) {
    state_ = State::Proceeding;
    return;
  }
  if (is_invite_) {
    if (status < 300) {
      state_ = State::Accepted;  // RFC 6026 8.5: Timer L = 64*T1
      end_timer_ = wheel.schedule(t.timer_b(), [this] { on_timer_end(); });
      return;
    }
    state_ = State::Completed;
    if (!is_reliable_transport) {
      interval_ = t.t1;  // Timer G
      retransmit_timer_ = wheel.schedule(interval_, [this] { on_timer_g(); });
    }
    timeout_timer_ = wheel.schedule(t.timer_b(), [this] { on_timer_h(); });
    return;
  }
  // RFC 3261 17.2.2: Timer J = 64*T1 on unreliable transports, zero on reliable ones.
  state_ = State::Completed;
  end_timer_ = wheel.schedule(is_reliable_transport ? TimerWheel::Duration::zero() : TimerWheel::Duration(t.timer_b()),
                              [this] { on_timer_end(); });
}

void ServerTransaction::receive_retransmission() {
  layer_.count_absorbed();
  if ((state_ == State::Proceeding || state_ == State::Completed) && !last_response_.empty()) send_last();
}

bool ServerTransaction::receive_ack() {
  if (state_ == State::Accepted) return true;
  layer_.count_absorbed();
  if (state_ != State::Completed) return false;
  // RFC 3261 17.2.1: Confirmed absorbs further ACKs for Timer I (T4, zero when reliable).
  state_ = State::Confirmed;
  layer_.wheel().cancel(retransmit_timer_);
  layer_.wheel().cancel(timeout_timer_);
  const auto wait = is_reliable(source_.kind) ? TimerWheel::Duration::zero() : TimerWheel::Duration(layer_.timers().t4);
  end_timer_ = layer_.wheel().schedule(wait, [this] { on_timer_end(); });
  return false;
}

void ServerTransaction::on_timer_g() {
  if (state_ != State::Completed) return;
  send_last();
  interval_ = std::min(interval_ * 2, layer_.timers().t2);  // RFC 3261 17.2.1
  retransmit_timer_ = layer_.wheel().schedule(interval_, [this] { on_timer_g(); });
}

void ServerTransaction::on_timer_h() {
  if (state_ != State::Completed) return;
  layer_.count_timeout();
  layer_.wheel().cancel(retransmit_timer_);
  state_ = State::Terminated;
  layer_.server_terminated(id_, true);
}

void ServerTransaction::on_timer_end() { enter_terminated(); }

void ServerTransaction::transport_failed() {
  // RFC 3261 17.2.4: the TU learns of the failure; the transaction ends.
  if (state_ == State::Terminated) return;
  enter_terminated();
}

void ServerTransaction::enter_terminated() {
  layer_.wheel().cancel(trying_timer_);
  layer_.wheel().cancel(retransmit_timer_);
  layer_.wheel().cancel(timeout_timer_);
  layer_.wheel().cancel(end_timer_);
  state_ = State::Terminated;
  layer_.server_terminated(id_, false);
}

}  // namespace sb::sip
