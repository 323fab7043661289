#include "media/tts/speech_synthesizer.hpp"

#include "media/player/audio_file.hpp"

#include <espeak-ng/speak_lib.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <string>

namespace sb::media {

namespace {

std::mutex espeak_mutex;
int espeak_rate = 0;  // Hz, once initialised (22050 for espeak-ng's voices)

// espeak-ng's synchronous mode hands us the audio through this callback, on our thread.
int collect_samples(short* samples, int count, espeak_EVENT* events) {
  auto* out = static_cast<std::vector<float>*>(events ? events->user_data : nullptr);
  if (out && samples)
    for (int i = 0; i < count; ++i) out->push_back(static_cast<float>(samples[i]) / 32768.0f);
  return 0;  // continue
}

}  // namespace

Result<std::vector<std::int16_t>> synthesize_speech(std::string_view text, std::string_view voice, bool is_female) {
  if (text.empty()) return std::make_error_code(std::errc::invalid_argument);
  std::string name(voice.empty() ? "en-us" : voice);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  if (is_female) name += "+f3";
  const std::string input(text);
  std::vector<float> pcm;
  {
    std::lock_guard lock(espeak_mutex);
    if (espeak_rate <= 0) {
      espeak_rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr, 0);
      if (espeak_rate <= 0) return std::make_error_code(std::errc::io_error);
      espeak_SetSynthCallback(collect_samples);
    }
    if (espeak_SetVoiceByName(name.c_str()) != EE_OK) return std::make_error_code(std::errc::invalid_argument);
    const espeak_ERROR error = espeak_Synth(input.c_str(), input.size() + 1, 0, POS_CHARACTER, 0,
                                            espeakCHARS_UTF8, nullptr, &pcm);
    if (error != EE_OK) return std::make_error_code(std::errc::io_error);
  }
  return resample_to_8k(pcm, espeak_rate);
}

}  // namespace sb::media
