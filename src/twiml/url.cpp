#include "twiml/url.hpp"

#include <optional>

namespace sb::twiml {
namespace {

// The five components of a URI reference (RFC 3986 Appendix B); none = undefined.
struct Components {
  std::optional<std::string_view> scheme;
  std::optional<std::string_view> authority;
  std::string_view path;
  std::optional<std::string_view> query;
  std::optional<std::string_view> fragment;
};

bool is_scheme_char(char c, bool first) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return first ? alpha : alpha || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

Components split(std::string_view s) {
  Components c;
  if (const auto hash = s.find('#'); hash != std::string_view::npos) {
    c.fragment = s.substr(hash + 1);
    s = s.substr(0, hash);
  }
  if (const auto question = s.find('?'); question != std::string_view::npos) {
    c.query = s.substr(question + 1);
    s = s.substr(0, question);
  }
  if (const auto colon = s.find(':'); colon != std::string_view::npos && colon > 0) {
    bool is_scheme = true;
    for (std::size_t i = 0; i < colon && is_scheme; ++i) is_scheme = is_scheme_char(s[i], i == 0);
    if (is_scheme) {
      c.scheme = s.substr(0, colon);
      s = s.substr(colon + 1);
    }
  }
  if (s.starts_with("//")) {
    s.remove_prefix(2);
    const auto slash = s.find('/');
    c.authority = s.substr(0, slash);
    s = slash == std::string_view::npos ? std::string_view() : s.substr(slash);
  }
  c.path = s;
  return c;
}

// RFC 3986 5.2.4.
std::string remove_dot_segments(std::string_view input) {
  std::string output;
  while (!input.empty()) {
    if (input.starts_with("../")) {
      input.remove_prefix(3);
    } else if (input.starts_with("./")) {
      input.remove_prefix(2);
    } else if (input.starts_with("/./")) {
      input.remove_prefix(2);
    } else if (input == "/.") {
      input = "/";
    } else if (input.starts_with("/../") || input == "/..") {
      input = input.size() == 3 ? std::string_view("/") : input.substr(3);
      const auto last = output.rfind('/');
      output.erase(last == std::string::npos ? 0 : last);
    } else if (input == "." || input == "..") {
      input = {};
    } else {
      const auto next = input.find('/', input.starts_with('/') ? 1 : 0);
      output.append(input.substr(0, next));
      input = next == std::string_view::npos ? std::string_view() : input.substr(next);
    }
  }
  return output;
}

// RFC 3986 5.2.3.
std::string merge(const Components& base, std::string_view reference_path) {
  if (base.authority && base.path.empty()) return "/" + std::string(reference_path);
  const auto slash = base.path.rfind('/');
  if (slash == std::string_view::npos) return std::string(reference_path);
  return std::string(base.path.substr(0, slash + 1)) + std::string(reference_path);
}

}  // namespace

std::string resolve_url(std::string_view base_text, std::string_view reference_text) {
  const auto base = split(base_text);
  if (!base.scheme) return std::string(reference_text);
  const auto reference = split(reference_text);

  std::string_view scheme;
  std::optional<std::string_view> authority;
  std::string path;
  std::optional<std::string_view> query;
  // RFC 3986 5.2.2, strict: a reference with a scheme is taken as absolute.
  if (reference.scheme) {
    scheme = *reference.scheme;
    authority = reference.authority;
    path = remove_dot_segments(reference.path);
    query = reference.query;
  } else {
    scheme = *base.scheme;
    if (reference.authority) {
      authority = reference.authority;
      path = remove_dot_segments(reference.path);
      query = reference.query;
    } else {
      authority = base.authority;
      if (reference.path.empty()) {
        path = std::string(base.path);
        query = reference.query ? reference.query : base.query;
      } else {
        path = remove_dot_segments(reference.path.starts_with('/') ? std::string(reference.path)
                                                                     : merge(base, reference.path));
        query = reference.query;
      }
    }
  }

  // RFC 3986 5.3.
  std::string out(scheme);
  out += ':';
  if (authority) {
    out += "//";
    out += *authority;
  }
  out += path;
  if (query) {
    out += '?';
    out += *query;
  }
  if (reference.fragment) {
    out += '#';
    out += *reference.fragment;
  }
  return out;
}

}  // namespace sb::twiml
