#include "sip/parser/parser.hpp"

#include <cstring>
#include <iterator>

#include "sip/message/syntax.hpp"

namespace sb::sip {

using namespace syntax;

namespace {

std::error_code err(Errc e) { return make_error_code(e); }

// "SIP/" 1*DIGIT "." 1*DIGIT, any case.
bool is_sip_version(std::string_view v) {
  if (v.size() < 7 || !iequals(v.substr(0, 4), "SIP/")) return false;
  v.remove_prefix(4);
  const auto dot = v.find('.');
  if (dot == 0 || dot == std::string_view::npos || dot + 1 == v.size()) return false;
  for (std::size_t i = 0; i < v.size(); ++i)
    if (i != dot && !is_digit(v[i])) return false;
  return true;
}

bool is_sip_2_0(std::string_view v) { return v.size() == 7 && iequals(v.substr(0, 4), "SIP/") && v.substr(4) == "2.0"; }

// Finds the next '\n' at or after `pos`; npos when none.
std::size_t find_newline(const char* buf, std::size_t pos, std::size_t size) {
  if (pos >= size) return std::string_view::npos;
  const void* p = std::memchr(buf + pos, '\n', size - pos);
  return p == nullptr ? std::string_view::npos : static_cast<std::size_t>(static_cast<const char*>(p) - buf);
}

std::size_t skip_leading_crlf(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && (s[i] == '\r' || s[i] == '\n')) ++i;
  return i;
}

// Content-Length value: 1*DIGIT up to 2**32-1 (the size limit is checked by the caller).
std::optional<std::size_t> parse_content_length(std::string_view v) {
  const auto n = parse_uint(trim_lws(v), 0xFFFFFFFFu);
  if (!n) return std::nullopt;
  return static_cast<std::size_t>(*n);
}

}  // namespace

// Fills a Message's private fields; the only writer besides default construction.
struct MessageParser {
  static ParseResult parse(std::string bytes, const ParseOptions& options);

 private:
  static std::error_code parse_start_line(Message& m, std::size_t begin, std::size_t end, const ParseOptions& options);
};

std::error_code MessageParser::parse_start_line(Message& m, std::size_t begin, std::size_t end,
                                                const ParseOptions& options) {
  const std::string_view buf(m.buffer_);
  const std::string_view line = buf.substr(begin, end - begin);
  auto span = [&](std::string_view part) {
    return TextSpan{static_cast<std::uint32_t>(part.data() - buf.data()), static_cast<std::uint32_t>(part.size())};
  };
  if (line.size() >= 4 && iequals(line.substr(0, 4), "SIP/")) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    m.is_request_ = false;
    const auto sp = line.find(' ');
    const auto version = line.substr(0, sp);
    m.version_ = span(version);
    if (sp == std::string_view::npos || !is_sip_version(version)) return err(Errc::BadStatusLine);
    const auto rest = line.substr(sp + 1);
    const auto code = parse_uint(rest.substr(0, 3), 999);
    if (!code || *code < 100 || *code > 699 || (rest.size() > 3 && rest[3] != ' ')) return err(Errc::BadStatusLine);
    m.status_code_ = static_cast<int>(*code);
    m.reason_ = span(rest.size() > 4 ? rest.substr(4) : rest.substr(rest.size()));
    if (!is_sip_2_0(version)) return err(Errc::UnsupportedVersion);
    return {};
  }
  // Request-Line = Method SP Request-URI SP SIP-Version: exactly two single spaces.
  m.is_request_ = true;
  const auto first = line.find(' ');
  const auto method = line.substr(0, first);
  m.method_ = span(method);
  m.method_id_ = method_from(method);
  if (first == std::string_view::npos || !is_token(method)) return err(Errc::BadRequestLine);
  const auto last = line.rfind(' ');
  const auto uri = line.substr(first + 1, last - first - 1);
  const auto version = line.substr(last + 1);
  m.request_uri_ = span(uri);
  m.version_ = span(version);
  if (last == first || uri.empty() || uri.find(' ') != std::string_view::npos || !is_sip_version(version))
    return err(Errc::BadRequestLine);
  if (!is_sip_2_0(version)) return err(Errc::UnsupportedVersion);
  auto parsed = parse_uri(uri, options.max_uri_length);
  if (!parsed) return parsed.error() == Errc::UriTooLong ? parsed.error() : err(Errc::BadRequestUri);
  // RFC 3261 19.1.1: headers are not allowed in a Request-URI (RFC 4475 "escruri").
  if (parsed->is_sip() && parsed->has_headers) return err(Errc::BadRequestUri);
  return {};
}

ParseResult MessageParser::parse(std::string bytes, const ParseOptions& options) {
  if (bytes.size() > options.max_message_size || bytes.size() > 0xFFFFFFFFu) return {err(Errc::MessageTooLarge), std::nullopt};
  Message m;
  m.buffer_ = std::move(bytes);
  m.max_uri_length_ = static_cast<std::uint32_t>(std::min<std::size_t>(options.max_uri_length, 0xFFFFFFFFu));
  char* const buf = m.buffer_.data();
  const std::size_t size = m.buffer_.size();

  std::size_t pos = skip_leading_crlf(m.buffer_);
  std::size_t nl = find_newline(buf, pos, size);
  if (nl == std::string_view::npos) return {err(Errc::HeadersIncomplete), std::nullopt};
  std::size_t content_end = (nl > pos && buf[nl - 1] == '\r') ? nl - 1 : nl;
  std::error_code error = parse_start_line(m, pos, content_end, options);
  if (!error && std::memchr(buf + pos, '\r', content_end - pos) != nullptr)
    error = err(m.is_request_ ? Errc::BadRequestLine : Errc::BadStatusLine);
  pos = nl + 1;

  m.fields_.reserve(20);
  std::size_t previous_end = content_end;  // end of the previous line's content
  bool headers_done = false;
  bool has_folds = false;
  while (pos < size) {
    nl = find_newline(buf, pos, size);
    if (nl == std::string_view::npos) break;
    content_end = (nl > pos && buf[nl - 1] == '\r') ? nl - 1 : nl;
    if (content_end == pos) {
      pos = nl + 1;
      headers_done = true;
      break;
    }
    // A CR is only ever part of a line end: not even quoted-pair may escape one (RFC 3261 25.1).
    // Refusing it here keeps a value from smuggling a line break into what we forward.
    if (std::memchr(buf + pos, '\r', content_end - pos) != nullptr && !error) error = err(Errc::BadHeaderLine);
    const char first = buf[pos];
    if (first == ' ' || first == '\t') {
      // Folded continuation (RFC 3261 7.3.1): the line break becomes spaces, in place.
      if (m.fields_.empty()) {
        if (!error) error = err(Errc::BadHeaderLine);
      } else {
        std::memset(buf + previous_end, ' ', pos - previous_end);
        auto& value = m.fields_.back().value;
        value.length = static_cast<std::uint32_t>(content_end - value.offset);
        has_folds = true;
      }
    } else {
      std::size_t i = pos;
      while (i < content_end && is_token_char(buf[i])) ++i;
      const std::size_t name_end = i;
      while (i < content_end && is_lws(buf[i])) ++i;
      if (name_end == pos || i == content_end || buf[i] != ':') {
        if (!error) error = err(Errc::BadHeaderLine);
      } else if (m.fields_.size() >= options.max_header_count) {
        if (!error) error = err(Errc::TooManyHeaders);
      } else {
        ++i;
        while (i < content_end && is_lws(buf[i])) ++i;
        std::size_t value_end = content_end;
        while (value_end > i && is_lws(buf[value_end - 1])) --value_end;
        const std::string_view name(buf + pos, name_end - pos);
        m.fields_.push_back(HeaderField{
            .id = lookup_header(name),
            .name = {static_cast<std::uint32_t>(pos), static_cast<std::uint32_t>(name_end - pos)},
            .value = {static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(value_end - i)},
        });
      }
    }
    previous_end = content_end;
    pos = nl + 1;
  }
  if (!headers_done) return {err(Errc::HeadersIncomplete), std::nullopt};

  // Values were trimmed line by line; a fold may leave spaces at either end.
  if (has_folds) {
    for (auto& f : m.fields_) {
      auto& v = f.value;
      while (v.length > 0 && is_lws(buf[v.offset])) {
        ++v.offset;
        --v.length;
      }
      while (v.length > 0 && is_lws(buf[v.offset + v.length - 1])) --v.length;
    }
  }
  std::optional<std::size_t> content_length;
  bool bad_length = false;
  bool conflicting_length = false;
  for (const auto& f : m.fields_) {
    const auto& v = f.value;
    if (f.id == HeaderId::ContentLength) {
      const auto n = parse_content_length(m.view(v));
      if (!n) bad_length = true;
      else if (content_length && *content_length != *n) conflicting_length = true;
      else content_length = n;
    }
  }
  const std::size_t remaining = size - pos;
  std::size_t body_length = remaining;
  if (bad_length) {
    if (!error) error = err(Errc::BadContentLength);
  } else if (conflicting_length) {
    if (!error) error = err(Errc::ConflictingContentLength);
  } else if (content_length) {
    // RFC 3261 18.3: a longer datagram is cut to Content-Length; a shorter one is an error.
    if (*content_length > remaining) {
      if (!error) error = err(Errc::BodyTruncated);
    } else {
      body_length = *content_length;
    }
  } else if (options.is_stream) {
    if (!error) error = err(Errc::MissingContentLength);
  }
  m.body_ = {static_cast<std::uint32_t>(pos), static_cast<std::uint32_t>(body_length)};

  if (!error && options.validate) error = validate(m);
  return {error, std::move(m)};
}

ParseResult parse_message(std::string bytes, const ParseOptions& options) {
  return MessageParser::parse(std::move(bytes), options);
}

bool ParseResult::can_answer() const {
  if (!message_ || !error_ || !message_->is_request() || message_->method() == "ACK") return false;
  if (status_for(errc()) == 0) return false;
  if (message_->top_via()) return true;
  // A Via whose parameters are broken (RFC 4475 "badinv01") still says where to send the 400:
  // its sent-protocol and sent-by are enough.
  const auto values = message_->values(HeaderId::Via);
  if (values.begin() == values.end()) return false;
  const std::string_view top = *values.begin();
  return parse_via(top.substr(0, top.find(';'))).has_value();
}

namespace {

// The single-valued headers validate() checks, gathered in one pass over the fields.
struct SingleHeaders {
  static constexpr HeaderId kIds[] = {HeaderId::From,    HeaderId::To,          HeaderId::CallId,
                                      HeaderId::CSeq,    HeaderId::MaxForwards, HeaderId::Expires,
                                      HeaderId::ContentType, HeaderId::Date,   HeaderId::RetryAfter};
  static constexpr std::size_t kCount = std::size(kIds);
  std::string_view value[kCount];
  std::uint8_t count[kCount] = {};
  bool has_via = false;
  bool has_contact = false;
  bool has_route = false;

  explicit SingleHeaders(const Message& m) {
    for (const auto& f : m.fields()) {
      switch (f.id) {
        case HeaderId::Via: has_via = true; break;
        case HeaderId::Contact: has_contact = true; break;
        case HeaderId::Route:
        case HeaderId::RecordRoute: has_route = true; break;
        default:
          for (std::size_t i = 0; i < kCount; ++i) {
            if (kIds[i] != f.id) continue;
            if (count[i]++ == 0) value[i] = m.view(f.value);
            if (count[i] > 2) count[i] = 2;
            break;
          }
      }
    }
  }

  // Absent (`missing`, or fine when HeaderAbsent), repeated (DuplicateHeader) or bad (`check`).
  template <class Check>
  std::error_code check(std::size_t i, Errc missing, Errc bad, Check is_good) const {
    if (count[i] == 0) return missing == Errc::HeaderAbsent ? std::error_code{} : err(missing);
    if (count[i] > 1) return err(Errc::DuplicateHeader);
    return is_good(value[i]) ? std::error_code{} : err(bad);
  }
};

// sip, sips or tel, from the Request-URI text (parse_message has already checked its syntax).
bool has_supported_scheme(std::string_view uri) {
  const auto scheme = uri.substr(0, uri.find(':'));
  return iequals(scheme, "sip") || iequals(scheme, "sips") || iequals(scheme, "tel");
}

}  // namespace

std::error_code validate(const Message& m) {
  const SingleHeaders h(m);
  if (!h.has_via) return err(Errc::MissingVia);
  for (std::string_view v : m.values(HeaderId::Via))
    if (!parse_via(v)) return err(Errc::BadVia);
  const auto max_uri = m.max_uri_length();
  auto is_address = [&](std::string_view v) { return parse_name_addr(v, false, max_uri).has_value(); };
  if (auto ec = h.check(0, Errc::MissingFrom, Errc::BadFrom, is_address)) return ec;
  if (auto ec = h.check(1, Errc::MissingTo, Errc::BadTo, is_address)) return ec;
  if (auto ec = h.check(2, Errc::MissingCallId, Errc::BadCallId, is_valid_call_id)) return ec;
  std::string_view cseq_method;
  auto is_cseq = [&](std::string_view v) {
    auto c = parse_cseq(v);
    if (c) cseq_method = c->method;
    return c.has_value();
  };
  if (auto ec = h.check(3, Errc::MissingCSeq, Errc::BadCSeq, is_cseq)) return ec;
  if (m.is_request()) {
    if (cseq_method != m.method()) return err(Errc::CSeqMethodMismatch);
    auto is_max_forwards = [](std::string_view v) { return parse_max_forwards(v).has_value(); };
    if (auto ec = h.check(4, Errc::HeaderAbsent, Errc::BadMaxForwards, is_max_forwards)) return ec;
    if (!has_supported_scheme(m.request_uri_text())) return err(Errc::UnsupportedUriScheme);
  }
  if (h.has_contact) {
    for (std::string_view v : m.values(HeaderId::Contact))
      if (!parse_contact(v, max_uri)) return err(Errc::BadContact);
  }
  if (h.has_route) {
    for (HeaderId id : {HeaderId::Route, HeaderId::RecordRoute})
      for (std::string_view v : m.values(id))
        if (!parse_name_addr(v, true, max_uri)) return err(Errc::BadRoute);
  }
  auto is_delta = [](std::string_view v) { return parse_delta_seconds(v).has_value(); };
  if (auto ec = h.check(5, Errc::HeaderAbsent, Errc::BadExpires, is_delta)) return ec;
  auto is_content_type = [](std::string_view v) { return parse_content_type(v).has_value(); };
  if (auto ec = h.check(6, Errc::HeaderAbsent, Errc::BadContentType, is_content_type)) return ec;
  if (auto ec = h.check(7, Errc::HeaderAbsent, Errc::BadDate, is_valid_sip_date)) return ec;
  // Retry-After = delta-seconds [ comment ] *( SEMI retry-param ).
  auto is_retry_after = [](std::string_view v) {
    std::size_t n = 0;
    while (n < v.size() && is_digit(v[n])) ++n;
    const auto rest = trim_lws(v.substr(n));
    return parse_delta_seconds(v.substr(0, n)).has_value() &&
           (rest.empty() || rest.front() == '(' || rest.front() == ';');
  };
  return h.check(8, Errc::HeaderAbsent, Errc::BadRetryAfter, is_retry_after);
}

StreamFrame frame_stream(std::string_view bytes, const ParseOptions& options) {
  StreamFrame frame;
  frame.skip = skip_leading_crlf(bytes);
  const std::string_view s = bytes.substr(frame.skip);
  auto invalid = [&](Errc e) {
    frame.status = FrameStatus::Invalid;
    frame.error = err(e);
    return frame;
  };
  std::size_t pos = 0;
  std::size_t header_end = 0;
  std::optional<std::size_t> content_length;
  bool in_content_length = false;  // the previous header line was Content-Length (for folds)
  std::string length_text;         // a Content-Length value, folds joined (64 bytes a line at most)
  auto finish_length = [&]() -> std::optional<Errc> {
    if (!in_content_length) return std::nullopt;
    in_content_length = false;
    const auto n = parse_content_length(length_text);
    if (!n) return Errc::BadContentLength;
    if (content_length && *content_length != *n) return Errc::ConflictingContentLength;
    content_length = n;
    return std::nullopt;
  };
  bool is_first_line = true;
  while (true) {
    const auto nl = s.find('\n', pos);
    if (nl == std::string_view::npos) {
      if (s.size() > options.max_message_size) return invalid(Errc::MessageTooLarge);
      frame.status = FrameStatus::NeedMore;
      return frame;
    }
    std::string_view line = s.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl + 1;
    if (pos > options.max_message_size) return invalid(Errc::MessageTooLarge);
    if (is_first_line) {
      is_first_line = false;
      continue;
    }
    if (line.empty()) {
      if (auto e = finish_length()) return invalid(*e);
      header_end = pos;
      break;
    }
    if (is_lws(line.front())) {
      if (in_content_length) {
        length_text.push_back(' ');
        length_text.append(line.substr(0, 64));
      }
      continue;
    }
    if (auto e = finish_length()) return invalid(*e);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return invalid(Errc::BadHeaderLine);
    if (lookup_header(trim_lws(line.substr(0, colon))) == HeaderId::ContentLength) {
      in_content_length = true;
      length_text.assign(line.substr(colon + 1, 64));
    }
  }
  if (!content_length) return invalid(Errc::MissingContentLength);
  const std::size_t total = header_end + *content_length;
  if (total > options.max_message_size) return invalid(Errc::MessageTooLarge);
  if (s.size() < total) {
    frame.status = FrameStatus::NeedMore;
    return frame;
  }
  frame.status = FrameStatus::Complete;
  frame.length = total;
  return frame;
}

}  // namespace sb::sip
