#pragma once
// Why a SIP message or one of its parts is malformed: sb::sip::Errc, an std::error_category.
// Each value knows the status a server answers a bad request with (status_for) and the short
// fault text that goes after "Bad Request - " in the reason phrase (fault_text).

#include <string>
#include <string_view>
#include <system_error>

namespace sb::sip {

enum class Errc {
  // --- Size and framing -------------------------------------------------------------------
  // The message exceeds ParseOptions::max_message_size. Nothing is parsed (no Message), so
  // nothing is answered: drop the datagram, or close the stream connection.
  MessageTooLarge = 1,
  // More header fields than ParseOptions::max_header_count. Answer 400.
  TooManyHeaders,
  // The header block never ends (no empty line): a truncated datagram. Drop it; on a stream
  // this is "need more bytes", reported by frame_stream, never by parse_message.
  HeadersIncomplete,
  // A stream message without Content-Length (RFC 3261 18.3 makes it mandatory there). The
  // framing is lost: answer 400 if possible, then close the connection.
  MissingContentLength,
  // Content-Length is not 1*DIGIT or does not fit (RFC 4475 3.1.2.3 "ncl"). Answer 400.
  BadContentLength,
  // Several Content-Length fields with different values (RFC 4475 3.3.9 "mcl01"). Answer 400.
  ConflictingContentLength,
  // Content-Length is larger than the bytes received in the datagram (RFC 3261 18.3,
  // RFC 4475 3.1.2.2 "clerr"). Answer 400.
  BodyTruncated,

  // --- Start line -------------------------------------------------------------------------
  // The Request-Line is not exactly `Method SP Request-URI SP SIP-Version` (extra or missing
  // spaces, bad method token: RFC 4475 "lwsruri", "lwsstart", "trws"). Answer 400.
  BadRequestLine,
  // The Request-URI does not parse, is wrapped in <> ("ltgtruri") or carries headers, which a
  // Request-URI must not ("escruri", RFC 3261 19.1.1). Answer 400.
  BadRequestUri,
  // A URI is longer than ParseOptions::max_uri_length. Answer 414 (Request-URI) or 400.
  UriTooLong,
  // The Request-URI scheme is neither sip, sips nor tel (RFC 4475 "unkscm"). Answer 416.
  UnsupportedUriScheme,
  // SIP-Version is well formed but not 2.0 (RFC 4475 "badvers"). Answer 505.
  UnsupportedVersion,
  // The Status-Line does not parse or its code is outside 100..699 ("bigcode"). Responses are
  // never answered: drop it.
  BadStatusLine,

  // --- Header fields ----------------------------------------------------------------------
  // A header line has no colon, an empty or non-token name, or a fold with nothing to continue.
  // Answer 400.
  BadHeaderLine,
  // A single-valued header (From, To, Call-ID, CSeq, Max-Forwards, Content-Type, Expires)
  // appears more than once (RFC 4475 "multi01"). Answer 400.
  DuplicateHeader,
  MissingVia,      // No Via: answer nothing (there is nowhere to send a response).
  BadVia,          // A Via value does not parse ("badinv01"); answer 400 if the top one does.
  MissingFrom,     // Answer 400.
  BadFrom,         // From is not a name-addr / addr-spec with params ("baddn"). Answer 400.
  MissingTo,       // Answer 400.
  BadTo,           // To does not parse ("quotbal", "badaspec"). Answer 400.
  MissingCallId,   // Answer 400.
  BadCallId,       // Call-ID is not word ["@" word]. Answer 400.
  MissingCSeq,     // Answer 400.
  BadCSeq,         // CSeq number over 2**31-1 or method not a token ("scalar02"). Answer 400.
  // The CSeq method differs from the request method ("mismatch01", "mismatch02"). Answer 400.
  CSeqMethodMismatch,
  BadMaxForwards,  // Max-Forwards is not 1*DIGIT in 0..255 ("scalar02"). Answer 400.
  BadContact,      // A Contact value does not parse, or expires/q out of range ("regbadct").
  BadRoute,        // A Route or Record-Route value is not a name-addr. Answer 400.
  BadExpires,      // Expires is not delta-seconds up to 2**32-1. Answer 400.
  BadContentType,  // Content-Type is not type "/" subtype *(";" param). Answer 400.
  BadDate,         // Date is not RFC 1123 in GMT ("baddate"). Answer 400.
  BadRetryAfter,   // Retry-After is not delta-seconds up to 2**32-1. Answer 400.

  // --- Values parsed on their own (accessors and helpers) ---------------------------------
  BadUri,          // A URI does not follow RFC 3261 19.1 / RFC 3966 / RFC 3986 syntax.
  BadNameAddr,     // A name-addr or addr-spec with header parameters does not parse.
  // An optional header asked for is absent: not a fault of the message.
  HeaderAbsent,
};

const std::error_category& sip_category() noexcept;
std::error_code make_error_code(Errc e) noexcept;

// The status a server answers a request with this fault: 400, 414, 416, 505 or 513; 0 when no
// response is sent (responses, missing Via, truncated datagrams, HeaderAbsent).
int status_for(Errc e) noexcept;
// Short text of the fault for reason phrases and logs, e.g. "Missing Call-ID".
std::string_view fault_text(Errc e) noexcept;
// The Reason-Phrase for answering `e`: "Bad Request - Missing Call-ID" for 400s, the standard
// phrase otherwise ("Version Not Supported").
std::string reason_phrase_for(Errc e);
// Errc from an error_code of sip_category(); nullopt-like Errc{} (0) for anything else.
Errc to_errc(const std::error_code& ec) noexcept;

}  // namespace sb::sip

template <>
struct std::is_error_code_enum<sb::sip::Errc> : std::true_type {};
