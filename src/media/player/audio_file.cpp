#include "media/player/audio_file.hpp"

#include <sndfile.h>
#include <soxr.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace sb::media {

Result<std::vector<std::int16_t>> resample_to_8k(std::span<const float> samples, double input_rate) {
  if (!(input_rate > 0)) return std::make_error_code(std::errc::invalid_argument);
  constexpr double kOutputRate = 8000;
  std::vector<std::int16_t> out(static_cast<std::size_t>(std::ceil(samples.size() * kOutputRate / input_rate)) + 16);
  if (samples.empty()) return std::vector<std::int16_t>{};
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_INT16_I);
  const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  std::size_t done_in = 0;
  std::size_t done_out = 0;
  const soxr_error_t error = soxr_oneshot(input_rate, kOutputRate, 1, samples.data(), samples.size(), &done_in,
                                          out.data(), out.size(), &done_out, &io, &quality, nullptr);
  if (error) return std::make_error_code(std::errc::invalid_argument);
  out.resize(done_out);
  return out;
}

Result<std::vector<std::int16_t>> load_audio_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::make_error_code(std::errc::no_such_file_or_directory);
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (!file) return std::make_error_code(std::errc::illegal_byte_sequence);
  std::vector<float> mono;
  if (info.channels > 0 && info.frames > 0 && info.samplerate > 0) {
    const auto channels = static_cast<std::size_t>(info.channels);
    std::vector<float> block(4096 * channels);
    mono.reserve(static_cast<std::size_t>(info.frames));
    for (;;) {
      const sf_count_t frames = sf_readf_float(file, block.data(), 4096);
      if (frames <= 0) break;
      for (sf_count_t f = 0; f < frames; ++f) {
        float sum = 0;
        for (std::size_t c = 0; c < channels; ++c) sum += block[static_cast<std::size_t>(f) * channels + c];
        mono.push_back(sum / static_cast<float>(channels));
      }
    }
  }
  const int rate = info.samplerate;
  sf_close(file);
  if (rate <= 0) return std::make_error_code(std::errc::illegal_byte_sequence);
  if (rate == 8000) {
    std::vector<std::int16_t> out(mono.size());
    for (std::size_t i = 0; i < mono.size(); ++i)
      out[i] = static_cast<std::int16_t>(std::lround(std::clamp(mono[i] * 32768.0f, -32768.0f, 32767.0f)));
    return out;
  }
  return resample_to_8k(mono, rate);
}

}  // namespace sb::media
