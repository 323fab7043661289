#pragma once
// What a record command asks for (TwiML <Record>, <Dial record>): plain values built on the
// signalling loop and posted to the media engine.

#include <chrono>
#include <optional>
#include <string>

namespace sb::media {

struct RecordRequest {
  std::string path;  // the WAV file to write (8 kHz, 16-bit PCM, mono); its directory must exist
  std::optional<std::chrono::milliseconds> max_duration;  // <Record maxLength>; none = until stopped
};

}  // namespace sb::media
