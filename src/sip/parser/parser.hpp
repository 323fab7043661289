#pragma once
// Parsing SIP messages from bytes (RFC 3261 7 and 18.3) and framing them on stream transports.
// Pure functions, no I/O, safe on any input: every fault becomes an Errc, never a crash or a
// read outside the buffer.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "sip/message/errc.hpp"
#include "sip/message/message.hpp"

namespace sb::sip {

struct ParseOptions {
  std::size_t max_message_size = 64 * 1024;
  std::size_t max_header_count = 256;
  std::size_t max_uri_length = kDefaultMaxUriLength;
  // Stream transports (TCP, TLS) require Content-Length (RFC 3261 18.3); datagrams take the rest
  // of the datagram as the body when it is absent.
  bool is_stream = false;
  // Also run validate() (mandatory headers and their syntax) after the structural parse.
  bool validate = true;
};

// What parse_message found. A message is present whenever the start line and the header block
// could be split into fields, even if the message is then found to be bad, so that a server can
// still answer it.
class ParseResult {
 public:
  bool ok() const { return !error_ && message_.has_value(); }
  std::error_code error() const { return error_; }
  Errc errc() const { return to_errc(error_); }
  bool has_message() const { return message_.has_value(); }
  Message& message() { return *message_; }
  const Message& message() const { return *message_; }

  // True when this is a bad request that should get an error response: not ACK, the fault has a
  // status (status_for) and the top Via parses, so the response can be routed (RFC 3261 8.2).
  bool can_answer() const;
  // The status and Reason-Phrase of that answer ("400", "Bad Request - Missing Call-ID").
  int answer_status() const { return status_for(errc()); }
  std::string answer_reason() const { return reason_phrase_for(errc()); }

  ParseResult() = default;
  ParseResult(std::error_code error, std::optional<Message> message)
      : error_(error), message_(std::move(message)) {}

 private:
  std::error_code error_;
  std::optional<Message> message_;
};

// Parses one message from `bytes`, which it takes over (the Message keeps them). On a datagram,
// bytes past Content-Length are ignored (RFC 4475 "dblreq"). Leading CRLFs are skipped.
ParseResult parse_message(std::string bytes, const ParseOptions& options = {});

// The checks a UAS or proxy makes before acting on a message (RFC 3261 8.2, 16.3) that
// parse_message leaves to accessors: Via, From, To, Call-ID, CSeq present, single where
// single-valued, well formed; the CSeq method equals a request's method; Max-Forwards, Expires,
// Contact, Route, Record-Route, Content-Type, Date, Retry-After well formed when present;
// Request-URI scheme is sip, sips or tel. Returns the first fault in that order.
std::error_code validate(const Message& message);

enum class FrameStatus { Complete, NeedMore, Invalid };

struct StreamFrame {
  FrameStatus status = FrameStatus::NeedMore;
  // Leading CRLFs to discard before the message (RFC 3261 7.5; RFC 5626 keep-alives). Also
  // set when status is NeedMore, so the caller can drop them early.
  std::size_t skip = 0;
  // Bytes of the message after `skip`, when Complete.
  std::size_t length = 0;
  // Why, when Invalid: MessageTooLarge, MissingContentLength, BadContentLength,
  // ConflictingContentLength, BadHeaderLine. The connection cannot be resynchronised.
  std::error_code error;
};

// How many bytes of a stream buffer form the next complete message, or that more are needed,
// or that the framing is broken. Reads only the header block and Content-Length.
StreamFrame frame_stream(std::string_view bytes, const ParseOptions& options = {});

}  // namespace sb::sip
