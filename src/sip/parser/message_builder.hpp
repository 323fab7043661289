#pragma once
// MessageBuilder: writes a new request or response as canonical text, then parses it into a
// Message (so a built Message is exactly what goes on the wire). Lives beside the parser
// because build() parses. make_response applies RFC 3261 8.2.6 to answer a request.

#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "sip/message/message.hpp"
#include "sip/parser/parser.hpp"

namespace sb::sip {

// Reason-Phrase of RFC 3261 21 (and common extensions) for `status`; "Unknown" when none.
std::string_view default_reason_phrase(int status) noexcept;

class MessageBuilder {
 public:
  static MessageBuilder request(std::string_view method, std::string_view request_uri);
  // An empty `reason_phrase` takes default_reason_phrase(status_code).
  static MessageBuilder response(int status_code, std::string_view reason_phrase = {});

  // Appends a header line under the canonical name of `id` (or `name` as given). CR and LF in
  // `value` become spaces, so a value can never start a new header.
  MessageBuilder& add(HeaderId id, std::string_view value);
  MessageBuilder& add(std::string_view name, std::string_view value);
  // The body bytes; Content-Length is written by to_string(). Content-Type is the caller's.
  MessageBuilder& body(std::string_view bytes);

  // Start line, headers, Content-Length, empty line, body.
  std::string to_string() const;
  // to_string() parsed (structure only, not validate()): fails only on a bad name or start line.
  Result<Message> build() const;

 private:
  MessageBuilder() = default;
  std::string head_;
  std::string body_;
};

// A response to `request` as RFC 3261 8.2.6.2 requires: every Via in order, From, To, Call-ID
// and CSeq copied; ";tag=`to_tag`" added to To when it has no tag, the status is not 100 and
// `to_tag` is not empty; Timestamp copied into a 100 (8.2.6.1); Record-Route copied into 101-299
// responses to dialog-creating INVITE/SUBSCRIBE/REFER (12.1.1). Headers absent from the request
// are simply not copied. With `top_via`, the Via values are written one per header field,
// the first replaced by `top_via` (a server's stamped copy: received, rport).
MessageBuilder make_response(const Message& request, int status, std::string_view reason_phrase = {},
                             std::string_view to_tag = {}, std::optional<std::string_view> top_via = std::nullopt);

// The answer to a bad request (ParseResult::can_answer()): "400 Bad Request - Missing Call-ID",
// 505, 416... nullopt when it must not be answered.
std::optional<MessageBuilder> make_error_response(const ParseResult& result, std::string_view to_tag = {});

}  // namespace sb::sip
