// UserAgent, requests outside a dialog and incoming INVITEs (RFC 3261 8.2, 13.3): loops, 483,
// OPTIONS, REGISTER to its handler, our responses and our 2xx retransmitted until the ACK.

#include "sip/dialog/user_agent_impl.hpp"

#include <algorithm>
#include <string>

#include "core/crypto.hpp"
#include "core/log.hpp"
#include "sip/message/syntax.hpp"
#include "sip/parser/message_builder.hpp"

namespace sb::sip {
using namespace user_agent_detail;

void UserAgent::Impl::reply(std::uint64_t server_id, int status, std::string_view reason, std::string_view local_tag,
                            const SipHeaders& headers, std::string_view content_type, std::string_view body,
                            std::optional<TransportKind> contact_kind) {
  const auto* tx = layer->server(server_id);
  if (!tx) return;
  auto b = make_response_from(tx->request(), tx->source(), status, reason, local_tag);
  if (contact_kind) b.add(HeaderId::Contact, contact(*contact_kind));
  b.add(HeaderId::Server, config.user_agent);
  for (const auto& h : headers) b.add(h.name, h.value);
  if (!body.empty()) {
    b.add(HeaderId::ContentType, content_type);
    b.body(body);
  }
  if (auto m = b.build()) layer->respond(server_id, *m);
}

// RFC 3261 8.2.2.2: a request outside a dialog whose Call-ID, From tag and CSeq match a
// transaction still in progress, but which is a different transaction (another branch: it
// looped, or forked and merged back), is answered 482 Loop Detected.
bool UserAgent::Impl::is_merged_request(std::uint64_t server_id, const Message& request) {
  const auto from = request.from();
  const auto call_id = request.call_id();
  const auto cseq = request.cseq();
  if (!from || !call_id || !cseq || request.method_id() == Method::Ack || request.method_id() == Method::Cancel) {
    return false;
  }
  std::string key = fmt::format("{}\n{}\n{}\n{}", *call_id, from->tag(), cseq->number, cseq->method);
  if (auto it = recent_requests.find(key); it != recent_requests.end()) {
    if (it->second != server_id && layer->server(it->second) != nullptr) return true;
    it->second = server_id;
    return false;
  }
  if (recent_requests.size() >= recent_requests_limit) {
    std::erase_if(recent_requests, [&](const auto& kv) { return layer->server(kv.second) == nullptr; });
    // Amortised: under load most entries belong to live transactions (UDP non-INVITE ones live
    // 64*T1), so sweep again only once the map has doubled, not on every request.
    recent_requests_limit = std::max(kMaxRecentRequests, 2 * recent_requests.size());
  }
  recent_requests.emplace(std::move(key), server_id);
  return false;
}

bool UserAgent::Impl::reject_small_session_interval(std::uint64_t server_id, const Message& request) {
  auto se = session_expires(request);
  if (!se || se->seconds >= config.min_session_expires) return false;
  reply(server_id, 422, {}, crypto::random_hex(6), {{"Min-SE", std::to_string(config.min_session_expires)}});
  return true;
}

void UserAgent::Impl::on_request(std::uint64_t server_id, const Message& request, const Source& source) {
  // A request that has used up its hops is refused (483, Twilio's 32006); OPTIONS with
  // Max-Forwards 0 is answered, as RFC 3261 11 expects of the UA it reached.
  if (const auto hops = request.max_forwards(); hops && *hops == 0 && request.method_id() != Method::Options) {
    return reply(server_id, 483);
  }
  auto to = request.to();
  if (to && to->has_tag()) return on_in_dialog_request(server_id, request, source, std::string(to->tag()));
  if (is_merged_request(server_id, request)) return reply(server_id, 482, {}, crypto::random_hex(6));
  switch (request.method_id()) {
    case Method::Invite: {
      if (reject_small_session_interval(server_id, request)) return;
      if (!on_incoming_call) return reply(server_id, 480, {}, crypto::random_hex(6));
      const auto id = next_id++;
      incoming[id] = Incoming{server_id, crypto::random_hex(6), {}, 0};
      incoming_by_server[server_id] = id;
      on_incoming_call(id, request_info(request, source));
      return;
    }
    case Method::Options:
      return reply(server_id, 200, {}, crypto::random_hex(6),
                   {{"Allow", std::string(kAllow)}, {"Accept", "application/sdp"}, {"Supported", std::string(kSupported)}});
    case Method::Bye:
      return reply(server_id, 481);
    case Method::Register:
      if (!on_register) return reply(server_id, 405, {}, crypto::random_hex(6), {{"Allow", std::string(kAllow)}});
      return on_register(server_id, request_info(request, source));
    default:
      return reply(server_id, 405, {}, crypto::random_hex(6), {{"Allow", std::string(kAllow)}});
  }
}

DialogId UserAgent::Impl::respond(IncomingCallId id, int status, std::string_view reason, std::string sdp, SipHeaders headers) {
  auto it = incoming.find(id);
  if (it == incoming.end()) return 0;
  auto& in = it->second;
  const auto* tx = layer->server(in.server_id);
  if (!tx || tx->has_final_response()) return 0;
  const auto& request = tx->request();
  const auto source = tx->source();
  if (status >= 200 && status < 300) {
    auto st = session_timer_headers(request);
    headers.insert(headers.end(), st.begin(), st.end());
    headers.push_back({"Allow", std::string(kAllow)});
    headers.push_back({"Supported", std::string(kSupported)});
  }
  auto b = make_response_from(request, source, status, reason, status > 100 ? std::string_view(in.local_tag) : "");
  if (status > 100 && status < 300) b.add(HeaderId::Contact, contact(source.kind));
  b.add(HeaderId::Server, config.user_agent);
  for (const auto& h : headers) b.add(h.name, h.value);
  if (!sdp.empty()) {
    b.add(HeaderId::ContentType, "application/sdp");
    b.body(sdp);
  }
  auto response = b.build();
  if (!response) return 0;
  if (status < 200 || status >= 300) {
    layer->respond(in.server_id, *response);
    if (status >= 300) {
      incoming_by_server.erase(in.server_id);
      incoming.erase(it);
    }
    return 0;
  }
  auto dialog = Dialog::from_uas(request, in.local_tag, source);
  layer->respond(in.server_id, *response);
  if (!dialog) return 0;
  const auto did = next_id++;
  auto& entry = dialogs[did];
  entry.dialog = std::move(*dialog);
  entry.incoming = id;
  learn_peer(entry, request);
  entry.local_sdp = std::move(sdp);
  dialog_keys[entry.dialog.key()] = did;
  in.dialog = did;
  start_ok_retransmission(did, in.server_id, std::move(*response));
  arm_session_timer(did, negotiated_session(request), false);
  return did;
}

// RFC 3261 13.3.1.4: the UAS core resends its 2xx (T1 doubling to T2) until the ACK arrives,
// and gives up after 64*T1 with a BYE.
void UserAgent::Impl::start_ok_retransmission(DialogId did, std::uint64_t server_id, Message ok) {
  auto& entry = dialogs.at(did);
  entry.pending_ok = std::move(ok);
  entry.pending_server_id = server_id;
  entry.ok_interval = config.timers.t1;
  if (!is_reliable(entry.dialog.kind)) {
    entry.ok_retransmit = wheel.schedule(entry.ok_interval, [this, did] { retransmit_ok(did); });
  }
  entry.ok_give_up = wheel.schedule(config.timers.timer_b(), [this, did] { ok_timed_out(did); });
}

void UserAgent::Impl::retransmit_ok(DialogId did) {
  auto it = dialogs.find(did);
  if (it == dialogs.end() || !it->second.pending_ok) return;
  auto& entry = it->second;
  layer->respond(entry.pending_server_id, *entry.pending_ok);
  entry.ok_interval = std::min(entry.ok_interval * 2, config.timers.t2);
  entry.ok_retransmit = wheel.schedule(entry.ok_interval, [this, did] { retransmit_ok(did); });
}

void UserAgent::Impl::stop_ok_retransmission(DialogEntry& entry) {
  entry.pending_ok.reset();
  wheel.cancel(entry.ok_retransmit);
  wheel.cancel(entry.ok_give_up);
}

void UserAgent::Impl::ok_timed_out(DialogId did) {
  auto it = dialogs.find(did);
  if (it == dialogs.end() || !it->second.pending_ok) return;
  stop_ok_retransmission(it->second);
  std::function<void()> on_timeout;
  if (auto in = incoming.find(it->second.incoming); in != incoming.end()) on_timeout = in->second.handlers.on_ack_timeout;
  auto on_terminated = it->second.handlers.on_terminated;
  bye(did);
  if (on_timeout) on_timeout();
  if (on_terminated) on_terminated();
}

void UserAgent::Impl::on_ack(const Message& ack, const Source& source) {
  auto to = ack.to();
  auto from = ack.from();
  auto call_id = ack.call_id();
  if (!to || !from || !call_id) return;
  auto d = dialog_keys.find(Dialog::make_key(*call_id, to->tag(), from->tag()));
  if (d == dialog_keys.end()) return;
  auto& entry = dialogs.at(d->second);
  if (!entry.pending_ok) return;  // a retransmitted ACK
  stop_ok_retransmission(entry);
  if (auto in = incoming.find(entry.incoming); in != incoming.end()) {
    auto on_ack_handler = in->second.handlers.on_ack;
    incoming_by_server.erase(in->second.server_id);
    incoming.erase(in);
    entry.incoming = 0;
    if (on_ack_handler) on_ack_handler(request_info(ack, source));
  }
}

void UserAgent::Impl::on_cancel(std::uint64_t invite_server_id, const Message&) {
  auto it = incoming_by_server.find(invite_server_id);
  if (it == incoming_by_server.end()) {
    reply(invite_server_id, 487);
    return;
  }
  abandon_incoming(it->second);
}

void UserAgent::Impl::abandon_incoming(IncomingCallId id) {
  auto in = incoming.find(id);
  if (in == incoming.end()) return;
  auto on_cancel_handler = in->second.handlers.on_cancel;
  reply(in->second.server_id, 487, {}, in->second.local_tag);
  incoming_by_server.erase(in->second.server_id);
  incoming.erase(in);
  if (on_cancel_handler) on_cancel_handler();
}

void UserAgent::Impl::on_server_terminated(std::uint64_t server_id, bool) {
  auto it = incoming_by_server.find(server_id);
  if (it == incoming_by_server.end()) return;
  // An INVITE whose transaction ended without the TU answering finally, or whose 2xx dialog
  // waits for an ACK (the dialog keeps its own timers).
  auto in = incoming.find(it->second);
  incoming_by_server.erase(it);
  if (in != incoming.end() && in->second.dialog == 0) incoming.erase(in);
}

}  // namespace sb::sip
