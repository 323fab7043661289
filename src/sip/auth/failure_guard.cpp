#include "sip/auth/failure_guard.hpp"

#include <algorithm>

namespace sb::sip {

bool FailureGuard::is_banned(std::string_view source, Clock::time_point now) {
  const auto it = entries_.find(std::string(source));
  return it != entries_.end() && it->second.banned_until > now;
}

bool FailureGuard::record_failure(std::string_view source, Clock::time_point now) {
  if (entries_.size() >= options_.max_sources) sweep(now);
  auto& e = entries_[std::string(source)];
  if (e.banned_until > now) return false;  // already banned
  if (e.failures == 0 || now - e.window_start > options_.window) {
    e.failures = 0;
    e.window_start = now;
  }
  if (++e.failures < options_.max_failures) return false;
  e.banned_until = now + options_.ban;
  e.failures = 0;
  return true;
}

std::size_t FailureGuard::banned_count(Clock::time_point now) const {
  return static_cast<std::size_t>(
      std::ranges::count_if(entries_, [now](const auto& kv) { return kv.second.banned_until > now; }));
}

void FailureGuard::sweep(Clock::time_point now) {
  std::erase_if(entries_, [&](const auto& kv) {
    return kv.second.banned_until <= now && now - kv.second.window_start > options_.window;
  });
  // Still full (a flood from many sources): forget the unbanned ones first, then anything.
  if (entries_.size() >= options_.max_sources) {
    std::erase_if(entries_, [&](const auto& kv) { return kv.second.banned_until <= now; });
  }
  if (entries_.size() >= options_.max_sources) entries_.clear();
}

}  // namespace sb::sip
