#include "media/sdp/session_description.hpp"

#include "media/error.hpp"
#include "media/sdp/sdp_text.hpp"

#include <span>

namespace sb::media {

using detail::parse_number;
using detail::split_words;
using detail::trim;

std::string_view to_string(Direction direction) noexcept {
  switch (direction) {
    case Direction::send_recv: return "sendrecv";
    case Direction::send_only: return "sendonly";
    case Direction::recv_only: return "recvonly";
    case Direction::inactive: return "inactive";
  }
  return "sendrecv";
}

bool is_sending(Direction d) noexcept { return d == Direction::send_recv || d == Direction::send_only; }
bool is_receiving(Direction d) noexcept { return d == Direction::send_recv || d == Direction::recv_only; }

Direction make_direction(bool sending, bool receiving) noexcept {
  if (sending) return receiving ? Direction::send_recv : Direction::send_only;
  return receiving ? Direction::recv_only : Direction::inactive;
}

Direction reverse(Direction d) noexcept { return make_direction(is_receiving(d), is_sending(d)); }

const RtpMap* MediaDescription::find_rtpmap(std::uint8_t payload_type) const noexcept {
  for (const auto& r : rtpmaps)
    if (r.payload_type == payload_type) return &r;
  return nullptr;
}

const Fmtp* MediaDescription::find_fmtp(std::uint8_t payload_type) const noexcept {
  for (const auto& f : fmtps)
    if (f.payload_type == payload_type) return &f;
  return nullptr;
}

const Connection* SessionDescription::connection_for(const MediaDescription& m) const noexcept {
  if (m.connection) return &*m.connection;
  if (connection) return &*connection;
  return nullptr;
}

Direction SessionDescription::direction_for(const MediaDescription& m) const noexcept {
  return m.direction.value_or(direction.value_or(Direction::send_recv));
}

namespace {

std::optional<AddressType> parse_address_type(std::string_view s) noexcept {
  if (s == "IP4") return AddressType::ip4;
  if (s == "IP6") return AddressType::ip6;
  return std::nullopt;
}

std::string_view address_type_name(AddressType t) noexcept { return t == AddressType::ip4 ? "IP4" : "IP6"; }

// "IN IP4 192.0.2.1[/ttl[/count]]" (RFC 4566 5.7).
std::optional<Connection> parse_connection(std::span<const std::string_view> words) {
  if (words.size() != 3 || words[0] != "IN") return std::nullopt;
  const auto type = parse_address_type(words[1]);
  if (!type) return std::nullopt;
  auto address = words[2].substr(0, words[2].find('/'));
  if (address.empty()) return std::nullopt;
  return Connection{*type, std::string(address)};
}

// ptime/maxptime: milliseconds; a fractional part ("20.0") is tolerated and dropped.
std::optional<std::uint32_t> parse_milliseconds(std::string_view s) {
  const auto dot = s.find('.');
  if (dot != std::string_view::npos) {
    for (char c : s.substr(dot + 1))
      if (c < '0' || c > '9') return std::nullopt;
    s = s.substr(0, dot);
  }
  auto value = parse_number<std::uint32_t>(s, 100'000);
  if (!value || *value == 0) return std::nullopt;
  return value;
}

std::optional<Direction> parse_direction(std::string_view name) noexcept {
  if (name == "sendrecv") return Direction::send_recv;
  if (name == "sendonly") return Direction::send_only;
  if (name == "recvonly") return Direction::recv_only;
  if (name == "inactive") return Direction::inactive;
  return std::nullopt;
}

class Parser {
 public:
  explicit Parser(SdpParseError* error) : error_(error) {}

  Result<SessionDescription> run(std::string_view text) {
    std::size_t line_number = 0;
    bool has_version = false;
    bool has_origin = false;
    bool has_timing = false;
    while (!text.empty()) {
      const auto end = text.find('\n');
      std::string_view line = text.substr(0, end);
      text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
      ++line_number;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (trim(line).empty()) continue;  // lenient: blank lines
      if (line.size() < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z')
        return fail(Errc::sdp_malformed_line, line_number, line);
      const char type = line[0];
      const std::string_view value = line.substr(2);
      if (!has_version) {
        if (type != 'v' || trim(value) != "0") return fail(Errc::sdp_bad_version, line_number, line);
        has_version = true;
        continue;
      }
      std::error_code ec;
      switch (type) {
        case 'v': ec = Errc::sdp_bad_version; break;
        case 'o':
          ec = parse_origin(value);
          has_origin = true;
          break;
        case 's':
          if (media() == nullptr) sdp_.session_name = std::string(value);
          break;
        case 'c': ec = parse_connection_line(value); break;
        case 't':
          if (!has_timing) ec = parse_timing(value);
          has_timing = true;
          break;
        case 'm': ec = parse_media(value); break;
        case 'a': ec = parse_attribute(value); break;
        default: break;  // i u e p b r z k and future types: not needed for audio calls
      }
      if (ec) {
        const bool is_crypto = value.substr(0, 7) == "crypto:";
        return fail(ec, line_number, is_crypto ? std::string_view("a=crypto:<redacted>") : line);
      }
    }
    if (!has_version) return fail(Errc::sdp_bad_version, 0, {});
    if (!has_origin) return fail(Errc::sdp_bad_origin, 0, {});
    for (const auto& m : sdp_.media)
      if (m.port != 0 && sdp_.connection_for(m) == nullptr) return fail(Errc::sdp_bad_connection, 0, {});
    return std::move(sdp_);
  }

 private:
  MediaDescription* media() { return sdp_.media.empty() ? nullptr : &sdp_.media.back(); }

  std::error_code fail(std::error_code code, std::size_t line_number, std::string_view line) {
    if (error_ != nullptr) *error_ = SdpParseError{line_number, std::string(line)};
    return code;
  }

  std::error_code parse_origin(std::string_view value) {
    const auto w = split_words(value);
    if (w.size() != 6 || w[3] != "IN") return Errc::sdp_bad_origin;
    const auto type = parse_address_type(w[4]);
    if (!type) return Errc::sdp_bad_origin;
    for (auto number : {w[1], w[2]})
      for (char c : number)
        if (c < '0' || c > '9') return Errc::sdp_bad_origin;
    sdp_.origin = Origin{std::string(w[0]), std::string(w[1]), std::string(w[2]), *type, std::string(w[5])};
    return {};
  }

  std::error_code parse_connection_line(std::string_view value) {
    const auto w = split_words(value);
    auto connection = parse_connection(w);
    if (!connection) return Errc::sdp_bad_connection;
    if (auto* m = media()) {
      m->connection = std::move(connection);
    } else {
      sdp_.connection = std::move(connection);
    }
    return {};
  }

  std::error_code parse_timing(std::string_view value) {
    const auto w = split_words(value);
    if (w.size() != 2) return Errc::sdp_bad_timing;
    const auto start = parse_number<std::uint64_t>(w[0], UINT64_MAX);
    const auto stop = parse_number<std::uint64_t>(w[1], UINT64_MAX);
    if (!start || !stop) return Errc::sdp_bad_timing;
    sdp_.timing = {*start, *stop};
    return {};
  }

  // "audio 49170[/2] RTP/AVP 0 8 101" (RFC 4566 5.14).
  std::error_code parse_media(std::string_view value) {
    const auto w = split_words(value);
    if (w.size() < 4) return Errc::sdp_bad_media;
    MediaDescription m;
    m.media = std::string(w[0]);
    const auto slash = w[1].find('/');
    const auto port = parse_number<std::uint16_t>(w[1].substr(0, slash), 65535);
    if (!port) return Errc::sdp_bad_media;
    m.port = *port;
    if (slash != std::string_view::npos) {
      m.port_count = parse_number<std::uint16_t>(w[1].substr(slash + 1), 65535);
      if (!m.port_count) return Errc::sdp_bad_media;
    }
    m.protocol = std::string(w[2]);
    for (std::size_t i = 3; i < w.size(); ++i) m.formats.emplace_back(w[i]);
    sdp_.media.push_back(std::move(m));
    return {};
  }

  std::error_code parse_attribute(std::string_view text) {
    const auto colon = text.find(':');
    const std::string_view name = text.substr(0, colon);
    const std::optional<std::string_view> value =
        colon == std::string_view::npos ? std::nullopt : std::optional(text.substr(colon + 1));
    MediaDescription* m = media();

    if (auto direction = parse_direction(name)) {
      (m ? m->direction : sdp_.direction) = direction;
      return {};
    }
    if (m != nullptr && value) {
      if (name == "rtpmap") return parse_rtpmap(*m, *value);
      if (name == "fmtp") return parse_fmtp(*m, *value);
      if (name == "ptime" || name == "maxptime") {
        const auto ms = parse_milliseconds(trim(*value));
        if (!ms) return Errc::sdp_bad_attribute;
        (name == "ptime" ? m->ptime : m->maxptime) = ms;
        return {};
      }
      if (name == "rtcp") return parse_rtcp(*m, *value);
      if (name == "crypto") {
        auto crypto = parse_crypto_attribute(*value);
        if (!crypto) return crypto.error();
        m->crypto.push_back(std::move(*crypto));
        return {};
      }
    }
    if (m != nullptr && name == "rtcp-mux") {
      m->has_rtcp_mux = true;
      return {};
    }
    Attribute attribute{std::string(name), value ? std::optional(std::string(*value)) : std::nullopt};
    (m ? m->attributes : sdp_.attributes).push_back(std::move(attribute));
    return {};
  }

  // "101 telephone-event/8000[/1]" (RFC 4566 6).
  static std::error_code parse_rtpmap(MediaDescription& m, std::string_view value) {
    const auto w = split_words(value);
    if (w.size() != 2) return Errc::sdp_bad_attribute;
    const auto pt = parse_number<std::uint8_t>(w[0], 127);
    const auto slash = w[1].find('/');
    if (!pt || slash == 0 || slash == std::string_view::npos) return Errc::sdp_bad_attribute;
    RtpMap rtpmap{.payload_type = *pt, .encoding_name = std::string(w[1].substr(0, slash))};
    auto rest = w[1].substr(slash + 1);
    const auto slash2 = rest.find('/');
    const auto rate = parse_number<std::uint32_t>(rest.substr(0, slash2), 10'000'000);
    if (!rate || *rate == 0) return Errc::sdp_bad_attribute;
    rtpmap.clock_rate = *rate;
    if (slash2 != std::string_view::npos) {
      const auto channels = parse_number<std::uint8_t>(rest.substr(slash2 + 1), 255);
      if (!channels || *channels == 0) return Errc::sdp_bad_attribute;
      rtpmap.channels = *channels;
    }
    m.rtpmaps.push_back(std::move(rtpmap));
    return {};
  }

  static std::error_code parse_fmtp(MediaDescription& m, std::string_view value) {
    value = trim(value);
    const auto space = value.find_first_of(" \t");
    const auto pt = parse_number<std::uint8_t>(value.substr(0, space), 127);
    if (!pt) return Errc::sdp_bad_attribute;
    const auto parameters = space == std::string_view::npos ? std::string_view{} : trim(value.substr(space));
    m.fmtps.push_back({*pt, std::string(parameters)});
    return {};
  }

  // "53020" or "53020 IN IP4 192.0.2.1" (RFC 3605 2.1).
  static std::error_code parse_rtcp(MediaDescription& m, std::string_view value) {
    const auto w = split_words(value);
    if (w.size() != 1 && w.size() != 4) return Errc::sdp_bad_attribute;
    const auto port = parse_number<std::uint16_t>(w[0], 65535);
    if (!port) return Errc::sdp_bad_attribute;
    RtcpAttribute rtcp{.port = *port};
    if (w.size() == 4) {
      rtcp.connection = parse_connection(std::span(w).subspan(1));
      if (!rtcp.connection) return Errc::sdp_bad_attribute;
    }
    m.rtcp = std::move(rtcp);
    return {};
  }

  SdpParseError* error_;
  SessionDescription sdp_;
};

void append_line(std::string& out, char type, std::string_view value) {
  out += type;
  out += '=';
  out += value;
  out += "\r\n";
}

void append_attribute(std::string& out, std::string_view name, std::string_view value = {}) {
  out += "a=";
  out += name;
  if (!value.empty()) {
    out += ':';
    out += value;
  }
  out += "\r\n";
}

void append_generic(std::string& out, const Attribute& a) {
  out += "a=" + a.name;
  if (a.value) out += ':' + *a.value;
  out += "\r\n";
}

std::string connection_text(const Connection& c) {
  return "IN " + std::string(address_type_name(c.address_type)) + ' ' + c.address;
}

}  // namespace

Result<SessionDescription> SessionDescription::parse(std::string_view text, SdpParseError* error) {
  return Parser(error).run(text);
}

std::string SessionDescription::to_string() const {
  std::string out;
  out.reserve(512);
  append_line(out, 'v', "0");
  append_line(out, 'o',
              origin.username + ' ' + origin.session_id + ' ' + origin.session_version + " IN " +
                  std::string(address_type_name(origin.address_type)) + ' ' + origin.address);
  append_line(out, 's', session_name.empty() ? "-" : session_name);
  if (connection) append_line(out, 'c', connection_text(*connection));
  append_line(out, 't', std::to_string(timing.start) + ' ' + std::to_string(timing.stop));
  if (direction) append_attribute(out, media::to_string(*direction));
  for (const auto& a : attributes) append_generic(out, a);
  for (const auto& m : media) {
    std::string line = m.media + ' ' + std::to_string(m.port);
    if (m.port_count) line += '/' + std::to_string(*m.port_count);
    line += ' ' + m.protocol;
    for (const auto& f : m.formats) line += ' ' + f;
    append_line(out, 'm', line);
    if (m.connection) append_line(out, 'c', connection_text(*m.connection));
    // rtpmap and fmtp in format order, then any for payload types not listed in formats.
    for (const auto& r : m.rtpmaps) {
      std::string value = std::to_string(r.payload_type) + ' ' + r.encoding_name + '/' + std::to_string(r.clock_rate);
      if (r.channels != 0) value += '/' + std::to_string(r.channels);
      append_attribute(out, "rtpmap", value);
      if (const auto* f = m.find_fmtp(r.payload_type))
        append_attribute(out, "fmtp", std::to_string(f->payload_type) + ' ' + f->parameters);
    }
    for (const auto& f : m.fmtps)
      if (m.find_rtpmap(f.payload_type) == nullptr)
        append_attribute(out, "fmtp", std::to_string(f.payload_type) + ' ' + f.parameters);
    if (m.ptime) append_attribute(out, "ptime", std::to_string(*m.ptime));
    if (m.maxptime) append_attribute(out, "maxptime", std::to_string(*m.maxptime));
    if (m.rtcp) {
      std::string value = std::to_string(m.rtcp->port);
      if (m.rtcp->connection) value += ' ' + connection_text(*m.rtcp->connection);
      append_attribute(out, "rtcp", value);
    }
    if (m.has_rtcp_mux) append_attribute(out, "rtcp-mux");
    for (const auto& c : m.crypto) append_attribute(out, "crypto", format_crypto_attribute(c));
    for (const auto& a : m.attributes) append_generic(out, a);
    if (m.direction) append_attribute(out, media::to_string(*m.direction));
  }
  return out;
}

}  // namespace sb::media
