#include "calls/audio_cache.hpp"

#include "http/message.hpp"

#include <charconv>
#include <fstream>

namespace sb::calls {
namespace {

constexpr std::int64_t kHeuristicFreshness = 3600;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

CachedAudio cached_audio_from(const http::ClientResponse& response, std::int64_t now) {
  CachedAudio c;
  c.etag = std::string(response.header("ETag"));
  c.last_modified = std::string(response.header("Last-Modified"));
  c.fetched_at = now;
  const bool has_validator = !c.etag.empty() || !c.last_modified.empty();
  c.max_age = has_validator ? 0 : kHeuristicFreshness;
  std::string_view control = response.header("Cache-Control");
  while (!control.empty()) {
    const auto comma = control.find(',');
    const auto directive = trim(control.substr(0, comma));
    control = comma == std::string_view::npos ? std::string_view{} : control.substr(comma + 1);
    if (http::iequals(directive, "no-store") || http::iequals(directive, "no-cache")) {
      c.max_age = 0;
      break;
    }
    if (directive.size() > 8 && http::iequals(directive.substr(0, 8), "max-age=")) {
      std::int64_t seconds = 0;
      const auto value = directive.substr(8);
      if (std::from_chars(value.data(), value.data() + value.size(), seconds).ec == std::errc{} && seconds >= 0) {
        c.max_age = seconds;
      }
    }
  }
  return c;
}

bool is_fresh(const CachedAudio& cached, std::int64_t now) { return now < cached.fetched_at + cached.max_age; }

std::vector<http::Header> revalidation_headers(const CachedAudio& cached) {
  std::vector<http::Header> headers;
  if (!cached.etag.empty()) headers.push_back({"If-None-Match", cached.etag});
  if (!cached.last_modified.empty()) headers.push_back({"If-Modified-Since", cached.last_modified});
  return headers;
}

std::optional<CachedAudio> read_cached_audio(const std::filesystem::path& meta_file) {
  std::ifstream in(meta_file);
  if (!in) return std::nullopt;
  CachedAudio c;
  std::string fetched_at;
  std::string max_age;
  if (!std::getline(in, c.etag) || !std::getline(in, c.last_modified) || !std::getline(in, fetched_at) ||
      !std::getline(in, max_age)) {
    return std::nullopt;
  }
  if (std::from_chars(fetched_at.data(), fetched_at.data() + fetched_at.size(), c.fetched_at).ec != std::errc{} ||
      std::from_chars(max_age.data(), max_age.data() + max_age.size(), c.max_age).ec != std::errc{}) {
    return std::nullopt;
  }
  return c;
}

bool write_cached_audio(const std::filesystem::path& meta_file, const CachedAudio& cached) {
  const auto partial = meta_file.string() + ".part";
  {
    std::ofstream out(partial, std::ios::trunc);
    // One value per line; header values cannot hold line breaks.
    out << cached.etag << '\n' << cached.last_modified << '\n' << cached.fetched_at << '\n' << cached.max_age << '\n';
    if (!out) return false;
  }
  std::error_code ec;
  std::filesystem::rename(partial, meta_file, ec);
  return !ec;
}

}  // namespace sb::calls
