#pragma once
// Text to speech with espeak-ng, to 8 kHz mono 16-bit PCM. espeak-ng keeps global state and is
// not thread-safe: every synthesis in the process goes through synthesize(), which serialises
// them behind one mutex. Blocking (a sentence takes tens of milliseconds): called from the
// engine's preparation thread, never from a media thread's tick.

#include "core/result.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace sb::media {

// Errors: invalid_argument (empty text or unknown voice), io_error when espeak-ng cannot start
// (its data files are missing).
Result<std::vector<std::int16_t>> synthesize_speech(std::string_view text, std::string_view voice, bool is_female);

}  // namespace sb::media
