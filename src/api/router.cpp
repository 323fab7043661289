#include "api/router.hpp"

namespace sb::api {

namespace {

std::string_view next_segment(std::string_view& rest) {
  const auto slash = rest.find('/');
  const std::string_view segment = rest.substr(0, slash);
  rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
  return segment;
}

}  // namespace

bool match_pattern(std::string_view pattern, std::string_view path, std::vector<std::string>& captures) {
  captures.clear();
  if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/') return false;
  pattern.remove_prefix(1);
  path.remove_prefix(1);
  for (;;) {
    const bool pattern_done = pattern.empty();
    const bool path_done = path.empty();
    if (pattern_done || path_done) return pattern_done && path_done;
    const std::string_view p = next_segment(pattern);
    const std::string_view s = next_segment(path);
    const auto hole = p.find("{}");
    if (hole == std::string_view::npos) {
      if (p != s) return false;
      continue;
    }
    const std::string_view prefix = p.substr(0, hole);
    const std::string_view suffix = p.substr(hole + 2);
    if (s.size() <= prefix.size() + suffix.size() || !s.starts_with(prefix) || !s.ends_with(suffix)) {
      return false;
    }
    captures.emplace_back(s.substr(prefix.size(), s.size() - prefix.size() - suffix.size()));
  }
}

void Router::add(Route route) { routes_.push_back(std::move(route)); }

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match result;
  std::vector<std::string> captures;
  for (const auto& route : routes_) {
    if (!match_pattern(route.pattern, path, captures)) continue;
    result.is_path_known = true;
    if (route.method == method) {
      result.route = &route;
      result.captures = std::move(captures);
      return result;
    }
  }
  return result;
}

}  // namespace sb::api
