// UserAgent, outgoing INVITEs (RFC 3261 13.2): early dialogs per To tag, each 2xx confirmed and
// ACKed, a second fork's 2xx ACKed then BYEd, CANCEL.

#include "sip/dialog/user_agent_impl.hpp"

#include <algorithm>
#include <string>

#include "core/crypto.hpp"
#include "core/log.hpp"
#include "sip/message/syntax.hpp"
#include "sip/parser/message_builder.hpp"

namespace sb::sip {
using namespace user_agent_detail;

OutgoingCallId UserAgent::Impl::place_call(OutgoingCallRequest request, OutgoingCallHandlers handlers) {
  const auto id = next_id++;
  auto spec = std::make_shared<RequestSpec>();
  spec->method = "INVITE";
  spec->request_uri = request.request_uri;
  const auto uri = parse_uri(spec->request_uri);
  std::optional<Destination> destination;
  if (request.destination_host) {
    destination = Destination{request.transport, *request.destination_host, request.destination_port, 0};
  } else if (uri) {
    destination = destination_for_uri(*uri, request.transport);
  }
  if (!uri || !destination) {
    post([handlers] {
      if (handlers.on_final) handlers.on_final(synthetic_response(416), 0);
    });
    return id;
  }
  if (uri->transport().empty()) destination->kind = request.transport;
  spec->is_udp_explicit = syntax::iequals(uri->transport(), "udp");
  spec->next_hop = next_hop_of(*uri, request.transport, request.destination_host, request.destination_port);
  const auto kind = destination->kind;
  std::string from_host = request.from_host.empty() ? transport->sent_by(kind) : request.from_host;
  if (const auto colon = from_host.rfind(':'); request.from_host.empty() && colon != std::string::npos &&
                                                from_host.find(']') == std::string::npos) {
    from_host.resize(colon);
  } else if (request.from_host.empty()) {
    from_host = from_host.substr(0, from_host.rfind(':'));
  }
  std::string from;
  if (!request.from_display.empty()) {
    from = "\"";
    for (char c : request.from_display) {
      if (c == '"' || c == '\\') from.push_back('\\');
      from.push_back(c);
    }
    from += "\" ";
  }
  from += "<sip:" + (request.from_user.empty() ? std::string() : request.from_user + "@") + from_host + ">";
  spec->from = from + ";tag=" + crypto::random_hex(6);
  spec->to = "<" + (request.to.empty() ? request.request_uri : request.to) + ">";
  spec->call_id = crypto::random_hex(12) + "@" + from_host;
  spec->cseq = 1;
  spec->headers = std::move(request.headers);
  if (!request.sdp.empty()) {
    spec->content_type = "application/sdp";
    spec->body = std::move(request.sdp);
  }
  spec->destination = *destination;
  spec->has_contact = true;
  spec->auth_username = std::move(request.auth_username);
  spec->auth_password = std::move(request.auth_password);
  const bool has_explicit_destination = request.destination_host.has_value();
  outgoing[id] = Outgoing{std::move(handlers), spec, has_explicit_destination, false, {}};
  send(spec, [this, id, spec, has_explicit_destination](const Message& r) {
    on_invite_response(id, *spec, has_explicit_destination, r);
  });
  return id;
}

// RFC 3261 13.2.2.4: the ACK of a 2xx is a new request in the dialog, outside any
// transaction, with the INVITE's CSeq number. It is kept for 64*T1 (as long as the INVITE
// transaction's Accepted state, RFC 6026) and sent again for each retransmission of that 2xx,
// even after the dialog ended.
void UserAgent::Impl::send_ack_for_2xx(DialogEntry& d, std::uint32_t cseq) {
  auto spec = dialog_spec(d, "ACK");
  spec->cseq = cseq;
  auto ack = build(*spec);
  if (!ack) return;
  const auto key = ack_key(d.dialog.key(), cseq);
  auto& sent = sent_acks[key];
  wheel.cancel(sent.expiry);
  sent.bytes = std::string(ack->text());
  sent.destination = spec->destination;
  sent.expiry = wheel.schedule(config.timers.timer_b(), [this, key] { sent_acks.erase(key); });
  layer->send_stateless(sent.bytes, sent.destination);
}

std::string UserAgent::Impl::ack_key(std::string_view dialog_key, std::uint32_t cseq) {
  return std::string(dialog_key) + "|" + std::to_string(cseq);
}

// A 2xx to an INVITE we already ACKed (a retransmission): ACK again. True when it was one.
bool UserAgent::Impl::resend_ack(const Message& ok) {
  auto to = ok.to();
  auto from = ok.from();
  auto call_id = ok.call_id();
  auto cseq = ok.cseq();
  if (!to || !from || !call_id || !cseq) return false;
  auto it = sent_acks.find(ack_key(Dialog::make_key(*call_id, from->tag(), to->tag()), cseq->number));
  if (it == sent_acks.end()) return false;
  layer->send_stateless(it->second.bytes, it->second.destination);
  return true;
}

// RFC 3261 12.1.2: a 1xx (not 100) with a To tag creates an early dialog, one per tag: several
// when a forking proxy reaches several UASs. Later 1xx of the same tag update its target.
void UserAgent::Impl::track_early_dialog(OutgoingCallId id, Outgoing& o, const Message& r) {
  auto to = r.to();
  auto call_id = r.call_id();
  auto from = r.from();
  if (!to || !to->has_tag() || !call_id || !from || !o.spec->sent) return;
  if (auto d = dialog_keys.find(Dialog::make_key(*call_id, from->tag(), to->tag())); d != dialog_keys.end()) {
    dialogs.at(d->second).dialog.refresh_target(r);
    return;
  }
  auto dialog = Dialog::from_uac(*o.spec->sent, r);
  if (!dialog) return;
  dialog->kind = o.spec->destination.kind;
  if (o.has_explicit_destination) dialog->destination_override = o.spec->destination;
  const auto did = next_id++;
  auto& entry = dialogs[did];
  entry.dialog = std::move(*dialog);
  entry.early_of = id;
  dialog_keys[entry.dialog.key()] = did;
  o.early_dialogs.push_back(did);
}

// The early dialogs of `o` end (a final response arrived), except `confirmed`.
void UserAgent::Impl::end_early_dialogs(Outgoing& o, DialogId confirmed) {
  for (const auto did : o.early_dialogs) {
    if (did != confirmed) end_dialog(did);
  }
  o.early_dialogs.clear();
}

void UserAgent::Impl::on_invite_response(OutgoingCallId id, const RequestSpec& spec, bool has_explicit_destination, const Message& r) {
  const int status = r.status_code();
  if (status >= 200 && status < 300) return on_invite_2xx(id, spec, has_explicit_destination, r);
  auto it = outgoing.find(id);
  if (it == outgoing.end()) return;
  if (status < 200) {
    if (status > 100) track_early_dialog(id, it->second, r);
    if (it->second.handlers.on_provisional) it->second.handlers.on_provisional(response_info(r));
    return;
  }
  // RFC 3261 12.3: a non-2xx final response ends every early dialog of the INVITE.
  end_early_dialogs(it->second);
  auto handlers = std::move(it->second.handlers);
  const bool is_cancelled = it->second.is_cancelled;
  outgoing.erase(it);
  if (handlers.on_final) handlers.on_final(is_cancelled && status == 408 ? synthetic_response(487) : response_info(r), 0);
}

// RFC 3261 13.2.2.4: each 2xx confirms a dialog and gets an ACK. The first one answers the
// call: its early dialog (same To tag) becomes confirmed and the others end. A 2xx with
// another To tag after that comes from a second fork: ACK it, then BYE it. A 2xx that was
// already ACKed is a retransmission: ACK again.
void UserAgent::Impl::on_invite_2xx(OutgoingCallId id, const RequestSpec& spec, bool has_explicit_destination, const Message& r) {
  if (resend_ack(r)) return;
  if (!spec.sent) return;
  auto dialog = Dialog::from_uac(*spec.sent, r);
  if (!dialog) return;
  dialog->kind = spec.destination.kind;
  if (has_explicit_destination) dialog->destination_override = spec.destination;
  auto it = outgoing.find(id);
  DialogId did = 0;
  if (auto d = dialog_keys.find(dialog->key()); d != dialog_keys.end()) {
    if (it == outgoing.end()) return;  // a dialog of ours whose ACK is no longer kept
    did = d->second;
  }
  if (did == 0) did = next_id++;
  if (it != outgoing.end()) end_early_dialogs(it->second, did);
  auto& entry = dialogs[did];
  entry.early_of = 0;
  // 13.2.2.4: the route set and target are taken again from the 2xx; the CSeq of requests
  // the peer sent in the early dialog still counts.
  if (entry.dialog.remote_cseq) dialog->remote_cseq = entry.dialog.remote_cseq;
  entry.dialog = std::move(*dialog);
  entry.auth_username = spec.auth_username;
  entry.auth_password = spec.auth_password;
  learn_peer(entry, r);
  entry.local_sdp = spec.body;
  dialog_keys[entry.dialog.key()] = did;
  send_ack_for_2xx(entry, spec.cseq);
  if (it == outgoing.end()) {
    spdlog::info("sip: a second 2xx to INVITE {} from another fork (To tag {}): ACK and BYE", entry.dialog.call_id,
                 entry.dialog.remote_tag);
    bye(did);
    return;
  }
  auto handlers = std::move(it->second.handlers);
  const bool is_cancelled = it->second.is_cancelled;
  outgoing.erase(it);
  if (is_cancelled) {
    // The 2xx raced our CANCEL: confirm and end the dialog at once.
    bye(did);
    if (handlers.on_final) handlers.on_final(synthetic_response(487), 0);
    return;
  }
  // RFC 4028 7.2: the 2xx sets the session interval; a Session-Expires without "Require:
  // timer" comes from a UAS without session timers, so we refresh.
  auto se = session_expires(r);
  if (se && (se->refresher.empty() || !has_option_tag(r, HeaderId::Require, "timer"))) se->refresher = "uac";
  arm_session_timer(did, se, true);
  if (handlers.on_final) handlers.on_final(response_info(r), did);
}

void UserAgent::Impl::cancel(OutgoingCallId id) {
  auto it = outgoing.find(id);
  if (it == outgoing.end() || it->second.is_cancelled) return;
  it->second.is_cancelled = true;
  it->second.spec->is_abandoned = true;  // still resolving: ends with 487, nothing sent
  layer->cancel(it->second.spec->client_id, [](const Message&) {});
}

void UserAgent::Impl::on_stray_response(const Message& r) {
  // A 2xx retransmission after the INVITE transaction ended: ACK it again (13.2.2.4).
  if (r.status_code() < 200 || r.status_code() >= 300) return;
  if (auto cseq = r.cseq(); !cseq || cseq->method != "INVITE") return;
  resend_ack(r);
}

}  // namespace sb::sip
