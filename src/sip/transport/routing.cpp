#include "sip/transport/routing.hpp"

#include <charconv>

#include "sip/message/syntax.hpp"

namespace sb::sip {

std::string_view transport_name(TransportKind kind) noexcept {
  switch (kind) {
    case TransportKind::Udp: return "UDP";
    case TransportKind::Tcp: return "TCP";
    case TransportKind::Tls: return "TLS";
  }
  return "UDP";
}

std::optional<TransportKind> transport_from(std::string_view name) noexcept {
  if (syntax::iequals(name, "udp")) return TransportKind::Udp;
  if (syntax::iequals(name, "tcp")) return TransportKind::Tcp;
  if (syntax::iequals(name, "tls")) return TransportKind::Tls;
  return std::nullopt;
}

std::string host_for_uri(std::string_view address) {
  if (address.find(':') != std::string_view::npos && !address.starts_with('[')) {
    std::string out = "[";
    out.append(address);
    out.push_back(']');
    return out;
  }
  return std::string(address);
}

std::string to_string(const Endpoint& endpoint) {
  return host_for_uri(endpoint.address) + ":" + std::to_string(endpoint.port);
}

TransportKind choose_request_transport(TransportKind wanted, std::size_t message_size, bool is_udp_explicit,
                                       bool is_tcp_available, std::size_t threshold) {
  if (wanted == TransportKind::Udp && message_size > threshold && !is_udp_explicit && is_tcp_available) {
    return TransportKind::Tcp;
  }
  return wanted;
}

namespace {

std::string_view strip_brackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

}  // namespace

std::optional<Destination> destination_for_uri(const Uri& uri, TransportKind default_kind) {
  if (!uri.is_sip() || uri.host.empty()) return std::nullopt;
  Destination d;
  d.kind = uri.scheme == UriScheme::Sips ? TransportKind::Tls : default_kind;
  if (const auto t = transport_from(uri.transport())) d.kind = *t;
  const auto maddr = uri.maddr();
  d.host = std::string(strip_brackets(maddr.empty() ? uri.host : maddr));
  d.port = uri.port.value_or(default_port(d.kind));
  return d;
}

std::optional<Destination> response_destination(const Message& request, const Source& source) {
  auto via = request.top_via();
  if (!via) return std::nullopt;
  Destination d;
  d.kind = source.kind;
  d.host = source.remote.address;
  if (is_reliable(source.kind)) {
    // Same connection when it is still open; otherwise a new one to received:port.
    d.flow = source.flow;
    d.port = source.remote.port;
    if (!via->has_rport && via->port) d.port = *via->port;
    return d;
  }
  d.port = via->has_rport ? source.remote.port : via->port.value_or(default_port(source.kind));
  return d;
}

std::optional<std::string> stamped_top_via(const Message& request, const Source& source) {
  const auto values = request.values(HeaderId::Via);
  if (values.begin() == values.end()) return std::nullopt;
  const std::string_view top = *values.begin();
  auto via = parse_via(top);
  std::string out;
  if (!via) return std::string(top);
  const bool needs_received = via->has_rport ||
                              strip_brackets(via->host) != std::string_view(source.remote.address);
  // Rebuild the parameters: drop any received/rport the sender put there, then add ours.
  const auto params_start = top.find(';');
  out.append(top.substr(0, params_start == std::string_view::npos ? top.size() : params_start));
  while (!out.empty() && syntax::is_lws(out.back())) out.pop_back();
  for (const auto& p : via->params) {
    if (syntax::iequals(p.name, "received")) continue;
    if (syntax::iequals(p.name, "rport")) continue;
    out.push_back(';');
    out.append(p.name);
    if (p.has_value) {
      out.push_back('=');
      out.append(p.value);
    }
  }
  if (needs_received) {
    out.append(";received=");
    out.append(source.remote.address);
  }
  if (via->has_rport) {
    out.append(";rport=");
    out.append(std::to_string(source.remote.port));
  }
  return out;
}

MessageBuilder make_response_from(const Message& request, const Source& source, int status,
                                  std::string_view reason_phrase, std::string_view to_tag) {
  // The Via values one per header field, our stamped copy of the top one first.
  const auto top = stamped_top_via(request, source);
  if (!top) return make_response(request, status, reason_phrase, to_tag);
  return make_response(request, status, reason_phrase, to_tag, std::string_view(*top));
}

}  // namespace sb::sip
