#include "sip/message/serializer.hpp"

#include <charconv>

namespace sb::sip {
namespace {

void append_number(std::string& out, std::size_t n) {
  char digits[24];
  const auto r = std::to_chars(digits, digits + sizeof digits, n);
  out.append(digits, static_cast<std::size_t>(r.ptr - digits));
}

}  // namespace

void serialize(const Message& m, std::string& out) {
  std::size_t estimate = 64 + m.body().size() + m.method().size() + m.request_uri_text().size() + m.reason_phrase().size();
  for (const auto& f : m.fields()) estimate += f.name.length + f.value.length + 24;
  out.reserve(out.size() + estimate);
  if (m.is_request()) {
    out.append(m.method());
    out.push_back(' ');
    out.append(m.request_uri_text());
    out.append(" SIP/2.0\r\n");
  } else {
    out.append("SIP/2.0 ");
    append_number(out, static_cast<std::size_t>(m.status_code()));
    out.push_back(' ');
    out.append(m.reason_phrase());
    out.append("\r\n");
  }
  for (const auto& f : m.fields()) {
    if (f.id == HeaderId::ContentLength) continue;
    out.append(f.id == HeaderId::Other ? m.view(f.name) : canonical_name(f.id));
    out.append(": ");
    out.append(m.view(f.value));
    out.append("\r\n");
  }
  out.append("Content-Length: ");
  append_number(out, m.body().size());
  out.append("\r\n\r\n");
  out.append(m.body());
}

std::string serialize(const Message& m) {
  std::string out;
  serialize(m, out);
  return out;
}

}  // namespace sb::sip
