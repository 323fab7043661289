#pragma once
// The .mp3 representation of a recording: a WAV file (any format libsndfile reads, mixed to
// mono) encoded with LAME. Blocking file work: run it off the media threads' ticks.

#include "core/result.hpp"

#include <filesystem>

namespace sb::media {

// Encodes `wav` into `mp3` (written to a temporary name, then renamed into place, so a reader
// never sees half a file). Errors: the WAV cannot be read, the encoder fails, or the file cannot
// be written.
Result<void> encode_mp3(const std::filesystem::path& wav, const std::filesystem::path& mp3);

}  // namespace sb::media
