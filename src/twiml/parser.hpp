#pragma once
// TwiML text → twiml::Document, with Twilio's error codes. Pure: no I/O, no state; any input,
// however hostile, yields a document or a Diagnostic (no crash, no unbounded work: the size and
// nesting limits below bound it). Runs on whichever thread calls it (the signalling loop).
//
// Rules (twilio-voice-digest.md 3.1-3.3; choices where Twilio's behaviour is unconfirmed are
// marked "choice"):
// - The root must be `<Response>` (12102); XML must be well-formed (12100), including what
//   pugixml alone lets pass: no blank before `<?xml`, exactly one root element, no text outside
//   it, no duplicate attributes, no bare '&' (the classic `?a=1&b=2` mistake), no '<' in
//   attribute values, valid UTF-8 (or a declared encoding pugixml converts, e.g. ISO-8859-1),
//   no control characters. Element and attribute names are case-sensitive; comments, CDATA and
//   the predefined and numeric entities are honoured; a DOCTYPE is skipped and its entities are
//   not expanded (left as written).
// - Choice: unknown elements are skipped with their subtree, unknown attributes ignored, and
//   elements in a place they may not appear skipped; each adds a warning (12200, or 13320 inside
//   `<Gather>`, 13215 inside `<Dial>`) and the rest of the document is kept.
// - Choice: an attribute whose value is invalid refuses the document with the most specific code
//   the digest gives (e.g. 13212, 13314, 13810, 13910), else 12200 — unless
//   ParseOptions::invalid_values says WarnAndUseDefault. Integers slightly out of a documented
//   range are clamped to it with a warning instead (Dial timeout 5-600, timeLimit <= 86400,
//   loop <= 1000, AMD thresholds).
// - Choice: keyword values are case-insensitive (`method="post"`, `TRUE`, `reason="Busy"`); an
//   empty URL attribute (`action=""`) counts as absent; event lists may be separated by blanks
//   or commas; bodies are trimmed; `<Say>` text has its blanks collapsed.
// - Choice: a `<Dial>` with nothing to dial is kept (empty targets) with a 12200 warning, so the
//   caller can fail it like an unreachable target.
// - Recognised verbs switchboard does not run (Leave, Enqueue, Connect, ...) are kept as
//   Unsupported so the caller reports them when reached; likewise UnsupportedNoun in `<Dial>`.

#include <boost/system/result.hpp>
#include <cstddef>
#include <string_view>

#include "core/result.hpp"
#include "twiml/document.hpp"

namespace sb::twiml {

// Twilio refuses TwiML responses over 64 kB (11750); so do we, before parsing.
inline constexpr std::size_t kMaxDocumentSize = 64 * 1024;

enum class InvalidValuePolicy {
  Reject,             // the first invalid attribute value or structure refuses the document
  WarnAndUseDefault,  // it becomes a warning; the attribute takes its default, the element is dropped
};

struct ParseOptions {
  std::size_t max_document_size = kMaxDocumentSize;
  std::size_t max_depth = 32;     // element nesting, <Response> being 1 (SSML needs a few)
  std::size_t max_warnings = 64;  // further ones are only counted
  InvalidValuePolicy invalid_values = InvalidValuePolicy::Reject;
};

// The document, or why it is refused. `error().code` says which (twilio_code() gives Twilio's
// number); `error().message` is for Notifications and logs (for 12100 it carries pugixml's
// description and the line, column and offset).
using ParseResult = boost::system::result<Document, Diagnostic>;

ParseResult parse(std::string_view text, const ParseOptions& options = {});

// Screening TwiML (`<Number url>`, `<Sip url>`, `<Client url>`) runs on the callee before the
// bridge and may not dial: a `<Dial>` anywhere → DialInScreeningDocument (13201).
Result<void> validate_screening(const Document& document);

// Lets ParseResult::value() throw on error: std::system_error with the code and message.
[[noreturn]] void throw_exception_from_error(const Diagnostic& error, const boost::source_location& loc);

}  // namespace sb::twiml
