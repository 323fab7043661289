#pragma once
// The few pieces of rtpengine's "ng" control protocol that the relay benchmark needs: a message
// is "<cookie> <bencoded dictionary>" in one UDP datagram; the reply repeats the cookie. Only
// what offer/answer/delete/ping use is here: byte strings, integers, lists and dictionaries,
// decoded into flat string values (a list or dictionary value is skipped). Bench-only code.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::bench {

// A dictionary of string values, encoded with sorted keys as bencode requires.
class BencodeDict {
 public:
  BencodeDict& set(std::string key, std::string value) {
    values_[std::move(key)] = std::move(value);
    return *this;
  }
  std::string encode() const {
    std::string out = "d";
    for (const auto& [key, value] : values_) {
      out += std::to_string(key.size()) + ":" + key;
      out += std::to_string(value.size()) + ":" + value;
    }
    out += "e";
    return out;
  }

 private:
  std::map<std::string, std::string> values_;
};

namespace detail {
// Skips one bencoded value at `at`; false when malformed.
inline bool skip_value(std::string_view text, std::size_t& at, std::string* string_value) {
  if (at >= text.size()) return false;
  const char c = text[at];
  if (c == 'i') {
    const auto end = text.find('e', at);
    if (end == std::string_view::npos) return false;
    if (string_value) *string_value = std::string(text.substr(at + 1, end - at - 1));
    at = end + 1;
    return true;
  }
  if (c == 'l' || c == 'd') {
    ++at;
    while (at < text.size() && text[at] != 'e')
      if (!skip_value(text, at, nullptr)) return false;
    if (at >= text.size()) return false;
    ++at;
    return true;
  }
  const auto colon = text.find(':', at);
  if (colon == std::string_view::npos) return false;
  std::size_t length = 0;
  for (std::size_t i = at; i < colon; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    length = length * 10 + static_cast<std::size_t>(text[i] - '0');
  }
  if (colon + 1 + length > text.size()) return false;
  if (string_value) *string_value = std::string(text.substr(colon + 1, length));
  at = colon + 1 + length;
  return true;
}
}  // namespace detail

// Decodes a top-level dictionary into key -> string (integers as their digits); nullopt when
// malformed. Nested lists and dictionaries are skipped.
inline std::optional<std::map<std::string, std::string>> decode_dict(std::string_view text) {
  std::map<std::string, std::string> out;
  if (text.empty() || text[0] != 'd') return std::nullopt;
  std::size_t at = 1;
  while (at < text.size() && text[at] != 'e') {
    std::string key;
    if (!detail::skip_value(text, at, &key)) return std::nullopt;
    std::string value;
    if (at < text.size() && (text[at] == 'l' || text[at] == 'd')) {
      if (!detail::skip_value(text, at, nullptr)) return std::nullopt;
    } else if (!detail::skip_value(text, at, &value)) {
      return std::nullopt;
    }
    out[std::move(key)] = std::move(value);
  }
  if (at >= text.size()) return std::nullopt;
  return out;
}

// Splits "<cookie> <payload>".
inline std::optional<std::pair<std::string_view, std::string_view>> split_cookie(std::string_view message) {
  const auto space = message.find(' ');
  if (space == std::string_view::npos || space == 0) return std::nullopt;
  return std::pair{message.substr(0, space), message.substr(space + 1)};
}

}  // namespace sb::bench
