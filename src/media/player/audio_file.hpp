#pragma once
// Loading audio for players: decode a file (MP3 with libmpg123, the rest with libsndfile) and
// resample it with soxr to the 8 kHz mono 16-bit PCM that sessions play. Blocking (disk, CPU): runs on the engine's
// preparation thread, never on a media thread's tick.

#include "core/result.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sb::media {

// MP3 (MPEG-1/2/2.5 layer III, also layers I and II), recognised by its content (an ID3v2 tag or
// an MPEG audio frame header at the start; the name does not matter), or any format libsndfile
// reads (WAV PCM 8/16/24/32, float, μ-law, A-law, ...); channels mixed down to mono, resampled to
// 8 kHz. Errors: no_such_file_or_directory, or
// illegal_byte_sequence for a file sndfile cannot decode (the call layer reports Twilio's
// "unable to play" error).
Result<std::vector<std::int16_t>> load_audio_file(const std::string& path);

// The first bytes of a file hold an ID3v2 tag or a valid MPEG audio frame header.
bool looks_like_mpeg_audio(std::span<const unsigned char> head) noexcept;

// Mono float samples (-1..1) at `input_rate` Hz to 8 kHz 16-bit, with soxr's high quality
// (anti-aliasing) filter. Errors: invalid_argument for a rate <= 0.
Result<std::vector<std::int16_t>> resample_to_8k(std::span<const float> samples, double input_rate);

}  // namespace sb::media
