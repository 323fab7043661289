#include "sip/dialog/dialog.hpp"

#include "sip/transport/routing.hpp"

namespace sb::sip {
namespace {

// A From/To value without its tag parameter (name-addr kept as written).
std::string without_tag(std::string_view value) {
  auto parsed = parse_name_addr(value);
  if (!parsed) return std::string(value);
  std::string out;
  if (!parsed->display_name.empty()) {
    out.append(parsed->display_name);
    out.push_back(' ');
  }
  out.push_back('<');
  out.append(parsed->uri.text);
  out.push_back('>');
  for (const auto& p : parsed->params) {
    if (p.name == "tag") continue;
    out.push_back(';');
    out.append(p.name);
    if (p.has_value) {
      out.push_back('=');
      out.append(p.value);
    }
  }
  return out;
}

std::string first_contact(const Message& m) {
  auto contacts = m.contacts();
  if (!contacts || contacts->empty() || contacts->front().is_wildcard) return {};
  return std::string(contacts->front().address.uri.text);
}

}  // namespace

std::string Dialog::make_key(std::string_view call_id, std::string_view local_tag, std::string_view remote_tag) {
  std::string key(call_id);
  key.push_back('|');
  key.append(local_tag);
  key.push_back('|');
  key.append(remote_tag);
  return key;
}

std::optional<Dialog> Dialog::from_uac(const Message& request, const Message& response) {
  auto call_id = request.call_id();
  auto from = request.from();
  auto to = response.to();
  auto cseq = request.cseq();
  if (!call_id || !from || !to || !cseq || !to->has_tag()) return std::nullopt;
  Dialog d;
  d.is_uac = true;
  d.call_id = std::string(*call_id);
  d.local_tag = std::string(from->tag());
  d.remote_tag = std::string(to->tag());
  d.local_cseq = cseq->number;
  d.local_uri = without_tag(*request.header(HeaderId::From));
  d.remote_uri = without_tag(*response.header(HeaderId::To));
  d.remote_target = first_contact(response);
  if (d.remote_target.empty()) d.remote_target = std::string(request.request_uri_text());
  // 12.1.2: the route set is the Record-Route of the response, in reverse order.
  for (const auto rr : response.values(HeaderId::RecordRoute)) d.route_set.insert(d.route_set.begin(), std::string(rr));
  d.is_secure = request.request_uri_text().starts_with("sips:");
  return d;
}

std::optional<Dialog> Dialog::from_uas(const Message& request, std::string_view local_tag, const Source& source) {
  auto call_id = request.call_id();
  auto from = request.from();
  auto cseq = request.cseq();
  if (!call_id || !from || !cseq) return std::nullopt;
  Dialog d;
  d.call_id = std::string(*call_id);
  d.local_tag = std::string(local_tag);
  d.remote_tag = std::string(from->tag());
  d.remote_cseq = cseq->number;
  d.local_cseq = 0;
  d.local_uri = without_tag(*request.header(HeaderId::To));
  d.remote_uri = without_tag(*request.header(HeaderId::From));
  d.remote_target = first_contact(request);
  // 12.1.1: the route set is the Record-Route of the request, in order.
  for (const auto rr : request.values(HeaderId::RecordRoute)) d.route_set.emplace_back(rr);
  d.kind = source.kind;
  d.flow = source.flow;
  d.is_secure = request.request_uri_text().starts_with("sips:");
  if (d.remote_target.empty()) {
    d.remote_target = "sip:" + host_for_uri(source.remote.address) + ":" + std::to_string(source.remote.port);
  }
  return d;
}

void Dialog::refresh_target(const Message& message) {
  auto contact = first_contact(message);
  if (!contact.empty()) remote_target = std::move(contact);
}

std::optional<Destination> Dialog::next_hop() const {
  std::optional<Destination> d;
  if (destination_override) {
    d = destination_override;
  } else if (!route_set.empty()) {
    if (auto route = parse_name_addr(route_set.front(), true)) d = destination_for_uri(route->uri, kind);
  } else if (auto uri = parse_uri(remote_target)) {
    d = destination_for_uri(*uri, kind);
  }
  if (d && is_reliable(d->kind)) d->flow = flow;
  return d;
}

}  // namespace sb::sip
