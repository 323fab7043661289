#include "sip/parser/message_builder.hpp"

#include <charconv>

#include "sip/message/syntax.hpp"

namespace sb::sip {
namespace {

// Appends `value` with CR and LF turned into spaces (no header injection); clean runs are
// copied whole.
void append_sanitized(std::string& out, std::string_view value) {
  auto run = value.begin();
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (*it != '\r' && *it != '\n') continue;
    out.append(run, it);
    out.push_back(' ');
    run = it + 1;
  }
  out.append(run, value.end());
}

void append_number(std::string& out, std::size_t n) {
  char digits[24];
  const auto r = std::to_chars(digits, digits + sizeof digits, n);
  out.append(digits, static_cast<std::size_t>(r.ptr - digits));
}

}  // namespace

std::string_view default_reason_phrase(int status) noexcept {
  switch (status) {
    case 100: return "Trying";
    case 180: return "Ringing";
    case 181: return "Call Is Being Forwarded";
    case 182: return "Queued";
    case 183: return "Session Progress";
    case 199: return "Early Dialog Terminated";
    case 200: return "OK";
    case 202: return "Accepted";
    case 204: return "No Notification";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Moved Temporarily";
    case 305: return "Use Proxy";
    case 380: return "Alternative Service";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 410: return "Gone";
    case 413: return "Request Entity Too Large";
    case 414: return "Request-URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Unsupported URI Scheme";
    case 420: return "Bad Extension";
    case 421: return "Extension Required";
    case 422: return "Session Interval Too Small";
    case 423: return "Interval Too Brief";
    case 480: return "Temporarily Unavailable";
    case 481: return "Call/Transaction Does Not Exist";
    case 482: return "Loop Detected";
    case 483: return "Too Many Hops";
    case 484: return "Address Incomplete";
    case 485: return "Ambiguous";
    case 486: return "Busy Here";
    case 487: return "Request Terminated";
    case 488: return "Not Acceptable Here";
    case 489: return "Bad Event";
    case 491: return "Request Pending";
    case 493: return "Undecipherable";
    case 500: return "Server Internal Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Server Time-out";
    case 505: return "Version Not Supported";
    case 513: return "Message Too Large";
    case 600: return "Busy Everywhere";
    case 603: return "Decline";
    case 604: return "Does Not Exist Anywhere";
    case 606: return "Not Acceptable";
    default: return "Unknown";
  }
}

MessageBuilder MessageBuilder::request(std::string_view method, std::string_view request_uri) {
  MessageBuilder b;
  b.head_.reserve(512);
  append_sanitized(b.head_, method);
  b.head_.push_back(' ');
  append_sanitized(b.head_, request_uri);
  b.head_.append(" SIP/2.0\r\n");
  return b;
}

MessageBuilder MessageBuilder::response(int status_code, std::string_view reason_phrase) {
  MessageBuilder b;
  b.head_.reserve(512);
  b.head_.append("SIP/2.0 ");
  append_number(b.head_, static_cast<std::size_t>(status_code < 0 ? 0 : status_code));
  b.head_.push_back(' ');
  append_sanitized(b.head_, reason_phrase.empty() ? default_reason_phrase(status_code) : reason_phrase);
  b.head_.append("\r\n");
  return b;
}

MessageBuilder& MessageBuilder::add(HeaderId id, std::string_view value) {
  return id == HeaderId::Other ? *this : add(canonical_name(id), value);
}

MessageBuilder& MessageBuilder::add(std::string_view name, std::string_view value) {
  if (lookup_header(name) == HeaderId::ContentLength) return *this;  // written by to_string()
  append_sanitized(head_, name);
  head_.append(": ");
  append_sanitized(head_, value);
  head_.append("\r\n");
  return *this;
}

MessageBuilder& MessageBuilder::body(std::string_view bytes) {
  body_.assign(bytes);
  return *this;
}

std::string MessageBuilder::to_string() const {
  std::string out;
  out.reserve(head_.size() + body_.size() + 32);
  out.append(head_);
  out.append("Content-Length: ");
  append_number(out, body_.size());
  out.append("\r\n\r\n");
  out.append(body_);
  return out;
}

Result<Message> MessageBuilder::build() const {
  ParseOptions options;
  options.validate = false;
  options.max_message_size = head_.size() + body_.size() + 64;
  auto result = parse_message(to_string(), options);
  if (!result.ok()) return result.error();
  return std::move(result.message());
}

MessageBuilder make_response(const Message& request, int status, std::string_view reason_phrase,
                             std::string_view to_tag, std::optional<std::string_view> top_via) {
  auto b = MessageBuilder::response(status, reason_phrase);
  const bool copy_record_route = status > 100 && status < 300 &&
                                 (request.method_id() == Method::Invite || request.method_id() == Method::Subscribe ||
                                  request.method_id() == Method::Refer);
  bool has_vias = false;
  for (const auto& f : request.fields()) {
    const auto value = request.view(f.value);
    switch (f.id) {
      case HeaderId::Via:
        if (!top_via) {
          b.add(f.id, value);
        } else if (!has_vias) {
          // Every Via value here, where the first Via field was; later Via fields are done.
          has_vias = true;
          bool is_top = true;
          for (const auto v : request.values(HeaderId::Via)) {
            b.add(HeaderId::Via, is_top ? *top_via : v);
            is_top = false;
          }
        }
        break;
      case HeaderId::From:
      case HeaderId::CallId:
      case HeaderId::CSeq:
        b.add(f.id, value);
        break;
      case HeaderId::To: {
        auto to = parse_name_addr(value);
        if (status != 100 && !to_tag.empty() && to && !to->has_tag()) {
          std::string tagged(value);
          tagged.append(";tag=");
          tagged.append(to_tag);
          b.add(f.id, tagged);
        } else {
          b.add(f.id, value);
        }
        break;
      }
      case HeaderId::Timestamp:
        if (status == 100) b.add(f.id, value);
        break;
      case HeaderId::RecordRoute:
        if (copy_record_route) b.add(f.id, value);
        break;
      default:
        break;
    }
  }
  return b;
}

std::optional<MessageBuilder> make_error_response(const ParseResult& result, std::string_view to_tag) {
  if (!result.can_answer()) return std::nullopt;
  return make_response(result.message(), result.answer_status(), result.answer_reason(), to_tag);
}

}  // namespace sb::sip
