#pragma once
// Message: a SIP request or response parsed in place. It owns the bytes it was parsed from;
// header names, values and the body are views into them, and typed values (Via, CSeq, From...)
// are parsed on each access. Created by parse_message (sip/parser) or MessageBuilder; a plain
// value owned by whoever received it, used on the signalling loop.

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sip/message/header_name.hpp"
#include "sip/message/header_values.hpp"
#include "sip/message/name_addr.hpp"
#include "sip/message/uri.hpp"

namespace sb::sip {

enum class Method : std::uint8_t {
  Invite, Ack, Bye, Cancel, Options, Register, Prack, Subscribe, Notify, Publish, Info, Refer,
  Message, Update, Other,
};
// Methods are case-sensitive (RFC 3261 7.1): "invite" is Method::Other.
Method method_from(std::string_view name) noexcept;
std::string_view method_name(Method m) noexcept;  // empty for Method::Other

struct TextSpan {
  std::uint32_t offset = 0;
  std::uint32_t length = 0;
};

struct HeaderField {
  HeaderId id = HeaderId::Other;
  TextSpan name;
  TextSpan value;  // LWS-trimmed; folds already turned into spaces
};

struct HeaderView {
  HeaderId id;
  std::string_view name;   // as written ("v", "VIA", "X-Foo")
  std::string_view value;
};

class Message;

// Every value of one header across all its fields, list headers split at top-level commas (not
// inside quotes or <>), each value LWS-trimmed. Empty elements (",,") are kept so that typed
// parsers can reject them. Non-list headers yield each field's whole value.
// HeaderId::Other yields the values of every unknown header; use Message::header(name) for one.
class HeaderValues {
 public:
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using pointer = const std::string_view*;
    using reference = const std::string_view&;

    Iterator() = default;
    Iterator(const Message* message, HeaderId id);
    const std::string_view& operator*() const { return current_; }
    const std::string_view* operator->() const { return &current_; }
    Iterator& operator++() {
      advance();
      return *this;
    }
    Iterator operator++(int) {
      auto copy = *this;
      advance();
      return copy;
    }
    bool operator==(const Iterator& o) const {
      return field_ == o.field_ && (field_ == kEnd || (rest_.data() == o.rest_.data() && has_rest_ == o.has_rest_));
    }

   private:
    static constexpr std::size_t kEnd = static_cast<std::size_t>(-1);
    void advance();
    const Message* message_ = nullptr;
    HeaderId id_ = HeaderId::Other;
    std::size_t field_ = kEnd;
    std::size_t next_ = 0;
    std::string_view rest_;
    bool has_rest_ = false;
    std::string_view current_;
  };

  HeaderValues(const Message* message, HeaderId id) : message_(message), id_(id) {}
  Iterator begin() const { return Iterator(message_, id_); }
  Iterator end() const { return Iterator(); }
  bool empty() const { return begin() == end(); }

 private:
  const Message* message_;
  HeaderId id_;
};

// Splits the first element off a comma-separated header value: returns it LWS-trimmed and
// leaves in `rest` what follows the comma; `has_more` says whether a comma was found.
std::string_view split_list_element(std::string_view& rest, bool& has_more);

class Message {
 public:
  Message() = default;

  bool is_request() const { return is_request_; }
  bool is_response() const { return !is_request_; }

  // Request-Line (requests).
  std::string_view method() const { return view(method_); }
  Method method_id() const { return method_id_; }
  std::string_view request_uri_text() const { return view(request_uri_); }
  Result<Uri> request_uri(std::size_t max_length = kDefaultMaxUriLength) const;
  // Status-Line (responses).
  int status_code() const { return status_code_; }
  std::string_view reason_phrase() const { return view(reason_); }
  std::string_view version() const { return view(version_); }

  // Header fields in the order received.
  std::size_t header_count() const { return fields_.size(); }
  HeaderView header_at(std::size_t i) const {
    const auto& f = fields_[i];
    return {f.id, view(f.name), view(f.value)};
  }
  // The value of the first field of `id` / named `name` (any case, full or compact form).
  std::optional<std::string_view> header(HeaderId id) const;
  std::optional<std::string_view> header(std::string_view name) const;
  std::size_t count(HeaderId id) const;
  HeaderValues values(HeaderId id) const { return {this, id}; }

  std::string_view body() const { return view(body_); }
  bool has_body() const { return body_.length != 0; }
  // Everything parsed: start line, headers and body (trailing datagram bytes excluded).
  std::string_view text() const { return {buffer_.data(), std::size_t{body_.offset} + body_.length}; }

  // --- Typed accessors: parsed on each call; views into this message. ---
  // The first Via value (Errc::MissingVia / BadVia).
  Result<Via> top_via() const;
  // Every Via value in order (Errc::BadVia on the first bad one).
  Result<std::vector<Via>> vias() const;
  Result<CSeq> cseq() const;            // MissingCSeq / BadCSeq
  Result<NameAddr> from() const;        // MissingFrom / BadFrom
  Result<NameAddr> to() const;          // MissingTo / BadTo
  Result<std::string_view> call_id() const;  // MissingCallId / BadCallId
  Result<std::uint8_t> max_forwards() const;  // HeaderAbsent / BadMaxForwards
  Result<std::uint32_t> expires() const;      // HeaderAbsent / BadExpires
  Result<ContentType> content_type() const;   // HeaderAbsent / BadContentType
  // Contacts, routes: empty when the header is absent; BadContact / BadRoute.
  Result<std::vector<Contact>> contacts() const;
  Result<std::vector<NameAddr>> routes() const;
  Result<std::vector<NameAddr>> record_routes() const;
  // Content-Length as declared (the body length when it was absent on a datagram).
  std::size_t content_length() const { return body_.length; }

  std::string_view view(TextSpan s) const { return {buffer_.data() + s.offset, s.length}; }
  const std::vector<HeaderField>& fields() const { return fields_; }
  // ParseOptions::max_uri_length of the parse, applied by the typed accessors too.
  std::size_t max_uri_length() const { return max_uri_length_; }

 private:
  friend struct MessageParser;
  Result<std::vector<NameAddr>> route_list(HeaderId id) const;

  std::string buffer_;
  std::vector<HeaderField> fields_;
  TextSpan method_;
  TextSpan request_uri_;
  TextSpan version_;
  TextSpan reason_;
  TextSpan body_;
  int status_code_ = 0;
  Method method_id_ = Method::Other;
  bool is_request_ = true;
  std::uint32_t max_uri_length_ = kDefaultMaxUriLength;
};

}  // namespace sb::sip
