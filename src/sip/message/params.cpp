#include "sip/message/params.hpp"

#include "sip/message/syntax.hpp"

namespace sb::sip {
namespace {

using namespace syntax;

constexpr bool ends_unquoted_value(char c) { return c == ';' || c == ',' || is_lws(c); }

// Takes the longest run of `classes` characters and valid %HH escapes from the front of `s`.
// Returns false when a "%" is not followed by two hex digits.
bool take_escaped(std::string_view& s, std::uint16_t classes, std::string_view& out) {
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '%') {
      if (s.size() - i < 3 || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
      i += 3;
    } else if (is(s[i], classes)) {
      ++i;
    } else {
      break;
    }
  }
  out = s.substr(0, i);
  s.remove_prefix(i);
  return true;
}

}  // namespace

void ParamList::Iterator::advance() {
  std::string_view s = rest_;
  skip_lws(s);
  if (s.empty() || s.front() != ';') {
    at_end_ = true;
    rest_ = {};
    current_ = {};
    return;
  }
  s.remove_prefix(1);
  skip_lws(s);
  std::size_t n = 0;
  while (n < s.size() && s[n] != '=' && !ends_unquoted_value(s[n])) ++n;
  Param p{.name = s.substr(0, n)};
  s.remove_prefix(n);
  std::string_view t = s;
  skip_lws(t);
  if (!t.empty() && t.front() == '=') {
    t.remove_prefix(1);
    skip_lws(t);
    std::size_t v = 0;
    if (!t.empty() && t.front() == '"') {
      v = quoted_string_length(t);
      if (v == 0) v = t.size();
    } else {
      while (v < t.size() && !ends_unquoted_value(t[v])) ++v;
    }
    p.value = t.substr(0, v);
    p.has_value = true;
    t.remove_prefix(v);
    s = t;
  }
  current_ = p;
  rest_ = s;
  at_end_ = false;
}

std::optional<std::string_view> ParamList::find(std::string_view name) const {
  for (const Param& p : *this)
    if (is_escaped_ ? iequals_unescaped(p.name, name) : iequals(p.name, name)) return p.value;
  return std::nullopt;
}

std::optional<std::string_view> scan_header_params(std::string_view& s, ParamVisitor visit, void* context) {
  const char* const start = s.data();
  std::string_view rest = s;
  for (;;) {
    std::string_view t = rest;
    skip_lws(t);
    if (t.empty() || t.front() != ';') break;
    t.remove_prefix(1);
    skip_lws(t);
    std::size_t n = 0;
    while (n < t.size() && is_token_char(t[n])) ++n;
    if (n == 0) return std::nullopt;
    Param param{.name = t.substr(0, n)};
    t.remove_prefix(n);
    std::string_view u = t;
    skip_lws(u);
    if (!u.empty() && u.front() == '=') {
      u.remove_prefix(1);
      skip_lws(u);
      std::size_t v = 0;
      if (!u.empty() && u.front() == '"') {
        v = quoted_string_length(u);
        if (v == 0) return std::nullopt;
      } else {
        // gen-value = token / host / quoted-string: host adds "[" "]" ":" for IPv6 references.
        while (v < u.size() && is_token_char(u[v])) ++v;
        param.is_token_value = v > 0 && (v == u.size() || !is(u[v], kGenValue));
        while (v < u.size() && is(u[v], kGenValue)) ++v;
        if (v == 0) return std::nullopt;
      }
      param.value = u.substr(0, v);
      param.has_value = true;
      u.remove_prefix(v);
      t = u;
    }
    if (visit != nullptr && !visit(context, param)) return std::nullopt;
    rest = t;
  }
  const auto consumed = static_cast<std::size_t>(rest.data() - start);
  std::string_view out = s.substr(0, consumed);
  s.remove_prefix(consumed);
  return out;
}

std::optional<std::string_view> scan_uri_params(std::string_view& s) {
  constexpr std::uint16_t kParamChar = kUnreserved | kParamExtra;
  std::string_view rest = s;
  while (!rest.empty() && rest.front() == ';') {
    rest.remove_prefix(1);
    std::string_view name;
    if (!take_escaped(rest, kParamChar, name) || name.empty()) return std::nullopt;
    if (!rest.empty() && rest.front() == '=') {
      rest.remove_prefix(1);
      std::string_view value;
      if (!take_escaped(rest, kParamChar, value) || value.empty()) return std::nullopt;
    }
  }
  const auto consumed = s.size() - rest.size();
  std::string_view out = s.substr(0, consumed);
  s.remove_prefix(consumed);
  return out;
}

}  // namespace sb::sip
