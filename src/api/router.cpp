#include "api/router.hpp"

namespace sb::api {

namespace {

// "/a/b/" -> {"a", "b", ""}: every segment, empty ones included, so "/x/" never equals "/x".
std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  path.remove_prefix(1);
  for (;;) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return out;
    path.remove_prefix(slash + 1);
  }
}

}  // namespace

bool match_pattern(std::string_view pattern, std::string_view path, std::vector<std::string>& captures) {
  captures.clear();
  if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/') return false;
  const auto want = segments(pattern);
  const auto have = segments(path);
  if (want.size() != have.size()) return false;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const std::string_view p = want[i];
    const std::string_view s = have[i];
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
  return true;
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
