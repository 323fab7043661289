#pragma once
// Writing a Message in canonical form: the start line, every header field on one CRLF-ended line
// under its full name (compact forms expanded, unknown names as received), values as parsed
// (folds already single-lined), then one Content-Length equal to the body size, an empty line
// and the body.

#include <string>

#include "sip/message/message.hpp"

namespace sb::sip {

// Appends to `out` (reuse one string to avoid allocating per message).
void serialize(const Message& message, std::string& out);
std::string serialize(const Message& message);

}  // namespace sb::sip
