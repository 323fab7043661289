#include "sip/message/serializer.hpp"

#include <charconv>
#include <cstring>

namespace sb::sip {
void serialize(const Message& m, std::string& out) {
  // Two passes: the exact size, then plain copies into the grown string.
  char status[24];
  std::size_t status_length = 0;
  std::size_t size = 0;
  if (m.is_request()) {
    size += m.method().size() + 1 + m.request_uri_text().size() + 10;  // " SIP/2.0\r\n"
  } else {
    status_length = static_cast<std::size_t>(
        std::to_chars(status, status + sizeof status, m.status_code()).ptr - status);
    size += 8 + status_length + 1 + m.reason_phrase().size() + 2;
  }
  for (const auto& f : m.fields()) {
    if (f.id == HeaderId::ContentLength) continue;
    size += (f.id == HeaderId::Other ? f.name.length : canonical_name(f.id).size()) + 2 + f.value.length + 2;
  }
  char length[24];
  const auto length_size =
      static_cast<std::size_t>(std::to_chars(length, length + sizeof length, m.body().size()).ptr - length);
  size += 16 + length_size + 4 + m.body().size();

  const std::size_t start = out.size();
  out.resize(start + size);
  char* p = out.data() + start;
  auto put = [&p](std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  };
  if (m.is_request()) {
    put(m.method());
    put(" ");
    put(m.request_uri_text());
    put(" SIP/2.0\r\n");
  } else {
    put("SIP/2.0 ");
    put({status, status_length});
    put(" ");
    put(m.reason_phrase());
    put("\r\n");
  }
  for (const auto& f : m.fields()) {
    if (f.id == HeaderId::ContentLength) continue;
    put(f.id == HeaderId::Other ? m.view(f.name) : canonical_name(f.id));
    put(": ");
    put(m.view(f.value));
    put("\r\n");
  }
  put("Content-Length: ");
  put({length, length_size});
  put("\r\n\r\n");
  put(m.body());
}

std::string serialize(const Message& m) {
  std::string out;
  serialize(m, out);
  return out;
}

}  // namespace sb::sip
