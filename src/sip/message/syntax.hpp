#pragma once
// Character classes and small lexing helpers of the RFC 3261 section 25 grammar, shared by the
// message model and the parser. Pure functions over bytes; no allocation.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sb::sip::syntax {

enum CharClass : std::uint16_t {
  kAlnum = 1 << 0,
  kToken = 1 << 1,         // token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"
  kUnreserved = 1 << 2,    // unreserved: alphanum / mark
  kUserExtra = 1 << 3,     // user-unreserved: "&" / "=" / "+" / "$" / "," / ";" / "?" / "/"
  kPasswordExtra = 1 << 4, // password: "&" / "=" / "+" / "$" / ","
  kParamExtra = 1 << 5,    // param-unreserved: "[" / "]" / "/" / ":" / "&" / "+" / "$"
  kHeaderExtra = 1 << 6,   // hnv-unreserved: "[" / "]" / "/" / "?" / ":" / "+" / "$"
  kWord = 1 << 7,          // word (Call-ID): token plus "(" ")" "<" ">" ":" "\" DQUOTE "/" "[" "]" "?" "{" "}"
  kHex = 1 << 8,
  kDigit = 1 << 9,
  kHostChar = 1 << 10,     // hostname characters: alphanum / "-" / "."
  kUric = 1 << 11,         // characters of an absoluteURI we accept for unknown schemes
  kGenValue = 1 << 12,     // unquoted gen-value: token / host (adds "[" "]" ":" for IPv6)
};

namespace detail {
constexpr bool in(char c, std::string_view set) {
  for (char s : set)
    if (s == c) return true;
  return false;
}
constexpr std::array<std::uint16_t, 256> make_table() {
  std::array<std::uint16_t, 256> t{};
  for (int i = 0; i < 256; ++i) {
    const char c = static_cast<char>(i);
    std::uint16_t v = 0;
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool digit = c >= '0' && c <= '9';
    if (alpha || digit) v |= kAlnum | kToken | kUnreserved | kWord | kHostChar | kUric;
    if (digit) v |= kDigit | kHex;
    if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) v |= kHex;
    if (in(c, "-.!%*_+`'~")) v |= kToken | kWord;
    if (alpha || digit || in(c, "-.!%*_+`'~[]:")) v |= kGenValue;
    if (in(c, "-_.!~*'()")) v |= kUnreserved;
    if (in(c, "&=+$,;?/")) v |= kUserExtra;
    if (in(c, "&=+$,")) v |= kPasswordExtra;
    if (in(c, "[]/:&+$")) v |= kParamExtra;
    if (in(c, "[]/?:+$")) v |= kHeaderExtra;
    if (in(c, "()<>:\\\"/[]?{}")) v |= kWord;
    if (in(c, "-.")) v |= kHostChar;
    if (in(c, "-_.!~*'();/?:@&=+$,%[]#")) v |= kUric;
    t[static_cast<unsigned char>(i)] = v;
  }
  return t;
}
inline constexpr std::array<std::uint16_t, 256> kTable = make_table();
}  // namespace detail

constexpr bool is(char c, std::uint16_t classes) {
  return (detail::kTable[static_cast<unsigned char>(c)] & classes) != 0;
}
constexpr bool is_token_char(char c) { return is(c, kToken); }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_hex(char c) { return is(c, kHex); }
constexpr bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// Linear white space once folding is undone (the parser turns CRLF of a fold into spaces).
constexpr bool is_lws(char c) { return c == ' ' || c == '\t'; }

constexpr char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  return true;
}

// Case-insensitive equality of token characters `s` with `lower`, a name spelled in lowercase
// letters, digits, "-" and ".": OR-ing 0x20 lowercases a letter and maps no other token
// character onto one of those.
constexpr bool token_equals_lower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (static_cast<char>(s[i] | 0x20) != lower[i]) return false;
  return true;
}

constexpr bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_token_char(c)) return false;
  return true;
}

constexpr std::string_view trim_lws(std::string_view s) {
  while (!s.empty() && is_lws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_lws(s.back())) s.remove_suffix(1);
  return s;
}
constexpr void skip_lws(std::string_view& s) {
  while (!s.empty() && is_lws(s.front())) s.remove_prefix(1);
}

// 1*DIGIT no greater than `max`; nullopt on anything else (sign, space, overflow, empty).
constexpr std::optional<std::uint64_t> parse_uint(std::string_view s, std::uint64_t max) {
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
    if (v > max) return std::nullopt;
  }
  return v;
}

// Every "%" starts "%" HEXDIG HEXDIG, and every other character is in `classes`.
constexpr bool is_escaped_text(std::string_view s, std::uint16_t classes) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (s.size() - i < 3) return false;
      if (!is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
      i += 2;
    } else if (!is(c, classes)) {
      return false;
    }
  }
  return true;
}

// Length of the quoted-string that starts at s[0] == '"', closing quote included; 0 when it is
// unterminated. quoted-pair ("\" any octet but CR/LF) may escape a quote.
constexpr std::size_t quoted_string_length(std::string_view s) {
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i] == '\\') {
      if (i + 1 >= s.size() || s[i + 1] == '\r' || s[i + 1] == '\n') return 0;
      ++i;
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return 0;
}

// Case-insensitive comparison of %-escaped `raw` with plain `plain` ("%6Cr" equals "LR").
bool iequals_unescaped(std::string_view raw, std::string_view plain);
// Case-sensitive comparison after decoding %HH escapes on both sides.
bool equals_unescaped(std::string_view a, std::string_view b);

// Decodes %HH escapes; a "%" not followed by two hex digits stays as it is.
std::string unescape(std::string_view s);
// Escapes every octet not in `classes` as %HH (uppercase hex).
std::string escape(std::string_view s, std::uint16_t classes);
// The content of a quoted-string without its quotes, quoted-pairs resolved. `s` may be unquoted,
// then it is returned unchanged.
std::string unquote(std::string_view s);

}  // namespace sb::sip::syntax
