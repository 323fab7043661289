#pragma once
// The audio representations of a recording: the WAV the recorder wrote, and the MP3 made from it
// on first request and kept beside it.

#include "core/result.hpp"
#include "store/recording_repository.hpp"

#include <filesystem>

namespace sb::calls {

std::filesystem::path mp3_path(const store::Recording& recording);

// Makes the MP3 when it does not exist yet. Blocking (file I/O and encoding): call it from a
// worker thread, never from the signalling loop.
Result<std::filesystem::path> ensure_mp3(const store::Recording& recording);

}  // namespace sb::calls
