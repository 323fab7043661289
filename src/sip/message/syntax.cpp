#include "sip/message/syntax.hpp"

namespace sb::sip::syntax {
namespace {

constexpr int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes the octet at s[i] (an escape or a plain character) and moves i past it.
char next_octet(std::string_view s, std::size_t& i) {
  if (s[i] == '%' && s.size() - i >= 3 && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
    const char c = static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
    i += 3;
    return c;
  }
  return s[i++];
}

}  // namespace

bool iequals_unescaped(std::string_view raw, std::string_view plain) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < raw.size() && j < plain.size()) {
    if (to_lower(next_octet(raw, i)) != to_lower(plain[j++])) return false;
  }
  return i == raw.size() && j == plain.size();
}

bool equals_unescaped(std::string_view a, std::string_view b) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (next_octet(a, i) != next_octet(b, j)) return false;
  }
  return i == a.size() && j == b.size();
}

std::string unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) out.push_back(next_octet(s, i));
  return out;
}

std::string escape(std::string_view s, std::uint16_t classes) {
  static constexpr char kHexDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (is(c, classes)) {
      out.push_back(c);
    } else {
      const auto u = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHexDigits[u >> 4]);
      out.push_back(kHexDigits[u & 0x0F]);
    }
  }
  return out;
}

std::string unquote(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::string(s);
  s = s.substr(1, s.size() - 2);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out.push_back(s[i]);
  }
  return out;
}

}  // namespace sb::sip::syntax
