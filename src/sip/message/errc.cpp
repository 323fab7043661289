#include "sip/message/errc.hpp"

namespace sb::sip {
namespace {

class SipCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sip"; }
  std::string message(int value) const override {
    const auto text = fault_text(static_cast<Errc>(value));
    return text.empty() ? "unknown sip error" : std::string(text);
  }
};

}  // namespace

const std::error_category& sip_category() noexcept {
  static const SipCategory category;
  return category;
}

std::error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), sip_category()}; }

Errc to_errc(const std::error_code& ec) noexcept {
  return ec.category() == sip_category() ? static_cast<Errc>(ec.value()) : Errc{};
}

int status_for(Errc e) noexcept {
  switch (e) {
    case Errc::MessageTooLarge: return 513;
    case Errc::UriTooLong: return 414;
    case Errc::UnsupportedUriScheme: return 416;
    case Errc::UnsupportedVersion: return 505;
    case Errc::HeadersIncomplete:
    case Errc::BadStatusLine:
    case Errc::MissingVia:
    case Errc::HeaderAbsent: return 0;
    default: return static_cast<int>(e) > 0 && e <= Errc::HeaderAbsent ? 400 : 0;
  }
}

std::string_view fault_text(Errc e) noexcept {
  switch (e) {
    case Errc::MessageTooLarge: return "Message Too Large";
    case Errc::TooManyHeaders: return "Too Many Header Fields";
    case Errc::HeadersIncomplete: return "Incomplete Header Block";
    case Errc::MissingContentLength: return "Missing Content-Length";
    case Errc::BadContentLength: return "Malformed Content-Length";
    case Errc::ConflictingContentLength: return "Conflicting Content-Length";
    case Errc::BodyTruncated: return "Content-Length Larger Than Message";
    case Errc::BadRequestLine: return "Malformed Request-Line";
    case Errc::BadRequestUri: return "Malformed Request-URI";
    case Errc::UriTooLong: return "URI Too Long";
    case Errc::UnsupportedUriScheme: return "Unsupported URI Scheme";
    case Errc::UnsupportedVersion: return "Unsupported SIP Version";
    case Errc::BadStatusLine: return "Malformed Status-Line";
    case Errc::BadHeaderLine: return "Malformed Header Line";
    case Errc::DuplicateHeader: return "Duplicate Single-Valued Header";
    case Errc::MissingVia: return "Missing Via";
    case Errc::BadVia: return "Malformed Via";
    case Errc::MissingFrom: return "Missing From";
    case Errc::BadFrom: return "Malformed From";
    case Errc::MissingTo: return "Missing To";
    case Errc::BadTo: return "Malformed To";
    case Errc::MissingCallId: return "Missing Call-ID";
    case Errc::BadCallId: return "Malformed Call-ID";
    case Errc::MissingCSeq: return "Missing CSeq";
    case Errc::BadCSeq: return "Malformed CSeq";
    case Errc::CSeqMethodMismatch: return "CSeq Method Mismatch";
    case Errc::BadMaxForwards: return "Malformed Max-Forwards";
    case Errc::BadContact: return "Malformed Contact";
    case Errc::BadRoute: return "Malformed Route";
    case Errc::BadExpires: return "Malformed Expires";
    case Errc::BadContentType: return "Malformed Content-Type";
    case Errc::BadDate: return "Malformed Date";
    case Errc::BadRetryAfter: return "Malformed Retry-After";
    case Errc::BadUri: return "Malformed URI";
    case Errc::BadNameAddr: return "Malformed Address";
    case Errc::HeaderAbsent: return "Header Absent";
  }
  return {};
}

std::string reason_phrase_for(Errc e) {
  switch (status_for(e)) {
    case 400: return "Bad Request - " + std::string(fault_text(e));
    case 414: return "Request-URI Too Long";
    case 416: return "Unsupported URI Scheme";
    case 505: return "Version Not Supported";
    case 513: return "Message Too Large";
    default: return std::string(fault_text(e));
  }
}

}  // namespace sb::sip
