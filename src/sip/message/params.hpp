#pragma once
// ParamList: a view over ";name[=value]..." as found after a URI (uri-parameters) or a header
// value (generic-param), read on demand without allocating. Values are raw: still %-escaped
// (URI params) or quoted (header params); see syntax::unescape and syntax::unquote.

#include <cstddef>
#include <iterator>
#include <optional>
#include <string_view>

namespace sb::sip {

struct Param {
  std::string_view name;
  std::string_view value;  // empty when has_value is false
  bool has_value = false;
  // Set by scan_header_params only: the value is a token (no quotes, no "[" "]" ":").
  bool is_token_value = false;
};

class ParamList {
 public:
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Param;
    using difference_type = std::ptrdiff_t;
    using pointer = const Param*;
    using reference = const Param&;

    Iterator() = default;
    explicit Iterator(std::string_view rest) : rest_(rest) { advance(); }
    const Param& operator*() const { return current_; }
    const Param* operator->() const { return &current_; }
    Iterator& operator++() {
      advance();
      return *this;
    }
    Iterator operator++(int) {
      auto copy = *this;
      advance();
      return copy;
    }
    bool operator==(const Iterator& other) const {
      return at_end_ == other.at_end_ && (at_end_ || current_.name.data() == other.current_.name.data());
    }

   private:
    void advance();
    std::string_view rest_;
    Param current_;
    bool at_end_ = true;
  };

  ParamList() = default;
  // `text` must have been checked by scan_header_params or scan_uri_params. URI parameters
  // (`is_escaped`) match names after %HH decoding: ";%6C%72" is ";lr" (RFC 3261 19.1.4).
  explicit ParamList(std::string_view text, bool is_escaped = false) : text_(text), is_escaped_(is_escaped) {}

  Iterator begin() const { return Iterator(text_); }
  Iterator end() const { return Iterator(); }

  // The value of the first parameter named `name` (case-insensitive): "" when it has none,
  // nullopt when absent.
  std::optional<std::string_view> find(std::string_view name) const;
  bool contains(std::string_view name) const { return find(name).has_value(); }
  bool empty() const { return text_.empty(); }
  std::string_view text() const { return text_; }

 private:
  std::string_view text_;
  bool is_escaped_ = false;
};

// Called for each parameter as it is scanned; returning false rejects the parameter list.
using ParamVisitor = bool (*)(void* context, const Param& param);

// Consumes `*( SEMI generic-param )` from the front of `s` (RFC 3261 25.1: LWS allowed around
// ";" and "=", values token / host / quoted-string) and returns the text consumed; nullopt if a
// parameter is malformed (empty name, unterminated quote...) or `visit` rejects one. Stops
// before anything else.
std::optional<std::string_view> scan_header_params(std::string_view& s, ParamVisitor visit = nullptr,
                                                   void* context = nullptr);

// Consumes `*( ";" uri-parameter )` from the front of `s` (no LWS; names and values are
// paramchar with valid %HH escapes); nullopt when malformed.
std::optional<std::string_view> scan_uri_params(std::string_view& s);

}  // namespace sb::sip
