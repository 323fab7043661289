#include "calls/recording_media.hpp"

#include "media/recorder/mp3_encoder.hpp"

namespace sb::calls {

std::filesystem::path mp3_path(const store::Recording& recording) {
  return std::filesystem::path(recording.file).replace_extension(".mp3");
}

Result<std::filesystem::path> ensure_mp3(const store::Recording& recording) {
  const auto mp3 = mp3_path(recording);
  if (std::filesystem::exists(mp3)) return mp3;
  if (auto done = media::encode_mp3(recording.file, mp3); !done) return done.error();
  return mp3;
}

}  // namespace sb::calls
