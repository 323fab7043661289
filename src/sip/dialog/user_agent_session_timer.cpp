// UserAgent, session timers (RFC 4028): the interval a 2xx settles, refreshes when we are the
// refresher, and the BYE of a session that expired.

#include "sip/dialog/user_agent_impl.hpp"

#include <algorithm>
#include <string>

#include "core/crypto.hpp"
#include "core/log.hpp"
#include "sip/message/syntax.hpp"
#include "sip/parser/message_builder.hpp"

namespace sb::sip {
using namespace user_agent_detail;

// RFC 4028 9: the session interval a session refresh request (an INVITE or UPDATE we answer
// 2xx) settles: its Session-Expires, with the refresher it names, else the UAC when it supports
// timers, else us (refresher=uas). nullopt: no session timer.
std::optional<SessionExpires> UserAgent::Impl::negotiated_session(const Message& request) {
  auto se = session_expires(request);
  if (!se) return std::nullopt;
  const bool has_timer = has_option_tag(request, HeaderId::Supported, "timer");
  if (!syntax::iequals(se->refresher, "uac") && !syntax::iequals(se->refresher, "uas")) {
    se->refresher = has_timer ? "uac" : "uas";
  }
  return se;
}

// The headers of our 2xx that echo it (Require: timer only to a UAC that supports timers).
SipHeaders UserAgent::Impl::session_timer_headers(const Message& request) {
  SipHeaders out;
  auto se = negotiated_session(request);
  if (!se) return out;
  out.push_back({"Session-Expires", std::to_string(se->seconds) + ";refresher=" + se->refresher});
  if (has_option_tag(request, HeaderId::Supported, "timer")) out.push_back({"Require", "timer"});
  return out;
}

// The peer's capabilities a refresh depends on, from its INVITE, 2xx or refresh.
void UserAgent::Impl::learn_peer(DialogEntry& entry, const Message& m) {
  if (m.header(HeaderId::Allow)) entry.peer_allows_update = has_option_tag(m, HeaderId::Allow, "UPDATE");
  if (m.header(HeaderId::Supported)) entry.peer_supports_timer = has_option_tag(m, HeaderId::Supported, "timer");
}

// `se` is what the 2xx of a session refresh (the initial INVITE included) settled, its
// refresher resolved to "uac" or "uas" of that transaction; `is_uac` says whether we sent it.
// No value turns the timer off (10: a refresh without Session-Expires ends session timing).
void UserAgent::Impl::arm_session_timer(DialogId did, const std::optional<SessionExpires>& se, bool is_uac) {
  auto it = dialogs.find(did);
  if (it == dialogs.end()) return;
  auto& session = it->second.session;
  stop_session_timer(session);
  if (!se || se->seconds == 0) {
    session.interval = std::chrono::seconds(0);
    return;
  }
  session.interval = std::chrono::seconds(se->seconds);
  session.is_refresher = syntax::iequals(se->refresher, "uac") == is_uac;
  // 10: the refresher sends its refresh at half the interval; either side ends a session
  // that got none by the interval less min(32 s, interval/3) with a BYE.
  if (session.is_refresher) {
    session.refresh = wheel.schedule(session.interval / 2, [this, did] { refresh_session(did); });
  }
  const auto margin = std::min<std::chrono::seconds>(std::chrono::seconds(32), session.interval / 3);
  session.expiry = wheel.schedule(session.interval - margin, [this, did] { session_expired(did); });
}

void UserAgent::Impl::stop_session_timer(SessionTimer& session) {
  wheel.cancel(session.refresh);
  wheel.cancel(session.expiry);
}

void UserAgent::Impl::session_expired(DialogId did) {
  auto it = dialogs.find(did);
  if (it == dialogs.end()) return;
  spdlog::info("sip: session of Call-ID {} expired without a refresh (RFC 4028): BYE", it->second.dialog.call_id);
  end_with_bye(did);
}

// Ends a dialog the peer has not ended: BYE, then on_terminated.
void UserAgent::Impl::end_with_bye(DialogId did) {
  auto it = dialogs.find(did);
  if (it == dialogs.end()) return;
  auto on_terminated = it->second.handlers.on_terminated;
  bye(did);
  if (on_terminated) on_terminated();
}

// 7.4 / 9: a refresh is an UPDATE without a body when the peer allows UPDATE, else a re-INVITE
// offering the session description we last sent (unchanged, RFC 3264 8). It carries the
// interval in force with us as refresher.
void UserAgent::Impl::refresh_session(DialogId did) {
  auto it = dialogs.find(did);
  if (it == dialogs.end() || it->second.session.interval.count() == 0) return;
  auto& entry = it->second;
  const bool is_update = entry.peer_allows_update || entry.local_sdp.empty();
  auto spec = dialog_spec(entry, is_update ? "UPDATE" : "INVITE");
  spec->dialog = did;
  spec->has_contact = true;
  spec->headers.push_back(
      {"Session-Expires", std::to_string(entry.session.interval.count()) + ";refresher=uac"});
  if (entry.session.min_se != 0) spec->headers.push_back({"Min-SE", std::to_string(entry.session.min_se)});
  if (!is_update) {
    spec->content_type = "application/sdp";
    spec->body = entry.local_sdp;
  }
  send(spec, [this, did, spec](const Message& r) { on_refresh_response(did, *spec, r); });
}

void UserAgent::Impl::on_refresh_response(DialogId did, const RequestSpec& spec, const Message& r) {
  const int status = r.status_code();
  if (status < 200) return;
  auto it = dialogs.find(did);
  if (it == dialogs.end()) return;
  auto& entry = it->second;
  if (status < 300) {
    if (spec.method == "INVITE" && resend_ack(r)) return;  // a retransmission of the 2xx
    if (spec.method == "INVITE") send_ack_for_2xx(entry, spec.cseq);
    entry.dialog.refresh_target(r);  // RFC 3261 12.2.1.2
    auto se = session_expires(r);
    if (!se && !entry.peer_supports_timer) {
      se = SessionExpires{static_cast<std::uint32_t>(entry.session.interval.count()), "uac"};  // 9: we refresh alone
    }
    if (se && se->refresher.empty()) se->refresher = "uac";
    arm_session_timer(did, se, true);
    return;
  }
  const auto call_id = entry.dialog.call_id;
  if (status == 422) {
    // 7.4: ask again with the interval raised to the peer's Min-SE.
    const auto value = r.header(HeaderId::MinSe).value_or("");
    const auto min_se = parse_delta_seconds(syntax::trim_lws(value.substr(0, value.find(';'))));
    if (min_se && *min_se > entry.session.min_se && *min_se <= 86400) {
      entry.session.min_se = *min_se;
      entry.session.interval = std::max(entry.session.interval, std::chrono::seconds(*min_se));
      return refresh_session(did);
    }
  } else if (status == 491) {
    // RFC 3261 14.1: our refresh crossed the peer's re-INVITE; try again after 2.1-4 s when we
    // placed the call (own the Call-ID), 0-2 s otherwise.
    const auto base = entry.dialog.is_uac ? 2100 : 0;
    const auto jitter = std::stoul(crypto::random_hex(2), nullptr, 16) % (entry.dialog.is_uac ? 1900 : 2000);
    wheel.cancel(entry.session.refresh);
    entry.session.refresh = wheel.schedule(std::chrono::milliseconds(base + jitter), [this, did] { refresh_session(did); });
    return;
  } else if (status == 408 || status == 481) {
    // 10: a refresh that timed out or found no dialog ends the session with a BYE.
    spdlog::info("sip: session refresh of Call-ID {} failed with {}: BYE", call_id, status);
    return end_with_bye(did);
  }
  // Any other failure leaves the session to its expiry timer (10).
  spdlog::info("sip: session refresh of Call-ID {} failed with {}; the session ends at expiry unless refreshed",
               call_id, status);
}

}  // namespace sb::sip
