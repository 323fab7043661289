#include "sip/transaction/client_transaction.hpp"

#include "sip/parser/message_builder.hpp"
#include "sip/transaction/transaction_layer.hpp"

namespace sb::sip {

ClientTransaction::ClientTransaction(TransactionLayer& layer, std::uint64_t id, Message request,
                                     Destination destination, ResponseHandler on_response)
    : layer_(layer),
      id_(id),
      request_(std::move(request)),
      request_bytes_(request_.text()),
      destination_(std::move(destination)),
      on_response_(std::move(on_response)),
      state_(request_.method_id() == Method::Invite ? State::Calling : State::Trying),
      is_invite_(request_.method_id() == Method::Invite) {}

ClientTransaction::~ClientTransaction() { stop_timers(); }

void ClientTransaction::stop_timers() {
  layer_.wheel().cancel(retransmit_timer_);
  layer_.wheel().cancel(timeout_timer_);
  layer_.wheel().cancel(end_timer_);
}

void ClientTransaction::start() {
  const auto& t = layer_.timers();
  send_request();
  // RFC 3261 17.1.1.2 / 17.1.2.2: Timer A / E only on unreliable transports, starting at T1.
  if (!is_reliable(destination_.kind)) {
    interval_ = t.t1;
    retransmit_timer_ = layer_.wheel().schedule(interval_, [this] { on_timer_retransmit(); });
  }
  timeout_timer_ = layer_.wheel().schedule(t.timer_b(), [this] { on_timer_timeout(); });
}

void ClientTransaction::send_request() { layer_.send(destination_, request_bytes_, id_, true); }

void ClientTransaction::on_timer_retransmit() {
  if (state_ != State::Calling && state_ != State::Trying && state_ != State::Proceeding) return;
  send_request();
  const auto& t = layer_.timers();
  if (is_invite_) {
    interval_ *= 2;  // RFC 3261 17.1.1.2: Timer A doubles, without cap.
  } else if (state_ == State::Proceeding) {
    interval_ = t.t2;  // 17.1.2.2: in Proceeding, retransmit every T2.
  } else {
    interval_ = std::min(interval_ * 2, t.t2);  // Timer E doubles, capped at T2.
  }
  retransmit_timer_ = layer_.wheel().schedule(interval_, [this] { on_timer_retransmit(); });
}

void ClientTransaction::on_timer_timeout() {
  // Timer B fires only in Calling (17.1.1.2); Timer F in Trying or Proceeding (17.1.2.2).
  if (is_invite_ ? state_ != State::Calling : (state_ != State::Trying && state_ != State::Proceeding)) return;
  layer_.count_timeout();
  failure_ = Failure::Timeout;
  synthesize(408);
}

void ClientTransaction::on_timer_end() { enter_terminated(); }

void ClientTransaction::transport_failed() {
  // RFC 3261 17.1.4: a transport error is reported to the TU as 503.
  if (state_ == State::Terminated || state_ == State::Completed || state_ == State::Accepted) return;
  failure_ = Failure::TransportError;
  synthesize(503);
}

void ClientTransaction::synthesize(int status) {
  auto built = make_response(request_, status).build();
  stop_timers();
  state_ = State::Terminated;
  if (built) deliver(*built);
  if (is_cancel_pending_) is_cancel_pending_ = false;
  layer_.client_terminated(id_);
}

void ClientTransaction::deliver(const Message& response) {
  if (on_response_) on_response_(response);
}

void ClientTransaction::receive(const Message& response) {
  const int status = response.status_code();
  const auto& t = layer_.timers();
  switch (state_) {
    case State::Calling:
    case State::Trying:
    case State::Proceeding:
      if (status < 200) {
        if (state_ == State::Calling) layer_.wheel().cancel(retransmit_timer_);  // 17.1.1.2: no more A
        if (is_invite_) layer_.wheel().cancel(timeout_timer_);  // Timer B belongs to Calling
        state_ = State::Proceeding;
        has_provisional_ = true;
        deliver(response);
        if (is_cancel_pending_) send_cancel();
        return;
      }
      stop_timers();
      if (is_invite_ && status < 300) {
        // RFC 6026 7.2: Accepted, so 2xx retransmissions and forks reach the TU for 64*T1.
        state_ = State::Accepted;
        is_cancel_pending_ = false;
        end_timer_ = layer_.wheel().schedule(t.timer_b(), [this] { on_timer_end(); });
        deliver(response);
        return;
      }
      state_ = State::Completed;
      is_cancel_pending_ = false;
      if (is_invite_) send_ack(response);
      {
        // Timer D (32 s at least) for INVITE, Timer K (T4) otherwise; zero on reliable transports.
        TimerWheel::Duration wait = is_invite_ ? TimerWheel::Duration(t.timer_d_unreliable()) : TimerWheel::Duration(t.t4);
        if (is_reliable(destination_.kind)) wait = TimerWheel::Duration::zero();
        end_timer_ = layer_.wheel().schedule(wait, [this] { on_timer_end(); });
      }
      deliver(response);
      return;
    case State::Completed:
      // A retransmitted final: ACK it again (INVITE) and absorb it.
      layer_.count_absorbed();
      if (is_invite_ && status >= 300 && !ack_bytes_.empty()) layer_.send(destination_, ack_bytes_, id_, true);
      return;
    case State::Accepted:
      if (status >= 200 && status < 300) deliver(response);  // the TU ACKs each 2xx (13.2.2.4)
      else layer_.count_absorbed();
      return;
    case State::Terminated:
      return;
  }
}

void ClientTransaction::send_ack(const Message& response) {
  // RFC 3261 17.1.1.3: the ACK for a non-2xx final has the request's Request-URI, Call-ID, From,
  // CSeq number and top Via (same branch), the response's To, and the request's Route set.
  auto b = MessageBuilder::request("ACK", request_.request_uri_text());
  if (const auto via = request_.values(HeaderId::Via); via.begin() != via.end()) b.add(HeaderId::Via, *via.begin());
  for (const auto route : request_.values(HeaderId::Route)) b.add(HeaderId::Route, route);
  b.add(HeaderId::MaxForwards, "70");
  if (const auto from = request_.header(HeaderId::From)) b.add(HeaderId::From, *from);
  if (const auto to = response.header(HeaderId::To)) b.add(HeaderId::To, *to);
  if (const auto call_id = request_.header(HeaderId::CallId)) b.add(HeaderId::CallId, *call_id);
  if (const auto cseq = request_.cseq()) b.add(HeaderId::CSeq, std::to_string(cseq->number) + " ACK");
  ack_bytes_ = b.to_string();
  layer_.send(destination_, ack_bytes_, id_, true);
}

void ClientTransaction::cancel(ResponseHandler on_cancel_response) {
  if (!is_invite_) return;
  if (state_ != State::Calling && state_ != State::Proceeding) return;
  on_cancel_response_ = std::move(on_cancel_response);
  if (has_provisional_) {
    send_cancel();
  } else {
    is_cancel_pending_ = true;  // 9.1: wait for a provisional response before cancelling
  }
}

void ClientTransaction::send_cancel() {
  is_cancel_pending_ = false;
  // RFC 3261 9.1: Request-URI, Call-ID, To, From, CSeq number and top Via of the request; Route
  // copied; the method CANCEL.
  auto b = MessageBuilder::request("CANCEL", request_.request_uri_text());
  if (const auto via = request_.values(HeaderId::Via); via.begin() != via.end()) b.add(HeaderId::Via, *via.begin());
  for (const auto route : request_.values(HeaderId::Route)) b.add(HeaderId::Route, route);
  b.add(HeaderId::MaxForwards, "70");
  if (const auto from = request_.header(HeaderId::From)) b.add(HeaderId::From, *from);
  if (const auto to = request_.header(HeaderId::To)) b.add(HeaderId::To, *to);
  if (const auto call_id = request_.header(HeaderId::CallId)) b.add(HeaderId::CallId, *call_id);
  if (const auto cseq = request_.cseq()) b.add(HeaderId::CSeq, std::to_string(cseq->number) + " CANCEL");
  auto cancel = b.build();
  if (!cancel) return;
  auto handler = on_cancel_response_ ? on_cancel_response_ : [](const Message&) {};
  layer_.send_request(std::move(*cancel), destination_, std::move(handler));
}

void ClientTransaction::enter_terminated() {
  stop_timers();
  state_ = State::Terminated;
  layer_.client_terminated(id_);
}

}  // namespace sb::sip
