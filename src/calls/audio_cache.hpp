#pragma once
// The <Play> audio cache (DATA_DIR/cache/audio): a file per URL, with what HTTP said about its
// freshness beside it (ETag, Last-Modified, Cache-Control max-age), so a changed file is played
// the next time and an unchanged one costs a 304 at most (RFC 9111, RFC 9110 conditional GET).

#include "http/client.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sb::calls {

struct CachedAudio {
  std::string etag;
  std::string last_modified;
  std::int64_t fetched_at = 0;  // unix seconds of the last 200 or 304
  std::int64_t max_age = 0;     // seconds the copy is fresh without asking again
};

// What a 200 or 304 says: validators, and the freshness from Cache-Control (no-store, no-cache
// and max-age=0 mean "ask every time"; without Cache-Control a copy with a validator is
// revalidated every time and one without is kept for an hour).
CachedAudio cached_audio_from(const http::ClientResponse& response, std::int64_t now);
bool is_fresh(const CachedAudio& cached, std::int64_t now);
// If-None-Match / If-Modified-Since for a conditional GET.
std::vector<http::Header> revalidation_headers(const CachedAudio& cached);

std::optional<CachedAudio> read_cached_audio(const std::filesystem::path& meta_file);
bool write_cached_audio(const std::filesystem::path& meta_file, const CachedAudio& cached);

}  // namespace sb::calls
