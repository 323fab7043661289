// UserAgent, requests inside a dialog (RFC 3261 12.2): BYE, re-INVITE and UPDATE offers, INFO,
// REFER and NOTIFY; sending BYE and other in-dialog requests.

#include "sip/dialog/user_agent_impl.hpp"

#include <algorithm>
#include <string>

#include "core/crypto.hpp"
#include "core/log.hpp"
#include "sip/message/syntax.hpp"
#include "sip/parser/message_builder.hpp"

namespace sb::sip {
using namespace user_agent_detail;

void UserAgent::Impl::end_dialog(DialogId did) {
  auto it = dialogs.find(did);
  if (it == dialogs.end()) return;
  stop_ok_retransmission(it->second);
  stop_session_timer(it->second.session);
  dialog_keys.erase(it->second.dialog.key());
  if (auto in = incoming.find(it->second.incoming); in != incoming.end()) {
    incoming_by_server.erase(in->second.server_id);
    incoming.erase(in);
  }
  dialogs.erase(it);
}

bool UserAgent::Impl::on_early_dialog_request(std::uint64_t server_id, const Message& request,
                                              std::string_view call_id, std::string_view local_tag,
                                              std::string_view remote_tag) {
  // Unanswered INVITEs are few (the calls ringing now), so a scan is enough.
  auto pending = std::ranges::find_if(incoming, [&](const auto& entry) {
    const Incoming& in = entry.second;
    if (in.dialog != 0 || in.local_tag != local_tag) return false;
    const auto* tx = layer->server(in.server_id);
    if (!tx || tx->has_final_response()) return false;
    const auto invite_call_id = tx->request().call_id();
    const auto invite_from = tx->request().from();
    return invite_call_id && *invite_call_id == call_id && invite_from && invite_from->tag() == remote_tag;
  });
  if (pending == incoming.end()) return false;
  switch (request.method_id()) {
    case Method::Bye: {
      // RFC 3261 15: the caller may end an early dialog with BYE. The INVITE is then answered
      // 487, as for a CANCEL, and the call is over for the TU in the same way.
      reply(server_id, 200);
      abandon_incoming(pending->first);
      return true;
    }
    case Method::Update:
      // RFC 3311 5.2: allowed in an early dialog. A session refresh without a body is accepted;
      // a new offer before the answer is not something we renegotiate.
      reply(server_id, request.has_body() ? 488 : 200);
      return true;
    case Method::Info:
    case Method::Options:
      reply(server_id, 200);
      return true;
    default:
      return false;  // PRACK (we send no reliable provisionals), REFER, NOTIFY...: 481
  }
}

void UserAgent::Impl::on_in_dialog_request(std::uint64_t server_id, const Message& request, const Source& source, std::string local_tag) {
  auto from = request.from();
  auto call_id = request.call_id();
  auto cseq = request.cseq();
  if (!from || !call_id || !cseq) return reply(server_id, 400);
  auto found = dialog_keys.find(Dialog::make_key(*call_id, local_tag, from->tag()));
  if (found == dialog_keys.end()) {
    if (on_early_dialog_request(server_id, request, *call_id, local_tag, from->tag())) return;
    return reply(server_id, 481);
  }
  const DialogId did = found->second;
  auto& entry = dialogs.at(did);
  // RFC 3261 12.2.2: a CSeq lower than the last one is out of order.
  if (entry.dialog.remote_cseq && cseq->number < *entry.dialog.remote_cseq) return reply(server_id, 500, "Out of Order");
  entry.dialog.remote_cseq = cseq->number;
  const auto kind = entry.dialog.kind;
  switch (request.method_id()) {
    case Method::Bye: {
      reply(server_id, 200);
      auto handlers = entry.handlers;
      end_dialog(did);
      if (handlers.on_bye) handlers.on_bye(request_info(request, source));
      if (handlers.on_terminated) handlers.on_terminated();
      return;
    }
    case Method::Invite:
    case Method::Update: {
      if (reject_small_session_interval(server_id, request)) return;
      entry.dialog.refresh_target(request);
      if (request.method_id() == Method::Invite && entry.pending_ok) return reply(server_id, 491);
      std::optional<std::string> answer;
      const bool has_offer = request.has_body();
      if (entry.handlers.on_offer && (has_offer || request.method_id() == Method::Invite)) {
        answer = entry.handlers.on_offer(request.body());
      } else if (!has_offer) {
        answer = std::string();
      }
      if (!answer) return reply(server_id, 488);
      // A 2xx to the peer's INVITE or UPDATE is a session refresh (RFC 4028 10): the interval
      // restarts with what it settles.
      auto headers = session_timer_headers(request);
      learn_peer(entry, request);
      if (!answer->empty()) entry.local_sdp = *answer;
      arm_session_timer(did, negotiated_session(request), false);
      if (request.method_id() == Method::Update) {
        return reply(server_id, 200, {}, {}, headers, answer->empty() ? "" : "application/sdp", *answer, kind);
      }
      const auto* tx = layer->server(server_id);
      if (!tx) return;
      auto b = make_response_from(tx->request(), tx->source(), 200);
      b.add(HeaderId::Contact, contact(kind));
      b.add(HeaderId::Server, config.user_agent);
      for (const auto& h : headers) b.add(h.name, h.value);
      if (!answer->empty()) {
        b.add(HeaderId::ContentType, "application/sdp");
        b.body(*answer);
      }
      if (auto ok = b.build()) {
        layer->respond(server_id, *ok);
        start_ok_retransmission(did, server_id, std::move(*ok));
      }
      return;
    }
    case Method::Info: {
      reply(server_id, 200);
      if (entry.handlers.on_info) entry.handlers.on_info(request_info(request, source));
      return;
    }
    case Method::Options:
      return reply(server_id, 200, {}, {}, {{"Allow", std::string(kAllow)}, {"Accept", "application/sdp"}});
    case Method::Refer: {
      if (!request.header(HeaderId::ReferTo)) return reply(server_id, 400, "Missing Refer-To");
      const bool accepted = entry.handlers.on_refer && entry.handlers.on_refer(request_info(request, source));
      if (accepted) entry.is_refer_subscription = true;
      return reply(server_id, accepted ? 202 : 603, {}, {}, {}, {}, {}, kind);
    }
    case Method::Notify: {
      reply(server_id, 200);
      const auto event = request.header(HeaderId::Event).value_or("");
      if (!syntax::iequals(event.substr(0, event.find(';')), "refer") || !entry.refer_progress) return;
      const auto state = request.header(HeaderId::SubscriptionState).value_or("");
      const bool is_final = state.starts_with("terminated");
      auto progress = entry.refer_progress;
      if (is_final) entry.refer_progress = nullptr;
      progress(sipfrag_status(request.body()), is_final);
      return;
    }
    default:
      return reply(server_id, 501);
  }
}

void UserAgent::Impl::bye(DialogId did) {
  auto it = dialogs.find(did);
  if (it == dialogs.end()) return;
  auto spec = dialog_spec(it->second, "BYE");
  end_dialog(did);
  send(spec, [](const Message&) {});
}

void UserAgent::Impl::send_in_dialog(DialogId did, std::string method, SipHeaders headers, std::string content_type,
                                     std::string body, ResponseHandler on_response) {
  auto it = dialogs.find(did);
  if (it == dialogs.end()) {
    if (auto m = MessageBuilder::response(481).build()) on_response(*m);
    return;
  }
  auto spec = dialog_spec(it->second, std::move(method));
  spec->dialog = did;
  spec->headers = std::move(headers);
  spec->content_type = std::move(content_type);
  spec->body = std::move(body);
  spec->has_contact = spec->method == "REFER" || spec->method == "NOTIFY";
  send(spec, [this, did, on_response](const Message& r) {
    // RFC 3261 12.2.1.2: 481 or 408 to an in-dialog request ends the dialog.
    if (r.status_code() == 481 || r.status_code() == 408) {
      if (auto d = dialogs.find(did); d != dialogs.end()) {
        auto on_terminated = d->second.handlers.on_terminated;
        end_dialog(did);
        if (on_terminated) on_terminated();
      }
    }
    on_response(r);
  });
}

}  // namespace sb::sip
