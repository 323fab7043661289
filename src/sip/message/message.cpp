#include "sip/message/message.hpp"

#include <array>

#include "sip/message/errc.hpp"
#include "sip/message/syntax.hpp"

namespace sb::sip {
namespace {

constexpr std::array<std::string_view, 14> kMethodNames{
    "INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK",
    "SUBSCRIBE", "NOTIFY", "PUBLISH", "INFO", "REFER", "MESSAGE", "UPDATE",
};

std::error_code err(Errc e) { return make_error_code(e); }

}  // namespace

Method method_from(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kMethodNames.size(); ++i)
    if (kMethodNames[i] == name) return static_cast<Method>(i);
  return Method::Other;
}

std::string_view method_name(Method m) noexcept {
  const auto i = static_cast<std::size_t>(m);
  return i < kMethodNames.size() ? kMethodNames[i] : std::string_view{};
}

namespace {
constexpr std::array<bool, 256> make_list_specials() {
  std::array<bool, 256> t{};
  for (unsigned char c : std::string_view("\"<>,\\")) t[c] = true;
  return t;
}
constexpr std::array<bool, 256> kListSpecials = make_list_specials();
}  // namespace

std::string_view split_list_element(std::string_view& rest, bool& has_more) {
  bool in_quotes = false;
  int angle_depth = 0;
  const std::size_t size = rest.size();
  for (std::size_t i = 0; i < size; ++i) {
    const char c = rest[i];
    if (!kListSpecials[static_cast<unsigned char>(c)]) continue;
    if (in_quotes) {
      if (c == '\\') ++i;
      else if (c == '"') in_quotes = false;
    } else if (c == '"') {
      in_quotes = true;
    } else if (c == '<') {
      ++angle_depth;
    } else if (c == '>') {
      if (angle_depth > 0) --angle_depth;
    } else if (c == ',' && angle_depth == 0) {
      const auto element = syntax::trim_lws(rest.substr(0, i));
      rest.remove_prefix(i + 1);
      has_more = true;
      return element;
    }
  }
  const auto element = syntax::trim_lws(rest);
  rest = {};
  has_more = false;
  return element;
}

HeaderValues::Iterator::Iterator(const Message* message, HeaderId id) : message_(message), id_(id) { advance(); }

void HeaderValues::Iterator::advance() {
  if (message_ == nullptr) return;
  if (!has_rest_) {
    const auto& fields = message_->fields();
    std::size_t i = next_;
    while (i < fields.size() && fields[i].id != id_) ++i;
    if (i >= fields.size()) {
      field_ = kEnd;
      next_ = fields.size();
      rest_ = {};
      current_ = {};
      return;
    }
    field_ = i;
    next_ = i + 1;
    rest_ = message_->view(fields[i].value);
    if (!is_list_header(id_)) {
      current_ = rest_;
      rest_ = {};
      return;
    }
  }
  current_ = split_list_element(rest_, has_rest_);
}

std::optional<std::string_view> Message::header(HeaderId id) const {
  for (const auto& f : fields_)
    if (f.id == id) return view(f.value);
  return std::nullopt;
}

std::optional<std::string_view> Message::header(std::string_view name) const {
  const HeaderId id = lookup_header(name);
  if (id != HeaderId::Other) return header(id);
  for (const auto& f : fields_)
    if (f.id == HeaderId::Other && syntax::iequals(view(f.name), name)) return view(f.value);
  return std::nullopt;
}

std::size_t Message::count(HeaderId id) const {
  std::size_t n = 0;
  for (const auto& f : fields_) n += f.id == id ? 1 : 0;
  return n;
}

Result<Uri> Message::request_uri(std::size_t max_length) const {
  return parse_uri(request_uri_text(), max_length);
}

Result<Via> Message::top_via() const {
  const auto value = header(HeaderId::Via);
  if (!value) return err(Errc::MissingVia);
  return parse_first_via(*value, true);
}

Result<std::vector<Via>> Message::vias() const {
  std::vector<Via> out;
  for (std::string_view v : values(HeaderId::Via)) {
    auto via = parse_via(v);
    if (!via) return via.error();
    out.push_back(*via);
  }
  return out;
}

Result<CSeq> Message::cseq() const {
  const auto v = header(HeaderId::CSeq);
  if (!v) return err(Errc::MissingCSeq);
  return parse_cseq(*v);
}

Result<NameAddr> Message::from() const {
  const auto v = header(HeaderId::From);
  if (!v) return err(Errc::MissingFrom);
  auto out = parse_name_addr(*v, false, max_uri_length_);
  if (!out) return err(Errc::BadFrom);
  return out;
}

Result<NameAddr> Message::to() const {
  const auto v = header(HeaderId::To);
  if (!v) return err(Errc::MissingTo);
  auto out = parse_name_addr(*v, false, max_uri_length_);
  if (!out) return err(Errc::BadTo);
  return out;
}

Result<std::string_view> Message::call_id() const {
  const auto v = header(HeaderId::CallId);
  if (!v) return err(Errc::MissingCallId);
  if (!is_valid_call_id(*v)) return err(Errc::BadCallId);
  return *v;
}

Result<std::uint8_t> Message::max_forwards() const {
  const auto v = header(HeaderId::MaxForwards);
  if (!v) return err(Errc::HeaderAbsent);
  const auto n = parse_max_forwards(*v);
  if (!n) return err(Errc::BadMaxForwards);
  return *n;
}

Result<std::uint32_t> Message::expires() const {
  const auto v = header(HeaderId::Expires);
  if (!v) return err(Errc::HeaderAbsent);
  const auto n = parse_delta_seconds(*v);
  if (!n) return err(Errc::BadExpires);
  return *n;
}

Result<ContentType> Message::content_type() const {
  const auto v = header(HeaderId::ContentType);
  if (!v) return err(Errc::HeaderAbsent);
  return parse_content_type(*v);
}

Result<std::vector<Contact>> Message::contacts() const {
  std::vector<Contact> out;
  for (std::string_view v : values(HeaderId::Contact)) {
    auto contact = parse_contact(v, max_uri_length_);
    if (!contact) return err(Errc::BadContact);
    out.push_back(*contact);
  }
  return out;
}

Result<std::vector<NameAddr>> Message::route_list(HeaderId id) const {
  std::vector<NameAddr> out;
  for (std::string_view v : values(id)) {
    auto route = parse_name_addr(v, true, max_uri_length_);
    if (!route) return err(Errc::BadRoute);
    out.push_back(*route);
  }
  return out;
}

Result<std::vector<NameAddr>> Message::routes() const { return route_list(HeaderId::Route); }
Result<std::vector<NameAddr>> Message::record_routes() const { return route_list(HeaderId::RecordRoute); }

}  // namespace sb::sip
