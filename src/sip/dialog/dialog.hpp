#pragma once
// Dialog: the state RFC 3261 12 keeps for a dialog: Call-ID, tags, CSeq numbers, local and
// remote URIs, remote target and route set, and how in-dialog requests reach the peer. A plain
// value owned by UserAgent on the signalling loop.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sip/message/message.hpp"
#include "sip/transport/transport.hpp"

namespace sb::sip {

struct Dialog {
  std::string call_id;
  std::string local_tag;
  std::string remote_tag;
  std::uint32_t local_cseq = 0;
  std::optional<std::uint32_t> remote_cseq;
  std::string local_uri;    // our From (UAC) / To (UAS) value without the tag parameter
  std::string remote_uri;   // theirs
  std::string remote_target;  // the peer's Contact URI
  std::vector<std::string> route_set;  // Route values in the order to send them
  TransportKind kind = TransportKind::Udp;
  std::uint64_t flow = 0;  // the connection the dialog was created on (reliable transports)
  std::optional<Destination> destination_override;  // the explicit next hop the dialog was placed with
  bool is_secure = false;
  bool is_uac = false;

  // "call-id|local-tag|remote-tag": how requests find their dialog.
  std::string key() const { return make_key(call_id, local_tag, remote_tag); }
  static std::string make_key(std::string_view call_id, std::string_view local_tag, std::string_view remote_tag);

  // RFC 3261 12.1.2: the UAC side from the request sent and a 2xx / 1xx with To tag received.
  static std::optional<Dialog> from_uac(const Message& request, const Message& response);
  // RFC 3261 12.1.1: the UAS side from the request received and our To tag.
  static std::optional<Dialog> from_uas(const Message& request, std::string_view local_tag, const Source& source);

  // RFC 3261 12.2.1.2 / 12.2.2: a target refresh request or its 2xx updates the remote target.
  void refresh_target(const Message& message);
  // The destination of the next in-dialog request: the override, or the first loose route, or
  // the remote target (RFC 3261 12.2.1.1, loose routing assumed).
  std::optional<Destination> next_hop() const;
};

}  // namespace sb::sip
